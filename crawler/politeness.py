"""Retries with exponential backoff, so that a struggling server gets air instead of a hammering.

Scrapy's retry middleware re-queues a failed request at once. This one re-queues it the same way
(same ``RETRY_TIMES``, ``RETRY_HTTP_CODES`` and exceptions) but makes the retry wait
``CBECWATCH_RETRY_BACKOFF × 2^(n-1)`` seconds (±25 % jitter) before it is sent again. HTTP 403,
405 and 412 are never retried: they are WAF decisions, and insisting only prolongs a block.
"""

from __future__ import annotations

import random
from typing import Any

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.http import Request, Response
from scrapy.utils.defer import maybe_deferred_to_future

BACKOFF_META = "cbec_backoff"


def backoff_delay(base: float, attempt: int, rng: random.Random | None = None) -> float:
    """Seconds to wait before retry number *attempt* (1, 2, …)."""
    if base <= 0:
        return 0.0
    jitter = (rng or random).uniform(0.75, 1.25)
    return base * (2 ** (attempt - 1)) * jitter


class BackoffRetryMiddleware(RetryMiddleware):
    def _retry(self, request: Request, reason: Any) -> Request | None:
        retry = super()._retry(request, reason)
        if retry is not None:
            base = self.crawler.settings.getfloat("CBECWATCH_RETRY_BACKOFF", 2.0)
            retry.meta[BACKOFF_META] = backoff_delay(base, int(retry.meta.get("retry_times", 1)))
        return retry

    async def process_request(self, request: Request) -> Response | None:
        delay = request.meta.pop(BACKOFF_META, 0)
        if delay:
            from twisted.internet import reactor
            from twisted.internet.task import deferLater

            await maybe_deferred_to_future(deferLater(reactor, delay, lambda: None))
        return None
