"""Public checks (being written)."""
