"""Receivers that keep accounts and member records in step."""
