"""publications domain."""
