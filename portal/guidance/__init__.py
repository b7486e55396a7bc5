"""Guidance published by SHA staff, the links library and the newsletter: a feature app on the portal's floor."""
