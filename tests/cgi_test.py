"""gazette.fcgi started as a plain CGI program, once per request, the way a web
server's CGI module runs it: the request in the environment, the body on stdin,
the response on stdout."""

import os
import subprocess
import sys

sys.dont_write_bytecode = True
import gazette_harness as h  # noqa: E402


def cgi(db, path, method="GET", query="", body=None, extra=None):
    """Runs one CGI request; returns (status, headers, body bytes, stderr, exit code)."""
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "GATEWAY_INTERFACE": "CGI/1.1",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "SERVER_NAME": "localhost",
        "SERVER_PORT": "80",
        "REMOTE_ADDR": "127.0.0.1",
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "REQUEST_URI": path + ("?" + query if query else ""),
        "GAZETTE_DB": db,
        "GAZETTE_TEMPLATES": h.TEMPLATES,
    }
    for name in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
        if name in os.environ:
            env[name] = os.environ[name]
    if body is not None:
        env["CONTENT_LENGTH"] = str(len(body))
        env["CONTENT_TYPE"] = "application/x-www-form-urlencoded"
    env.update(extra or {})
    r = subprocess.run([h.FCGI], env=env, input=body if body is not None else b"",
                       capture_output=True, timeout=60)
    head, sep, content = r.stdout.partition(b"\r\n\r\n")
    headers = {}
    status = None
    if sep:
        for line in head.decode("latin-1").split("\r\n"):
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        status_line = headers.get("status", "200")
        status = int(status_line.split()[0]) if status_line.split() else None
    return status, headers, content, r.stderr.decode(errors="replace"), r.returncode


def test(c, scratch):
    db = h.make_db(c, scratch.file("gazette.db"))

    def request(what, path, want, **kw):
        status, headers, body, err, rc = cgi(db, path, **kw)
        c.eq(status, want, f"{what}: status")
        c.eq(rc, 0, f"{what}: exit status (stderr: {err.strip()[:2000]})")
        return headers, body

    headers, body = request("GET /healthz", "/healthz", 200)
    c.eq(body.strip(), b"ok", "/healthz says ok")
    c.check(headers.get("content-type", "").startswith("text/plain"), "/healthz is text/plain",
            headers.get("content-type"))

    headers, body = request("HEAD /healthz", "/healthz", 200, method="HEAD")
    c.eq(body, b"", "HEAD sends no body")

    headers, body = request("GET /", "/", 200)
    c.check(headers.get("content-type", "").startswith("text/html"), "/ is HTML",
            headers.get("content-type"))
    page = body.decode("utf-8", errors="replace")
    links = h.article_links(page)
    c.require(len(links) >= 5, "the home page links to the demo articles",
              f"{len(links)} links in {len(page)} bytes")

    ident, title = links[0]
    headers, body = request(f"GET /a/{ident}", f"/a/{ident}", 200)
    c.check(h.contains_text(body.decode("utf-8", errors="replace"), title),
            f"/a/{ident} shows its title {title!r}")

    # Negative cases: unknown ids, malformed ids, malformed input, wrong methods.
    headers, body = request("GET /a/999999", "/a/999999", 404)
    c.check(headers.get("content-type", "").startswith("text/html"), "the 404 page is HTML",
            headers.get("content-type"))
    status, *_ = cgi(db, "/a/abc")
    c.check(status in (400, 404), "GET /a/abc is refused with 400 or 404", f"got {status}")
    status, *_ = cgi(db, "/a/-1")
    c.check(status in (400, 404), "GET /a/-1 is refused with 400 or 404", f"got {status}")
    status, *_ = cgi(db, "/a/99999999999999999999999")
    c.check(status in (400, 404), "an id beyond 64 bits is refused with 400 or 404",
            f"got {status}")
    request("GET /no/such/page", "/no/such/page", 404)
    request("GET /?x=%zz", "/", 400, query="x=%zz")
    request("GET /?x=%0", "/", 400, query="x=%0")
    request("POST /", "/", 405, method="POST", body=b"a=b")
    request("DELETE /healthz", "/healthz", 405, method="DELETE")

    # A database nobody migrated: the worker must refuse to serve it and say why.
    empty = scratch.file("unmigrated.db")
    open(empty, "wb").close()
    status, headers, body, err, rc = cgi(empty, "/")
    c.eq(status, 503, "an unmigrated database answers 503")
    c.check("run gazette migrate" in err, "the worker logs 'run gazette migrate'", err[-500:])
    status, *_ = cgi(empty, "/healthz")
    c.eq(status, 503, "/healthz on an unmigrated database answers 503")
    status, *_ = cgi(scratch.file("missing", "nowhere.db"), "/healthz")
    c.eq(status, 503, "/healthz on a missing database answers 503")


h.run_test("cgi_test", test)
