#!/usr/bin/env python3
"""GET /api/docs in a real browser: Debian's chromium, headless, driven through its DevTools
protocol (scripts/cdp.py). Loads the page from a running tthc and checks that Redoc draws the
reference: the page says it is ready, its heading is the title of the embedded OpenAPI
document, and it lists an operation of every tag. Checks too that no request failed or went to
another origin, and that nothing was written to the console as an error or warning (a
Content-Security-Policy violation included; only Redoc's example generator's notes on the
schemas it merges are let through).

Run by scripts/openapi_test.sh. Usage: api_docs_test.py PORT
Prints `ok   ...` or `FAIL ...` lines; exits 1 if anything failed.
"""
import json
import os
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cdp import CdpError, Chromium, console_problems  # noqa: E402


def main():
    port = int(sys.argv[1])
    origin = f"http://127.0.0.1:{port}"
    with urllib.request.urlopen(origin + "/api/v1/openapi.json", timeout=10) as r:
        doc = json.loads(r.read().decode())
    title = doc["info"]["title"]
    summaries = sorted({op["summary"] for item in doc["paths"].values()
                        for m, op in item.items() if m in ("get", "post") and "summary" in op})
    failures = []
    chromium = Chromium()
    try:
        page = chromium.page()
        for domain in ("Runtime.enable", "Log.enable", "Page.enable", "Network.enable"):
            page.call(domain)
        page.call("Page.navigate", url=origin + "/api/docs")
        try:
            page.wait_for("document.getElementById('redoc') && "
                          "['ready', 'failed'].includes(document.getElementById('redoc').dataset.state)",
                          timeout=60, what="Redoc to draw the reference")
            state = page.evaluate("document.getElementById('redoc').dataset.state")
            if state != "ready":
                failures.append("the page says: " + page.evaluate("document.getElementById('redoc').textContent"))
            heading = page.evaluate("(document.querySelector('h1') || {}).textContent || ''")
            if title not in heading:
                failures.append(f"the heading is {heading!r}, not the document's title {title!r}")
            text = page.evaluate("document.body.innerText")
            missing = [s for s in summaries if s not in text]
            if missing:
                failures.append(f"{len(missing)} of {len(summaries)} operations are not shown, e.g. {missing[0]!r}")
        except CdpError as e:
            failures.append(str(e))
        time.sleep(0.5)  # late events (a worker's failed load) arrive with the next call
        page.evaluate("1")
        for method, p in page.events:
            if method == "Network.loadingFailed":
                failures.append(f"a request failed: {p.get('errorText')} {p.get('blockedReason', '')}")
            elif method == "Network.requestWillBeSent":
                url = p["request"]["url"]
                if not url.startswith((origin + "/", "blob:", "data:")):
                    failures.append(f"a request to another origin: {url}")
            elif method == "Network.responseReceived" and p["response"]["status"] >= 400:
                failures.append(f"{p['response']['url']} answered {p['response']['status']}")
        # Redoc's example generator (openapi-sampler) warns of every allOf it merges
        # approximately; that is a note about a generated example, not a fault of the page.
        failures += [p for p in console_problems(page.events)
                     if "OpenAPI Sampler: found allOf" not in p]
        page.close()
    finally:
        chromium.close()
    if failures:
        for f in failures:
            print(f"FAIL /api/docs in chromium: {f}")
        sys.exit(1)
    print(f"ok   /api/docs in chromium: Redoc drew {title!r} and its {len(summaries)} operations, "
          "no failed request, no console error")


if __name__ == "__main__":
    main()
