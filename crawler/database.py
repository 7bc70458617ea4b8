"""The crawler's one ``Database`` per process (per URL).

Below ``runstore``, ``incremental`` and ``pipelines``, which all need it: it imports only storage and
the settings, so none of them has to import another to reach the database.
"""

from __future__ import annotations

from scrapy.settings import BaseSettings

from appconfig.settings import get_settings
from storage.db import Database, open_database

_databases: dict[str, Database] = {}


def database_for(settings: BaseSettings) -> Database:
    url = settings.get("CBECWATCH_DATABASE_URL") or get_settings().database_url
    if url not in _databases:
        _databases[url] = open_database(url)
    return _databases[url]
