"""The loopback servers of the test world (autopost_testing.servers), under their old test name."""

from autopost_testing.servers import free_port, serve_in_thread

__all__ = ["free_port", "serve_in_thread"]
