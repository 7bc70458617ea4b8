# syntax=docker/dockerfile:1
# cbecwatch: the daemon, the web app and the CLI in one image (docker compose runs each as a service).
#   docker build -t cbecwatch .                          # without a browser
#   docker build -t cbecwatch --build-arg WITH_CHROMIUM=1 .   # + Debian's chromium for customs pages
FROM python:3.11-slim-bookworm

ARG WITH_CHROMIUM=0
# 1: also Scrapyd, for a crawl node (compose profile "scrapyd", CBECWATCH_CRAWL_BACKEND=scrapyd)
ARG WITH_SCRAPYD=0
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    CBECWATCH_HOME=/data

# Chromium is optional: ~300 MB that only CBECWATCH_CUSTOMS_BROWSER=1 needs. Debian's package, not
# Playwright's download, so that the browser gets Debian's security updates.
RUN if [ "$WITH_CHROMIUM" = "1" ]; then \
        apt-get update \
        && apt-get install -y --no-install-recommends chromium \
        && rm -rf /var/lib/apt/lists/*; \
    fi

# A fixed uid, so that a bind-mounted data directory can be chown'ed to it on the host.
RUN groupadd --gid 10001 cbecwatch \
    && useradd --uid 10001 --gid cbecwatch --home-dir /home/cbecwatch --create-home --shell /usr/sbin/nologin cbecwatch \
    && mkdir -p /data && chown cbecwatch:cbecwatch /data && chmod 0700 /data

WORKDIR /app
# Dependencies first (pyproject only), so that a code change does not reinstall Scrapy and friends.
COPY pyproject.toml README.md ./
RUN mkdir -p cbecwatch crawler storage scheduler && touch cbecwatch/__init__.py \
    && pip install --quiet ".[postgres]" && pip uninstall --quiet -y cbecwatch
COPY cbecwatch cbecwatch
COPY crawler crawler
COPY storage storage
COPY scheduler scheduler
COPY scrapy.cfg ./
RUN EXTRAS="postgres"; if [ "$WITH_CHROMIUM" = "1" ]; then EXTRAS="$EXTRAS,browser"; fi \
    && if [ "$WITH_SCRAPYD" = "1" ]; then EXTRAS="$EXTRAS,scrapyd"; fi \
    && pip install --quiet ".[$EXTRAS]"
COPY deploy/scrapyd/scrapyd.conf /etc/scrapyd/scrapyd.conf
# jieba compiles its dictionary cache on first use; byte-compiling it now keeps a read-only image fast.
RUN python -m compileall -q "$(python -c 'import jieba, os; print(os.path.dirname(jieba.__file__))')" >/dev/null || true
ENV CBECWATCH_CHROMIUM=/usr/bin/chromium

USER cbecwatch
VOLUME ["/data"]
EXPOSE 8000
ENTRYPOINT ["cbecwatch"]
CMD ["daemon"]
