"""Models for the search app."""
