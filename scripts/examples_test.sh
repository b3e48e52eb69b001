#!/usr/bin/env bash
# Runs every shell example of README.md and docs/api.md against real servers and compares what
# each one prints with the output the document shows. The driver is scripts/examples_test.py;
# its header says how examples are read, which server each runs on (the `<!-- examples: NAME -->`
# markers in the documents) and how outputs are compared.
#
# Usage: scripts/examples_test.sh [path/to/tthc]   (default build/tthc)
# Prints one line per example (ok / FAIL FILE:LINE COMMAND), then `examples: N passed, M failed`.
# Exit status 0 when every example passed; 1 when one failed, when a file holds no example, or
# when a `curl` line of a file (counted with grep) was not run; 2 on usage.
# It builds a demo database (about 12 s) and takes about 35 s in all on 2 cores, most of it
# `tthc verify` on the demo.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
case "${1:-}" in -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
[ $# -le 1 ] || { echo "examples_test: one binary only (see --help)" >&2; exit 2; }
tthc=$(realpath "${1:-build/tthc}" 2>/dev/null)
if [ -z "$tthc" ] || [ ! -x "$tthc" ]; then
    echo "examples_test: no tthc binary at ${1:-build/tthc}; build it first (meson compile -C build)" >&2
    exit 2
fi
for tool in curl gzip python3; do
    command -v "$tool" >/dev/null || { echo "examples_test: $tool is needed" >&2; exit 2; }
done

# The servers must see the built-in defaults: no TTHC_* variable from the caller's environment.
while read -r var; do unset "$var"; done < <(env | sed -n 's/^\(TTHC_[A-Za-z0-9_]*\)=.*/\1/p')

dir=$(mktemp -d)
# Every server the driver starts writes its pid to $dir/pids; stop any still running, then
# remove the databases and files.
cleanup() {
    if [ -f "$dir/pids" ]; then
        while read -r pid; do kill "$pid" 2>/dev/null; done <"$dir/pids"
        while read -r pid; do
            for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -9 "$pid" 2>/dev/null
        done <"$dir/pids"
    fi
    rm -rf "$dir"
}
trap cleanup EXIT

# The curl lines of each file, counted by a plain grep: the driver must have run as many.
counts=()
for f in README.md docs/api.md; do
    counts+=("$f=$(grep -cE '^[[:space:]]*curl |\|[[:space:]]*curl ' "$root/$f")")
done

# In the background, so that an interrupt reaches the trap at once (and stops the driver).
python3 "$root/scripts/examples_test.py" "$root" "$tthc" "$dir" "${counts[@]}" &
driver=$!
trap 'kill "$driver" 2>/dev/null; wait "$driver" 2>/dev/null; exit 1' INT TERM
wait "$driver"
