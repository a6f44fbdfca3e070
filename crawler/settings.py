"""Scrapy settings for govarchive: polite defaults, component wiring, and every GOVARCHIVE_* default.

Components read these without fallbacks; `-s KEY=VALUE` (or `govarchive crawl -s`) overrides any.
"""

from archive.identity.config import NearDupSettings
from archive.store.archive import WRITE_WAIT_SECONDS

BOT_NAME = "govarchive"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

USER_AGENT = "govarchive/0.1 (+https://github.com/govarchive/govarchive; archive of government disclosures)"
ROBOTSTXT_OBEY = True

# One request at a time per site, paced by the server's response times.
CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 2.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
# Measured: the default of 100 spawns 100 workers per callback and halves throughput.
CONCURRENT_ITEMS = 1

RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 50 * 1024 * 1024
DOWNLOAD_WARNSIZE = 10 * 1024 * 1024
REDIRECT_MAX_TIMES = 5
# A truncated body reaches the spider flagged `dataloss`, so the failure can say how much came.
DOWNLOAD_FAIL_ON_DATALOSS = False
# The spider sends each list request and detail link once itself; Scrapy's filter would drop a
# redirect to a URL already seen (a redirect loop, a link redirecting to a listed page) silently.
DUPEFILTER_CLASS = "scrapy.dupefilters.BaseDupeFilter"
COOKIES_ENABLED = False
# An unattended crawler listens on nothing.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False

EXTENSIONS = {
    "crawler.extensions.ArchiveSession": 100,       # the one archive connection of the crawl
    "crawler.extensions.CrawlRunRecorder": 500,     # the crawl_runs row
}
SPIDER_MIDDLEWARES = {"crawler.middlewares.RevisitMiddleware": 600}
DOWNLOADER_MIDDLEWARES = {"crawler.middlewares.PortalDeadlineMiddleware": 40}   # before offsite, robots.txt
ITEM_PIPELINES = {
    "crawler.pipelines.ExtractPipeline": 100,       # read a fetched detail page, in worker processes
    "crawler.pipelines.AttachmentPipeline": 200,    # fetch a page's attachments
    "crawler.pipelines.ArchivePipeline": 300,       # compose its document and store it
}

# Where documents go (`govarchive crawl --db` and the GOVARCHIVE_DB variable set it), and the
# registry the spider reads when no `-a config=` is given.
GOVARCHIVE_DB = "archive.db"
GOVARCHIVE_REGISTRY = "portals.toml"
# Download every listed detail page again in full, due or not (`govarchive crawl --refresh`).
GOVARCHIVE_REFRESH = False
# The token `govarchive crawl` gives the run it starts (to find its row again), and how often
# (items) a run writes its counts so far.
GOVARCHIVE_RUN_TOKEN = None
GOVARCHIVE_COUNTS_EVERY = 20
# Seconds one portal may take in a crawl of many (0: no limit); past it, its requests are dropped
# and recorded, and its run ends `timeout`.
GOVARCHIVE_PORTAL_TIMEOUT = 0
# Writes are committed in batches: every this many items, or this many seconds, whichever first.
GOVARCHIVE_BATCH_PAGES = 50
GOVARCHIVE_BATCH_SECONDS = 2.0
# Worker processes that extract detail pages beside the crawl (0: in the crawl process itself).
GOVARCHIVE_EXTRACT_WORKERS = 1
# Seconds a write waits for another process's hold on the archive before the page is recorded
# as failed (and the run with it).
GOVARCHIVE_WRITE_WAIT = WRITE_WAIT_SECONDS
# Attachments (.docx/.pdf/.doc/.wps/.xlsx) fetched per detail page, and their size cap.
GOVARCHIVE_MAX_ATTACHMENTS = 10
GOVARCHIVE_ATTACHMENT_MAXSIZE = 30 * 1024 * 1024
# Estimated Jaccard similarity (character-bigram MinHash) at which two texts are one report.
GOVARCHIVE_NEAR_DUP_THRESHOLD = NearDupSettings.threshold

FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"
