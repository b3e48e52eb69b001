#!/usr/bin/env bash
# Installs what the project needs, builds, and runs every test: the Check suites in a normal
# build and again under AddressSanitizer and UndefinedBehaviorSanitizer, then the command-line
# checks of scripts/cli_test.sh.
# Usage: scripts/test.sh [--no-sanitize]   (--no-sanitize skips the sanitizer build)
set -euo pipefail
cd "$(dirname "$0")/.."

sanitize=1
for a in "$@"; do
    case "$a" in
        --no-sanitize) sanitize=0 ;;
        -h|--help) sed -n '2,5p' "$0"; exit 0 ;;
        *) echo "unknown option $a (see --help)" >&2; exit 2 ;;
    esac
done

scripts/deps.sh

passed=0
failed=0
# Runs one meson build's suites and adds its counts to the totals.
run_suites() {
    local dir=$1; shift
    [ -d "$dir" ] || meson setup "$dir" "$@" >/dev/null
    meson compile -C "$dir" >/dev/null
    local rc=0
    meson test -C "$dir" --print-errorlogs || rc=$?
    # Count the Check tests (TAP lines), not the binaries; a binary that died counts as failed.
    local counts ok fail
    counts=$(python3 - "$dir/meson-logs/testlog.json" <<'PY'
import json, re, sys
ok = fail = 0
for line in open(sys.argv[1]):
    t = json.loads(line)
    out = t.get("stdout") or ""
    ok += len(re.findall(r"^ok ", out, re.M))
    fail += len(re.findall(r"^not ok ", out, re.M))
    if t["result"] != "OK" and not re.search(r"^not ok ", out, re.M):
        fail += 1
print(ok, fail)
PY
)
    read -r ok fail <<<"$counts"
    passed=$((passed + ok))
    failed=$((failed + fail))
    [ "$rc" -eq 0 ] || [ "$fail" -gt 0 ] || failed=$((failed + 1))
}

if command -v clang-format >/dev/null; then
    echo "== format (.clang-format)"
    if clang-format --dry-run --Werror src/*.c src/handlers/*.c include/tthc/*.h tests/*.c tests/*.h; then
        passed=$((passed + 1))
    else
        echo "format: run clang-format -i on the files above" >&2
        failed=$((failed + 1))
    fi
fi

echo "== build and test (build/)"
run_suites build
echo "== command line (scripts/cli_test.sh)"
if scripts/cli_test.sh build/tthc; then passed=$((passed + 1)); else failed=$((failed + 1)); fi

if [ "$sanitize" -eq 1 ]; then
    echo "== build and test under -Db_sanitize=address,undefined (build-asan/)"
    export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
    run_suites build-asan -Db_sanitize=address,undefined -Db_lundef=false --buildtype=debug
fi

echo "test suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
