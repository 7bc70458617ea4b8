"""The crawling side of cbecwatch: a Scrapy project (settings, items, spiders, pipelines), the
source modules (one per site, in ``crawler.spiders``), page parsing, fact extraction and the local
mirror used by tests and the demo."""
