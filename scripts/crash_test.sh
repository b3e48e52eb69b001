#!/usr/bin/env bash
# Crash test: nothing acknowledged is lost, nothing is half-written, the database stays sound.
# Several clients stream dossier loads (new codes, and replacements of acknowledged ones with
# another status, unit and date) into `tthc serve`; the server is killed with SIGKILL at random
# moments and restarted on the same database, many times. After each restart every
# acknowledged dossier must hold its last acknowledged version, or a later one that was sent
# but not acknowledged, and PRAGMA integrity_check must say ok; at the end `tthc verify` must
# find the fast-path figures equal to the recount. The driver is scripts/crash_client.py.
#
# Usage: scripts/crash_test.sh [path/to/tthc] [--kills N] [--clients N] [--seed S] [--verbose]
#   --kills N    kills and restarts (default 20, about 15 s; use --kills 500 for the long run)
#   --clients N  concurrent loading clients (default 4)
#   --seed S     seed of the kill moments and the loads (default: random, printed)
# Exit status 0 when every check passed; 1 when one failed (each failure is named); 2 on usage.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

usage() { sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; }
tthc=""
kills=20
clients=4
seed=$(( (RANDOM << 15) | RANDOM ))
extra=()
while [ $# -gt 0 ]; do
    case "$1" in
        -h|--help) usage; exit 0 ;;
        --kills) kills=${2:-}; shift ;;
        --clients) clients=${2:-}; shift ;;
        --seed) seed=${2:-}; shift ;;
        --verbose) extra+=(--verbose) ;;
        -*) echo "crash_test: unknown option $1 (see --help)" >&2; exit 2 ;;
        *) [ -z "$tthc" ] || { echo "crash_test: one binary only (see --help)" >&2; exit 2; }
           tthc=$1 ;;
    esac
    shift
done
for n in "$kills" "$clients" "$seed"; do
    [[ "$n" =~ ^[0-9]+$ ]] || { echo "crash_test: --kills, --clients and --seed take a whole number" >&2; exit 2; }
done
[ "$kills" -ge 1 ] && [ "$clients" -ge 1 ] || { echo "crash_test: --kills and --clients must be at least 1" >&2; exit 2; }
tthc=$(realpath "${tthc:-build/tthc}")
[ -x "$tthc" ] || { echo "crash_test: no tthc binary at $tthc (build it first)" >&2; exit 2; }

dir=$(mktemp -d)
pidfile="$dir/server.pid"
# The driver kills its server on every exit it sees; this catches the driver itself dying.
cleanup() {
    if [ -s "$pidfile" ]; then kill -KILL "$(cat "$pidfile")" 2>/dev/null; fi
    rm -rf "$dir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
cd "$dir"
db="$dir/crash.db"

fail() { echo "crash_test: $*" >&2; exit 1; }
"$tthc" migrate --db "$db" >/dev/null 2>&1 || fail "tthc migrate failed"
token=$("$tthc" key --db "$db" create --name crash --scope write --rate-exempt 2>/dev/null) ||
    fail "tthc key create failed"
cat >units.ndjson <<'J'
{"code":"CT","name":"Tỉnh Thử","level":"province","parent_code":null}
{"code":"CT.D1","name":"Huyện Một","level":"district","parent_code":"CT"}
{"code":"CT.D1.C1","name":"Xã Một","level":"commune","parent_code":"CT.D1"}
{"code":"CT.D1.C2","name":"Xã Hai","level":"commune","parent_code":"CT.D1"}
{"code":"CT.D2","name":"Huyện Hai","level":"district","parent_code":"CT"}
{"code":"CT.D2.C3","name":"Xã Ba","level":"commune","parent_code":"CT.D2"}
J
cat >procedures.ndjson <<'J'
{"code":"1.001","name":"Cấp giấy phép xây dựng","field":"Xây dựng"}
{"code":"1.002","name":"Đăng ký hộ kinh doanh","field":"Kinh doanh"}
{"code":"2.001","name":"Chứng thực bản sao","field":"Chứng thực"}
J
"$tthc" import --db "$db" --kind units units.ndjson >/dev/null 2>&1 || fail "loading the units failed"
"$tthc" import --db "$db" --kind procedures procedures.ndjson >/dev/null 2>&1 ||
    fail "loading the procedures failed"

rc=0
python3 "$root/scripts/crash_client.py" "$tthc" "$db" "$token" --kills "$kills" \
    --clients "$clients" --seed "$seed" --pidfile "$pidfile" "${extra[@]}" || rc=1
if [ "$rc" -ne 0 ]; then
    echo "crash_test: the server's log:" >&2
    tail -n 20 "$db.serve.log" >&2
fi

# The fast path (the in-memory columns the service counts with) against a recount from the
# rows, on what the kills left behind.
if ! "$tthc" verify --db "$db" >verify.out 2>&1; then
    echo "crash_test: tthc verify found differences:" >&2
    head -n 20 verify.out >&2
    rc=1
fi
echo "crash_test: $(tail -n 1 verify.out)"
[ "$rc" -eq 0 ] && echo "crash_test: passed (seed $seed)" || echo "crash_test: FAILED (seed $seed; rerun with --seed $seed)"
exit "$rc"
