#!/usr/bin/env bash
# Builds the libFuzzer harnesses (tests/fuzz/) with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer, cJSON compiled from Debian's source with Debian's patches (the
# same code as the libcjson1 package we link in production), and runs each harness for a set
# time, starting from the seed corpus in tests/fuzz/corpus/ with tests/fuzz/tthc.dict.
#
# Usage: scripts/fuzz.sh [--seconds N] [--jobs N] [--merge] [HARNESS...]
#   --seconds N  run each harness N seconds (default 60)
#   --jobs N     parallel fuzzing processes per harness (default 1)
#   --merge      add the new inputs that reach new code to tests/fuzz/corpus/ (minimised)
#   HARNESS      ingest, query, time, gzip (default: all)
# New inputs go to build-fuzz/corpus/<harness>/; a crash is saved as
# build-fuzz/crashes/<harness>/crash-*, the script then fails: copy the file into
# tests/fuzz/corpus/<harness>/ so that scripts/test.sh replays it, and fix the cause.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=60
jobs=1
merge=0
harnesses=()
while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) seconds=${2:?--seconds needs a number}; shift ;;
        --jobs) jobs=${2:?--jobs needs a number}; shift ;;
        --merge) merge=1 ;;
        -h|--help) sed -n '2,15p' "$0"; exit 0 ;;
        ingest|query|time|gzip) harnesses+=("$1") ;;
        *) echo "unknown argument $1 (see --help)" >&2; exit 2 ;;
    esac
    shift
done
[ ${#harnesses[@]} -gt 0 ] || harnesses=(ingest query time gzip)

scripts/deps.sh
if ! command -v clang >/dev/null || ! [ -e "$(clang -print-file-name=libclang_rt.fuzzer-x86_64.a)" ]; then
    echo "== installing clang and libFuzzer"
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd=sudo
    $sudo_cmd apt-get install -y -qq clang libclang-rt-dev >/dev/null 2>&1 ||
        $sudo_cmd apt-get install -y -qq clang libclang-rt-14-dev >/dev/null
fi

# Debian's cJSON source (the version Debian 12 ships), checked against pinned hashes.
src=build-fuzz-src
version=1.7.15
debian=1+deb12u4
pool=http://deb.debian.org/debian/pool/main/c/cjson
if [ ! -f "$src/cjson/cJSON.c" ]; then
    echo "== fetching cJSON $version-$debian source from $pool"
    rm -rf "$src" && mkdir -p "$src/dl"
    curl -fsS -o "$src/dl/orig.tar.gz" "$pool/cjson_$version.orig.tar.gz"
    curl -fsS -o "$src/dl/debian.tar.xz" "$pool/cjson_$version-$debian.debian.tar.xz"
    sha256sum -c --quiet <<SUMS
5308fd4bd90cef7aa060558514de6a1a4a0819974a26e6ed13973c5f624c24b2  $src/dl/orig.tar.gz
afd19a970966cf534ff1e9ec077d710a5e7e78eb4ec9b499c8bdc32e55da12cb  $src/dl/debian.tar.xz
SUMS
    tar -xzf "$src/dl/orig.tar.gz" -C "$src/dl"
    tar -xJf "$src/dl/debian.tar.xz" -C "$src/dl/cJSON-$version"
    (cd "$src/dl/cJSON-$version" && while read -r p; do
        [ -n "$p" ] && [ "${p#\#}" = "$p" ] && patch -s -p1 <"debian/patches/$p"
    done <debian/patches/series)
    mkdir -p "$src/cjson"
    cp "$src/dl/cJSON-$version/cJSON.c" "$src/dl/cJSON-$version/cJSON.h" "$src/cjson/"
fi

if [ ! -d build-fuzz ]; then
    CC=clang meson setup build-fuzz -Dfuzz=true -Dtests=false -Dcjson_source="$src" \
        -Db_sanitize=address,undefined -Db_lundef=false --buildtype=debugoptimized >/dev/null
fi
meson compile -C build-fuzz >/dev/null

failed=0
parallel=()
[ "$jobs" -le 1 ] || parallel=(-jobs="$jobs" -workers="$jobs")
for h in "${harnesses[@]}"; do
    mkdir -p build-fuzz/corpus/"$h" build-fuzz/crashes/"$h"
    log=build-fuzz/fuzz_$h.log
    echo "== fuzz_$h: $seconds s, $jobs job(s)"
    # From inside build-fuzz, where libFuzzer writes its per-job logs (fuzz-N.log).
    rc=0
    (cd build-fuzz && tests/fuzz/fuzz_"$h" corpus/"$h" ../tests/fuzz/corpus/"$h" \
        -dict=../tests/fuzz/tthc.dict -max_total_time="$seconds" -max_len=65536 -timeout=10 \
        -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=crashes/"$h"/ \
        "${parallel[@]}") >"$log" 2>&1 || rc=$?
    [ "$jobs" -le 1 ] || cat build-fuzz/fuzz-*.log >>"$log"
    grep -E '^stat::(number_of_executed_units|new_units_added|peak_rss_mb)' "$log" |
        sed "s/^/  fuzz_$h /" || true
    if [ "$rc" -ne 0 ] || ls build-fuzz/crashes/"$h" | grep -q .; then
        echo "fuzz_$h found a crash: see $log and build-fuzz/crashes/$h/" >&2
        failed=1
    fi
    if [ "$merge" -eq 1 ]; then
        build-fuzz/tests/fuzz/fuzz_"$h" -merge=1 tests/fuzz/corpus/"$h" build-fuzz/corpus/"$h" \
            >>"$log" 2>&1
        echo "  tests/fuzz/corpus/$h: $(ls tests/fuzz/corpus/"$h" | wc -l) files"
    fi
done
exit "$failed"
