#!/usr/bin/env bash
# Installs what the project needs, builds, and runs every test: the Check suites in a normal
# build (build/), the command-line checks of scripts/cli_test.sh, the examples of README.md and
# docs/api.md (scripts/examples_test.sh), the short crash test of scripts/crash_test.sh and the
# dashboard in a headless chromium (scripts/page_test.sh) and nginx -t and promtool on our files
# (scripts/tools_test.sh), the spreadsheets read by ssconvert (scripts/xlsx_test.sh) and
# Redocly and ajv on docs/openapi.json and the real answers
# (scripts/openapi_test.sh) on build/tthc, then the suites again under AddressSanitizer and
# UndefinedBehaviorSanitizer (build-asan/), and the suites that run the server's threads under
# ThreadSanitizer (build-tsan/). About 9 minutes on 2 cores.
# Usage: scripts/test.sh [--no-sanitize]   (--no-sanitize skips both sanitizer builds)
set -Eeuo pipefail
cd "$(dirname "$0")/.."

sanitize=1
for a in "$@"; do
    case "$a" in
        --no-sanitize) sanitize=0 ;;
        -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
        *) echo "unknown option $a (see --help)" >&2; exit 2 ;;
    esac
done

# Whatever stops this script early says so in one line, never a bare traceback or silence.
trap 'echo "test suites: stopped: \"$BASH_COMMAND\" failed (exit $?) at scripts/test.sh line $LINENO" >&2' ERR

scripts/deps.sh --browser --tools --npm

passed=0
failed=0
# say TEXT: a section's heading, with the time since the start (so a slow one shows).
say() { printf '== [%d:%02d] %s\n' $((SECONDS / 60)) $((SECONDS % 60)) "$*"; }
# run_suites DIR [MESON SETUP OPTION...] [-- SUITE...]
# Builds DIR (set up with the options if new), runs its suites (only those named after --,
# or all) and adds their counts to the totals.
run_suites() {
    local dir=$1; shift
    local setup=() names=()
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do setup+=("$1"); shift; done
    [ $# -gt 0 ] && shift && names=("$@")
    # A build that fails counts as a failure and shows its errors (ninja prints them on stdout).
    local log
    # A folder set up by scripts/run.sh (-Dtests=false) gets its tests turned on, so that the
    # README's two commands work in either order in one checkout.
    if ! log=$( { if [ -d "$dir" ]; then meson configure "$dir" -Dtests=true
                  else meson setup "$dir" "${setup[@]}"; fi; } 2>&1 &&
                meson compile -C "$dir" 2>&1); then
        printf '%s\n' "$log" | tail -n 40 >&2
        echo "build failed in $dir/" >&2
        failed=$((failed + 1))
        return 0
    fi
    local rc=0
    meson test -C "$dir" --print-errorlogs "${names[@]}" || rc=$?
    # Count the Check tests (TAP lines), not the binaries; a binary that died counts as failed.
    local counts ok fail
    counts=$(python3 - "$dir/meson-logs/testlog.json" <<'PY'
import json, os, re, sys
ok = fail = 0
if not os.path.exists(sys.argv[1]):
    print(f"test.sh: no test log in {sys.argv[1]}: the suites did not run", file=sys.stderr)
    print(0, 1)
    sys.exit(0)
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
    say "format (.clang-format)"
    if clang-format --dry-run --Werror src/*/*.c src/*/*.h include/tthc/*/*.h tests/*.c tests/*.h tests/*/*.c \
        tests/fuzz/*.c tests/fuzz/*.h; then
        passed=$((passed + 1))
    else
        echo "format: run clang-format -i on the files above" >&2
        failed=$((failed + 1))
    fi
fi

say "layers (scripts/layers.py: includes point down the layers, no import loops)"
if python3 scripts/layers.py; then passed=$((passed + 1)); else failed=$((failed + 1)); fi

say "build and test (build/)"
run_suites build
say "command line (scripts/cli_test.sh)"
if scripts/cli_test.sh build/tthc; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
say "examples of README.md and docs/api.md (scripts/examples_test.sh)"
if scripts/examples_test.sh build/tthc; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
say "crash test, short run (scripts/crash_test.sh; --kills 500 for the long one)"
if scripts/crash_test.sh build/tthc; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
# One demo database for the page's and the document's tests (each would build its own).
demo_dir=$(mktemp -d)
trap 'rm -rf "$demo_dir"' EXIT
demo_db=()
build/tthc demo --db "$demo_dir/demo.db" >"$demo_dir/demo.log" 2>&1 && demo_db=(--db "$demo_dir/demo.db")
say "the dashboard in chromium, held to the API (scripts/page_test.sh)"
if scripts/page_test.sh build/tthc "${demo_db[@]}"; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
say "nginx -t on config/nginx.conf, promtool on /metrics (scripts/tools_test.sh)"
if scripts/tools_test.sh build/tthc; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
say "the spreadsheets read by gnumeric's ssconvert (scripts/xlsx_test.sh)"
if scripts/xlsx_test.sh build/tthc; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
say "docs/openapi.json: redocly lint, and every endpoint's real answers held to it by ajv (scripts/openapi_test.sh)"
if scripts/openapi_test.sh build/tthc "${demo_db[@]}"; then passed=$((passed + 1)); else
    echo "openapi: docs/openapi.json and the server's answers differ (scripts/openapi_test.sh says where)" >&2
    failed=$((failed + 1)); fi

if [ "$sanitize" -eq 1 ]; then
    say "build and test under -Db_sanitize=address,undefined (build-asan/)"
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        run_suites build-asan -Db_sanitize=address,undefined -Db_lundef=false --buildtype=debug
    # The suites that run the real server with its worker threads (and, in concurrency, many
    # client threads at once). libmicrohttpd and SQLite are Debian's uninstrumented libraries:
    # their locks are seen through the pthread calls, their own atomics are not; tests/tsan.supp
    # says what is suppressed and why.
    say "build and test under -Db_sanitize=thread (build-tsan/)"
    TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1 suppressions=$PWD/tests/tsan.supp" \
        run_suites build-tsan -Db_sanitize=thread -Db_lundef=false --buildtype=debug \
        -- concurrency http production records analytics lanes fairness
fi

echo "test suites: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
