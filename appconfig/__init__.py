"""Configuration of cbecwatch, below every other package.

``crawler``, ``storage``, ``scheduler`` and the CLI all read their settings from here, and this package
imports nothing of theirs, so no layer reaches up into another to learn a setting:

- :mod:`appconfig.settings` — the typed settings (pydantic-settings): defaults, an optional
  ``cbecwatch.toml``, then the ``CBECWATCH_*`` environment;
- :mod:`appconfig.schedules` — the crawl schedule strings and the APScheduler triggers they make;
- :mod:`appconfig.files` — models of the subscribers and sources TOML files;
- :mod:`appconfig.errors` — turning a pydantic validation error into one line naming the setting;
- :mod:`appconfig.effective` — every setting in force and its source, for `cbecwatch config`;
- :mod:`appconfig.version` — the version, for User-Agent headers in every layer.
"""
