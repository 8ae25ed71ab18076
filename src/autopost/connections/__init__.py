"""connections domain."""
