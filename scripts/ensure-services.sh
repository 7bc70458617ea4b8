#!/usr/bin/env bash
# Make sure the PostgreSQL server the storage tests run against is there: 127.0.0.1:5432, trust auth,
# database "test". On a machine that has it running this does nothing; on a fresh Debian machine
# (as root) it installs and starts it. Without root it only says what is missing: the tests then
# skip — or fail under CI=true, where PostgreSQL is required.
set -euo pipefail

pg_ready() { command -v pg_isready >/dev/null 2>&1 && pg_isready -q -h 127.0.0.1 -p 5432; }

# Legacy Word (.doc) attachments are read by Debian's antiword, else catdoc (crawler/attachments/readers.py).
if ! command -v antiword >/dev/null 2>&1 || ! command -v catdoc >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "ensure-services: installing antiword and catdoc (readers of .doc attachments)" >&2
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq antiword catdoc >/dev/null; } \
      || echo "ensure-services: could not install antiword/catdoc: .doc attachments will be stored as unreadable" >&2
  else
    echo "ensure-services: antiword/catdoc missing (apt-get install antiword catdoc): .doc attachments stay unreadable" >&2
  fi
fi
# The web app's browser tests (tests/test_web_browser.py) drive Debian's chromium through Playwright (never
# `playwright install`); a CJK font makes their screenshots legible. Without them those tests skip (fail in CI).
ensure_browser() {
  if [ -x /usr/bin/chromium ] && [ -d /usr/share/fonts/truetype/wqy ]; then
    return 0
  fi
  if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "ensure-services: chromium is not installed and I cannot install it (need root + apt-get)" >&2
    return 0
  fi
  echo "ensure-services: installing chromium and a CJK font from Debian's packages" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-wqy-zenhei >/dev/null
}
ensure_browser

if pg_ready; then
  exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-services: PostgreSQL is not running on 127.0.0.1:5432 and I cannot install it (need root + apt-get)" >&2
  exit 0
fi
if ! command -v pg_ctlcluster >/dev/null 2>&1; then
  echo "ensure-services: installing PostgreSQL from Debian's packages" >&2
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
fi
version=$(ls /etc/postgresql | sort -n | tail -1)
if [ -z "$(ls /etc/postgresql/"$version" 2>/dev/null)" ]; then
  pg_createcluster "$version" main >/dev/null
fi
conf=/etc/postgresql/$version/main
grep -q "cbecwatch-tests" "$conf/pg_hba.conf" || {
  printf '# cbecwatch-tests: local trust auth for the test database\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n' \
    | cat - "$conf/pg_hba.conf" > /tmp/pg_hba.conf && mv /tmp/pg_hba.conf "$conf/pg_hba.conf"
}
pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>/dev/null || pg_ctlcluster "$version" main reload
for _ in $(seq 1 30); do pg_ready && break; sleep 1; done
su postgres -c "psql -tAc \"SELECT 1 FROM pg_database WHERE datname='test'\"" | grep -q 1 \
  || su postgres -c "createdb test"
echo "ensure-services: PostgreSQL is running on 127.0.0.1:5432" >&2
