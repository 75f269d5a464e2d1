"""Deep list pages end to end: on a generated site, every page of the API
(site-wide and per category, several page sizes) and of a section's HTML
pages lists exactly the articles of a plain OFFSET query, also after
backdating, unpublishing and scheduling; `gazette check` passes and then
names a list_days row that was tampered with and fails.

The pages come from the real gazette.fcgi run as a CGI; the reference is
SQL on the same database."""

import json
import os
import re
import sqlite3
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gazette_harness as h  # noqa: E402

PUBLIC = "status IN ('published', 'scheduled') AND deleted_at IS NULL"


def cgi(db, path, query):
    env = dict(os.environ, GAZETTE_DB=db, REQUEST_METHOD="GET", PATH_INFO=path,
               QUERY_STRING=query, GAZETTE_PAGES="off")
    out = subprocess.run([h.FCGI], env=env, capture_output=True, timeout=30).stdout
    head, _, body = out.partition(b"\r\n\r\n")
    return head.decode(), body


def reference(con, where, limit, offset):
    return [r[0] for r in con.execute(
        f"SELECT id FROM articles WHERE {where} AND {PUBLIC} AND published_at <= ? "
        "ORDER BY published_at DESC, id DESC LIMIT ? OFFSET ?",
        (int(time.time()), limit, offset))]


def compare_api(c, db, con, what):
    scopes = [("", "1")] + [
        (f"category={s}&", f"section_id = {i}" if p is None else f"category_id = {i}")
        for i, s, p in con.execute("SELECT id, slug, parent_id FROM categories")]
    for query, where in scopes:
        for per_page in (7, 20):
            page, bad = 1, 0
            while True:
                _, body = cgi(db, "/api/articles", f"{query}page={page}&per_page={per_page}")
                got = [a["id"] for a in json.loads(body)["articles"]]
                want = reference(con, where, per_page, (page - 1) * per_page)
                if got != want:
                    bad += 1
                if not want:
                    break
                page += 1
            c.check(bad == 0, f"{what}: API pages of {query or 'the site'} by {per_page}",
                    f"{bad} pages differ")


def compare_html(c, db, con, what):
    """Every page of the largest section, as a reader sees it."""
    cid, slug = con.execute(
        "SELECT c.id, c.slug FROM categories c JOIN articles a ON a.section_id = c.id "
        "WHERE c.parent_id IS NULL GROUP BY c.id ORDER BY count(*) DESC LIMIT 1").fetchone()
    page, bad = 1, 0
    while True:
        head, body = cgi(db, f"/c/{slug}/", f"page={page}")
        want = reference(con, f"section_id = {cid}", 20, (page - 1) * 20)
        if not want:
            c.check(head.startswith("Status: 404"), f"{what}: past the last page is 404", head)
            break
        got = [int(x) for x in re.findall(rb'href="/a/(\d+)"', body)]
        # the page links other articles too (most read): the list is the
        # reference's ids in a row
        if not any(got[i:i + len(want)] == want for i in range(len(got))):
            bad += 1
        page += 1
    c.check(bad == 0, f"{what}: every page of section {slug}", f"{bad} pages differ")


def body(c, s):
    db = h.make_db(c, s.file("gazette.db"))
    r = h.gazette(db, "generate", "400", "--seed", "3")
    c.require(r.returncode == 0, "gazette generate 400", r.stderr)
    r = h.gazette(db, "check")
    c.check(r.returncode == 0 and "ok list counts and days" in r.stdout, "check passes",
            r.stdout + r.stderr)
    con = sqlite3.connect(db)
    con.create_function("gazette_ngrams", 1, lambda text: "")
    compare_api(c, db, con, "generated")
    compare_html(c, db, con, "generated")

    # Backdate a tenth, unpublish some, schedule some into the future.
    now = int(time.time())
    ids = [r[0] for r in con.execute("SELECT id FROM articles ORDER BY id")]
    for n, a in enumerate(ids):
        if n % 10 == 3:
            con.execute("UPDATE articles SET published_at = published_at - 86400 * ? WHERE id = ?",
                        (n % 37, a))
        elif n % 17 == 5:
            con.execute("UPDATE articles SET status = 'draft' WHERE id = ?", (a,))
        elif n % 23 == 7:
            con.execute("UPDATE articles SET status = 'scheduled', published_at = ? WHERE id = ?",
                        (now + 3600 * (n % 5 + 1), a))
    con.commit()
    compare_api(c, db, con, "changed")
    compare_html(c, db, con, "changed")
    r = h.gazette(db, "check")
    c.check(r.returncode == 0 and "ok list counts and days" in r.stdout,
            "check passes after changes", r.stdout + r.stderr)

    # A tampered row: check names it and fails.
    kind, cid, day = con.execute("SELECT kind, id, day FROM list_days WHERE kind = 'section' "
                                 "ORDER BY day LIMIT 1 OFFSET 5").fetchone()
    con.execute("UPDATE list_days SET n = n + 1 WHERE kind = ? AND id = ? AND day = ?",
                (kind, cid, day))
    con.commit()
    r = h.gazette(db, "check")
    c.check(r.returncode != 0 and f"FAIL list counts and days: list_days section {cid} day {day}:"
            in r.stdout, "check names a tampered list_days row", r.stdout + r.stderr)


h.run_test("list_days_test", body)
