"""govarchive: collect Chinese government disclosure pages into a searchable SQLite archive."""

__version__ = "0.1.0"
