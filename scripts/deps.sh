#!/usr/bin/env bash
# Installs the Debian packages tthc needs to build, run and test, if any is missing.
# Uses sudo when not root. Usage: scripts/deps.sh [--browser] [--tools]
#   --browser  also the browser the dashboard's test drives (chromium; scripts/test.sh asks
#              for it, scripts/run.sh does not)
#   --tools    also the operators' tools that scripts/tools_test.sh runs on our files: nginx
#              (nginx -t), promtool (Debian's prometheus package) and openssl (a throwaway
#              certificate); and gnumeric, whose ssconvert reads our spreadsheets in
#              scripts/xlsx_test.sh; scripts/test.sh asks for them
set -euo pipefail

packages=(gcc meson ninja-build pkg-config python3 libmicrohttpd-dev libcjson-dev
          libsqlite3-dev sqlite3 check curl libssl-dev zlib1g-dev libsystemd-dev
          libxlsxwriter-dev)
for a in "$@"; do
    case "$a" in
        --browser) packages+=(chromium) ;;
        --tools) packages+=(nginx prometheus openssl gnumeric) ;;
        *) echo "deps.sh: unknown option $a" >&2; exit 2 ;;
    esac
done
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing: ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
