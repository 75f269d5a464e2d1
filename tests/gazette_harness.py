"""Shared helpers for the Python integration tests (python3 standard library only).

ctest runs every tests/*_test.py with GAZETTE_SOURCE (the repository), GAZETTE_BIN
(build/gazette), GAZETTE_FCGI (build/gazette.fcgi) and GAZETTE_TESTTMP (a scratch
directory) in the environment; run by hand, a test falls back to the build/ tree.

A test builds a Checker, makes a Scratch directory, starts what it needs with Pool
and Nginx (each stopped by Scratch.close, whatever happens), talks HTTP with get(),
and ends with `sys.exit(checker.done())`.
"""

import html
import http.client
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback

SOURCE = os.environ.get("GAZETTE_SOURCE") or os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("GAZETTE_BIN") or os.path.join(SOURCE, "build", "gazette")
FCGI = os.environ.get("GAZETTE_FCGI") or os.path.join(SOURCE, "build", "gazette.fcgi")
TESTTMP = os.environ.get("GAZETTE_TESTTMP") or os.path.join(SOURCE, "build", "testtmp")
TEMPLATES = os.path.join(SOURCE, "templates")


class Fatal(Exception):
    """A failure after which the rest of the test cannot run."""


class Checker:
    """Counts checks the way tests/check.h does: a failed check is printed and
    the test goes on; done() prints the summary and returns the exit code."""

    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failed = 0

    def check(self, cond, what, detail=""):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print(f"{self.name}: check failed: {what}" + (f"\n    {detail}" if detail else ""),
                  flush=True)
        return bool(cond)

    def eq(self, got, want, what):
        return self.check(got == want, what, f"got {got!r}, want {want!r}")

    def require(self, cond, what, detail=""):
        """A check whose failure ends the test."""
        if not self.check(cond, what, detail):
            raise Fatal(what)

    def done(self):
        print(f"{self.name}: {self.passed} passed, {self.failed} failed", flush=True)
        return 0 if self.failed == 0 and self.passed > 0 else 1


def run_test(name, body):
    """Runs body(checker, scratch) and exits with the test's status. The scratch
    directory is removed when the test passed and kept (and named) when not."""
    checker = Checker(name)
    scratch = Scratch(name)
    try:
        body(checker, scratch)
    except Fatal:
        pass
    except Exception:  # a crash of the test itself is a failure, with its trace
        traceback.print_exc()
        checker.failed += 1
    finally:
        scratch.close(keep=checker.failed > 0)
    sys.exit(checker.done())


class Scratch:
    """A fresh directory for one test, and the processes started in it."""

    def __init__(self, name):
        os.makedirs(TESTTMP, exist_ok=True)
        path = tempfile.mkdtemp(prefix=name + ".", dir=TESTTMP)
        # A unix socket path holds at most 108 bytes: a deep checkout would
        # make bind() fail, so fall back to the system's temp directory.
        if len(path) > 70:
            os.rmdir(path)
            path = tempfile.mkdtemp(prefix="gz-" + name + ".")
        self.path = path
        self.procs = []

    def file(self, *parts):
        return os.path.join(self.path, *parts)

    def track(self, proc):
        self.procs.append(proc)
        return proc

    def close(self, keep=False):
        for proc in reversed(self.procs):
            proc.stop()
        if keep:
            print(f"scratch directory kept: {self.path}", flush=True)
            for name in ("gazette.log", "log/gazette.log", "log/nginx-error.log", "run.out"):
                tail_file(self.file(name))
        else:
            shutil.rmtree(self.path, ignore_errors=True)


def tail_file(path, lines=30):
    try:
        with open(path, errors="replace") as f:
            text = f.read().splitlines()[-lines:]
    except OSError:
        return
    print(f"--- last lines of {path}:")
    for line in text:
        print("    " + line)


def free_port():
    """A TCP port free on 127.0.0.1 right now (the kernel's choice)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gazette(db, *args, stdin=None):
    """Runs the admin CLI on db; returns the CompletedProcess (text)."""
    return subprocess.run([BIN, "--db", db, *args], input=stdin, capture_output=True,
                          text=True, timeout=120)


def make_db(checker, path, demo=True):
    """A migrated database at path, with the demo content unless demo=False."""
    r = gazette(path, "migrate")
    checker.require(r.returncode == 0, "gazette migrate succeeds", r.stderr)
    if demo:
        r = gazette(path, "demo")
        checker.require(r.returncode == 0, "gazette demo succeeds", r.stderr)
    return path


# --- processes -------------------------------------------------------------------

def proc_state(pid):
    """The state letter of pid ('R', 'S', 'Z', ...) or None when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except OSError:
        return None
    return stat[stat.rindex(")") + 2:].split()[0]


def alive(pid):
    state = proc_state(pid)
    return state is not None and state != "Z"


def children(pid):
    """The live direct children of pid."""
    kids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == pid and fields[0] != "Z":
            kids.append(int(entry))
    return sorted(kids)


def comm(pid):
    """The process name (what ps shows) of pid, or None when it is gone."""
    try:
        with open(f"/proc/{pid}/comm") as f:
            return f.read().strip()
    except OSError:
        return None


def workers(pid):
    """The live FastCGI workers among the children of the pool master pid
    (its helpers, the page keeper and the view counter, are named otherwise)."""
    return [p for p in children(pid) if comm(p) == "gz-worker"]


def wait_until(cond, timeout, step=0.05):
    """Polls cond() until it is true or timeout seconds passed; returns its last value."""
    deadline = time.monotonic() + timeout
    while True:
        value = cond()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(step)


def read_pidfile(path):
    try:
        with open(path) as f:
            return int(f.read().split()[0])
    except (OSError, ValueError, IndexError):
        return None


class Service:
    """A process started by a test: stop() sends SIGTERM, waits, then SIGKILLs."""

    def __init__(self, argv, log, env=None):
        self.log = log
        with open(log, "ab") as out:
            self.popen = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out,
                                          stderr=out, env=env)
        self.pid = self.popen.pid

    def running(self):
        return self.popen.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=10):
        """Stops the process; returns its exit status (negative: killed by a signal)."""
        if self.popen.poll() is None:
            kids = children(self.pid)
            self.popen.send_signal(sig)
            try:
                return self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                for kid in kids + children(self.pid):
                    try:
                        os.kill(kid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                self.popen.kill()
        return self.popen.wait()


class Pool(Service):
    """gazette.fcgi --listen unix:SOCKET --workers N on the database db."""

    def __init__(self, scratch, db, workers=2):
        self.socket = scratch.file("run", "gazette.sock")
        self.workers = workers
        os.makedirs(os.path.dirname(self.socket), exist_ok=True)
        super().__init__([FCGI, "--listen", "unix:" + self.socket, "--workers", str(workers),
                          "--db", db, "--templates", TEMPLATES], scratch.file("gazette.log"))
        scratch.track(self)

    def ready(self, timeout=10):
        """True once the socket accepts connections and every worker is up."""
        def up():
            if not self.running() or len(workers(self.pid)) < self.workers:
                return False
            with socket.socket(socket.AF_UNIX) as s:
                try:
                    s.connect(self.socket)
                except OSError:
                    return False
            return True
        return wait_until(up, timeout)


class Nginx(Service):
    """Real nginx on a free loopback port, from conf/nginx.conf.in rendered by
    scripts/nginx-conf.sh (the same rendering run.sh does)."""

    def __init__(self, scratch, socket_path, static=None):
        self.port = free_port()
        data = scratch.path
        conf = scratch.file("nginx.conf")
        argv = [os.path.join(SOURCE, "scripts", "nginx-conf.sh"), conf, str(self.port), data,
                socket_path]
        if static:
            argv.append(static)
        subprocess.run(argv, check=True, timeout=30)
        super().__init__(["nginx", "-p", os.path.join(data, "nginx"), "-c", conf,
                          "-e", os.path.join(data, "log", "nginx-error.log"),
                          "-g", "daemon off;"], scratch.file("log", "nginx.out"))
        scratch.track(self)

    def ready(self, timeout=10):
        def up():
            if not self.running():
                return False
            with socket.socket() as s:
                return s.connect_ex(("127.0.0.1", self.port)) == 0
        return wait_until(up, timeout)


def demo_site(checker, scratch, password):
    """The demo database with an admin "ed" (password), the pool (two workers
    and the keeper) and nginx on it: (db, pool, nginx)."""
    db = make_db(checker, scratch.file("gazette.db"))
    r = gazette(db, "user", "add", "ed", "--role", "admin", "--password-stdin", stdin=password + "\n")
    checker.require(r.returncode == 0, "user add", r.stderr)
    pool = Pool(scratch, db, workers=2)
    checker.require(pool.ready(), "the pool starts (2 workers and the keeper)")
    nginx = Nginx(scratch, pool.socket)
    checker.require(nginx.ready(), "nginx starts")
    return db, pool, nginx


# --- HTTP --------------------------------------------------------------------------

class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers  # lower-case names
        self.body = body

    @property
    def text(self):
        return self.body.decode("utf-8", errors="replace")

    def header(self, name, default=""):
        return self.headers.get(name.lower(), default)

    def __repr__(self):
        return f"<{self.status} {self.header('content-type')} {len(self.body)} bytes>"


def get(port, path, method="GET", headers=None, body=None, timeout=10):
    """One HTTP request to 127.0.0.1:port on a fresh connection; returns a Response.
    Raises OSError (or http.client.HTTPException) when there is no answer."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        r = conn.getresponse()
        data = r.read()
        return Response(r.status, {k.lower(): v for k, v in r.getheaders()}, data)
    finally:
        conn.close()


ARTICLE_LINK = re.compile(r'<a\b[^>]*\bhref="/a/(\d+)"[^>]*>(.*?)</a>', re.S)


def article_links(page):
    """[(id, title)] of the links to articles in an HTML page, in page order,
    each id once; titles unescaped, tags inside the link dropped."""
    seen, links = set(), []
    for ident, inner in ARTICLE_LINK.findall(page):
        title = html.unescape(re.sub(r"<[^>]*>", "", inner)).strip()
        if ident not in seen and title:
            seen.add(ident)
            links.append((int(ident), title))
    return links


def contains_text(page, text):
    """True when the visible text of an HTML page contains text."""
    return text in html.unescape(page)
