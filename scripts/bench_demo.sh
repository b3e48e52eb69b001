#!/usr/bin/env bash
# Measures the demo: how long `tthc demo` takes, and the latency of GET /api/v1/summary on the
# demo data with varied periods, filters and groupings, over one kept-alive connection.
# Usage: scripts/bench_demo.sh [REQUESTS]   (default 400; uses a release build in build-release/)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-400}

scripts/deps.sh
[ -d build-release ] || meson setup build-release --buildtype=release -Dtests=false >/dev/null
meson compile -C build-release tthc:executable >/dev/null
tthc=build-release/tthc

dir=$(mktemp -d)
trap 'kill $server 2>/dev/null; rm -rf "$dir"' EXIT
server=""

start=$(date +%s.%N)
$tthc demo --db "$dir/demo.db" 2>/dev/null
end=$(date +%s.%N)
echo "demo: $(python3 -c "print(f'{$end - $start:.2f}')") s wall (tthc demo, including migration and its self-check)"

port=$((30000 + RANDOM % 20000))
# No rate limit or access log: they would measure themselves, not the figures.
$tthc serve --db "$dir/demo.db" --listen "127.0.0.1:$port" --rate-per-second 1000000 \
    --rate-burst 1000000 --access-log 0 2>/dev/null &
server=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/healthz" >/dev/null 2>&1 && break; sleep 0.1; done

# Varied requests, as a dashboard sends them: random periods inside the data, each with one
# of the filters or groupings.
python3 - "$port" "$n" >"$dir/urls" <<'PY'
import datetime, random, sys
port, n = sys.argv[1], int(sys.argv[2])
random.seed(7)
start = datetime.date(2023, 10, 1)
extras = ["", "", "&level=commune", "&level=district", "&unit=000.01.30.H48",
          "&unit=000.00.01.H48", "&procedure=1.101000", "&channel=online",
          "&group_by=level", "&group_by=unit", "&group_by=procedure", "&group_by=channel"]
for _ in range(n):
    a = start + datetime.timedelta(days=random.randrange(0, 300))
    b = a + datetime.timedelta(days=random.randrange(0, 120))
    print(f"url = \"http://127.0.0.1:{port}/api/v1/summary?from={a}&to={b}{random.choice(extras)}\"")
    print("output = /dev/null")
PY
curl -s --config "$dir/urls" -w "%{http_code} %{time_total}\n" >"$dir/times"
python3 - "$dir/times" <<'PY'
import sys
rows = [l.split() for l in open(sys.argv[1])]
bad = [r for r in rows if r[0] != "200"]
t = sorted(float(r[1]) * 1000 for r in rows)
pick = lambda q: t[min(len(t) - 1, int(q * len(t)))]
print(f"summary: {len(t)} requests, {len(bad)} not 200; latency p50 {pick(0.5):.2f} ms, "
      f"p90 {pick(0.9):.2f} ms, p99 {pick(0.99):.2f} ms, max {t[-1]:.2f} ms")
PY
echo "peak RSS of the server: $(grep VmHWM /proc/$server/status | awk '{print $2/1024 " MiB"}')"
