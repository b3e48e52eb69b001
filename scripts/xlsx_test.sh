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
# Port 0: the kernel picks a free one, which the start-up line names.
TTHC_ACCESS_LOG=0 "$tthc" serve --db "$dir/t.db" --listen 127.0.0.1:0 2>"$dir/serve.log" &
server=$!
port=""
for _ in $(seq 100); do
    port=$(sed -n 's|.*serving http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$dir/serve.log" | head -1)
    [ -n "$port" ] && break
    sleep 0.1
done
[ -n "$port" ] || { echo "xlsx: the server did not start"; cat "$dir/serve.log"; exit 1; }
# Ssconvert writes its settings under HOME; keep them out of the user's.
HOME="$dir" python3 "$root/scripts/xlsx_check.py" "http://127.0.0.1:$port" "$key" "$dir"
