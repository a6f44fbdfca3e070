"""The SQLite store: writes (`archive`), reads (`queries`), clusters and named migrations."""
