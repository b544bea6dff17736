"""Models of the decisions app."""
