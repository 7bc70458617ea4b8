"""cbecwatch: monitor of Chinese cross-border e-commerce policy notices.

The application shell (configuration and command line) lives here; the work is done by the three
packages that follow the data: ``crawler`` (sources, spiders, extraction) → ``storage`` (notices,
versions, facts, runs) → ``scheduler`` (daemon, dispatch, channels).
"""

__version__ = "0.1.0"
