"""govarchive's Scrapy project: one registry-driven spider and its thin components."""
