#!/usr/bin/env bash
# The dashboard (GET /) in a real browser: starts tthc on a fresh demo database and drives
# Debian's chromium headless through its DevTools protocol (scripts/page_test.py says what it
# checks), holding every figure the page shows to the API. Saves screenshots in a new folder
# under the temporary directory and prints its path; prints the first render's time.
#
# Usage: scripts/page_test.sh [path/to/tthc] [--db DEMO.db] [--shot PATH]
#   --db    an existing demo database instead of building one (about 12 s)
#   --shot  also save the top of the default page to PATH (docs/dashboard.png is made so)
# Ends with `page: 0 failed` (exit 0) or `page: N failed` (exit 1); exit 2 on usage.
# About a minute on 2 cores. Needs chromium (scripts/deps.sh --browser installs it).
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
case "${1:-}" in -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
tthc=build/tthc
if [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; then tthc=$1; shift; fi
tthc=$(realpath "$tthc" 2>/dev/null)
if [ -z "$tthc" ] || [ ! -x "$tthc" ]; then
    echo "page_test: no tthc binary; build it first (meson compile -C build)" >&2
    exit 2
fi
command -v chromium >/dev/null || { echo "page_test: chromium is needed: scripts/deps.sh --browser" >&2; exit 2; }
# The server must see the built-in defaults: no TTHC_* variable from the caller's environment.
while read -r var; do unset "$var"; done < <(env | sed -n 's/^\(TTHC_[A-Za-z0-9_]*\)=.*/\1/p')
exec python3 "$root/scripts/page_test.py" "$tthc" "$@"
