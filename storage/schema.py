"""Every table of cbecwatch on one metadata: the model modules, each registering its tables on import.

Importing :mod:`storage.models` alone registers only the notice tables; a table's foreign keys to
another module's tables resolve once both are loaded, so whatever opens a database (``storage.db``)
or compares the schema (Alembic's env) imports this. The pilot-zone registry's table is the one left
out: :mod:`storage.registry` imports the storage layer above the models.
"""

from __future__ import annotations

from storage import models, models_alerts, models_attachments, places
from storage.base import Base

metadata = Base.metadata
MODULES = (models, models_alerts, models_attachments, places)
