"""The loopback servers of the test world (autopost_testing.servers), under their old test name."""

import random
import socket
from pathlib import Path

from autopost_testing.servers import free_port, serve_in_thread

__all__ = ["free_port", "rebindable_port", "serve_in_thread"]


def rebindable_port() -> int:
    """A free port below the kernel's ephemeral range, for a server that stops and starts again on it.

    free_port() hands out ephemeral ports: while such a port lies unbound between two runs, another
    test process (a parallel xdist worker) may be given it; the kernel never picks one below the range.
    """
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    while True:
        port = random.randrange(low // 2, low)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        return port
