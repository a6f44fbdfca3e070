"""Pure parsers for portal list pages (no requests, no settings)."""

from crawler.pages.listing import Listing, parse_listing

__all__ = ["Listing", "parse_listing"]
