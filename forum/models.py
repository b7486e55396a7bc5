"""Models for the forum app."""
