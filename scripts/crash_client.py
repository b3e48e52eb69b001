#!/usr/bin/env python3
"""The crash test's driver (scripts/crash_test.sh runs it; standard library only).

Starts `tthc serve` on a database the shell script prepared, streams dossier loads (NDJSON,
POST /api/v1/dossiers) from several client threads, kills the server with SIGKILL at a random
moment, restarts it on the same database and checks what survived; many times over.

What a client knows about each dossier code it owns:
  acked     the version of its last load answered 2xx: the service promises it is durable;
  sent      the highest version ever sent (versions of one code go up by one per send, and one
            client sends one load at a time, so every version in 1..sent was sent, in order);
  seen      the highest version a check found in the database (a version that was sent and not
            acknowledged, but is now known to have been committed).

A load that was in flight when the server died, or whose answer was lost with it, may or may
not have committed: the kill can land before the COMMIT, after it but before the answer was
written, or while the answer was on its way. So after a crash a code may hold its last
acknowledged version OR any later version that was sent but not acknowledged, never an older
one, and never a half-written mix of two versions; a code never acknowledged may also be absent.
Each version's fields are a function of (code, version) and `fee` carries the version, so a
row names the version it holds and the check can compare every field with it.

Usage: crash_client.py TTHC DB TOKEN --kills N --clients N --seed S
Prints one summary line; exit status 0 when every check passed, 1 otherwise.
"""

import argparse
import datetime
import http.client
import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time

UNITS = ["CT", "CT.D1", "CT.D1.C1", "CT.D1.C2", "CT.D2", "CT.D2.C3"]
PROCEDURES = ["1.001", "1.002", "2.001"]
CHANNELS = ["in_person", "online", "postal"]
STATUS_CODES = {"processing": 4, "done": 10}
CHANNEL_CODES = {"in_person": 1, "online": 2, "postal": 3}
BASE_DAY = datetime.date(2024, 1, 1)


def version_fields(code_index, v):
    """The dossier fields of version v of the code with this index: every replacement changes
    the status (processing, then done, then processing again...), the unit, the received date
    and the fee (which carries v)."""
    received = BASE_DAY + datetime.timedelta(days=code_index % 200 + (v // 2) % 3)
    status = "processing" if v % 2 else "done"
    d = {
        "procedure_code": PROCEDURES[(code_index + v) % len(PROCEDURES)],
        "unit_code": UNITS[(code_index + v) % len(UNITS)],
        "channel": CHANNELS[code_index % len(CHANNELS)],
        "status": status,
        "received_at": received.isoformat() + "T09:%02d:00+07:00" % (v % 60),
        "due_at": (received + datetime.timedelta(days=10)).isoformat(),
        "finished_at": None,
        "fee": v * 1000,
    }
    if status == "done":
        d["finished_at"] = (received + datetime.timedelta(days=v % 15)).isoformat() + "T16:00:00+07:00"
    return d


class Code:
    __slots__ = ("name", "index", "acked", "sent", "seen")

    def __init__(self, name, index):
        self.name = name
        self.index = index
        self.acked = 0
        self.sent = 0
        self.seen = 0


class Run:
    def __init__(self, args):
        self.args = args
        self.rng = random.Random(args.seed)
        self.codes = {}  # name -> Code
        self.owned = [[] for _ in range(args.clients)]  # each client's codes
        self.lock = threading.Lock()  # guards failures and counters
        self.failures = []
        self.acks = 0  # records acknowledged (a replacement acknowledged again counts again)
        self.loads_acked = 0
        self.loads_lost = 0  # loads whose answer never came (the server died)
        self.checked = 0  # record comparisons over all checks
        self.unacked_committed = 0  # records found committed though never acknowledged
        self.lost = []  # this cycle's loads without an answer: [(code, version)]
        self.lost_committed = 0  # such loads found committed whole
        self.kills = 0
        self.server = None
        self.port = None
        self.killed = threading.Event()
        self.next_index = 0

    def fail(self, msg):
        with self.lock:
            self.failures.append(msg)
        print("FAIL " + msg, file=sys.stderr, flush=True)

    # ---- the server ----------------------------------------------------------------------

    def start_server(self):
        log = open(self.args.db + ".serve.log", "a")
        log.write("---- start\n")
        log.flush()
        start = log.tell()
        self.server = subprocess.Popen(
            [self.args.tthc, "serve", "--db", self.args.db, "--listen", "127.0.0.1:0",
             "--access-log", "0", "--threads", "2"],
            stdout=log, stderr=log, cwd=os.path.dirname(self.args.db))
        log.close()
        with open(self.args.pidfile, "w") as f:
            f.write(str(self.server.pid))
        deadline = time.time() + 30
        while time.time() < deadline:
            with open(self.args.db + ".serve.log") as f:
                f.seek(start)
                m = re.search(r"serving http://[^/\s]*:(\d+)/", f.read())
            if m:
                self.port = int(m.group(1))
                break
            if self.server.poll() is not None:
                raise SystemExit("tthc serve exited with %d (see %s.serve.log)"
                                 % (self.server.returncode, self.args.db))
            time.sleep(0.01)
        else:
            raise SystemExit("tthc serve did not start within 30 s")
        status, _ = self.request("GET", "/healthz")
        if status != 200:
            raise SystemExit("tthc serve answers /healthz with %d" % status)

    def kill_server(self):
        self.killed.set()
        self.server.send_signal(signal.SIGKILL)
        self.server.wait()
        self.kills += 1

    def request(self, method, path, body=None, conn=None):
        c = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        headers = {}
        if body is not None:
            headers = {"Content-Type": "application/x-ndjson",
                       "Authorization": "Bearer " + self.args.token}
        try:
            c.request(method, path, body=body, headers=headers)
            r = c.getresponse()
            return r.status, r.read()
        finally:
            if conn is None:
                c.close()

    # ---- the clients ---------------------------------------------------------------------

    def client(self, t, cycle):
        rng = random.Random("%d-%d-%d" % (self.args.seed, cycle, t))
        mine = self.owned[t]
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            while not self.killed.is_set():
                n = rng.randint(1, 300)
                batch = []
                picked = set()
                for _ in range(n):
                    # Past max_codes a client only replaces, so that a long run checks a
                    # bounded set over and over.
                    if mine and (len(mine) >= self.args.max_codes or rng.random() < 0.6):
                        c = rng.choice(mine)  # a replacement of a code already sent
                        if c.name in picked:
                            continue
                    else:
                        with self.lock:
                            index = self.next_index
                            self.next_index += 1
                        c = Code("K%d-%d" % (t, index), index)
                        with self.lock:
                            self.codes[c.name] = c
                        mine.append(c)
                    picked.add(c.name)
                    batch.append(c)
                lines = []
                for c in batch:
                    c.sent += 1  # recorded before a byte leaves: the server may commit it
                    d = {"code": c.name}
                    d.update(version_fields(c.index, c.sent))
                    if d["finished_at"] is None:
                        del d["finished_at"]
                    lines.append(json.dumps(d))
                versions = [c.sent for c in batch]
                body = ("\n".join(lines) + "\n").encode()
                try:
                    status, answer = self.request("POST", "/api/v1/dossiers", body, conn)
                except (OSError, http.client.HTTPException) as e:
                    with self.lock:
                        self.loads_lost += 1
                        self.lost.append([(c.name, v) for c, v in zip(batch, versions)])
                    if not self.killed.is_set():
                        self.fail("client %d: a load failed while the server was up: %r" % (t, e))
                    return
                if status != 200:
                    self.fail("client %d: a load was answered %d: %s" % (t, status, answer[:300]))
                    return
                rep = json.loads(answer)
                if rep.get("stored") != len(batch) or rep.get("rejected") != 0:
                    self.fail("client %d: load of %d answered %s" % (t, len(batch), answer[:300]))
                    return
                # Acknowledged: every record of the load is durable at the version sent.
                for c, v in zip(batch, versions):
                    c.acked = v
                with self.lock:
                    self.acks += len(batch)
                    self.loads_acked += 1
        finally:
            conn.close()

    # ---- the check -----------------------------------------------------------------------

    def check(self, when, through_http=True):
        """Compares the database with what the clients know (no client is running); with
        through_http, also reads a sample back through the service."""
        db = sqlite3.connect("file:%s?mode=ro" % self.args.db, uri=True, timeout=30)
        try:
            integrity = db.execute("PRAGMA integrity_check").fetchall()
            if integrity != [("ok",)]:
                self.fail("%s: PRAGMA integrity_check says %r" % (when, integrity[:5]))
            rows = db.execute(
                "SELECT d.code, p.code, u.code, d.channel, d.status, d.received_at, d.due_at, "
                "d.finished_at, d.fee FROM dossiers d JOIN units u ON u.id = d.unit_id "
                "JOIN procedures p ON p.id = d.procedure_id").fetchall()
        finally:
            db.close()
        found = {}
        for r in rows:
            found[r[0]] = r
        for name in found:
            if name not in self.codes:
                self.fail("%s: dossier %s is in the database but was never sent" % (when, name))
        bad = 0
        for c in self.codes.values():
            base = max(c.acked, c.seen)
            r = found.get(c.name)
            self.checked += 1
            if r is None:
                if base:
                    bad += 1
                    if bad <= 10:
                        self.fail("%s: dossier %s is missing; version %d was %s" % (
                            when, c.name, base, "acknowledged" if c.acked == base else "seen"))
                continue
            v = r[8] // 1000
            if v < max(base, 1) or v > c.sent or r[8] % 1000:
                bad += 1
                if bad <= 10:
                    self.fail("%s: dossier %s holds version %s; acknowledged %d, seen %d, sent "
                              "up to %d" % (when, c.name, r[8] / 1000, c.acked, c.seen, c.sent))
                continue
            e = version_fields(c.index, v)
            expect = (c.name, e["procedure_code"], e["unit_code"], CHANNEL_CODES[e["channel"]],
                      STATUS_CODES[e["status"]], e["received_at"], e["due_at"], e["finished_at"],
                      e["fee"])
            if tuple(r) != expect:
                bad += 1
                if bad <= 10:
                    names = ["code", "procedure", "unit", "channel", "status", "received_at",
                             "due_at", "finished_at", "fee"]
                    diff = ", ".join("%s %r (expected %r)" % (n, a, b)
                                     for n, a, b in zip(names, r, expect) if a != b)
                    self.fail("%s: dossier %s at version %d differs: %s" % (when, c.name, v, diff))
                continue
            if v > base:
                self.unacked_committed += 1
            c.seen = v
        if bad > 10:
            self.fail("%s: %d dossiers in all differ" % (when, bad))
        # A load is one transaction: one that lost its answer is in the database whole or not
        # at all (no client has written since, so its records still hold what it sent).
        for load in self.lost:
            held = sum(1 for name, v in load if name in found and found[name][8] == v * 1000)
            if held == len(load):
                self.lost_committed += 1
            elif held:
                self.fail("%s: a load of %d records cut by the kill is half committed: %d of "
                          "its records hold the versions it sent (%s...)"
                          % (when, len(load), held, load[0][0]))
        self.lost = []
        if not through_http:
            return
        # A sample read back through the restarted service, as a client would.
        sample = self.rng.sample(sorted(self.codes), min(20, len(self.codes)))
        for name in sample:
            c = self.codes[name]
            status, answer = self.request("GET", "/api/v1/dossiers/" + name)
            if c.seen == 0:
                if status != 404:
                    self.fail("%s: GET dossier %s (absent) answered %d" % (when, name, status))
                continue
            e = version_fields(c.index, c.seen)
            e["code"] = name
            e["online_payment"] = None
            got = json.loads(answer) if status == 200 else None
            # The fields this client sends; a read-back may carry more (flags at their defaults).
            if got is not None:
                got = {k: got[k] for k in e if k in got}
            if got != e:
                self.fail("%s: GET dossier %s answered %d %s, expected %s" % (
                    when, name, status, answer[:300], json.dumps(e)))

    # ---- the run -------------------------------------------------------------------------

    def run(self):
        print("crash test: seed %d, %d kills, %d clients" % (self.args.seed, self.args.kills,
                                                             self.args.clients), flush=True)
        self.start_server()
        t0 = time.time()
        for cycle in range(self.args.kills):
            self.killed.clear()
            threads = [threading.Thread(target=self.client, args=(t, cycle))
                       for t in range(self.args.clients)]
            for th in threads:
                th.start()
            # The kill moment: anywhere from the first loads to many commits later.
            time.sleep(self.rng.uniform(0.02, self.args.max_wait))
            self.kill_server()
            for th in threads:
                th.join()
            self.start_server()
            self.check("after kill %d" % self.kills)
            if self.failures:
                break
            if self.args.verbose:
                print("kill %d: %d codes, %d acknowledged records" % (
                    self.kills, len(self.codes), self.acks), flush=True)
        # Stop cleanly so that `tthc verify` (run by the shell script) reads a quiet database.
        self.server.send_signal(signal.SIGTERM)
        rc = self.server.wait()
        if rc != 0:
            self.fail("tthc serve exited %d on SIGTERM" % rc)
        self.check("after the last stop", through_http=False)
        acked = sum(1 for c in self.codes.values() if c.acked)
        print("crash test: %d kills survived, %d records acknowledged (%d loads, %d acks "
              "with replacements, %d loads cut by a kill of which %d had committed whole, %d "
              "unacknowledged records found committed), %d records checked, %d failures, %.1f s"
              % (self.kills, acked, self.loads_acked, self.acks, self.loads_lost,
                 self.lost_committed, self.unacked_committed, self.checked, len(self.failures), time.time() - t0),
              flush=True)
        return 1 if self.failures else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("tthc")
    ap.add_argument("db")
    ap.add_argument("token")
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--max-wait", type=float, default=0.6,
                    help="longest time in seconds between a restart and the next kill")
    ap.add_argument("--max-codes", type=int, default=2500,
                    help="dossier codes each client creates before it only replaces")
    ap.add_argument("--pidfile", required=True)
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()
    run = Run(args)
    try:
        rc = run.run()
    finally:
        if run.server and run.server.poll() is None:
            run.server.kill()
            run.server.wait()
    sys.exit(rc)


if __name__ == "__main__":
    main()
