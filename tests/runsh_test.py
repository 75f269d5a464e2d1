"""./run.sh itself: it serves the site on GAZETTE_PORT with its data in
GAZETTE_DATA, stops every process it started on SIGTERM and on Ctrl-C, and a
second run on the same data keeps the articles and prints the same demo login."""

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True
import gazette_harness as h  # noqa: E402

URL_LINE = re.compile(r"^Gazette is serving (http://127\.0\.0\.1:(\d+)/)$")
LOGIN_LINE = re.compile(r"Editor login: .* user: (\S+)\s+password: (\S+)")


class RunSh:
    """./run.sh in its own session (so a failed test can still kill all of it),
    its output copied to run.out and handed line by line to wait_for()."""

    def __init__(self, scratch, data, port):
        env = dict(os.environ, GAZETTE_DATA=data, GAZETTE_PORT=str(port),
                   # the binaries under test, as ctest built them: a test must
                   # not rebuild the tree other tests are running from
                   GAZETTE_BUILD_DIR=os.path.dirname(h.BIN), GAZETTE_SKIP_BUILD="1")
        env.pop("GAZETTE_DB", None)
        self.out = open(scratch.file("run.out"), "a")
        self.popen = subprocess.Popen([os.path.join(h.SOURCE, "run.sh")], env=env,
                                      stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                      stderr=subprocess.STDOUT, text=True,
                                      start_new_session=True)
        self.lines = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self):
        for line in self.popen.stdout:
            self.out.write(line)
            self.out.flush()
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def wait_for(self, pattern, timeout):
        """The first output line matching pattern (a match object), or None at
        the end of the output or after timeout seconds."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                return None
            if line is None:
                return None
            m = pattern.search(line)
            if m:
                return m

    def stop(self, sig=signal.SIGTERM, timeout=20, group=False):
        """Sends sig to run.sh (or, with group, to its whole process group, as a
        terminal's Ctrl-C does); returns its exit status."""
        if self.popen.poll() is None:
            if group:
                os.killpg(self.popen.pid, sig)
            else:
                self.popen.send_signal(sig)
            try:
                return self.popen.wait(timeout)
            except subprocess.TimeoutExpired:
                pass
        try:  # whatever is left of the session
            os.killpg(self.popen.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        return self.popen.wait()


def serve_once(c, scratch, data, run, stop):
    """Starts run.sh, checks the site, stops it with stop ("SIGTERM" to run.sh
    or "Ctrl-C": SIGINT to its process group); returns (titles, login)."""
    port = h.free_port()
    rs = scratch.track(RunSh(scratch, data, port))
    m = rs.wait_for(URL_LINE, 600)
    c.require(m is not None, f"run {run}: run.sh prints the URL line")
    c.eq(m.group(2), str(port), f"run {run}: the URL carries GAZETTE_PORT")
    login = rs.wait_for(LOGIN_LINE, 5)
    c.check(login is not None, f"run {run}: run.sh prints the demo login")

    r = h.get(port, "/")
    c.eq(r.status, 200, f"run {run}: GET /")
    links = h.article_links(r.text)
    c.check(len(links) >= 5, f"run {run}: the home page lists articles", len(links))
    if links:
        ident, title = links[0]
        r = h.get(port, f"/a/{ident}")
        c.eq(r.status, 200, f"run {run}: GET /a/{ident}")
        c.check(h.contains_text(r.text, title), f"run {run}: the article shows its title")
        r = h.get(port, f"/api/articles/{ident}")
        url = json.loads(r.body).get("url") if r.status == 200 else None
        c.eq(url, f"{m.group(1)}a/{ident}", f"run {run}: absolute links carry the printed URL")

    if login:
        user, password = login.groups()
        r = h.get(port, "/api/session", method="POST",
                  headers={"Content-Type": "application/json"},
                  body=json.dumps({"username": user, "password": password}))
        who = json.loads(r.body).get("user", {}) if r.status == 200 else {}
        c.eq((r.status, who.get("username")), (200, user), f"run {run}: the printed login works")

    # Everything run.sh started, while it runs: the pool, nginx, their children.
    pool = h.read_pidfile(os.path.join(data, "run", "gazette.pid"))
    nginx = h.read_pidfile(os.path.join(data, "run", "nginx.pid"))
    c.check(pool and h.alive(pool), f"run {run}: the pool's pid file names a live process")
    c.check(nginx and h.alive(nginx), f"run {run}: nginx's pid file names a live process")
    started = [p for p in (pool, nginx) if p]
    for p in list(started):
        started += h.children(p)
    c.check(len(started) >= 5, f"run {run}: pool + 2 workers + nginx + a worker", started)

    if stop == "Ctrl-C":
        status = rs.stop(signal.SIGINT, group=True)
    else:
        status = rs.stop(signal.SIGTERM)
    c.eq(status, 0, f"run {run}: run.sh exits 0 on {stop}")
    left = [p for p in started if h.alive(p)]
    c.check(not left, f"run {run}: {stop} stops every process run.sh started", left)
    c.check(not os.path.exists(os.path.join(data, "run", "gazette.sock")),
            f"run {run}: the socket is removed")
    mode = os.stat(os.path.join(data, "demo-login.txt")).st_mode & 0o777
    c.eq(mode, 0o600, f"run {run}: demo-login.txt is private")
    return [t for _, t in links], login.groups() if login else None


def test(c, scratch):
    data = scratch.file("data")
    titles1, login1 = serve_once(c, scratch, data, 1, "SIGTERM")
    c.check(login1 and login1[0] == "editor" and len(login1[1]) >= 16,
            "the demo login is 'editor' with a password of 16+ characters", login1)
    c.check(os.path.exists(os.path.join(data, "gazette.db")), "the database is in GAZETTE_DATA")
    r = h.gazette(os.path.join(data, "gazette.db"), "user", "list")
    c.check(r.returncode == 0 and "editor" in r.stdout, "`gazette user list` shows editor",
            r.stdout + r.stderr)

    titles2, login2 = serve_once(c, scratch, data, 2, "Ctrl-C")
    c.eq(titles2, titles1, "a second run serves the same articles")
    c.eq(login2, login1, "a second run prints the same login")


h.run_test("runsh_test", test)
