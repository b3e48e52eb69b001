#!/usr/bin/env bash
# The API's human-readable docs (GET /api/docs) are drawn by Redoc's standalone bundle,
# vendored under web/vendor/redoc/ from npm at a pinned version: fetches the registry's tarball
# with `npm pack`, checks it against the pinned integrity (the sha512 that
# `npm view redoc@VERSION dist.integrity` prints), and copies the three files the page uses
# (the bundle, the licences of what it bundles, Redoc's licence) into place, or with --check
# only compares them with the tarball's. Needs npm and the registry; the build and the tests
# never run it (the files are checked in). web/vendor/README.md says why Redoc.
# Usage: scripts/vendor_redoc.sh [--check]
set -euo pipefail
cd "$(dirname "$0")/.."
VERSION=2.5.4
INTEGRITY=sha512-M6jWhG1qoBnH6TFmzJnstyCZ87HmOY/UzDm78mHiYihEdlV/YcS9ogOo1NlElnJMeLsyxHFe2yFc4sNjHTrABQ==
FILES=(bundles/redoc.standalone.js bundles/redoc.standalone.js.LICENSE.txt LICENSE)
check=0
case "${1:-}" in
    --check) check=1 ;;
    "") ;;
    *) echo "vendor_redoc: unknown option $1 (usage: scripts/vendor_redoc.sh [--check])" >&2; exit 2 ;;
esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "redoc@$VERSION" >/dev/null)
tgz="$tmp/redoc-$VERSION.tgz"
got="sha512-$(openssl dgst -sha512 -binary "$tgz" | base64 -w0)"
if [ "$got" != "$INTEGRITY" ]; then
    echo "vendor_redoc: redoc-$VERSION.tgz is $got, not the pinned $INTEGRITY" >&2
    exit 1
fi
tar -xzf "$tgz" -C "$tmp"
mkdir -p web/vendor/redoc
status=0
for f in "${FILES[@]}"; do
    dest="web/vendor/redoc/$(basename "$f")"
    if [ "$check" -eq 1 ]; then
        cmp -s "$tmp/package/$f" "$dest" || { echo "vendor_redoc: $dest differs from redoc@$VERSION's $f" >&2; status=1; }
    else
        cp "$tmp/package/$f" "$dest"
    fi
done
[ "$status" -eq 0 ] && echo "vendor_redoc: web/vendor/redoc/ holds redoc@$VERSION (${FILES[*]})"
exit "$status"
