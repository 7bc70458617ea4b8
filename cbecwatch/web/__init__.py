"""The read-only web application (``cbecwatch serve``): pages, JSON API, feeds, health and metrics."""

from cbecwatch.web.app import create_app

__all__ = ["create_app"]
