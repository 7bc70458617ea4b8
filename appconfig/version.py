"""The version, here rather than in the CLI package so that every layer can name it (User-Agent headers)."""

VERSION = "0.1.0"  # keep in step with pyproject.toml
