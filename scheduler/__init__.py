"""Unattended collection: decides *when* each portal is crawled (APScheduler), runs crawls
through crawler.process, keeps their logs, and judges portal health from the run log."""
