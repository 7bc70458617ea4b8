"""cbecwatch: monitor of Chinese cross-border e-commerce policy notices.

The application shell (configuration and command line) lives here; the work is done by the three
packages that follow the data: ``crawler`` (sources, spiders, extraction) → ``storage`` (notices,
versions, facts, runs) → ``scheduler`` (daemon, dispatch, channels).
"""

from appconfig.version import VERSION as __version__

__all__ = ["__version__"]
