#!/usr/bin/env python3
"""Loads dossiers into a running tthc at a steady rate, for scripts/bench's live-load line.

usage: bench_feed.py PORT TOKEN FILE [--rate R] [--batch B] [--seconds S]

POSTs the NDJSON lines of FILE to /api/v1/dossiers in batches of B lines (default 100), one
batch every B/R seconds (R dossiers/s, default 2000), on one kept-alive connection, for S
seconds (default 30) or until FILE runs out. A batch that is late starts at once; the rate
reached is printed, not assumed. Ends with one line of key=value pairs:

    batches=N stored=M seconds=T rate=D non2xx=K post_p50=MS post_p99=MS

and exits 1 if a POST failed to connect or answered other than 200 (the first such answer on
stderr).
"""
import argparse
import http.client
import json
import sys
import time


def percentile(values, q):
    if not values:
        return 0.0
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("port", type=int)
    ap.add_argument("token")
    ap.add_argument("file")
    ap.add_argument("--rate", type=float, default=2000.0, help="dossiers per second")
    ap.add_argument("--batch", type=int, default=100, help="lines per POST")
    ap.add_argument("--seconds", type=float, default=30.0, help="how long to load")
    a = ap.parse_args()
    if a.rate <= 0 or a.batch <= 0 or a.seconds <= 0:
        ap.error("--rate, --batch and --seconds must be positive")

    conn = http.client.HTTPConnection("127.0.0.1", a.port, timeout=60)
    headers = {"Authorization": f"Bearer {a.token}", "Content-Type": "application/x-ndjson"}
    interval = a.batch / a.rate
    batches = stored = bad = 0
    took = []
    start = time.monotonic()
    due = start
    with open(a.file, "rb") as f:
        while time.monotonic() - start < a.seconds:
            lines = [line for _, line in zip(range(a.batch), f)]
            if not lines:
                break
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            due += interval
            t0 = time.monotonic()
            try:
                conn.request("POST", "/api/v1/dossiers", body=b"".join(lines), headers=headers)
                r = conn.getresponse()
                body = r.read()
            except OSError as e:
                print(f"bench_feed: POST failed: {e}", file=sys.stderr)
                bad += 1
                break
            took.append((time.monotonic() - t0) * 1000)
            batches += 1
            if r.status != 200:
                if not bad:
                    print(f"bench_feed: POST answered {r.status}: {body[:300]!r}", file=sys.stderr)
                bad += 1
                continue
            stored += json.loads(body).get("stored", 0)
    seconds = time.monotonic() - start
    print(f"batches={batches} stored={stored} seconds={seconds:.2f} "
          f"rate={stored / seconds:.0f} non2xx={bad} "
          f"post_p50={percentile(took, 0.50):.2f} post_p99={percentile(took, 0.99):.2f}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
