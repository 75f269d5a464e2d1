"""More articles viewed within seconds than the view tally holds (TALLY_SLOTS,
4,096, refused from three quarters full) through real nginx and the pool:
every view is answered 200 with a count, none is lost, and after the pool
stops article_views holds exactly the views sent. Beyond the tally's room a
worker counts in the database itself (src/counter.c)."""

import http.client
import json
import os
import sqlite3
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gazette_harness as h  # noqa: E402

ARTICLES = 3600  # past 3,072, where the tally refuses new articles


def body(c, scratch):
    db = h.make_db(c, scratch.file("gazette.db"), demo=False)
    r = h.gazette(db, "generate", str(ARTICLES))
    c.require(r.returncode == 0, "gazette generate succeeds", r.stderr)
    con = sqlite3.connect(db)
    ids = [i for (i,) in con.execute(
        "SELECT id FROM articles WHERE status = 'published' AND deleted_at IS NULL "
        "AND published_at <= strftime('%s','now') ORDER BY id")]
    before = dict(con.execute("SELECT article_id, views FROM article_views"))
    con.close()
    c.require(len(ids) > 3200, "enough public articles to overflow the tally", len(ids))

    pool = h.Pool(scratch, db)
    c.require(pool.ready(), "the pool is up")
    nginx = h.Nginx(scratch, pool.socket)
    c.require(nginx.ready(), "nginx is up")

    # every article once, and the first hundred (the tally's) a second time
    sent = {i: 1 for i in ids}
    for i in ids[:100]:
        sent[i] += 1
    order = ids + ids[:100]
    conn = http.client.HTTPConnection("127.0.0.1", nginx.port, timeout=30)
    bad, answers = [], {}
    for i in order:
        conn.request("POST", f"/api/articles/{i}/view", headers={"Content-Length": "0"})
        r = conn.getresponse()
        data = r.read()
        if r.status != 200:
            bad.append((i, r.status))
            continue
        answers[i] = json.loads(data)["views"]
    conn.close()
    c.check(not bad, "every view is answered 200", bad[:5])
    # each answer counts its own view: at least what the database had plus
    # the views of it sent so far
    low = [i for i in ids if answers.get(i, 0) < before.get(i, 0) + sent[i]]
    c.check(not low, "each answer includes the view it answers", low[:5])

    pool.stop()
    con = sqlite3.connect(db)
    after = dict(con.execute("SELECT article_id, views FROM article_views"))
    con.close()
    wrong = [(i, before.get(i, 0), sent[i], after.get(i, 0)) for i in ids
             if after.get(i, 0) != before.get(i, 0) + sent[i]]
    c.check(not wrong, "article_views holds exactly the views sent, for every article",
            wrong[:5])


if __name__ == "__main__":
    h.run_test("tally_full_test", body)
