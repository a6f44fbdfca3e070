"""Spiders of the govarchive project."""
