"""A minimal client of Chromium's DevTools protocol, for scripts/page_test.py: starts Debian's
`chromium` headless with a throw-away profile, and speaks the protocol over a WebSocket
(RFC 6455, written here on the standard library so that the test needs no Python package).

Chromium(...).page() gives a Page: call(method, **params) sends a command and returns its
result; the events that arrive meanwhile are kept in .events (method, params), in order.
"""
import base64
import json
import os
import shutil
import socket
import struct
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request


class CdpError(Exception):
    pass


class WebSocket:
    """A client WebSocket: text frames out (masked), whole messages in."""

    def __init__(self, url, timeout=60):
        u = urllib.parse.urlparse(url)
        self.sock = socket.create_connection((u.hostname, u.port), timeout=timeout)
        key = base64.b64encode(os.urandom(16)).decode()
        path = u.path + ("?" + u.query if u.query else "")
        self.sock.sendall((f"GET {path} HTTP/1.1\r\nHost: {u.hostname}:{u.port}\r\n"
                           "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                           f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n")
                          .encode())
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise CdpError("the DevTools endpoint closed the connection during the handshake")
            head += chunk
        head, self.buf = head.split(b"\r\n\r\n", 1)
        if not head.startswith(b"HTTP/1.1 101"):
            raise CdpError("DevTools refused the WebSocket: " + head.decode(errors="replace"))

    def _read(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(1 << 20)
            if not chunk:
                raise CdpError("the DevTools connection closed")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def send(self, text):
        data = text.encode()
        n = len(data)
        head = bytes([0x81])
        if n < 126:
            head += bytes([0x80 | n])
        elif n < 65536:
            head += bytes([0x80 | 126]) + struct.pack(">H", n)
        else:
            head += bytes([0x80 | 127]) + struct.pack(">Q", n)
        mask = os.urandom(4)
        body = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        self.sock.sendall(head + mask + body)

    def recv(self):
        message = b""
        while True:
            b0, b1 = self._read(2)
            n = b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read(8))[0]
            mask = self._read(4) if b1 & 0x80 else None
            data = self._read(n)
            if mask:
                data = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
            op = b0 & 0x0F
            if op == 0x8:
                raise CdpError("DevTools closed the WebSocket")
            if op == 0x9:  # ping: answer, keep reading
                continue
            if op in (0x1, 0x2, 0x0):
                message += data
                if b0 & 0x80:
                    return message.decode()

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


class Page:
    """One tab, driven through its own DevTools WebSocket."""

    def __init__(self, ws_url):
        self.ws = WebSocket(ws_url)
        self.next_id = 0
        self.events = []

    def call(self, method, **params):
        self.next_id += 1
        mid = self.next_id
        self.ws.send(json.dumps({"id": mid, "method": method, "params": params}))
        while True:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == mid:
                if "error" in msg:
                    raise CdpError(f"{method}: {msg['error'].get('message')}")
                return msg.get("result", {})
            if "method" in msg:
                self.events.append((msg["method"], msg.get("params", {})))

    def evaluate(self, expression, timeout=30):
        """The value of a JavaScript expression (awaited if it is a promise)."""
        r = self.call("Runtime.evaluate", expression=expression, returnByValue=True,
                      awaitPromise=True, timeout=timeout * 1000)
        if "exceptionDetails" in r:
            d = r["exceptionDetails"]
            text = d.get("exception", {}).get("description") or d.get("text")
            raise CdpError(f"evaluating {expression[:80]!r}: {text}")
        return r["result"].get("value")

    def wait_for(self, expression, timeout=20, what=None):
        """Polls a JavaScript condition until it is true; raises after timeout seconds."""
        deadline = time.time() + timeout
        while True:
            if self.evaluate(expression):
                return
            if time.time() > deadline:
                raise CdpError(f"waited {timeout} s for {what or expression}")
            time.sleep(0.05)

    def close(self):
        self.ws.close()


class Chromium:
    """Debian's chromium, headless, with a fresh profile, killed by close()."""

    def __init__(self, binary="chromium", width=1280, height=900):
        self.profile = tempfile.mkdtemp(prefix="tthc-chromium-")
        args = [binary, "--headless=new", "--remote-debugging-port=0",
                f"--user-data-dir={self.profile}", f"--window-size={width},{height}",
                "--no-first-run", "--no-default-browser-check", "--disable-gpu",
                "--disable-extensions", "--disable-background-networking", "--disable-sync",
                "--disable-component-update", "--mute-audio", "--hide-scrollbars",
                "--lang=vi-VN", "about:blank"]
        # The sandbox needs user namespaces, which containers (and root) often lack; this
        # browser opens only the test's own page on loopback.
        args.insert(1, "--no-sandbox")
        self.log = open(os.path.join(self.profile, "chromium.log"), "w+")
        self.proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=self.log)
        # The port is in the profile's DevToolsActivePort once the browser listens.
        port_file = os.path.join(self.profile, "DevToolsActivePort")
        deadline = time.time() + 30
        while not (os.path.exists(port_file) and open(port_file).read().count("\n") >= 1):
            if self.proc.poll() is not None or time.time() > deadline:
                self.log.seek(0)
                raise CdpError("chromium did not start: " + self.log.read()[-600:])
            time.sleep(0.05)
        self.port = int(open(port_file).read().split("\n")[0])

    def _json(self, path, method="GET"):
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", method=method)
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read().decode())

    def version(self):
        return self._json("/json/version")

    def page(self):
        """A new tab (about:blank)."""
        t = self._json("/json/new?about:blank", method="PUT")
        return Page(t["webSocketDebuggerUrl"])

    def browser(self):
        """The browser's own endpoint (downloads, windows)."""
        return Page(self.version()["webSocketDebuggerUrl"])

    def close(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        shutil.rmtree(self.profile, ignore_errors=True)


def console_problems(events):
    """What a page wrote to its console as an error or warning, uncaught exceptions, and the
    browser's own errors (a failed load, a Content-Security-Policy violation), as text lines."""
    out = []
    for method, p in events:
        if method == "Runtime.exceptionThrown":
            d = p.get("exceptionDetails", {})
            out.append("exception: " + (d.get("exception", {}).get("description") or d.get("text", "")))
        elif method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "warning", "assert"):
            args = " ".join(str(a.get("value", a.get("description", ""))) for a in p.get("args", []))
            out.append(f"console.{p['type']}: {args}")
        elif method == "Log.entryAdded":
            e = p.get("entry", {})
            if e.get("level") in ("error", "warning"):
                out.append(f"{e.get('source')} {e.get('level')}: {e.get('text')} {e.get('url', '')}".strip())
    return out
