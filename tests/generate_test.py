"""`gazette generate`: the same seed gives the same articles and another seed
other ones; the text has a natural spread of word frequencies (a benchmark on
it measures search, not a repeated sentence bank): many distinct words, some
in most English articles and many in few; Chinese articles are Chinese; the
benchmark's query words occur."""

import os
import re
import sqlite3
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import gazette_harness as h  # noqa: E402

COUNT = 400


def generated(c, scratch, name, seed):
    db = h.make_db(c, scratch.file(name), demo=False)
    r = h.gazette(db, "generate", str(COUNT), "--seed", str(seed))
    c.require(r.returncode == 0, f"gazette generate {COUNT} --seed {seed}", r.stderr)
    c.check(f"generated {COUNT} of {COUNT} articles" in r.stderr, "it reports progress", r.stderr)
    con = sqlite3.connect(db)
    rows = con.execute("SELECT title, body_md FROM articles ORDER BY id").fetchall()
    con.close()
    return rows


def test(c, scratch):
    a = generated(c, scratch, "a.db", 5)
    b = generated(c, scratch, "b.db", 5)
    other = generated(c, scratch, "c.db", 6)
    c.eq(len(a), COUNT, "COUNT articles")
    c.check(a == b, "the same seed gives the same articles")
    c.check(sum(x != y for x, y in zip(a, other)) > COUNT * 0.9, "another seed gives others")

    zh = [t + "\n" + body for t, body in a if re.search(r"[\u4e00-\u9fff]", t)]
    en = [t + "\n" + body for t, body in a if not re.search(r"[\u4e00-\u9fff]", t)]
    c.check(COUNT * 0.1 < len(zh) < COUNT * 0.3, "about one in five is Chinese", len(zh))
    c.check(all(not re.search(r"[A-Za-z]", x) for x in zh), "Chinese articles hold no Latin text")
    c.check(all(1000 <= len(x.encode()) <= 8000 for x in en), "English articles of 1-8 KB",
            sorted(len(x.encode()) for x in en)[:3])

    docs = {}
    for text in en:
        for w in set(re.findall(r"[a-z][a-z-]+", text.lower())):
            docs[w] = docs.get(w, 0) + 1
    c.check(len(docs) >= 600, "a vocabulary of 600 words or more", len(docs))
    rare = [w for w, n in docs.items() if n <= len(en) * 0.05]
    common = [w for w, n in docs.items() if n >= len(en) * 0.5]
    c.check(len(rare) >= len(docs) / 3, "a third of the words are in at most 5% of the articles",
            (len(rare), len(docs)))
    c.check(len(common) >= 5, "a few are in most of them", len(common))
    c.check(len(common) < len(docs) / 8, "but fewer than one word in eight",
            (len(common), len(docs)))
    for w in ("laboratory", "robotics", "volunteers", "scholarship"):
        c.check(w in docs, f"the benchmark's word {w!r} occurs")
    for w in ("学院", "图书", "志愿", "能耗"):
        c.check(any(w in x for x in zh), f"the benchmark's word {w!r} occurs")
    c.check(all(x[0].isupper() for x in en), "English titles start with a capital")


if __name__ == "__main__":
    h.run_test("generate_test", test)
