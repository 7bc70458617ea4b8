"""The local mirror: an HTTP server on 127.0.0.1 that answers like the real government sites (same
paths, JSON APIs, meta tags, selectors, encodings), and the download handler that sends a crawl's
requests to it. Used by the tests, ``make demo`` and ``cbecwatch mirror``."""
