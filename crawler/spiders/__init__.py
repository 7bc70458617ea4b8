"""Source modules: one spider per site section, each describing itself (agency, start endpoints,
which public facts it relies on) and saying how to list and how to read a detail page. Shared
behaviour lives in :mod:`crawler.spiders.base`."""
