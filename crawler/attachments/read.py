"""Reading what the spider fetched, off the reactor thread (the attachment pipeline stage runs this)."""

from __future__ import annotations

import hashlib

from crawler.attachments.goods import goods_rows
from crawler.attachments.readers import read_attachment
from storage.attachments import FetchedAttachment


def read_fetched(attachments: list[FetchedAttachment]) -> list[FetchedAttachment]:
    """Hash, read and parse the goods rows of every attachment that came with bytes (a 304 did not)."""
    for fetched in attachments:
        if fetched.body is None or fetched.reading is not None:
            continue
        fetched.sha256 = hashlib.sha256(fetched.body).hexdigest()
        fetched.reading = read_attachment(fetched.body, fetched.url, fetched.content_type)
        fetched.rows = [row.as_dict() for row in goods_rows(fetched.reading.tables, fetched.link_text)]
    return attachments
