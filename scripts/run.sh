#!/usr/bin/env bash
# Sets everything up and serves the demo province on 127.0.0.1:8080.
# Usage: scripts/run.sh [extra `tthc serve` flags]
#   installs the Debian packages it needs, builds build/tthc, creates var/tthc.db with the
#   demo data if it does not exist, then serves until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/deps.sh
[ -d build ] || meson setup build --buildtype=release -Dtests=false >/dev/null
meson compile -C build tthc:executable >/dev/null

db=${TTHC_DB:-var/tthc.db}
mkdir -p "$(dirname "$db")"
if [ ! -f "$db" ]; then
    echo "creating the demo database $db (a few seconds)..." >&2
    build/tthc demo --db "$db"
fi
listen=${TTHC_LISTEN:-127.0.0.1:8080}
echo "the dashboard: http://$listen/  (the API: http://$listen/api/v1/)" >&2
exec build/tthc serve --db "$db" --listen "$listen" "$@"
