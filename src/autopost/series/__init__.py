"""Series of publications planned at once, and each account's posting slots."""
