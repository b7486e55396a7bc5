"""Models for the events app."""
