"""The declarative base every table of cbecwatch is mapped on.

It sits below the model modules so that each of them (the notices in :mod:`storage.models`, the
alerting, attachment and place tables beside it) imports it without importing the others:
:mod:`storage.schema` is where all of them are brought together.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON
from sqlalchemy.orm import DeclarativeBase

from storage.types import UTCDateTime


class Base(DeclarativeBase):
    type_annotation_map = {dt.datetime: UTCDateTime(), dict[str, Any]: JSON(), list[Any]: JSON()}
