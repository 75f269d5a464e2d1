"""Gazette the way run.sh serves it: real nginx (conf/nginx.conf.in) on a loopback
port in front of the pre-forked worker pool on a unix socket. Checks the pages,
the files nginx serves from disk, a worker killed with SIGKILL being replaced
without the site going down, and SIGTERM stopping the whole pool."""

import os
import re
import signal
import sys
import time

sys.dont_write_bytecode = True
import gazette_harness as h  # noqa: E402


def static_file():
    """(url path, bytes) of one file of the repository's static/ directory."""
    root = os.path.join(h.SOURCE, "static")
    for top, dirs, files in sorted(os.walk(root)):
        dirs.sort()
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = os.path.join(top, name)
            with open(path, "rb") as f:
                return "/static/" + os.path.relpath(path, root), f.read()
    return None, None


def test(c, scratch):
    db = h.make_db(c, scratch.file("gazette.db"))
    pool = h.Pool(scratch, db, workers=2)
    c.require(pool.ready(), "the pool starts 2 workers and listens")
    nginx = h.Nginx(scratch, pool.socket)
    c.require(nginx.ready(), "nginx starts on the rendered config")
    port = nginx.port

    # The public pages through nginx.
    r = h.get(port, "/")
    c.eq(r.status, 200, "GET / status")
    c.check(r.header("content-type").startswith("text/html"), "/ is HTML", r)
    links = h.article_links(r.text)
    c.require(len(links) >= 5, "the home page links to articles", f"{len(links)} links")

    ident, title = links[len(links) // 2]
    r = h.get(port, f"/a/{ident}")
    c.eq(r.status, 200, f"GET /a/{ident} status")
    page = r.text
    c.check(h.contains_text(page, title), f"the article page shows its title {title!r}")
    c.check(re.search(r"Drafted by", page, re.I), "the article page has the 'Drafted by' line")
    c.check(re.search(r"\bprev", page, re.I) and re.search(r"\bnext\b", page, re.I),
            "the article page has previous / next labels")
    others = {i for i, _ in h.article_links(page)} - {ident}
    c.check(others or re.search(r"\bnone\b", page, re.I),
            "previous / next link to other articles (or say none)")
    c.check(re.search(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", page),
            "the article page shows its publish time YYYY-MM-DD HH:MM:SS")

    r = h.get(port, f"/a/{ident}", method="HEAD")
    c.eq(r.status, 200, "HEAD of an article")
    c.eq(r.body, b"", "HEAD has no body")

    r = h.get(port, "/healthz")
    c.eq((r.status, r.body.strip()), (200, b"ok"), "/healthz through nginx")

    r = h.get(port, "/no/such/page")
    c.eq(r.status, 404, "an unknown path is 404")
    c.check(r.header("content-type").startswith("text/html"), "the 404 page is HTML", r)
    r = h.get(port, "/a/999999")
    c.eq(r.status, 404, "an unknown article is 404")
    r = h.get(port, "/", method="DELETE")
    c.eq(r.status, 405, "DELETE / is 405")

    # Files nginx serves from disk, with nosniff even on errors.
    path, content = static_file()
    c.require(path is not None, "static/ holds at least one file")
    r = h.get(port, path)
    c.eq(r.status, 200, f"GET {path}")
    c.check(r.body == content, f"{path} is served byte for byte")
    c.eq(r.header("x-content-type-options"), "nosniff", f"{path} carries nosniff")
    c.check("max-age=" in r.header("cache-control"), f"{path} may be cached",
            r.header("cache-control"))
    if path.endswith(".css"):
        c.check(r.header("content-type").startswith("text/css"), "CSS is text/css",
                r.header("content-type"))
    r = h.get(port, "/static/no-such-file.css")
    c.eq(r.status, 404, "a missing static file is 404")
    c.eq(r.header("x-content-type-options"), "nosniff", "nosniff on a static 404 too")
    r = h.get(port, "/static/../gazette.db")
    c.check(r.status in (400, 404), "no path out of static/", r)

    media = scratch.file("media", "2026", "pixel.png")
    os.makedirs(os.path.dirname(media), exist_ok=True)
    png = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                        "1f15c4890000000d49444154789c63000100000500010d0a2db40000"
                        "000049454e44ae426082")
    with open(media, "wb") as f:
        f.write(png)
    r = h.get(port, "/media/2026/pixel.png")
    c.eq((r.status, r.body), (200, png), "an upload is served from the data directory")
    # an upload being written is a dot-file (media.c): nginx never serves it
    with open(os.path.join(os.path.dirname(media), ".upload-AbC123"), "wb") as f:
        f.write(png)
    c.eq(h.get(port, "/media/2026/.upload-AbC123").status, 404,
         "a half-written upload (a dot-file) is not served")
    c.check(r.header("content-type") == "image/png", "uploads carry their type",
            r.header("content-type"))
    c.eq(r.header("x-content-type-options"), "nosniff", "uploads carry nosniff")
    c.check("sandbox" in r.header("content-security-policy"), "uploads are sandboxed",
            r.header("content-security-policy"))

    # A worker killed outright: the site keeps answering, the master replaces it.
    workers = h.workers(pool.pid)
    c.require(len(workers) == 2, "the master has 2 workers", workers)
    c.eq(sorted(h.comm(p) for p in h.children(pool.pid)),
         ["gz-counter", "gz-keeper", "gz-worker", "gz-worker"],
         "and its two helpers, the view counter and the page keeper")
    victim = workers[0]
    os.kill(victim, signal.SIGKILL)
    failures, statuses = 0, []
    deadline = time.monotonic() + 2
    for _ in range(50):
        try:
            # a query string: answered by a worker, not from a page file
            status = h.get(port, f"/a/{ident}?while-killing", timeout=5).status
        except OSError:
            status = None
        statuses.append(status)
        if status != 200:
            failures += 1
        time.sleep(max(0.0, min(0.04, deadline - time.monotonic())))
    c.check(failures <= 1, "the site keeps answering while a worker is replaced",
            f"statuses: {statuses}")
    respawned = h.wait_until(lambda: len([p for p in h.workers(pool.pid)
                                          if p != victim]) == 2, 2)
    c.check(respawned, "a new worker replaces the killed one within 2 s",
            f"workers now {h.children(pool.pid)}")
    r = h.get(port, "/healthz")
    c.eq(r.status, 200, "/healthz after the respawn")

    # SIGTERM: the master stops every worker and helper and exits 0.
    workers = h.children(pool.pid)
    status = pool.stop(signal.SIGTERM)
    c.eq(status, 0, "the master exits 0 on SIGTERM")
    left = h.wait_until(lambda: not [p for p in workers if h.alive(p)], 5)
    c.check(left, "no worker survives the master", [p for p in workers if h.alive(p)])
    r = h.get(port, "/healthz")
    c.eq(r.status, 502, "nginx answers 502 once the pool is gone")

    c.eq(nginx.stop(signal.SIGTERM), 0, "nginx stops cleanly")


h.run_test("nginx_test", test)
