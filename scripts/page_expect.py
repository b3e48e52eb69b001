"""What the dashboard's figures must be, for scripts/page_test.py: the API's answers to the
questions the page asks for a state of its URL (docs/api.md, "GET /"), the value a figure's
name points at in them, and the text the page must show for it (395.987; 98,78%; 61,89).
Written from the documentation, not from the page's code, so that the two are held to each
other.
"""
import datetime
import json
import re
import urllib.parse
import urllib.request

BELOW = {"province": "district", "district": "commune", "commune": "commune"}


# ---- the API, asked directly ----------------------------------------------------------------

class Api:
    def __init__(self, port):
        self.base = f"http://127.0.0.1:{port}"
        self.cache = {}

    def get(self, path, params=None):
        q = urllib.parse.urlencode([(k, v) for k, v in (params or {}).items() if v])
        url = self.base + path + ("?" + q if q else "")
        if url not in self.cache:
            with urllib.request.urlopen(url, timeout=60) as r:
                self.cache[url] = json.loads(r.read().decode())
        return self.cache[url]

    def raw(self, path):
        with urllib.request.urlopen(self.base + path, timeout=60) as r:
            return r.read()


def days(a, b):
    return (datetime.date.fromisoformat(b) - datetime.date.fromisoformat(a)).days + 1


def expected(api, state):
    """The answers the page's figures are named in, for the state of a page URL, and the
    figures the page derives (peers.top_*, freshness.stale_in_scope)."""
    unit, frm, to = state.get("unit", ""), state["from"], state["to"]
    base = {"from": frm, "to": to, "unit": unit}
    a = {"summary": api.get("/api/v1/summary", base)}
    a["series"] = api.get("/api/v1/series", {"interval": "day" if days(frm, to) <= 62 else "month", **base})
    a["form06"] = api.get("/api/v1/reports/form06", base)
    a["index766"] = api.get("/api/v1/index766", {**base, "group_by": "unit"})
    chain = []
    code = unit
    while code:
        u = api.get("/api/v1/units/" + urllib.parse.quote(code, safe=""))
        chain.append(u)
        code = u["parent_code"]
    metric = state.get("metric") or "qd766"
    level = state.get("level") or (BELOW[chain[0]["level"]] if chain else "province")
    a["rankings"] = api.get("/api/v1/rankings", {"metric": metric, "level": level, **base})
    derived = {}
    if chain:
        parent = chain[1]["code"] if len(chain) > 1 else ""
        a["peers"] = api.get("/api/v1/rankings", {"metric": metric, "level": chain[0]["level"],
                                                  "from": frm, "to": to, "unit": parent})
        if not parent:
            roots = api.get("/api/v1/index766", {"from": frm, "to": to, "group_by": "unit"})
            top = {unit} | {u["key"] for u in roots["groups_by"]}
            kept = [x for x in a["peers"]["ranks"] if x["unit_code"] in top and x["rank"] is not None]
            own = next(x["rank"] for x in a["peers"]["ranks"] if x["unit_code"] == unit)
            derived["peers.top_rank"] = None if own is None else 1 + sum(x["rank"] < own for x in kept)
            derived["peers.top_total"] = len(kept)
    fr = api.get("/api/v1/freshness")
    a["freshness"] = fr
    scope = {unit} if unit else {u["unit_code"] for u in fr["units"]}
    scope |= {r["unit_code"] for lv in a["form06"]["levels"] for r in lv["rows"]}
    derived["freshness.stale_in_scope"] = sum(u["stale"] for u in fr["units"] if u["unit_code"] in scope)
    return a, derived, metric, chain


TOKEN = re.compile(r"\[(\d+)\]|([^.\[\]]+)")
MISSING = object()


def resolve(answers, derived, name):
    """The value at figure name, MISSING when the name leads nowhere."""
    if name in derived:
        return derived[name]
    tokens = [int(i) if i else k for i, k in TOKEN.findall(name)]
    if tokens and tokens[0] in answers and tokens[0] != "summary":
        node, rest = answers[tokens[0]], tokens[1:]
        # index766.TTTT: the points of group TTTT (the name for them).
        if tokens[0] == "index766" and len(rest) == 1 and re.fullmatch(r"[A-Z]+", str(rest[0])):
            g = [x for x in node["groups"] if x["id"] == rest[0]]
            return g[0]["points"] if g else MISSING
    else:
        node, rest = answers["summary"], tokens
    for t in rest:
        if isinstance(t, int) and isinstance(node, list) and t < len(node):
            node = node[t]
        elif isinstance(t, str) and isinstance(node, dict) and t in node:
            node = node[t]
        else:
            return MISSING
    return node


# ---- the page's number formats, written again from docs/api.md ("GET /") ---------------------

def grouped(n, lang):
    s = f"{abs(n):,}"
    return ("-" if n < 0 else "") + (s.replace(",", ".") if lang == "vi" else s)


def fixed(x, decimals, lang):
    s = f"{abs(x):.{decimals}f}"
    whole, _, frac = s.partition(".")
    whole = f"{int(whole):,}"
    if lang == "vi":
        whole = whole.replace(",", ".")
    sign = "-" if x < 0 and float(s) != 0 else ""
    return sign + whole + (("," if lang == "vi" else ".") + frac if frac else "")


def kind_of(name, metric):
    last = name.rsplit(".", 1)[-1]
    if name.startswith("freshness.units"):
        return "time"
    if name.startswith("index766."):
        if last in ("rate", "target"):
            return "rate"
        if last in ("numerator", "denominator"):
            return "int"
        return "points"
    if name.startswith("rankings.ranks") and last in ("value", "numerator"):
        if metric.startswith("qd766"):
            return "points"
        return "rate" if last == "value" else "int"
    if name.startswith("payments.") and last.endswith("amount"):
        return "vnd"
    if name.startswith("rates.") or last.endswith("_rate") or last.endswith("_share"):
        return "rate"
    return "int"


def formatted(kind, v, lang):
    if v is None:
        return "—"
    if kind == "rate":
        return fixed(v * 100, 2, lang) + "%"
    if kind == "points":
        return fixed(v, 2, lang)
    if kind == "vnd":
        return grouped(int(v), lang) + " ₫"
    if kind == "time":
        t = datetime.datetime.strptime(v, "%Y-%m-%dT%H:%M:%SZ") + datetime.timedelta(hours=7)
        d = t.strftime("%Y-%m-%d") if lang == "en" else t.strftime("%d/%m/%Y")
        return d + t.strftime(" %H:%M")
    return grouped(int(v), lang)


def same(shown, want):
    if want is None:
        return shown == ""
    if isinstance(want, str):
        return shown == want
    try:
        return float(shown) == float(want)
    except ValueError:
        return False
