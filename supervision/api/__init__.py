"""API v1 for supervision."""
