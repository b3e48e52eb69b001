#!/usr/bin/env python3
"""The spreadsheets of a live server read by gnumeric (scripts/xlsx_test.sh starts the server).

Loads a province with two communes and four dossiers, asks each tabular read (the grouped
summary, a series, a ranking, Form 06, the national index) for format=xlsx and for JSON, has
ssconvert turn each spreadsheet into gnumeric's XML, and checks what a person opening it would
see: the title and notes (period, filters, data as of) above the table, the header row in
Vietnamese (English with lang=en), bold, wrapped and frozen, an autofilter over the table, every
column given a width that holds its text, numbers as numbers equal to the JSON's, rates and
shares as numbers with a percent format equal to the JSON's fractions, days as dates, booleans
as booleans. Usage: xlsx_check.py BASE_URL ADMIN_KEY WORK_DIR
"""
import datetime
import gzip
import json
import os
import subprocess
import sys
import urllib.request
import xml.etree.ElementTree as ET

BASE, KEY, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
NS = {"gnm": "http://www.gnumeric.org/v10.dtd"}
passed = failed = 0


def check(name, ok, detail=""):
    global passed, failed
    if ok:
        passed += 1
        print("ok   " + name)
    else:
        failed += 1
        print("FAIL " + name + (": " + str(detail) if detail else ""))


def post(kind, ctype, body):
    req = urllib.request.Request(BASE + "/api/v1/" + kind, data=body.encode(), method="POST",
                                 headers={"Content-Type": ctype, "Authorization": "Bearer " + KEY})
    with urllib.request.urlopen(req, timeout=30) as r:
        return json.load(r)


def get(path):
    with urllib.request.urlopen(BASE + path, timeout=30) as r:
        return r.read(), r.headers


# P with communes C1 and C2; March 2024 (due days are working days):
#   A1 C1 online, received 03-04, due 03-06, done 03-05: early
#   A2 C1 in person, received 03-05, due 03-07, done 03-08: late
#   A3 C2 online, received 03-06, due 03-08, done 03-08: on time
#   A4 C2 online, received 03-11, due 03-20, still open
UNITS = [{"code": "P", "name": "Tỉnh Thử", "level": "province", "parent_code": None},
         {"code": "C1", "name": "Xã An, Bình", "level": "commune", "parent_code": "P"},
         {"code": "C2", "name": "Xã Hòa", "level": "commune", "parent_code": "P"}]


def dossier(code, unit, channel, received, due, done):
    d = {"code": code, "procedure_code": "1.001", "unit_code": unit, "channel": channel,
         "status": "done" if done else "processing",
         "received_at": received + "T08:00:00+07:00", "due_at": due}
    if done:
        d["finished_at"] = done + "T10:00:00+07:00"
    return json.dumps(d)


DOSSIERS = "\n".join([
    dossier("A1", "C1", "online", "2024-03-04", "2024-03-06", "2024-03-05"),
    dossier("A2", "C1", "in_person", "2024-03-05", "2024-03-07", "2024-03-08"),
    dossier("A3", "C2", "online", "2024-03-06", "2024-03-08", "2024-03-08"),
    dossier("A4", "C2", "online", "2024-03-11", "2024-03-20", None)]) + "\n"

# The headers as Form 06 (Thông tư 01/2020/TT-VPCP, Biểu 06) and the metric catalogue name them.
FORM06_VI = ["Tổng số hồ sơ nhận giải quyết", "Số kỳ trước chuyển qua", "Số mới tiếp nhận",
             "Tiếp nhận trực tuyến", "Tiếp nhận trực tiếp", "Tiếp nhận qua bưu chính công ích",
             "Số hồ sơ đã giải quyết", "Đã giải quyết trước hạn", "Đã giải quyết đúng hạn",
             "Đã giải quyết quá hạn", "Số hồ sơ rút, trả lại", "Số hồ sơ đang giải quyết",
             "Đang giải quyết trong hạn", "Đang giải quyết quá hạn"]
COUNTERS = ["total", "carried_over", "received", "received_online", "received_in_person",
            "received_postal", "resolved", "resolved_early", "resolved_on_time", "resolved_late",
            "withdrawn", "in_progress", "in_progress_on_time", "in_progress_overdue"]
RATES_VI = ["Tỷ lệ hồ sơ giải quyết đúng hạn", "Tỷ lệ hồ sơ giải quyết quá hạn",
            "Tỷ lệ hồ sơ quá hạn trên tổng số hồ sơ", "Tỷ lệ hồ sơ đang giải quyết quá hạn",
            "Tỷ lệ hồ sơ nộp trực tuyến", "Tỷ lệ hồ sơ thanh toán trực tuyến",
            "Tỷ lệ TTHC có giao dịch thanh toán trực tuyến"]
RATES = ["on_time_rate", "overdue_rate", "late_share_of_total", "in_progress_overdue_share",
         "online_submission_rate", "online_payment_dossier_share",
         "online_payment_procedure_share"]


class Sheet:
    """A sheet as gnumeric read it: cells with their types, styles, widths, panes."""

    def __init__(self, xlsx, name):
        out = os.path.join(WORK, name + ".gnumeric")
        subprocess.run(["ssconvert", xlsx, out], check=True, timeout=120,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        root = ET.fromstring(gzip.open(out).read())
        sheet = root.find("gnm:Sheets/gnm:Sheet", NS)
        self.cells = {}
        for c in sheet.findall("gnm:Cells/gnm:Cell", NS):
            self.cells[(int(c.get("Row")), int(c.get("Col")))] = (int(c.get("ValueType")),
                                                                 c.text or "")
        self.styles = []
        for r in sheet.findall("gnm:Styles/gnm:StyleRegion", NS):
            st = r.find("gnm:Style", NS)
            font = st.find("gnm:Font", NS)
            self.styles.append(((int(r.get("startRow")), int(r.get("endRow")),
                                 int(r.get("startCol")), int(r.get("endCol"))),
                                {"format": st.get("Format"), "wrap": st.get("WrapText") == "1",
                                 "bold": font is not None and font.get("Bold") == "1"}))
        self.widths = {}
        for ci in sheet.findall("gnm:Cols/gnm:ColInfo", NS):
            for k in range(int(ci.get("Count", "1"))):
                self.widths[int(ci.get("No")) + k] = (float(ci.get("Unit")),
                                                      ci.get("HardSize") == "1")
        fp = sheet.find("gnm:SheetLayout/gnm:FreezePanes", NS)
        self.unfrozen = fp.get("UnfrozenTopLeft") if fp is not None else None
        flt = sheet.find("gnm:Filters/gnm:Filter", NS)
        self.filter = flt.get("Area") if flt is not None else None

    def style(self, r, c):
        for (r0, r1, c0, c1), s in self.styles:
            if r0 <= r <= r1 and c0 <= c <= c1:
                return s
        return {"format": "General", "wrap": False, "bold": False}

    def text(self, r, c):
        return self.cells.get((r, c), (10, ""))[1]

    def row(self, r):
        cols = [c for (rr, c) in self.cells if rr == r]
        return [self.text(r, c) for c in range(max(cols) + 1)] if cols else []

    def find_row(self, col, value, start=0):
        for (r, c), (_, t) in sorted(self.cells.items()):
            if c == col and t == value and r >= start:
                return r
        return None

    def notes(self, header):
        return {self.text(r, 0): self.text(r, 1) for r in range(1, header) if self.text(r, 0)}


def fetch(name, path):
    body, headers = get(path + "&format=xlsx")
    xlsx = os.path.join(WORK, name + ".xlsx")
    with open(xlsx, "wb") as f:
        f.write(body)
    j = json.loads(get(path)[0])
    return Sheet(xlsx, name), j, headers


def same(a, b):
    return abs(a - b) <= 1e-12 * max(1.0, abs(b))


def number_cell(s, r, c, want, fmt=None):
    """The cell holds the number want (a float cell), with fmt as its format when given."""
    vt, text = s.cells.get((r, c), (10, ""))
    if want is None:
        return vt == 10 or (r, c) not in s.cells, "want an empty cell, got %r" % text
    ok = vt == 40 and same(float(text), float(want))
    if fmt:
        ok = ok and s.style(r, c)["format"] == fmt
    return ok, "type %d, value %r, format %r; want %r (%s)" % (vt, text, s.style(r, c)["format"],
                                                               want, fmt)


def excel_day(serial):
    return (datetime.date(1899, 12, 30) + datetime.timedelta(days=int(float(serial)))).isoformat()


def common(name, s, header, first_headers, ncols, period="2024-03-01 đến 2024-03-31"):
    """What every sheet has: the notes, the header's look, the frozen pane, filter, widths."""
    n = s.notes(header)
    check(name + ": the title is the first row, bold", s.text(0, 0) != "" and
          s.style(0, 0)["bold"], s.text(0, 0))
    check(name + ": the period in the notes", n.get("Kỳ báo cáo") == period, n)
    check(name + ": when the data was written", n.get("Số liệu cập nhật lúc", "").endswith("+07:00"), n)
    head = s.row(header)
    check(name + ": the header row", head[:len(first_headers)] == first_headers and
          len(head) == ncols, head)
    check(name + ": the header is bold and wraps", all(
        s.style(header, c)["bold"] and s.style(header, c)["wrap"] for c in range(ncols)))
    check(name + ": the panes are frozen below the header", s.unfrozen == "A%d" % (header + 2),
          s.unfrozen)
    check(name + ": an autofilter over the table", s.filter is not None and
          s.filter.startswith("A%d:" % (header + 1)), s.filter)
    # Each column is sized (HardSize) and holds its longest text (a character is about 5.25
    # points of Calibri 11; headers wrap, so only the rows count).
    bad = []
    for c in range(ncols):
        w = s.widths.get(c)
        longest = max([len(t) for (r, cc), (vt, t) in s.cells.items()
                       if cc == c and r > header and vt == 60] + [0])
        if not w or not w[1] or w[0] < 5.25 * min(longest, 58):
            bad.append((c, w, longest))
    check(name + ": every column is as wide as its text", not bad, bad)


def main():
    post("units", "application/json", json.dumps(UNITS))
    post("dossiers", "application/x-ndjson", DOSSIERS)
    march = "from=2024-03-01&to=2024-03-31"

    # The summary by unit.
    s, j, h = fetch("summary", "/api/v1/summary?" + march + "&group_by=unit")
    check("summary: content type", h["Content-Type"] ==
          "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", h["Content-Type"])
    header = s.find_row(0, "Mã")
    check("summary: a header row", header is not None)
    if header is not None:
        common("summary", s, header, ["Mã", "Tên"] + FORM06_VI + RATES_VI, 2 + 14 + 7)
        check("summary: group_by in the notes", s.notes(header).get("Nhóm theo") == "unit")
        for g in j["groups"]:
            r = s.find_row(0, g["key"], header + 1)
            check("summary %s: its row and name" % g["key"], r is not None and
                  s.text(r, 1) == g["name"])
            for k, c in enumerate(COUNTERS):
                check("summary %s: %s is an integer" % (g["key"], c),
                      *number_cell(s, r, 2 + k, g["dossiers"][c], "#,##0"))
            for k, rate in enumerate(RATES):
                check("summary %s: %s is a percentage" % (g["key"], rate),
                      *number_cell(s, r, 16 + k, g["rates"][rate], "0.00%"))

    # A weekly series: days as dates.
    s, j, _ = fetch("series", "/api/v1/series?" + march + "&interval=week")
    header = s.find_row(0, "Từ ngày")
    check("series: a header row", header is not None)
    if header is not None:
        common("series", s, header, ["Từ ngày", "Đến ngày"] + FORM06_VI, 2 + 14 + 7)
        check("series: the interval in the notes", s.notes(header).get("Chu kỳ") == "week")
        check("series: a row per point", len(j["points"]) == max(r for r, _ in s.cells) - header,
              len(j["points"]))
        for k, p in enumerate(j["points"]):
            r = header + 1 + k
            for c, key in ((0, "from"), (1, "to")):
                vt, text = s.cells.get((r, c), (10, ""))
                check("series point %d: %s is a date" % (k, key), vt == 40 and
                      excel_day(text) == p[key] and s.style(r, c)["format"] == "yyyy-mm-dd",
                      (vt, text, s.style(r, c)["format"], p[key]))
            check("series point %d: received" % k, *number_cell(s, r, 4, p["dossiers"]["received"],
                                                                "#,##0"))
            check("series point %d: on_time_rate" % k,
                  *number_cell(s, r, 16, p["rates"]["on_time_rate"], "0.00%"))

    # A ranking of communes by on_time_rate: the value a percentage, its parts counts.
    s, j, _ = fetch("rankings", "/api/v1/rankings?" + march + "&metric=on_time_rate&level=commune")
    header = s.find_row(0, "Xếp hạng")
    check("rankings: a header row", header is not None)
    if header is not None:
        common("rankings", s, header, ["Xếp hạng", "Mã đơn vị", "Tên đơn vị", "Giá trị", "Tử số",
                                       "Mẫu số"], 6)
        n = s.notes(header)
        check("rankings: metric and level in the notes", n.get("Chỉ tiêu xếp hạng") ==
              "on_time_rate" and n.get("Cấp") == "commune", n)
        for k, rk in enumerate(j["ranks"]):
            r = header + 1 + k
            check("rankings %s: its place" % rk["unit_code"], s.text(r, 1) == rk["unit_code"] and
                  s.text(r, 2) == rk["unit_name"])
            check("rankings %s: rank" % rk["unit_code"], *number_cell(s, r, 0, rk["rank"]))
            check("rankings %s: value" % rk["unit_code"],
                  *number_cell(s, r, 3, rk["value"], "0.00%"))
            check("rankings %s: numerator" % rk["unit_code"],
                  *number_cell(s, r, 4, rk["numerator"], "#,##0"))
            check("rankings %s: denominator" % rk["unit_code"],
                  *number_cell(s, r, 5, rk["denominator"], "#,##0"))

    # Form 06: the units by level, each level's sum, the total.
    s, j, h = fetch("form06", "/api/v1/reports/form06?" + march + "&unit=P")
    check("form06: the file's name", h["Content-Disposition"] ==
          'attachment; filename="tthc-form06-2024-03-01-2024-03-31.xlsx"',
          h["Content-Disposition"])
    header = s.find_row(0, "Cấp")
    check("form06: a header row", header is not None)
    if header is not None:
        common("form06", s, header, ["Cấp", "Mã đơn vị", "Tên đơn vị"] + FORM06_VI, 3 + 14)
        check("form06: the title", s.text(0, 0).startswith("Biểu số 06/VPCP/KSTT"), s.text(0, 0))
        check("form06: the unit in the notes", s.notes(header).get("Đơn vị") == "P")
        for level in j["levels"]:
            for row in level["rows"]:
                r = s.find_row(1, row["unit_code"], header + 1)
                check("form06 %s: its row" % row["unit_code"], r is not None and
                      s.text(r, 2) == row["unit_name"])
                for k, c in enumerate(COUNTERS):
                    check("form06 %s: %s" % (row["unit_code"], c),
                          *number_cell(s, r, 3 + k, row[c], "#,##0"))
        r = s.find_row(0, "Tổng cộng", header + 1)
        check("form06: the total row", r is not None)
        for k, c in enumerate(COUNTERS):
            check("form06 total: %s" % c, *number_cell(s, r, 3 + k, j["total"][c], "#,##0"))

    # Form 06 with lang=en: English headers and notes.
    body, _ = get("/api/v1/reports/form06?" + march + "&format=xlsx&lang=en")
    with open(os.path.join(WORK, "form06en.xlsx"), "wb") as f:
        f.write(body)
    s = Sheet(os.path.join(WORK, "form06en.xlsx"), "form06en")
    header = s.find_row(0, "level")
    check("form06 lang=en: the header is the JSON's names", header is not None and
          s.row(header) == ["level", "unit_code", "unit_name"] + COUNTERS,
          header is not None and s.row(header))
    check("form06 lang=en: the notes", header is not None and
          s.notes(header).get("period") == "2024-03-01 to 2024-03-31")

    # The national index of P: a row per indicator; rates and targets as percentages,
    # points as numbers, applicable as a boolean.
    s, j, _ = fetch("index766", "/api/v1/index766?" + march + "&unit=P")
    header = s.find_row(0, "Mã")
    check("index766: a header row", header is not None)
    if header is not None:
        common("index766", s, header, ["Mã", "Tên", "Nhóm chỉ số", "Chỉ số", "Tên chỉ số",
                                       "Tên chỉ số (tiếng Anh)", "Tử số", "Mẫu số", "Tỷ lệ",
                                       "Mục tiêu", "Điểm tối đa", "Điểm", "Khi mẫu số bằng 0",
                                       "Được chấm điểm"], 14)
        indicators = [i for g in j["groups"] for i in g["indicators"]]
        check("index766: a row per indicator", len(indicators) == max(r for r, _ in s.cells) -
              header, len(indicators))
        for ind in indicators:
            r = s.find_row(3, ind["id"], header + 1)
            check("index766 %s: its row" % ind["id"], r is not None and s.text(r, 0) == "P" and
                  s.text(r, 4) == ind["name_vi"])
            check("index766 %s: numerator" % ind["id"],
                  *number_cell(s, r, 6, ind["numerator"], "#,##0"))
            check("index766 %s: denominator" % ind["id"],
                  *number_cell(s, r, 7, ind["denominator"], "#,##0"))
            check("index766 %s: rate" % ind["id"], *number_cell(s, r, 8, ind["rate"], "0.00%"))
            check("index766 %s: target" % ind["id"],
                  *number_cell(s, r, 9, ind["target"], "0.00%"))
            check("index766 %s: points" % ind["id"], *number_cell(s, r, 11, ind["points"]))
            vt, text = s.cells.get((r, 13), (10, ""))
            check("index766 %s: applicable is a boolean" % ind["id"], vt == 20 and
                  text == ("TRUE" if ind["applicable"] else "FALSE"), (vt, text))

    print("xlsx: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


sys.exit(main())
