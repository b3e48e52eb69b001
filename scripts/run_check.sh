#!/usr/bin/env bash
# Runs the README's first command, scripts/run.sh, in this checkout until it serves the demo
# province, checks one figure of the seed report and the dashboard at /, and stops it: with scripts/test.sh before or
# after it (as .ci/run does), the README's two commands are shown to work in either order in
# one checkout. Uses a free port and a database of its own under a temporary folder.
# Usage: scripts/run_check.sh
set -uo pipefail
cd "$(dirname "$0")/.."
dir=$(mktemp -d)
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$dir"' EXIT
# Port 0: the kernel picks a free port, which the service's start-up line names.
TTHC_DB="$dir/tthc.db" TTHC_LISTEN="127.0.0.1:0" scripts/run.sh >"$dir/run.log" 2>&1 &
server=$!
# Installs (when missing), a build and the demo: a few minutes at most on a fresh machine.
port=""
for _ in $(seq 1800); do
    [ -n "$port" ] || port=$(sed -n 's|.*serving http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$dir/run.log" | head -1)
    [ -n "$port" ] && curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break
    kill -0 "$server" 2>/dev/null || break
    sleep 0.2
done
total=$(curl -sf "http://127.0.0.1:$port/api/v1/summary?from=2023-12-15&to=2024-08-31" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["dossiers"]["total"])' 2>/dev/null)
# The dashboard a newcomer opens at http://127.0.0.1:8080/.
page=$(curl -sf "http://127.0.0.1:$port/" | grep -c 'src="/assets/js/main.js"')
kill -TERM "$server" 2>/dev/null
wait "$server" 2>/dev/null
server=""
if [ "$page" != "1" ]; then
    echo "run_check: scripts/run.sh served no dashboard at /" >&2
    exit 1
fi
if [ "$total" != "395987" ]; then
    echo "run_check: scripts/run.sh did not serve the demo province (total '$total', not 395987); its log:" >&2
    tail -20 "$dir/run.log" >&2
    exit 1
fi
echo "run_check: scripts/run.sh served the demo province on 127.0.0.1:$port (total 395987, the dashboard at /) and stopped"
