"""govarchive's archive, pure of Scrapy: families, extraction, document identity, the SQLite store.

Subpackages: `families` (one module per CMS family), `extract` (bytes -> records), `identity`
(hashes, MinHash), `store` (the only SQL). Nothing is re-exported here: import from the module.
"""
