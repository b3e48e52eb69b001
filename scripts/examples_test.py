#!/usr/bin/env python3
"""Checks the shell examples of README.md and docs/api.md against real servers.

Run by scripts/examples_test.sh, which passes the repository, the tthc binary, an empty
temporary directory (removed by its trap, which also stops every process whose pid is still
listed in DIR/pids) and the count of `curl` lines grep found in each file.

What an example is. In a fenced ```sh (or ```bash, ```console) block, a command is a line that
starts with `curl `, `gzip ... | curl `, `build/tthc ` or `tthc `, `TOKEN=` or `AUTH=`, with
the lines that continue it (a trailing backslash, or a quote left open). The lines starting
with `#` after it show its output (`# ` and then the text; `#` alone is an empty line). A sh
block whose last command shows no output and that is followed, after blank lines only, by a
```json block has that block as its shown output. Any other line in a sh block is an error, so
that nothing in one goes unchecked. In docs/api.md, the ```json and ```csv record examples
under "Record formats" (Unit, Procedure, ...) are loaded, each into its kind's
POST /api/v1/{kind}, before the first example on the `records` server, and must be stored
without a reject.

Where it runs. A line `<!-- examples: NAME -->` puts the blocks after it, up to the next such
line, on the server NAME (SERVERS below: `demo`, the README's `walkthrough`, `records`, and
servers with a setting or a history an example needs). `localhost:8080` in a command becomes
that server's address, `var/tthc.db` its database, a leading `build/tthc` or `tthc` the binary
under test. Commands run with bash in the server's own directory, where the files they read
are created first (WALK_FILES). The examples of one server run one at a time in document
order, README.md first, then docs/api.md, so the walk-through runs in the README's order on its
own database; variables a command sets (TOKEN=, AUTH=) are kept for the later commands on the
same database. The demo's examples only read: they run last, two at a time, while the other
servers' examples run during the demo's build.

How the output is compared. The shown lines are joined and cut at every `...`, which stands
for anything; all whitespace is removed from the pieces and from the real output (stdout and
stderr together, without the byte order mark that starts a CSV answer); then each piece must
be found in the real output after the one before it. When the shown output starts with an HTTP
status line (`curl -i`), its status line and each header line after it are pieces of their
own, so the headers an example leaves out (Date, Content-Length, ...) need no `...`. A shown
line may end with a remark, two or more spaces then text in parentheses, which is not
compared: `(exit status N)` gives the command's exit status, which is checked (otherwise it
must be 0). An example that shows no output must still exit 0 and must neither answer a
problem (`urn:tthc:problem:`) nor reject a record (`"rejected":N` with N above 0).

EXAMPLES_FULL=1 prints the whole real output of a failed example.
"""
import concurrent.futures
import http.client
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import threading
import time

SHELL_LANGS = {"sh", "bash", "console"}
COMMAND_START = re.compile(r"(curl |gzip .*\|\s*curl |(build/)?tthc |TOKEN=|AUTH=)")
CURL_LINE = re.compile(r"^\s*curl |\|\s*curl ")  # the grep of examples_test.sh
MARKER = re.compile(r"^<!--\s*examples:\s*([\w+-]+)\s*-->\s*$")
REMARK = re.compile(r"^(.*?\S)?\s{2,}\(([^()]*)\)\s*$")
EXIT_STATUS = re.compile(r"^exit status (\d+)$")
HTTP_STATUS = re.compile(r"^HTTP/[\d.]+ \d{3}\b")
HEADER = re.compile(r"^[A-Za-z][A-Za-z0-9-]*:\s")

# Record examples of docs/api.md's "Record formats": subsection -> kind.
RECORD_KINDS = {"Unit": "units", "Procedure": "procedures", "Dossier": "dossiers",
                "Feedback": "feedback", "Rating": "ratings", "Payment": "payments",
                "Announcement": "announcements", "Holiday": "holidays"}
CONTENT_TYPES = {"json": "application/json", "csv": "text/csv"}

# The servers examples run on. `db` names the database (and its server: two names with the
# same db share one server), `settings` are serve flags, `setup` runs once before the first
# example on that name, `files` are created in the server's directory before it starts.
WALK_FILES = {
    # gzip -c dossiers.ndjson | curl ...: HS-1 sent again as the README loads it (no change).
    "dossiers.ndjson":
        '{"code":"HS-1","procedure_code":"1.000894","unit_code":"T01.H1.X1","channel":"online",'
        '"status":"done","received_at":"2024-03-01T09:00:00+07:00","due_at":"2024-03-05",'
        '"finished_at":"2024-03-04T15:00:00+07:00","fee":20000,"online_payment":"dvcqg"}\n',
    # tthc import ... dossiers.csv: two dossiers stored, line 4 rejected (its unit is unknown).
    "dossiers.csv":
        "code,procedure_code,unit_code,channel,status,received_at,due_at,finished_at,fee,online_payment\n"
        "HS-5,1.000894,T01.H1.X1,online,new,2024-03-06T08:00:00+07:00,2024-03-12,,0,\n"
        "HS-6,2.000001,T01.X9,in_person,processing,2025-07-03,2025-07-10,,0,\n"
        "HS-4,1.000894,NOWHERE,in_person,new,2024-03-02,,,0,\n",
    # tthc import --format dvcqg portal-export.json: the README's portal dossier again.
    "portal-export.json":
        '[{"MaHoSo":"T01.H1-240305-0001","MaTTHC":"1.001612","TenTTHC":"Cấp giấy phép xây dựng",'
        '"TenLinhVuc":"Hoạt động xây dựng","KenhThucHien":"2","NgayTiepNhan":"20240305091000",'
        '"NgayHenTra":"20240315170000","TrangThaiHoSo":"10","NgayKetThucXuLy":"20240312160000",'
        '"DuocThanhToanTrucTuyen":1,"DanhSachLePhi":[{"TenPhiLePhi":"Lệ phí","Gia":"75000"},'
        '{"TenPhiLePhi":"Phí thẩm định","Gia":25000}]}]\n',
}
SERVERS = {
    # The demo province, built by `tthc demo`; read only.
    "demo": {"db": "demo", "demo": True},
    # The README's walk-through, on its own empty database; the README creates its key.
    "walkthrough": {"db": "walkthrough", "files": WALK_FILES},
    # The same server, once docs/api.md's record examples are loaded into it.
    "records": {"db": "walkthrough", "files": WALK_FILES, "setup": "records"},
    # rate_burst = 5, rate_per_second = 1, after five requests to /healthz.
    "ratelimit": {"db": "ratelimit", "settings": {"rate-burst": "5", "rate-per-second": "1"},
                  "setup": "five-healthz"},
    # Just started, then one /healthz and one summary read with an unknown key.
    "metrics": {"db": "metrics", "setup": "metrics"},
    # cors_origins = https://dash.example.vn.
    "cors": {"db": "cors", "settings": {"cors-origins": "https://dash.example.vn"}},
    # An empty database with nothing loaded and no key.
    "empty": {"db": "empty"},
}


class Example:
    def __init__(self, file, line, server, command, kind="sh"):
        self.file, self.line, self.server, self.command, self.kind = file, line, server, command, kind
        self.shown = []        # shown output lines
        self.error = None      # a reason the example cannot run
        self.ran = False
        self.display = command.split("\n")[0]
        self.body = None       # for record loads: (kind, content type, text)

    def where(self):
        return f"{self.file}:{self.line}"


def open_quote(text):
    """True when the shell text ends inside a quote or with a continuing backslash."""
    q = None
    comment = False
    i = 0
    while i < len(text):
        c = text[i]
        if comment:
            comment = c != "\n"
        elif q == "'":
            if c == "'":
                q = None
        elif q == '"':
            if c == "\\":
                i += 1
            elif c == '"':
                q = None
        elif c == "\\":
            if i + 1 == len(text):
                return True
            i += 1
        elif c in "'\"":
            q = c
        elif c == "#" and (i == 0 or text[i - 1] in " \t\n"):
            comment = True
        i += 1
    return q is not None


def parse(root, name):
    lines = open(os.path.join(root, name), encoding="utf-8").read().split("\n")
    examples = []
    server = None
    section = subsection = None
    last_sh = None         # (closing fence index, last example) of the previous sh block
    i = 0
    while i < len(lines):
        line = lines[i]
        m = MARKER.match(line)
        if m:
            server = m.group(1)
            i += 1
            continue
        if line.startswith("## "):
            section, subsection = line[3:].strip(), None
        elif line.startswith("### "):
            subsection = line[4:].strip()
        fence = re.match(r"^```\s*(\S*)\s*$", line)
        if not fence:
            i += 1
            continue
        lang = fence.group(1)
        j = i + 1
        while j < len(lines) and not lines[j].startswith("```"):
            j += 1
        body = lines[i + 1:j]
        if lang in SHELL_LANGS:
            block = parse_block(name, i + 2, body, server)
            examples += block
            last_sh = (j, block[-1] if block else None)
        elif (lang == "json" and last_sh and last_sh[1] and not last_sh[1].shown
              and all(not l.strip() for l in lines[last_sh[0] + 1:i])):
            last_sh[1].shown = [(i + 2 + k, l) for k, l in enumerate(body)]
            last_sh = None
        elif lang in CONTENT_TYPES and name == "docs/api.md" and section == "Record formats":
            ex = Example(name, i + 1, "records", f"load the {subsection} example ({lang})", kind="load")
            kind = RECORD_KINDS.get(subsection)
            if kind is None:
                ex.error = f"a {lang} block under '{subsection}', which names no kind this test loads"
            else:
                ex.body = (kind, CONTENT_TYPES[lang], "\n".join(body) + "\n")
                ex.display = f"load the {subsection} {lang} example into POST /api/v1/{kind}"
                ex.shown = [(i + 1, f'{{"kind":"{kind}",..."rejected":0,"rejects":[]}}')]
            examples.append(ex)
        i = j + 1
    return examples


def parse_block(name, first, body, server):
    examples = []
    current = None
    k = 0
    while k < len(body):
        text = body[k]
        if not text.strip():
            k += 1
            continue
        if text.startswith("#"):
            if current is None:
                ex = Example(name, first + k, server, text)
                ex.error = "an output line with no command before it in its block"
                examples.append(ex)
            else:
                current.shown.append((first + k, text[2:] if text.startswith("# ") else text[1:]))
            k += 1
            continue
        start = k
        command = [text]
        while open_quote("\n".join(command)) and k + 1 < len(body):
            k += 1
            command.append(body[k])
        current = Example(name, first + start, server, "\n".join(command))
        if not COMMAND_START.match(text):
            current.error = "a line that is not a command this test knows (see scripts/examples_test.py)"
        elif server is None:
            current.error = "no <!-- examples: NAME --> line above it names its server"
        elif server not in SERVERS:
            current.error = f"unknown server '{server}' (known: {', '.join(SERVERS)})"
        examples.append(current)
        k += 1
    return examples


def expected_of(example):
    """The shown text without remarks, and the expected exit status. When the text starts with
    an HTTP status line (curl -i), `...` follows it and each header line after it, so that the
    headers an example leaves out (Date, Content-Length, ...) need not be marked."""
    parts = []
    status = 0
    headers = bool(example.shown) and bool(HTTP_STATUS.match(example.shown[0][1]))
    for n, (_, text) in enumerate(example.shown):
        m = REMARK.match(text)
        if m:
            e = EXIT_STATUS.match(m.group(2).strip())
            if e:
                status = int(e.group(1))
            text = m.group(1) or ""
        if headers and (n == 0 or HEADER.match(text) or text.strip() == "..."):
            text += "\n..."
        else:
            headers = False
        parts.append(text)
    return "\n".join(parts), status


def fold(text):
    return re.sub(r"\s+", "", text.replace("\ufeff", ""))


def compare(shown, actual):
    """None when every piece of shown (cut at ...) is found in order, else a reason."""
    act = fold(actual)
    pieces = [fold(p) for p in shown.split("...")]
    pos = 0
    for n, piece in enumerate(pieces, 1):
        if not piece:
            continue
        k = act.find(piece, pos)
        if k < 0:
            if os.environ.get("EXAMPLES_FULL"):
                return (f"piece {n} of {len(pieces)} not found: {piece}\n"
                        f"      actual, whole:\n{actual}")
            return (f"piece {n} of {len(pieces)} not found: {cut(piece, 240)}\n"
                    f"      actual, from there: {cut(act[pos:], 360)}")
        pos = k + len(piece)
    return None


def cut(text, n):
    text = text.replace("\n", "⏎")
    return text if len(text) <= n else text[:n] + "…"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


class Runner:
    def __init__(self, root, tthc, tmp):
        self.root, self.tthc, self.tmp = root, tthc, tmp
        self.servers = {}      # db -> dict(port, dir, db, proc, env) or error
        self.setups_done = set()
        self.demo_build = None
        self.demo_built = None
        self.began = time.time()
        self.lock = threading.Lock()
        self.running = set()   # example processes running now
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("TTHC_")}

    def remember(self, proc):
        with open(os.path.join(self.tmp, "pids"), "a") as f:
            f.write(f"{proc.pid}\n")

    def start_demo_build(self):
        d = os.path.join(self.tmp, "demo")
        os.makedirs(d, exist_ok=True)
        self.demo_log = open(os.path.join(d, "demo.log"), "w")
        self.demo_build = subprocess.Popen([self.tthc, "demo", "--db", os.path.join(d, "demo.db")],
                                           cwd=d, stdout=self.demo_log, stderr=subprocess.STDOUT,
                                           env=self.env)
        self.remember(self.demo_build)

    def server(self, name):
        with self.lock:
            return self.start(name)

    def start(self, name):
        conf = SERVERS[name]
        key = conf["db"]
        if key in self.servers:
            return self.servers[key]
        d = os.path.join(self.tmp, key)
        os.makedirs(d, exist_ok=True)
        srv = {"dir": d, "db": os.path.join(d, key + ".db"), "env": os.path.join(d, "env.sh")}
        self.servers[key] = srv
        open(srv["env"], "w").close()
        for fname, content in conf.get("files", {}).items():
            with open(os.path.join(d, fname), "w", encoding="utf-8") as f:
                f.write(content)
        if conf.get("demo"):
            rc = self.demo_build.wait()
            self.demo_built = time.time()
            self.demo_log.close()
            if rc != 0:
                srv["error"] = f"tthc demo failed (exit status {rc}): " + cut(
                    open(os.path.join(d, "demo.log")).read()[-400:], 400)
                return srv
        port = free_port()
        args = [self.tthc, "serve", "--db", srv["db"], "--listen", f"127.0.0.1:{port}"]
        for k, v in conf.get("settings", {}).items():
            args += [f"--{k}", v]
        log = open(os.path.join(d, "serve.log"), "w")
        proc = subprocess.Popen(args, cwd=d, stdout=log, stderr=subprocess.STDOUT, env=self.env)
        self.remember(proc)
        srv.update(port=port, proc=proc)
        # Ready when the port takes a connection: no HTTP request, so that no rate-limit token
        # is taken and no request is counted before the examples.
        deadline = time.time() + 15
        while True:
            if proc.poll() is not None:
                srv["error"] = f"tthc serve exited with status {proc.returncode}: " + cut(
                    open(os.path.join(d, "serve.log")).read()[-400:], 400)
                break
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.time() > deadline:
                    srv["error"] = "tthc serve did not listen within 15 s"
                    break
                time.sleep(0.05)
        return srv

    def abort(self):
        """Ends the examples running now (SIGTERM to the driver)."""
        for p in list(self.running):
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass

    def stop_all(self):
        for srv in self.servers.values():
            p = srv.get("proc")
            if p and p.poll() is None:
                p.terminate()
        for srv in self.servers.values():
            p = srv.get("proc")
            if p:
                try:
                    p.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    p.kill()
        if self.demo_build and self.demo_build.poll() is None:
            self.demo_build.kill()
            self.demo_build.wait()
        # All stopped: nothing is left for the shell's trap to kill.
        try:
            os.remove(os.path.join(self.tmp, "pids"))
        except FileNotFoundError:
            pass

    def request(self, srv, path, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", srv["port"], timeout=10)
        c.request("GET", path, headers=headers or {})
        c.getresponse().read()
        c.close()

    def setup(self, name, srv, loads, report):
        what = SERVERS[name].get("setup")
        if not what or name in self.setups_done:
            return
        self.setups_done.add(name)
        if what == "records":
            for ex in loads:
                report(ex, *self.run(ex, srv))
        elif what == "five-healthz":
            for _ in range(5):
                self.request(srv, "/healthz")
        elif what == "metrics":
            self.request(srv, "/healthz")
            self.request(srv, "/api/v1/summary?from=2024-01-01&to=2024-01-31",
                         {"Authorization": "Bearer tthc_unknown"})

    def command(self, ex, srv):
        if ex.kind == "load":
            kind, ctype, text = ex.body
            fname = os.path.join(srv["dir"], f"record-{ex.line}.{ctype.split('/')[1]}")
            with open(fname, "w", encoding="utf-8") as f:
                f.write(text)
            return (f"curl -s -X POST -H \"$AUTH\" localhost:8080/api/v1/{kind} "
                    f"-H 'Content-Type: {ctype}' --data-binary @{shlex.quote(fname)}")
        return ex.command

    def run(self, ex, srv):
        """Runs one example; returns (ok, reason)."""
        cmd = self.command(ex, srv)
        cmd = cmd.replace("localhost:8080", f"127.0.0.1:{srv['port']}")
        cmd = cmd.replace("var/tthc.db", shlex.quote(srv["db"]))
        cmd = re.sub(r"(^|\$\(|\|\s*)(?:build/)?tthc(?= )",
                     lambda m: m.group(1) + shlex.quote(self.tthc), cmd, flags=re.M)
        assigned = re.findall(r"^([A-Za-z_][A-Za-z0-9_]*)=", cmd, flags=re.M)
        script = f"source {shlex.quote(srv['env'])}\n{cmd}\n__rc=$?\n"
        for var in assigned:
            script += f"declare -p {var} >>{shlex.quote(srv['env'])} 2>/dev/null\n"
        script += "exit $__rc\n"
        ex.ran = True
        # In a process group of its own, so that a timeout or an interrupt ends all of it.
        p = subprocess.Popen(["bash", "--noprofile", "--norc", "-c", script], cwd=srv["dir"],
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=self.env,
                             start_new_session=True)
        self.running.add(p)
        try:
            out, _ = p.communicate(timeout=180)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.communicate()
            return False, "      timed out after 180 s"
        finally:
            self.running.discard(p)
        actual = out.decode("utf-8", "replace")
        shown, status = expected_of(ex)
        if p.returncode != status:
            return False, (f"      exit status {p.returncode}, expected {status}\n"
                           f"      output: {cut(actual.strip(), 360)}")
        if not shown.strip():
            bad = re.search(r"urn:tthc:problem:[\w-]+|\"rejected\":[1-9]\d*", actual)
            if bad:
                return False, f"      shows no output but answered {bad.group(0)}: {cut(actual.strip(), 360)}"
            return True, ""
        why = compare(shown, actual)
        return (why is None), ("" if why is None else "      " + why)


def main():
    root, tthc, tmp = sys.argv[1:4]
    grep_counts = dict(a.split("=", 1) for a in sys.argv[4:])
    files = ["README.md", "docs/api.md"]
    examples = []
    for name in files:
        examples += parse(root, name)
    loads = [e for e in examples if e.kind == "load"]
    runnable = [e for e in examples if e.kind == "sh"]

    runner = Runner(root, tthc, tmp)
    passed = failed = 0

    lock = threading.Lock()

    def report(ex, ok, why):
        with lock:
            count(ex, ok, why)

    def count(ex, ok, why):
        nonlocal passed, failed
        if ok:
            passed += 1
            print(f"ok {ex.where()} {cut(ex.display, 110)}", flush=True)
        else:
            failed += 1
            print(f"FAIL {ex.where()} {cut(ex.display, 110)}\n{why}", flush=True)

    def run_one(ex):
        srv = runner.server(ex.server)
        if "error" in srv:
            ex.ran = True
            report(ex, False, "      " + srv["error"])
            return
        runner.setup(ex.server, srv, loads, report)
        report(ex, *runner.run(ex, srv))

    def on_term(signum, frame):
        runner.abort()
        raise SystemExit(1)

    signal.signal(signal.SIGTERM, on_term)
    try:
        runner.start_demo_build()
        for ex in [e for e in examples if e.error]:
            report(ex, False, "      " + ex.error)
        # The other servers' examples first, one at a time in document order, while the demo
        # is being built; then the demo's, which only read, two at a time, the commands that
        # read the whole database (tthc verify) first.
        for ex in [e for e in runnable if not e.error and not SERVERS[e.server].get("demo")]:
            run_one(ex)
        demo = [e for e in runnable if not e.error and SERVERS[e.server].get("demo")]
        demo.sort(key=lambda e: not re.match(r"(build/)?tthc ", e.command))
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
            for future in [pool.submit(run_one, ex) for ex in demo]:
                future.result()
        for ex in loads:
            if not ex.ran and not ex.error:
                report(ex, False, "      not loaded: no example runs on the records server")
    finally:
        runner.stop_all()

    for name in files:
        mine = [e for e in examples if e.file == name]
        if not mine:
            failed += 1
            print(f"FAIL {name}: no example found")
        ran = sum(1 for e in mine if e.ran and e.kind == "sh"
                  for line in e.command.split("\n") if CURL_LINE.search(line))
        want = int(grep_counts.get(name, "0"))
        if ran != want:
            failed += 1
            print(f"FAIL {name}: grep finds {want} curl lines, {ran} were run as examples")
    end = time.time()
    if runner.demo_built:
        print(f"time: the demo was built in {runner.demo_built - runner.began:.1f} s, "
              f"the examples ended {end - runner.demo_built:.1f} s later")
    print(f"examples: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
