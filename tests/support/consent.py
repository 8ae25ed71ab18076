"""The consent helpers of the test world (autopost_testing.consent), under their old test name."""

from autopost_testing.consent import allow, query_of

__all__ = ["allow", "query_of"]
