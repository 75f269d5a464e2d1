"""Under load a worker's public pages share one read snapshot, at most 10 ms old
(server.c, app_handle). Through real nginx and the pool, while ab keeps
both workers busy with rendered pages: every edit is on the rendered article
and in the API within one second for visitors, and at once for the editor who
made it (a request with a session never reads a shared snapshot); and when the
readers stop, no worker still holds a snapshot, so the WAL can be checkpointed
and truncated."""

import json
import subprocess
import re
import sqlite3
import sys
import time

sys.dont_write_bytecode = True
import gazette_harness as h  # noqa: E402

PASSWORD = "correct horse battery"
READERS = 16


def test(c, scratch):
    db, _, nginx = h.demo_site(c, scratch, PASSWORD)
    get = lambda path, **kw: h.get(nginx.port, path, **kw)  # noqa: E731

    ids = [a["id"] for a in json.loads(get("/api/articles?per_page=50").body)["articles"]]
    c.require(len(ids) >= 5, "the demo has articles")
    aid = ids[0]
    r = get("/api/session", method="POST", headers={"Content-Type": "application/json"},
            body=json.dumps({"username": "ed", "password": PASSWORD}))
    c.require(r.status == 200, "log in")
    cookie = r.header("set-cookie").split(";")[0]
    auth = {"Cookie": cookie, "X-CSRF-Token": json.loads(r.body)["csrf_token"],
            "Content-Type": "application/json"}

    # Readers: ab keeps both workers busy with a rendered page (a query
    # string passes the page files by), more requests than they answer.
    ab = subprocess.Popen(["ab", "-q", "-c", str(READERS), "-t", "4", "-n", "10000000",
                             f"http://127.0.0.1:{nginx.port}/a/{ids[1]}?reader=1"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        time.sleep(0.5)
        for n in range(5):
            title = f"Library opens late, edit {n}"
            r = get(f"/api/articles/{aid}", method="PATCH", headers=auth,
                    body=json.dumps({"title": title}))
            c.require(r.status == 200, f"edit {n}", r.body[:200])
            t0 = time.monotonic()
            # Read-your-writes where an editor looks (with a session): the
            # API, the public page, the editor's page.
            c.check(json.loads(get(f"/api/articles/{aid}", headers={"Cookie": cookie}).body)["title"]
                    == title, f"edit {n}: the API shows it at once to the editor")
            c.check(title in get(f"/a/{aid}?editor=1", headers={"Cookie": cookie}).text,
                    f"edit {n}: the article page shows it at once to the editor")
            c.check(title in get(f"/editor/articles/{aid}", headers={"Cookie": cookie}).text,
                    f"edit {n}: the editor's page shows it at once")
            # Visitors: both workers, several times each, within the second.
            ok = h.wait_until(lambda: all(title in get(f"/a/{aid}?check={i}").text
                                          for i in range(6)) and
                              json.loads(get(f"/api/articles/{aid}").body)["title"] == title,
                              3, 0.02)
            took = time.monotonic() - t0
            c.check(ok and took <= 1.0, f"edit {n}: rendered pages show it within 1 s under load",
                    f"took {took:.2f}s")
        out = ab.communicate(timeout=30)[0]
    finally:
        if ab.poll() is None:
            ab.kill()
            ab.wait()
    done = re.search(r"Complete requests:\s+(\d+)", out)
    c.check(done and int(done.group(1)) > 1000, "the readers kept the workers busy", out[-600:])
    # ab counts a page whose length changed as failed (a neighbour's title
    # may be the edited one); only errors count here.
    c.check("Non-2xx" not in out and (re.search(r"Failed requests:\s+0\b", out) or re.search(
        r"Connect: 0, Receive: 0, Length: \d+, Exceptions: 0", out)),
            "every reader's page was answered", out[-600:])

    # Quiet now: no worker may hold a snapshot, or the WAL could not restart.
    time.sleep(0.3)
    con = sqlite3.connect(db, timeout=2)
    busy, log, done = con.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
    con.close()
    c.check(busy == 0, "a TRUNCATE checkpoint completes once the readers stop",
            f"busy={busy} log={log} checkpointed={done}")


if __name__ == "__main__":
    h.run_test("snapshot_test", test)
