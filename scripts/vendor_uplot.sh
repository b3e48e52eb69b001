#!/usr/bin/env bash
# The dashboard's chart library, uPlot, vendored under web/vendor/uplot/ from npm at a pinned
# version: fetches the registry's tarball with `npm pack`, checks it against the pinned
# integrity (the sha512 that `npm view uplot@VERSION dist.integrity` prints), and copies the
# three files the page uses (the minified script, its style sheet, the licence) into place,
# or with --check only compares them with the tarball's. Needs npm and the registry; the build
# and the tests never run it (the files are checked in). web/vendor/README.md says why uPlot.
# Usage: scripts/vendor_uplot.sh [--check]
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=1.6.32
INTEGRITY=sha512-KIMVnG68zvu5XXUbC4LQEPnhwOxBuLyW1AHtpm6IKTXImkbLgkMy+jabjLgSLMasNuGGzQm/ep3tOkyTxpiQIw==
FILES=(dist/uPlot.iife.min.js dist/uPlot.min.css LICENSE)
check=0
case "${1:-}" in
    --check) check=1 ;;
    "") ;;
    *) echo "vendor_uplot: unknown option $1 (usage: scripts/vendor_uplot.sh [--check])" >&2; exit 2 ;;
esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "uplot@$VERSION" >/dev/null)
tgz="$tmp/uplot-$VERSION.tgz"
got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
if [ "$got" != "$INTEGRITY" ]; then
    echo "vendor_uplot: uplot-$VERSION.tgz is $got, not the pinned $INTEGRITY" >&2
    exit 1
fi
tar -xzf "$tgz" -C "$tmp"
status=0
for f in "${FILES[@]}"; do
    dest="web/vendor/uplot/$(basename "$f")"
    if [ "$check" -eq 1 ]; then
        cmp -s "$tmp/package/$f" "$dest" || { echo "vendor_uplot: $dest differs from uplot@$VERSION's $f" >&2; status=1; }
    else
        cp "$tmp/package/$f" "$dest"
    fi
done
[ "$status" -eq 0 ] && echo "vendor_uplot: web/vendor/uplot/ holds uplot@$VERSION (${FILES[*]})"
exit "$status"
