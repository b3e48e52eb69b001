#!/usr/bin/env bash
# The files and pages that operators' own tools read, checked by those tools (installed by
# scripts/deps.sh --tools): nginx -t on config/nginx.conf as it is, with a throwaway
# certificate in place of the two certificate paths, and promtool check metrics on the
# /metrics page of a live server that has answered a few requests of each kind.
# Usage: scripts/tools_test.sh [path/to/tthc]
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
tthc=$(realpath "${1:-build/tthc}")
dir=$(mktemp -d)
server=""
trap '[ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$dir"' EXIT
. "$root/scripts/serve_lib.sh"

# nginx: the file as shipped, only its certificate paths pointed at a key made here.
for tool in nginx openssl promtool; do
    command -v "$tool" >/dev/null || PATH=$PATH:/usr/sbin
    command -v "$tool" >/dev/null || { echo "tools: $tool is missing (scripts/deps.sh --tools)"; exit 1; }
done
openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=tthc.test \
    -keyout "$dir/tthc.key" -out "$dir/tthc.pem" >/dev/null 2>&1
sed -e "s#/etc/ssl/certs/tthc.pem#$dir/tthc.pem#" -e "s#/etc/ssl/private/tthc.key#$dir/tthc.key#" \
    "$root/config/nginx.conf" >"$dir/nginx.conf"
grep -q "$dir/tthc.key" "$dir/nginx.conf"
check "config/nginx.conf names the two certificate paths" $? "$(grep -n ssl_certificate "$root/config/nginx.conf")"
mkdir -p "$dir/logs"
out=$(nginx -t -q -p "$dir/" -e "$dir/logs/error.log" -c "$dir/nginx.conf" \
    -g "error_log $dir/logs/error.log;" 2>&1)
check "nginx -t accepts config/nginx.conf" $? "$out"

# promtool: /metrics after 200s, a 400, a 404, a 304 and a load.
"$tthc" migrate --db "$dir/t.db" >/dev/null 2>&1
key=$("$tthc" key create --db "$dir/t.db" --name tools --scope admin 2>/dev/null)
serve_on_free_port "$tthc" "$dir/t.db" "$dir/serve.log" ||
    check "tthc serve starts" 1 "$(tail -5 "$dir/serve.log")"
url="localhost:$port"
curl -s -o /dev/null -H "Authorization: Bearer $key" -H 'Content-Type: application/json' \
    -d '{"code":"P","name":"Tỉnh","level":"province","parent_code":null}' "$url/api/v1/units"
curl -s -o /dev/null "$url/api/v1/summary?from=2024-01-01&to=2024-01-31"
curl -s -o /dev/null "$url/api/v1/summary?from=2024-01-31&to=2024-01-01"
curl -s -o /dev/null "$url/no/such/path"
etag=$(curl -s -D - -o /dev/null "$url/api/v1/units/P" | sed -n 's/^ETag: //Ip' | tr -d '\r')
curl -s -o /dev/null -H "If-None-Match: $etag" "$url/api/v1/units/P"
curl -s "$url/metrics" >"$dir/metrics.txt"
grep -q '^process_resident_memory_bytes ' "$dir/metrics.txt" &&
    grep -q 'route="/api/v1/summary",le="+Inf"} 2$' "$dir/metrics.txt" &&
    grep -q '^tthc_requests_total{method="GET",route="/api/v1/units/{code}",status="304"} 1$' "$dir/metrics.txt"
check "/metrics has the process, the summary's latency and the 304" $? "$(grep -v '^#' "$dir/metrics.txt" | head -40)"
out=$(promtool check metrics <"$dir/metrics.txt" 2>&1)
check "promtool check metrics accepts /metrics" $? "$out"

echo "tools: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
