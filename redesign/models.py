"""Models for the redesign app."""
