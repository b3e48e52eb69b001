#!/usr/bin/env bash
# The spreadsheets (format=xlsx) read by a real spreadsheet program: gnumeric's ssconvert
# (scripts/deps.sh --tools) converts each tabular answer of a live server to gnumeric's own
# XML, and scripts/xlsx_check.py reads its cells, their types and number formats, the frozen
# header, the column widths and the notes above the table, and holds them to the JSON answer
# of the same request. Usage: scripts/xlsx_test.sh [path/to/tthc]
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tthc=$(realpath "${1:-build/tthc}")
dir=$(mktemp -d)
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$dir"' EXIT
command -v ssconvert >/dev/null || { echo "xlsx: ssconvert is missing (scripts/deps.sh --tools)"; exit 1; }

"$tthc" migrate --db "$dir/t.db" >/dev/null 2>&1
key=$("$tthc" key create --db "$dir/t.db" --name xlsx --scope admin 2>/dev/null)
. "$root/scripts/serve_lib.sh"
serve_on_free_port "$tthc" "$dir/t.db" "$dir/serve.log" ||
    { echo "xlsx: the server did not start"; cat "$dir/serve.log"; exit 1; }
# Ssconvert writes its settings under HOME; keep them out of the user's.
HOME="$dir" python3 "$root/scripts/xlsx_check.py" "http://127.0.0.1:$port" "$key" "$dir"
