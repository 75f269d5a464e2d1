"""Hostile input through real nginx and the worker pool (SPEC §7: "bad input ...
gets a clear 4xx, never a crash or a 500, and changes nothing"). Each probe below
is sent as raw bytes on its own connection and must get exactly the status listed
with it: bad percent escapes, overlong URLs and headers, invalid UTF-8 in path,
query, cookie, form and JSON, NUL bytes, bodies over the limits (announced, and
actually sent), wrong methods on every route family, broken multipart bodies,
path traversal towards the database and the sources through /media/ and /static/
(plain and encoded), HTTP/1.0 without Host, and absurd headers.

Afterwards the pool's workers and helpers are the same processes (no crash, no
respawn: the log has no "killed by signal" or "exited"), nothing was written
(articles, media, users, audit log unchanged), no answer ever carried the
database's bytes, and the site still serves. A few probes are requests a server
must serve (HTTP/1.0 without Host is legal): they are listed with their 200.
"""

import json
import os
import re
import socket
import sqlite3
import sys

sys.dont_write_bytecode = True
import gazette_harness as h  # noqa: E402

PASSWORD = "correct horse battery"
BOUNDARY = "----gazette-probe-91c2"


def raw(port, data, timeout=30):
    """Sends data on a fresh connection, reads until the server closes it;
    returns (status or None, whole answer)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # refused before the body was sent: the answer may still be there
        # No shutdown(SHUT_WR): nginx takes a half-closed connection for a
        # client that went away and drops the request (499).
        chunks = []
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        except (ConnectionResetError, socket.timeout):
            pass
    answer = b"".join(chunks)
    m = re.match(rb"HTTP/1\.[01] (\d{3}) ", answer)
    return (int(m.group(1)) if m else None), answer


def request(method, target, headers=(), body=b"", version="HTTP/1.1", host=True):
    """The bytes of one request; target and header values may be bytes."""
    def b(x):
        return x if isinstance(x, bytes) else x.encode()
    lines = [b(method) + b" " + b(target) + b" " + b(version)]
    if host:
        lines.append(b"Host: localhost")
    lines += [b(k) + b": " + b(v) for k, v in headers]
    if body and not any(b(k).lower() == b"content-length" for k, _ in headers):
        lines.append(b"Content-Length: " + str(len(body)).encode())
    lines.append(b"Connection: close")
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def multipart_type(boundary=BOUNDARY):
    return f"multipart/form-data; boundary={boundary}"


def part(name, data, filename="x.png", boundary=BOUNDARY):
    return (f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; "
            f"filename=\"{filename}\"\r\nContent-Type: image/png\r\n\r\n").encode() + data + b"\r\n"


def probes(sess, art):
    """[(name, request bytes, expected status)]. sess: (cookie, csrf) of an
    editor; art: the id of a published article."""
    cookie, csrf = sess
    auth = [("Cookie", cookie), ("X-CSRF-Token", csrf)]
    js = [("Content-Type", "application/json")]
    mp = auth + [("Content-Type", multipart_type())]
    p = []

    def add(name, data, want):
        p.append((name, data, want))

    # --- percent escapes --------------------------------------------------------
    add("bad escape in the query", request("GET", "/search?q=%zz"), 400)
    add("truncated escape in the query", request("GET", "/search?q=abc%4"), 400)
    add("lone % at the end of the query", request("GET", "/search?q=%"), 400)
    # The API answers a query value that fails its check with 422 naming the field.
    add("lone % at the end of an API query", request("GET", "/api/search?q=%"), 422)
    add("bad escape in the path", request("GET", "/a/%zz"), 400)
    add("truncated escape in the path", request("GET", "/c/news%2/"), 400)
    add("bad escape in a category query", request("GET", "/c/news/?page=%G1"), 400)
    add("bad escape in an editor filter", request("GET", "/editor/?q=%%", auth), 400)
    # --- NUL bytes --------------------------------------------------------------
    add("%00 in the query", request("GET", "/search?q=a%00b"), 400)
    add("%00 in the API query", request("GET", "/api/articles?category=news%00"), 422)
    add("%00 in the path", request("GET", f"/a/{art}%00"), 400)
    add("%00 in a media name", request("GET", "/media/ab/x.png%00.html"), 400)
    add("raw NUL in the request line", request("GET", b"/a/1\x00"), 400)
    add("raw NUL in a header", request("GET", "/", [("X-Probe", b"a\x00b")]), 400)
    add("\\u0000 in a JSON login", request("POST", "/api/session", js,
                                           b'{"username":"ed\\u0000x","password":"y"}'), 400)
    add("\\u0000 in a JSON member name", request("POST", "/api/session", js,
                                                 b'{"user\\u0000name":"ed","password":"y"}'), 400)
    add("\\u0000 in a JSON article title",
        request("PATCH", f"/api/articles/{art}", auth + js, b'{"title":"Plain\\u0000<script>"}'),
        400)
    add("raw NUL in a JSON body", request("PATCH", f"/api/articles/{art}", auth + js,
                                          b'{"title":"Plain\x00tail"}'), 400)
    add("%00 in a form login", request("POST", "/editor/login",
                                       [("Content-Type", "application/x-www-form-urlencoded")],
                                       b"username=ed%00&password=x"), 400)
    # --- invalid UTF-8 ----------------------------------------------------------
    add("invalid UTF-8 in the query", request("GET", "/search?q=%FF%FE"), 400)
    add("overlong UTF-8 '/' in the query", request("GET", "/search?q=%C0%AF"), 400)
    add("overlong UTF-8 '/' in an API query", request("GET", "/api/search?q=%C0%AF"), 422)
    add("UTF-16 surrogate in the query", request("GET", "/search?q=%ED%A0%80"), 400)
    add("raw invalid UTF-8 in the query", request("GET", b"/search?q=\xff\xfe"), 400)
    add("invalid UTF-8 in the path", request("GET", "/c/%FF/"), 400)
    add("raw invalid UTF-8 in the path", request("GET", b"/a/\xc3\x28"), 400)
    add("invalid UTF-8 in the session cookie",
        request("GET", "/api/session", [("Cookie", b"gz_session=\xff\xfe\xfd")]), 401)
    add("invalid UTF-8 in another cookie",
        request("GET", "/api/session", [("Cookie", b"x=\xc0\xaf; gz_session=zz")]), 401)
    add("invalid UTF-8 in a JSON login",
        request("POST", "/api/session", js, b'{"username":"\xff\xfe","password":"xxxxxxxxxxxx"}'),
        400)
    add("invalid UTF-8 in a JSON article",
        request("PATCH", f"/api/articles/{art}", auth + js, b'{"title":"caf\xe9"}'), 400)
    add("invalid UTF-8 in a form login",
        request("POST", "/editor/login", [("Content-Type", "application/x-www-form-urlencoded")],
                b"username=%FF&password=xxxxxxxxxxxx"), 400)
    # --- overlong URLs and headers --------------------------------------------------
    add("a 20 kB path", request("GET", "/a/" + "1" * 20000), 414)
    add("a 20 kB query", request("GET", "/search?q=" + "a" * 20000), 414)
    # Under nginx's 8 kB line but over the application's 4 kB URI limit.
    add("a 6 kB search query", request("GET", "/search?q=" + "a" * 6000), 414)
    add("a 6 kB API per_page", request("GET", "/api/articles?per_page=" + "9" * 6000), 414)
    add("a 6 kB path", request("GET", "/c/" + "n" * 6000 + "/"), 414)
    add("a 10 kB Cookie header", request("GET", "/", [("Cookie", "gz_session=" + "a" * 10000)]),
        400)
    add("a 10 kB header of its own", request("GET", "/", [("X-Probe", "b" * 10000)]), 400)
    add("600 headers", request("GET", "/", [(f"X-Probe-{i}", "c" * 60) for i in range(600)]), 400)
    add("a 4 kB session cookie (fits)",
        request("GET", "/api/session", [("Cookie", "gz_session=" + "a" * 4000)]), 401)
    add("a 4 kB CSRF token",
        request("POST", "/api/articles", [("Cookie", cookie), ("X-CSRF-Token", "f" * 4000)] + js,
                b'{"title":"x"}'), 403)
    # --- bodies over the limits ------------------------------------------------------
    add("Content-Length of 50 MB announced, not sent",
        request("POST", "/api/media", mp + [("Content-Length", str(50 << 20))]), 413)
    add("13 MB upload actually sent (over nginx's 12m)",
        request("POST", "/api/media", mp, part("file", b"\0" * (13 << 20))), 413)
    add("11 MB upload actually sent (over the application's 10M)",
        request("POST", "/api/media", mp, part("file", b"\0" * (11 << 20))), 413)
    add("2 MB JSON login", request("POST", "/api/session", js,
                                   b'{"username":"' + b"a" * (2 << 20) + b'"}'), 413)
    add("2 MB JSON article title (under the 4 MiB body cap)",
        request("PATCH", f"/api/articles/{art}", auth + js,
                b'{"title":"' + b"a" * (2 << 20) + b'"}'), 422)
    add("5 MB JSON article", request("PATCH", f"/api/articles/{art}", auth + js,
                                     b'{"body_markdown":"' + b"a" * (5 << 20) + b'"}'), 413)
    add("2 MB search form body to a GET route",
        request("POST", "/search", [("Content-Type", "application/x-www-form-urlencoded")],
                b"q=" + b"a" * (2 << 20)), 405)
    add("JSON login nested 100000 deep (over its 8 kB cap)",
        request("POST", "/api/session", js, b"[" * 100000), 413)
    add("JSON login nested 5000 deep", request("POST", "/api/session", js, b"[" * 5000), 400)
    add("JSON article nested 100000 deep", request("PATCH", f"/api/articles/{art}", auth + js,
                                                   b'{"title":' + b"[" * 100000), 400)
    add("JSON article nested objects 3000 deep",
        request("PATCH", f"/api/articles/{art}", auth + js,
                b'{"a":' * 3000 + b"1" + b"}" * 3000), 400)
    add("negative Content-Length", request("POST", "/api/session",
                                           js + [("Content-Length", "-5")], b"{}"), 400)
    add("Content-Length that is no number", request("POST", "/api/session",
                                                    js + [("Content-Length", "12abc")], b"{}"), 400)
    add("two Content-Length headers", request("POST", "/api/session",
                                              js + [("Content-Length", "2"), ("Content-Length", "3")],
                                              b"{}"), 400)
    # --- wrong methods on every route family ----------------------------------------
    for method, path in (("DELETE", "/"), ("POST", f"/a/{art}"), ("PUT", "/c/news/"),
                         ("POST", "/feed.xml"), ("DELETE", "/c/news/feed.xml"),
                         ("PATCH", "/sitemap.xml"), ("POST", "/search"), ("POST", "/healthz"),
                         ("DELETE", "/editor/login"), ("PUT", "/editor/"),
                         ("DELETE", "/editor/articles/new"), ("PATCH", f"/editor/articles/{art}"),
                         ("GET", "/editor/logout"), ("PUT", "/editor/users"),
                         ("DELETE", "/editor/settings"), ("GET", "/editor/settings/logo"),
                         ("POST", "/editor/audit"),
                         ("DELETE", "/api/categories"), ("PUT", "/api/articles"),
                         ("POST", f"/api/articles/{art}"), ("GET", f"/api/articles/{art}/view"),
                         ("DELETE", "/api/search"), ("PUT", "/api/session"),
                         ("GET", "/api/media"), ("GET", "/api/preview"),
                         ("POST", "/api/editor/articles"), ("DELETE", "/api/settings"),
                         ("OPTIONS", "/api/articles"), ("FOO", "/"), ("PROPFIND", "/a/1")):
        headers = auth if path.startswith(("/editor/", "/api/")) else []
        add(f"{method} {path}", request(method, path, headers), 405)
    add("TRACE /", request("TRACE", "/"), 405)
    add("lower-case method", request("get", "/"), 400)
    add("method with a slash", request("GE/T", "/"), 400)
    # --- broken multipart ------------------------------------------------------------
    png1 = bytes.fromhex("89504e470d0a1a0a")
    add("multipart without a boundary",
        request("POST", "/api/media", auth + [("Content-Type", "multipart/form-data")],
                part("file", png1)), 400)
    add("multipart with another boundary",
        request("POST", "/api/media", mp, part("file", png1, boundary="other") + b"--other--\r\n"),
        400)
    add("multipart cut in the middle of a part",
        request("POST", "/api/media", mp, part("file", png1)[:-10]), 400)
    add("multipart with no closing boundary",
        request("POST", "/api/media", mp, part("file", png1)), 400)
    add("multipart part without a blank line",
        request("POST", "/api/media", mp,
                f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"\r\n".encode()
                + png1 + f"\r\n--{BOUNDARY}--\r\n".encode()), 400)
    add("multipart part without Content-Disposition",
        request("POST", "/api/media", mp,
                f"--{BOUNDARY}\r\nContent-Type: image/png\r\n\r\n".encode() + png1
                + f"\r\n--{BOUNDARY}--\r\n".encode()), 400)
    add("multipart with a 300-byte boundary",
        request("POST", "/api/media", auth + [("Content-Type", multipart_type("b" * 300))],
                part("file", png1, boundary="b" * 300) + b"--" + b"b" * 300 + b"--\r\n"), 400)
    add("multipart with 5000 empty parts",
        request("POST", "/api/media", mp,
                f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n\r\n".encode()
                * 5000 + f"--{BOUNDARY}--\r\n".encode()), 400)
    add("multipart file name with a path and NUL",
        request("POST", "/api/media", mp,
                part("file", png1, filename="../../gazette.db\0.png")
                + f"--{BOUNDARY}--\r\n".encode()), 400)
    add("multipart to a JSON route",
        request("POST", "/api/articles", mp, part("title", b"x") + f"--{BOUNDARY}--\r\n".encode()),
        415)
    # --- path traversal ---------------------------------------------------------------
    for target, want in (
            ("/media/../gazette.db", 404),
            ("/media/%2e%2e/gazette.db", 404),
            ("/media/%2E%2E/gazette.db", 404),
            ("/media/..%2fgazette.db", 404),
            ("/media/%2e%2e%2fgazette.db", 404),
            ("/media/..%5cgazette.db", 404),
            ("/media/%252e%252e/gazette.db", 404),
            ("/media/ab/../../gazette.db", 404),
            ("/media//..//gazette.db", 404),
            ("/media/../../../../etc/passwd", 400),
            ("/media/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd", 400),
            ("/media/.%2e/.%2e/.%2e/.%2e/etc/passwd", 400),
            ("/media/..;/gazette.db", 404),
            ("/media/gazette.db", 404),
            ("/media", 404),
            ("/static/../gazette.db", 404),
            ("/static/%2e%2e/gazette.db", 404),
            ("/static/..%2f..%2fCMakeLists.txt", 400),
            ("/static/../../CMakeLists.txt", 400),
            ("/static/%2e%2e/%2e%2e/src/db.c", 400),
            ("/static/..%c0%af..%c0%afCMakeLists.txt", 404),
            ("/pages/index.html", 404),
            ("/gazette.db", 404),
            ("/gazette.db-wal", 404),
            ("/run/gazette.sock", 404),
            ("/a/../../gazette.db", 400),
            ("/c/..%2f..%2f/", 400)):
        add(f"traversal {target}", request("GET", target), want)
    add("traversal in an absolute-form target",
        request("GET", "http://localhost/media/../gazette.db"), 404)
    # --- HTTP/1.0, Host -----------------------------------------------------------------
    add("HTTP/1.0 without Host: an unknown article",
        request("GET", "/a/999999", version="HTTP/1.0", host=False), 404)
    add("HTTP/1.0 without Host: the feed (legal, served)",
        request("GET", "/feed.xml", version="HTTP/1.0", host=False), 200)
    add("HTTP/1.0 without Host: the API (legal, served)",
        request("GET", f"/api/articles/{art}", version="HTTP/1.0", host=False), 200)
    add("HTTP/1.1 without Host", request("GET", "/", host=False), 400)
    # An HTTP/0.9 answer has no status line (nginx sends the page itself).
    add("HTTP/0.9-style request line", b"GET /a/999999\r\n\r\n", None)
    # The one 5xx allowed: nginx's own protocol answer, before any
    # application code runs.
    add("HTTP/2.0 request line", request("GET", "/", version="HTTP/2.0"), 505)
    add("HTTP/1.1 with two Host headers", request("GET", "/", [("Host", "evil.example")]), 400)
    add("Host with a space", request("GET", "/", host=False) .replace(
        b"Connection: close", b"Host: exa mple\r\nConnection: close"), 400)
    add("Host with a slash", request("GET", "/", host=False).replace(
        b"Connection: close", b"Host: a/../b\r\nConnection: close"), 400)
    # --- absurd headers ------------------------------------------------------------------
    add("header line without a colon",
        request("GET", "/api/session").replace(b"Connection", b"Garbage\r\nConnection"), 401)
    add("header name with a space", request("GET", "/api/session", [("X Bad", "y")]), 400)
    add("header name with an underscore (dropped)",
        request("GET", "/api/session", [("X_CSRF_Token", "y")]), 401)
    add("Transfer-Encoding chunked and Content-Length",
        request("POST", "/api/session", js + [("Transfer-Encoding", "chunked"),
                                               ("Content-Length", "2")], b"{}"), 400)
    add("Transfer-Encoding chunked with a bad chunk size",
        request("POST", "/api/session", js + [("Transfer-Encoding", "chunked")]).replace(
            b"\r\n\r\n", b"\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"), 400)
    add("chunked body of 13 MB",
        request("POST", "/api/media", mp + [("Transfer-Encoding", "chunked")]).replace(
            b"\r\n\r\n", b"\r\n\r\n" + (b"100000\r\n" + b"\0" * 0x100000 + b"\r\n") * 13
            + b"0\r\n\r\n"), 413)
    # Parameters of the type are not read: the login goes ahead and fails.
    add("Content-Type with invalid UTF-8",
        request("POST", "/api/session", [("Content-Type", b"application/json; charset=\xff")],
                b'{"username":"x","password":"y"}'), 401)
    add("Content-Type absurdly long",
        request("POST", "/api/session", [("Content-Type", "application/json" + ";x=y" * 1500)],
                b"{}"), 422)
    add("Content-Type that only starts like JSON",
        request("POST", "/api/session", [("Content-Type", "application/jsonx")], b"{}"), 415)
    add("Expect: 100-continue with too much",
        request("POST", "/api/media", mp + [("Expect", "100-continue"),
                                            ("Content-Length", str(100 << 20))]), 413)
    add("Expect: something else", request("GET", "/api/session", [("Expect", "teapot")]), 401)
    add("a forged X-Forwarded-For and X-Real-IP",
        request("GET", "/api/session", [("X-Forwarded-For", "1.2.3.4, <script>"),
                                        ("X-Real-IP", "999.1.1.1")]), 401)
    add("Proxy header (httpoxy)", request("GET", "/api/session", [("Proxy", "http://evil:1")]), 401)
    add("If-None-Match of 4 kB", request("GET", "/a/999999", [("If-None-Match", "W/" + "x" * 4000)]),
        404)
    add("If-Modified-Since that is no date",
        request("GET", "/a/999999", [("If-Modified-Since", "yesterday, at noon")]), 404)
    add("Range beyond the end of a static file",
        request("GET", "/static/" + static_name(), [("Range", "bytes=99999999-")]), 416)
    add("a session cookie 64 hex but unknown",
        request("DELETE", "/api/session", [("Cookie", "gz_session=" + "0" * 64),
                                           ("X-CSRF-Token", "0" * 64)]), 401)
    add("the CSRF token of another session",
        request("DELETE", "/api/session", [("Cookie", "gz_session=" + "1" * 64),
                                           ("X-CSRF-Token", csrf)]), 401)
    add("a cookie with 500 names",
        request("GET", "/api/session", [("Cookie", "; ".join(f"c{i}=v" for i in range(500)))]),
        401)
    # --- query values out of range ------------------------------------------------------
    add("page 0", request("GET", "/c/news/?page=0"), 404)
    add("page -1", request("GET", "/api/articles?page=-1"), 422)
    add("page of 30 digits", request("GET", "/search?q=a&page=" + "9" * 30), 400)
    add("per_page 1000", request("GET", "/api/articles?per_page=1000"), 422)
    # Legal, not an error: the first of a repeated parameter counts.
    add("page twice", request("GET", "/api/articles?page=1&page=2"), 200)
    add("an unknown category", request("GET", "/api/articles?category=nosuchcat"), 422)
    add("a category slug with SQL", request("GET", "/api/articles?category=news'--"), 422)
    add("an id of 30 digits", request("GET", "/a/" + "9" * 30), 404)
    add("an id with a sign", request("GET", "/api/articles/-1"), 404)
    # Legal, not an error: a dashboard filter that matches nothing.
    add("an editor status that does not exist",
        request("GET", "/editor/?status=secret", auth), 200)
    return p


def static_name():
    """The path below static/ of one file of the repository's static/."""
    root = os.path.join(h.SOURCE, "static")
    for top, dirs, files in sorted(os.walk(root)):
        dirs.sort()
        for name in sorted(files):
            if not name.startswith("."):
                return os.path.relpath(os.path.join(top, name), root)
    return "missing"


def counts(db):
    con = sqlite3.connect(db, timeout=30)
    try:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # noqa: S608 - fixed names
                for t in ("articles", "media", "users", "categories", "settings", "audit_log",
                          "revisions")}
    finally:
        con.close()


def test(c, scratch):
    db = h.make_db(c, scratch.file("gazette.db"))
    r = h.gazette(db, "user", "add", "ed", "--role", "editor", "--password-stdin",
                  stdin=PASSWORD + "\n")
    c.require(r.returncode == 0, "user add ed", r.stderr)
    pool = h.Pool(scratch, db, workers=2)
    c.require(pool.ready(), "the pool starts")
    nginx = h.Nginx(scratch, pool.socket)
    c.require(nginx.ready(), "nginx starts")
    port = nginx.port
    r = h.get(port, "/api/session", "POST", {"Content-Type": "application/json"},
              json.dumps({"username": "ed", "password": PASSWORD}))
    c.require(r.status == 200, "ed logs in", r.text[:200])
    sess = (r.header("set-cookie").split(";")[0], json.loads(r.body)["csrf_token"])
    art = json.loads(h.get(port, "/api/articles?per_page=1").body)["articles"][0]["id"]
    before = counts(db)
    pids = h.children(pool.pid)
    c.require(len(pids) == 4, "two workers and two helpers", pids)

    results = []
    with open(db, "rb") as f:
        db_head = f.read(100)
    for name, data, want in probes(sess, art):
        try:
            status, answer = raw(port, data)
        except OSError as e:
            status, answer = f"no answer ({e})", b""
        results.append((name, status, want))
        c.check(status == want, f"{name}: status", f"got {status}, want {want}: {answer[:300]!r}")
        c.check(not (isinstance(status, int) and status >= 500 and status != want),
                f"{name}: no 5xx", status)
        c.check(b"SQLite format 3" not in answer and db_head[16:100] not in answer,
                f"{name}: the answer holds nothing of the database")
        if len(results) % 10 == 0:
            c.check(h.get(port, "/healthz").status == 200, f"the site serves after {name}")
    width = max(len(n) for n, _, _ in results)
    for name, status, want in results:
        print(f"  {name:<{width}}  {status}{'' if status == want else f'  (want {want})'}")

    c.eq(h.children(pool.pid), pids, "the same workers and helpers: none crashed or was replaced")
    with open(scratch.file("gazette.log"), errors="replace") as f:
        log = f.read()
    c.check(not re.search(r"killed by signal|exited with status|AddressSanitizer|runtime error",
                          log), "the log records no crash", log[-2000:])
    c.eq(counts(db), before, "no probe changed the database")
    c.eq(h.get(port, "/").status, 200, "the home page still serves")
    c.eq(h.get(port, f"/a/{art}?fresh=1").status, 200, "an article still serves from a worker")
    r = h.get(port, "/api/session", headers={"Cookie": sess[0]})
    c.eq(r.status, 200, "the editor's session still works")


if __name__ == "__main__":
    h.run_test("probe_test", test)
