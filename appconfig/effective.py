"""Every setting as it is in force and where its value came from, for ``cbecwatch config``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from appconfig.settings import (
    LAYERS,
    PREFIXED,
    SECRET_NAMES,
    build_layer,
    check_env_names,
    config_file,
    env_name,
    mask_password,
    origin,
    read_config_file,
)

#: settings whose whole value is a secret (printed as *** when set)
SECRET_FIELDS = frozenset({"web_token"})


def effective_settings(environ: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """Every setting as it is in force: its variable, the file key, the value (secrets masked) and where
    the value came from — ``default``, ``environment`` or ``file``."""
    environ = os.environ if environ is None else environ
    check_env_names(environ)
    path = config_file(environ)
    file_values = read_config_file(path)
    rows: list[dict[str, Any]] = []
    for layer in LAYERS:
        built = build_layer(layer, environ)
        for field in layer.model_fields:
            if field == "extra":  # kept for code that passes values around; no variable sets it
                continue
            value = getattr(built, field)
            if isinstance(value, Path):
                value = str(value)
            elif isinstance(value, frozenset):
                value = sorted(value)
            elif isinstance(value, str) and field in SECRET_FIELDS:
                value = "***" if value else ""
            elif isinstance(value, str):
                value = mask_password(value)  # database, SMTP and mirror URLs may carry a password
            elif isinstance(value, dict):
                value = {key: value[key] for key in sorted(value)}
            variable = f"{PREFIXED[field]}<SOURCE>" if field in PREFIXED else env_name(field)
            rows.append({"variable": variable, "key": field, "value": value,
                         "source": origin(field, environ, file_values)})
    for name in sorted(SECRET_NAMES):
        rows.append({"variable": name, "key": None, "value": "***" if environ.get(name, "").strip() else "",
                     "source": "environment" if environ.get(name, "").strip() else "default"})
    return rows
