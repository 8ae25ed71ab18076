"""The clip maker of the test world (autopost_testing.media), under its old test name."""

from autopost_testing.media import make_clip

__all__ = ["make_clip"]
