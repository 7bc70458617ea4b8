"""``cbecwatch config``: every setting in force, where it came from, secrets masked."""

from __future__ import annotations

import argparse
import json
import os


def add_commands(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    config = sub.add_parser("config", help="print every effective setting and its source (secrets masked)")
    config.add_argument("--json", action="store_true", help="one JSON array of {variable, key, value, source}")
    config.set_defaults(handler="cbecwatch.commands_config:show_config")


def show_config(args: argparse.Namespace) -> int:
    from appconfig.effective import effective_settings
    from appconfig.settings import config_file

    rows = effective_settings()
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=2))
        return 0
    path = config_file(os.environ)
    print(f"# settings file: {path if path else 'none (CBECWATCH_CONFIG_FILE, or cbecwatch.toml in CBECWATCH_HOME)'}")
    width = max(len(row["variable"]) for row in rows)
    for row in rows:
        value = row["value"]
        shown = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        print(f"{row['variable']:<{width}}  {row['source']:<11}  {shown}")
    return 0
