"""clips domain."""
