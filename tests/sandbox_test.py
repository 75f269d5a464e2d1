"""The pool's confinement (include/sandbox.h), through real nginx: started as root on a
data directory that belongs to `nobody`, the master and every worker and helper run as
nobody; workers that served only public pages hold the database read-only; every route
family (public pages, API reads, view counts, login, writes, uploads, settings that make
the keeper discard its page tree, logout) runs under the seccomp filters without a
process being killed; and a worker that makes a forbidden call (a network socket,
execve, ptrace, executable memory) is killed by SIGSYS and replaced while the site keeps
answering. Also: the settings user and sandbox, refused values and unwritable data."""

import base64
import hashlib
import hmac
import json
import os
import pwd
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import time
import zlib

sys.dont_write_bytecode = True
import gazette_harness as h  # noqa: E402

PASSWORD = "correct horse battery"
FORBIDDEN = ("socket", "execve", "ptrace", "exec-memory")
SIGSYS = 31


class SandboxPool(h.Service):
    """gazette.fcgi --listen on the data directory data, with extra flags and
    GAZETTE_SANDBOX_TEST=1 (the worker's forbidden-call route)."""

    ready = h.Pool.ready

    def __init__(self, scratch, data, templates, *flags, test_route=True, log="gazette.log"):
        self.socket = scratch.file("run", "gazette.sock")
        self.workers = 2
        os.makedirs(os.path.dirname(self.socket), exist_ok=True)
        env = dict(os.environ)
        env.pop("GAZETTE_SANDBOX_TEST", None)
        if test_route:
            env["GAZETTE_SANDBOX_TEST"] = "1"
        super().__init__([h.FCGI, "--listen", "unix:" + self.socket, "--workers", "2",
                          "--data", data, "--templates", templates, *flags],
                         scratch.file(log), env=env)
        scratch.track(self)


def status_ids(pid, key):
    """The Uid: or Gid: line of /proc/PID/status as a list of ints, or None."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return [int(x) for x in line.split()[1:]]
    except OSError:
        pass
    return None


def status_field(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def db_modes(pid, db):
    """The access modes ('r', 'w', 'rw') of pid's open descriptors on the file db."""
    modes = []
    want = os.path.realpath(db)
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return None
    for fd in fds:
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") != want:
                continue
            with open(f"/proc/{pid}/fdinfo/{fd}") as f:
                flags = int(re.search(r"^flags:\s*(\d+)", f.read(), re.M).group(1), 8)
        except (OSError, AttributeError):
            continue
        modes.append({0: "r", 1: "w", 2: "rw"}[flags & 3])
    return modes


def png(width, height):
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))
    rows = b"".join(b"\0" + bytes((x * 7 % 256, 90, 200)) * width for x in range(height))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def multipart(name, filename, ctype, content, boundary="gz-sandbox-boundary"):
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; "
            f"filename=\"{filename}\"\r\nContent-Type: {ctype}\r\n\r\n").encode()
    return body + content + f"\r\n--{boundary}--\r\n".encode(), \
        f"multipart/form-data; boundary={boundary}"


class Session:
    def __init__(self, port, user):
        self.port = port
        r = h.get(port, "/api/session", "POST", {"Content-Type": "application/json"},
                  json.dumps({"username": user, "password": PASSWORD}))
        self.status = r.status
        self.cookie = r.header("set-cookie").split(";")[0]
        self.csrf = json.loads(r.body).get("csrf_token", "") if r.status == 200 else ""

    def call(self, method, path, body=None, ctype="application/json"):
        headers = {"Cookie": self.cookie, "X-CSRF-Token": self.csrf}
        if body is not None:
            headers["Content-Type"] = ctype
            if ctype == "application/json":
                body = json.dumps(body)
        return h.get(self.port, path, method, headers, body, timeout=30)


def totp(secret, step):
    """RFC 6238 (hmac/hashlib): the 6-digit code of a time step."""
    mac = hmac.new(base64.b32decode(secret), struct.pack(">Q", step), hashlib.sha1).digest()
    off = mac[-1] & 0x0F
    return "%06d" % ((struct.unpack(">I", mac[off:off + 4])[0] & 0x7FFFFFFF) % 1000000)


def pool_pids(pool):
    """{pid: name} of the master's children."""
    return {p: h.comm(p) for p in h.children(pool.pid)}


def read_log(scratch, name="gazette.log"):
    try:
        with open(scratch.file(name), errors="replace") as f:
            return f.read()
    except OSError:
        return ""


def exercise(c, port, ident):
    """Every route family once; returns {what: status} of the answers that were not
    what they should be."""
    bad = {}

    def want(what, r, *statuses):
        if r.status not in statuses:
            bad[what] = (r.status, r.body[:200])
        return r

    r = want("home", h.get(port, "/"), 200)
    slug = (re.findall(r'href="/c/([a-z0-9-]+)/"', r.text) or ["news"])[0]
    want("home HEAD", h.get(port, "/", "HEAD"), 200)
    want("article", h.get(port, f"/a/{ident}"), 200)
    want("article by a worker", h.get(port, f"/a/{ident}?worker"), 200)
    want("category", h.get(port, f"/c/{slug}/?worker"), 200)
    want("category feed", h.get(port, f"/c/{slug}/feed.xml"), 200)
    want("feed", h.get(port, "/feed.xml"), 200)
    want("sitemap", h.get(port, "/sitemap.xml"), 200)
    want("search", h.get(port, "/search?q=the"), 200)
    want("search, Chinese", h.get(port, "/search?q=%E6%96%B0%E9%97%BB"), 200)
    want("404", h.get(port, "/no/such/page"), 404)
    want("healthz", h.get(port, "/healthz"), 200)
    want("api categories", h.get(port, "/api/categories"), 200)
    want("api articles", h.get(port, "/api/articles?per_page=5"), 200)
    want("api article", h.get(port, f"/api/articles/{ident}"), 200)
    want("api search", h.get(port, "/api/search?q=the"), 200)
    for _ in range(3):
        want("view count", h.get(port, f"/api/articles/{ident}/view", "POST"), 200)
    return bad


def exercise_writes(c, port, ident):
    bad = {}

    def want(what, r, *statuses):
        if r.status not in statuses:
            bad[what] = (r.status, r.body[:200])
        return r

    wrong = h.get(port, "/api/session", "POST", {"Content-Type": "application/json"},
                  json.dumps({"username": "ada", "password": "not the password"}))
    want("login with a wrong password", wrong, 401)
    ada = Session(port, "ada")
    c.require(ada.status == 200, "the admin logs in", ada.status)
    want("session", ada.call("GET", "/api/session"), 200)
    r = want("create an article", ada.call("POST", "/api/articles", {
        "title": "Sandboxed <b>news</b>", "category": "news", "summary": "s",
        "body_markdown": "# Heading\n\nSome *text* and a [link](https://example.org).",
        "status": "published"}), 201)
    new = json.loads(r.body).get("id") if r.status == 201 else None
    if new:
        want("update it", ada.call("PATCH", f"/api/articles/{new}", {"summary": "t"}), 200)
        want("read it as an editor", ada.call("GET", f"/api/editor/articles/{new}"), 200)
        want("its revisions", ada.call("GET", f"/editor/articles/{new}/revisions"), 200)
    want("editor list", ada.call("GET", "/api/editor/articles"), 200)
    want("preview", ada.call("POST", "/api/preview", {"markdown": "**b**"}), 200)
    # two-factor login: libsodium's sealing, Nettle's HMAC, libqrencode's QR code
    r = want("start two-factor login", ada.call("POST", "/api/session/totp"), 201)
    secret = json.loads(r.body).get("secret") if r.status == 201 else None
    want("the enrolment page's QR code", ada.call("GET", "/editor/account"), 200)
    if secret:
        step = int(time.time()) // 30
        want("confirm it with a code", ada.call("POST", "/api/session/totp/confirm",
                                                {"code": totp(secret, step)}), 200)
        want("a login without the code", h.get(port, "/api/session", "POST", {
            "Content-Type": "application/json"}, json.dumps({"username": "ada",
                                                              "password": PASSWORD})), 401)
        want("a login with the next code", h.get(port, "/api/session", "POST", {
            "Content-Type": "application/json"}, json.dumps({
                "username": "ada", "password": PASSWORD, "code": totp(secret, step + 1)})), 200)
    body, ctype = multipart("file", "p.png", "image/png", png(9, 7))
    want("upload", ada.call("POST", "/api/media", body, ctype), 201)
    want("upload again", ada.call("POST", "/api/media", body, ctype), 200)
    body, ctype = multipart("file", "x.png", "image/png", b"not an image at all")
    want("upload of no image", ada.call("POST", "/api/media", body, ctype), 415)
    for page in ("/editor/", "/editor/articles/new", "/editor/media", "/editor/users",
                 "/editor/categories", "/editor/settings", "/editor/audit", "/editor/account"):
        want(page, ada.call("GET", page), 200)
    # a new site name makes the keeper discard every page (rm -rf); a new zone
    # makes every worker read its zone file under the filter
    want("settings",
         ada.call("PATCH", "/api/settings", {"site_name": "Sandboxed Gazette",
                                               "timezone": "Asia/Shanghai"}), 200)
    for i in range(4):  # by either worker, not from a page file
        want("a page in the new zone", h.get(port, f"/a/{ident}?zone={i}"), 200)
    want("a password change", ada.call("PUT", "/api/session/password", {
        "current_password": PASSWORD, "password": PASSWORD + " again"}), 200, 204)
    if new:
        want("delete the article", ada.call("DELETE", f"/api/articles/{new}"), 204)
    want("logout", ada.call("DELETE", "/api/session"), 204)
    return bad


def test(c, scratch):
    c.require(os.geteuid() == 0, "the test runs as root (it checks leaving root)")
    nobody = pwd.getpwnam("nobody")
    # nobody must reach everything the pool reads: the scratch directory is 0700
    # and may sit under a 0700 home, so the templates are copied into it and the
    # data directory (the scratch directory itself, as nginx-conf.sh has it) is
    # given to nobody.
    # A clone under a 0700 home leaves nobody no way in: then work under /tmp.
    d = scratch.path
    while d != "/":
        d = os.path.dirname(d)
        if not os.stat(d).st_mode & 0o001:
            os.rmdir(scratch.path)
            scratch.path = tempfile.mkdtemp(prefix="gz-sandbox_test.", dir="/tmp")
            break
    data = scratch.path
    templates = scratch.file("templates")
    shutil.copytree(h.TEMPLATES, templates)
    db = h.make_db(c, scratch.file("gazette.db"))
    r = h.gazette(db, "user", "add", "ada", "--role", "admin", "--password-stdin",
                  stdin=PASSWORD + "\n")
    c.require(r.returncode == 0, "user add ada", r.stderr)
    os.makedirs(scratch.file("media"))  # before nginx-conf.sh would make it root's
    for top, dirs, files in os.walk(data):
        for name in [top] + [os.path.join(top, n) for n in dirs + files]:
            os.chown(name, nobody.pw_uid, nobody.pw_gid)
    os.chmod(data, 0o755)
    d = data
    while d != "/":
        d = os.path.dirname(d)
        if not os.stat(d).st_mode & 0o001:
            c.require(False, f"{d} lets others through (nobody must reach {data})")

    # --- refused settings, before anything runs ----------------------------------
    def start_fails(*flags):
        r = subprocess.run([h.FCGI, "--listen", "unix:" + scratch.file("bad.sock"),
                            "--data", data, "--templates", templates, *flags],
                           capture_output=True, text=True, timeout=30)
        return r.returncode, r.stderr

    rc, err = start_fails("--user", "no-such-account-here")
    c.check(rc != 0 and "no such account" in err, "an unknown user is refused", (rc, err))
    rc, err = start_fails("--user", "bad user!")
    c.check(rc != 0 and "user must be an account name" in err, "a malformed user is refused",
            (rc, err))
    rc, err = start_fails("--sandbox", "maybe")
    c.check(rc != 0 and "sandbox must be 'on' or 'off'" in err, "sandbox on|off only",
            (rc, err))
    # A database that root keeps: nobody could not write it, so the pool refuses
    # to start as nobody rather than fail at the first write.
    rootdata = scratch.file("rootdata")
    os.makedirs(rootdata)
    h.make_db(c, os.path.join(rootdata, "gazette.db"), demo=False)
    r = subprocess.run([h.FCGI, "--listen", "unix:" + scratch.file("bad.sock"), "--data",
                        rootdata, "--templates", templates, "--user", "nobody"],
                       capture_output=True, text=True, timeout=30)
    c.check(r.returncode != 0 and "nobody, who cannot write" in r.stderr,
            "user = nobody on root's data is refused with the path to fix", r.stderr)

    # --- the pool as nobody ----------------------------------------------------------
    pool = SandboxPool(scratch, data, templates)
    c.require(pool.ready(15), "the pool starts as root on nobody's data",
              read_log(scratch)[-2000:])
    nginx = h.Nginx(scratch, pool.socket)
    c.require(nginx.ready(), "nginx starts")
    port = nginx.port
    log = read_log(scratch)
    c.check("sandbox: on: workers may make" in log, "the pool logs its sandbox", log[-800:])
    c.check("running the pool as root" not in log, "no warning about root")

    kids = pool_pids(pool)
    c.eq(sorted(kids.values()), ["gz-counter", "gz-keeper", "gz-worker", "gz-worker"],
         "two workers and the two helpers")
    for pid in [pool.pid] + list(kids):
        who = kids.get(pid, "master")
        c.eq(status_ids(pid, "Uid"), [nobody.pw_uid] * 4, f"{who} runs as nobody (uid)")
        c.eq(status_ids(pid, "Gid"), [nobody.pw_gid] * 4, f"{who} runs as nobody (gid)")
        c.check(status_field(pid, "Groups") in ("", str(nobody.pw_gid)),
                f"{who} keeps no supplementary group of root", status_field(pid, "Groups"))
        c.eq(status_field(pid, "Seccomp"), "0" if pid == pool.pid else "2",
             f"{who}: seccomp filter {'off in the master' if pid == pool.pid else 'on'}")
        if pid != pool.pid:
            c.eq(status_field(pid, "NoNewPrivs"), "1", f"{who}: no new privileges")

    r = h.get(port, "/")
    c.eq(r.status, 200, "GET / through nginx")
    links = h.article_links(r.text)
    c.require(links, "the home page links to articles")
    ident = links[0][0]

    # --- public routes: the database stays read-only in every worker ----------------
    workers = h.workers(pool.pid)
    for pid in workers:
        c.eq(sorted(set(db_modes(pid, db) or ["none"])), ["r"],
             f"worker {pid} holds the database read-only after start")
    bad = exercise(c, port, ident)
    c.eq(bad, {}, "public pages, API reads, search and view counts answer as they should")
    for pid in workers:
        c.eq(sorted(set(db_modes(pid, db) or ["none"])), ["r"],
             f"worker {pid} holds the database read-only after public pages and views")
    counter = [p for p, n in kids.items() if n == "gz-counter"][0]
    c.check("rw" in (db_modes(counter, db) or []), "the view counter writes (read-write handle)")
    r = h.get(port, f"/api/articles/{ident}")
    views = json.loads(r.body).get("views") if r.status == 200 else None
    c.check(views is not None and views >= 3, "the views were counted", r.body[:200])

    # --- writes -------------------------------------------------------------------------
    bad = exercise_writes(c, port, ident)
    c.eq(bad, {}, "login, writes, uploads, settings, password and logout answer as they should")
    c.check(any("rw" in (db_modes(p, db) or []) for p in workers),
            "a worker that served a write opened the database read-write",
            {p: db_modes(p, db) for p in workers})
    c.check(os.stat(db + "-session.key").st_uid == nobody.pw_uid,
            "the session key was made by nobody")
    renamed = h.wait_until(lambda: "Sandboxed Gazette" in h.get(port, "/").text, 10)
    c.check(renamed, "the keeper re-rendered the pages after the settings change (rm -rf)")
    h.wait_until(lambda: not [n for n in os.listdir(data) if n.startswith("pages.old-")], 5)
    c.eq([n for n in os.listdir(data) if n.startswith("pages.old-")], [],
         "the keeper's rm removed the old page tree")
    c.eq(pool_pids(pool), kids, "no worker or helper died under the workload")
    log = read_log(scratch)
    c.check("killed by signal" not in log and "exited with status" not in log,
            "the pool log has no death", "\n".join(re.findall(r".*(?:killed|exited).*", log)))

    # --- forbidden calls ----------------------------------------------------------------
    for call in FORBIDDEN:
        before = set(h.workers(pool.pid))
        r = h.get(port, f"/_sandbox/{call}", "POST")
        c.eq(r.status, 502, f"{call}: the worker dies before it answers (nginx: 502)")
        replaced = h.wait_until(
            lambda: len(h.workers(pool.pid)) == 2 and set(h.workers(pool.pid)) != before, 5)
        c.check(replaced, f"{call}: the master replaces the worker", h.workers(pool.pid))
        gone = before - set(h.workers(pool.pid))
        c.eq(len(gone), 1, f"{call}: one worker was replaced")
        for pid in gone:
            line = rf"worker {pid} killed by signal {SIGSYS} \(SIGSYS: a system call its sandbox"
            c.check(h.wait_until(lambda: re.search(line, read_log(scratch)), 5),
                    f"{call}: worker {pid} was killed by SIGSYS", read_log(scratch)[-600:])
        c.eq(h.get(port, "/healthz").status, 200, f"{call}: the site answers after")
    c.eq(len(re.findall(rf"killed by signal {SIGSYS}\b", read_log(scratch))), len(FORBIDDEN),
         "one SIGSYS death per forbidden call, none other")
    helpers = {p: n for p, n in kids.items() if n != "gz-worker"}
    c.eq({p: n for p, n in pool_pids(pool).items() if n != "gz-worker"}, helpers,
         "the helpers lived through it all")
    c.eq(pool.stop(signal.SIGTERM), 0, "the pool stops on SIGTERM")

    # --- the same calls with sandbox = off: they are harmless then -----------------------
    pool = SandboxPool(scratch, data, templates, "--sandbox", "off", log="off.log")
    c.require(pool.ready(15), "a pool with sandbox = off starts", read_log(scratch, "off.log"))
    c.check("sandbox: off" in read_log(scratch, "off.log"), "sandbox = off is logged")
    c.eq(status_field(h.workers(pool.pid)[0], "Seccomp"), "0", "no filter with sandbox = off")
    for call in FORBIDDEN:
        r = h.get(port, f"/_sandbox/{call}", "POST")
        c.check(r.status == 200 and r.text.startswith(call + " returned"),
                f"{call} with sandbox = off is answered (the filter is what kills)", r.text)
    c.eq(pool.stop(signal.SIGTERM), 0, "that pool stops")

    # --- the test route is not there without GAZETTE_SANDBOX_TEST -----------------------
    pool = SandboxPool(scratch, data, templates, test_route=False, log="plain.log")
    c.require(pool.ready(15), "a pool without the test route starts")
    c.eq(h.get(port, "/_sandbox/socket", "POST").status, 404,
         "/_sandbox/ is 404 unless GAZETTE_SANDBOX_TEST=1")
    c.eq(len(h.workers(pool.pid)), 2, "and no worker died")
    c.eq(pool.stop(signal.SIGTERM), 0, "that pool stops")

    # --- root's own database: the pool stays root and says so ---------------------------
    sock = scratch.file("run", "root.sock")
    root_pool = h.Service([h.FCGI, "--listen", "unix:" + sock, "--workers", "1", "--data",
                           rootdata, "--templates", templates], scratch.file("root.log"))
    scratch.track(root_pool)
    up = h.wait_until(lambda: "starting 1 workers" in read_log(scratch, "root.log"), 10)
    c.check(up, "a pool on root's database starts", read_log(scratch, "root.log"))
    c.check("running the pool as root" in read_log(scratch, "root.log"),
            "and warns that it runs as root")
    c.eq(status_ids(root_pool.pid, "Uid"), [0, 0, 0, 0], "it stayed root")
    c.eq(root_pool.stop(signal.SIGTERM), 0, "it stops")
    c.eq(nginx.stop(signal.SIGTERM), 0, "nginx stops")


h.run_test("sandbox_test", test)
