#!/usr/bin/env bash
# The browser code tthc serves, vendored under web/vendor/NAME/ from npm at pinned versions:
# uPlot (the dashboard's chart) and Redoc (the API docs at GET /api/docs). For each package
# named (both by default): fetches the registry's tarball with `npm pack`, checks it against
# the pinned integrity (the sha512 that `npm view PACKAGE@VERSION dist.integrity` prints), and
# copies the files the pages use into place, or with --check only compares them with the
# tarball's. Needs npm and the registry; the build and the tests never run it (the files are
# checked in). web/vendor/README.md says why each package.
# Usage: scripts/vendor.sh [--check] [uplot] [redoc]
set -euo pipefail
cd "$(dirname "$0")/.."

# name, version, integrity, then the tarball's files to copy.
pinned() {
    case "$1" in
        uplot) echo "1.6.32 sha512-KIMVnG68zvu5XXUbC4LQEPnhwOxBuLyW1AHtpm6IKTXImkbLgkMy+jabjLgSLMasNuGGzQm/ep3tOkyTxpiQIw== dist/uPlot.iife.min.js dist/uPlot.min.css LICENSE" ;;
        redoc) echo "2.5.4 sha512-M6jWhG1qoBnH6TFmzJnstyCZ87HmOY/UzDm78mHiYihEdlV/YcS9ogOo1NlElnJMeLsyxHFe2yFc4sNjHTrABQ== bundles/redoc.standalone.js bundles/redoc.standalone.js.LICENSE.txt LICENSE" ;;
        *) return 1 ;;
    esac
}

usage="usage: scripts/vendor.sh [--check] [uplot] [redoc]"
check=0
names=()
for a in "$@"; do
    case "$a" in
        --check) check=1 ;;
        -h|--help) echo "$usage"; exit 0 ;;
        *) pinned "$a" >/dev/null || { echo "vendor: unknown package or option $a ($usage)" >&2; exit 2; }
           names+=("$a") ;;
    esac
done
[ ${#names[@]} -gt 0 ] || names=(uplot redoc)

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
for name in "${names[@]}"; do
    read -r version integrity files <<<"$(pinned "$name")"
    (cd "$tmp" && npm pack --silent "$name@$version" >/dev/null)
    tgz="$tmp/$name-$version.tgz"
    got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
    if [ "$got" != "$integrity" ]; then
        echo "vendor: $name-$version.tgz is $got, not the pinned $integrity" >&2
        exit 1
    fi
    rm -rf "$tmp/package" && tar -xzf "$tgz" -C "$tmp"
    mkdir -p "web/vendor/$name"
    for f in $files; do
        dest="web/vendor/$name/$(basename "$f")"
        if [ "$check" -eq 1 ]; then
            cmp -s "$tmp/package/$f" "$dest" ||
                { echo "vendor: $dest differs from $name@$version's $f" >&2; status=1; }
        else
            cp "$tmp/package/$f" "$dest"
        fi
    done
    echo "vendor: web/vendor/$name/ $([ "$check" -eq 1 ] && echo "compared with" || echo "holds") $name@$version ($files)"
done
exit "$status"
