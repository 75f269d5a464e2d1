"""Gazette's benchmark (started by bench/run.sh): each target is measured with
wrk (1 thread, 32 connections, as in shared/MEASURED.md) in interleaved rounds
with its baseline, and the table gives medians of requests/s and p99 latency
and their ratios, all from one run on one machine.

Targets and baselines:
  page files    home, category page 1, article pages at random ids over the
                whole site, as visitors get them  vs  nginx serving a copy of
                the same files from a plain location (the static-file limit)
  uncached      the same article pages rendered by the workers (a query string
                skips the files)  vs  /_bench/bytes: the same number of bytes
                from a worker's memory (the FastCGI transport limit)
  view counter  POST /api/articles/{id}/view  vs  the transport limit for an
                answer as short (30 bytes)
  search        p95 latency of an English word and a two-character Chinese query
  memory        the workers' RSS after a warm-up and again after everything,
                with the number of requests the pool answered in between
  logins        article page files alone and with 10 concurrent logins (first size)

Each row also gives the pool's CPU time a request (workers, counter and keeper;
"pool µs"), for the target and for its baseline: what a page costs the workers,
steadier on this VM than requests/s, which move with nginx's and wrk's share,
and the lowest and highest ratio of one round's pair ("rounds"): how far a
single pair of runs strays from the median on this machine.
"""

import argparse
import collections
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def sh(*argv, **kw):
    return subprocess.run(argv, check=True, text=True, capture_output=True, **kw).stdout


def dataset(build, size):
    """A migrated database with `size` generated articles, made once."""
    path = os.path.join(ROOT, "bench", "data", f"gazette-{size}.db")
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        tmp = path + ".new"
        for f in (tmp, tmp + "-wal", tmp + "-shm"):
            if os.path.exists(f):
                os.remove(f)
        g = os.path.join(build, "gazette")
        subprocess.run([g, "--db", tmp, "migrate"], check=True, capture_output=True)
        print(f"generating {size} articles (once; kept in bench/data/)", flush=True)
        subprocess.run([g, "--db", tmp, "generate", str(size)], check=True)
        os.rename(tmp, path)
    # a dataset kept from an older build gets this build's schema once, not
    # in every copy (a new index over a million articles takes a minute)
    subprocess.run([os.path.join(build, "gazette"), "--db", path, "migrate"], check=True,
                   capture_output=True)
    return path


class Site:
    """nginx (conf/nginx.conf.in, plus a plain location serving a copy of the
    page files) and the pool on a copy of a dataset, in a scratch dir."""

    def __init__(self, build, db_src, workers=2, wrapper=(), pages=True):
        self.build = build
        self.dir = tempfile.mkdtemp(prefix="gazette-bench.")
        for sub in ("run", "log", "nginx", "media"):
            os.makedirs(os.path.join(self.dir, sub))
        self.db = os.path.join(self.dir, "gazette.db")
        shutil.copy(db_src, self.db)  # migrated by dataset()
        self.port = free_port()
        env = dict(os.environ, GAZETTE_BENCH="1")
        if wrapper:
            env["GAZETTE_SANDBOX"] = "off"  # valgrind makes system calls of its own
        self.sock = os.path.join(self.dir, "run", "gazette.sock")
        # wrapper: a command that runs the pool, "%s" standing for the site's dir
        self.pool = subprocess.Popen(
            [w.replace("%s", self.dir) for w in wrapper] +
            [os.path.join(build, "gazette.fcgi"), "--listen", "unix:" + self.sock,
             "--workers", str(workers)] + ([] if pages else ["--pages", "off"]) +
            ["--db", self.db, "--templates", os.path.join(ROOT, "templates")],
            stdout=open(os.path.join(self.dir, "log", "pool.log"), "w"), stderr=subprocess.STDOUT,
            env=env)
        conf = os.path.join(self.dir, "nginx.conf")
        subprocess.run([os.path.join(ROOT, "scripts", "nginx-conf.sh"), conf, str(self.port),
                        self.dir, self.sock], check=True)
        text = open(conf).read()
        # the baseline: the same files, served by nginx as plain static files,
        # with the headers the page files get (charset, the security headers):
        # the same bytes, so the ratio is what the files' routing costs
        loc = text[text.index("\t\tlocation / {"):]
        same = " ".join(line.strip() for line in loc[:loc.index("}")].splitlines()
                        if line.strip().startswith(("add_header ", "charset ")))
        text = text.replace("\t\t# Public pages the keeper wrote",
                            f"\t\tlocation /bench-static/ {{ alias {self.dir}/bench-static/; "
                            f"{same} }}\n\n\t\t# Public pages the keeper wrote", 1)
        # no access log for either side: it would be the same cost on both
        text = re.sub(r"access_log [^;]*;", "access_log off;", text)
        open(conf, "w").write(text)
        self.nginx = subprocess.Popen(["nginx", "-p", os.path.join(self.dir, "nginx"), "-c", conf,
                                       "-g", "daemon off;"])
        if pages:
            self.wait_keeper()
        else:
            self.wait_up()

    def wait_up(self, timeout=60):
        t0 = time.time()
        while time.time() - t0 < timeout:
            try:
                socket.create_connection(("127.0.0.1", self.port), 1).close()
                if self.workers():
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise SystemExit("the site did not come up")

    def wait_keeper(self, timeout=3600):
        log = os.path.join(self.dir, "log", "pool.log")
        t0 = time.time()
        while time.time() - t0 < timeout:
            if "every page is a file" in open(log).read():
                self.keeper_seconds = time.time() - t0
                return
            time.sleep(0.5)
        raise SystemExit("the keeper did not finish rendering")

    def workers(self):
        return self.helper("gz-worker")

    def helper(self, name):
        """The pids of the pool's children named name (gz-worker, gz-counter, gz-keeper)."""
        pids = []
        for p in os.listdir("/proc"):
            if p.isdigit():
                try:
                    if open(f"/proc/{p}/comm").read().strip() == name:
                        stat = open(f"/proc/{p}/stat").read()
                        if int(stat[stat.rindex(")") + 2:].split()[1]) == self.pool.pid:
                            pids.append(int(p))
                except OSError:
                    pass
        return pids

    def cpu_seconds(self):
        """User and system CPU time of the pool's processes so far."""
        tick = os.sysconf("SC_CLK_TCK")
        total = 0
        for name in ("gz-worker", "gz-counter", "gz-keeper"):
            for p in self.helper(name):
                try:
                    f = open(f"/proc/{p}/stat").read()
                    total += sum(int(x) for x in f[f.rindex(")") + 2:].split()[11:13]) / tick
                except OSError:
                    pass
        return total

    def rss_kb(self):
        out = []
        for p in self.workers():
            for line in open(f"/proc/{p}/status"):
                if line.startswith("VmRSS:"):
                    out.append(int(line.split()[1]))
        return out

    def close(self, keep=False):
        for proc in (self.nginx, self.pool):
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                proc.kill()
        if not keep:
            self.remove()

    def remove(self):
        shutil.rmtree(self.dir, ignore_errors=True)


LUA_PATHS = """
local paths = {}
for line in io.lines("%s") do paths[#paths + 1] = line end
math.randomseed(%d)
request = function()
  return wrk.format("%s", paths[math.random(#paths)])
end
"""


def wrk(site, paths, duration, method="GET"):
    """(requests/s, p99 ms, non-2xx count) for a wrk run over the paths (picked at random)."""
    plist = os.path.join(site.dir, f"paths-{random.random()}.txt")
    with open(plist, "w") as f:
        f.write("\n".join(paths) + "\n")
    script = plist + ".lua"
    with open(script, "w") as f:
        f.write(LUA_PATHS % (plist, random.randrange(1 << 30), method))
    out = sh("timeout", str(duration + 30), "wrk", "-t1", "-c32", f"-d{duration}s", "--latency",
             "-s", script, f"http://127.0.0.1:{site.port}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    m = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    p99 = float(m.group(1)) * {"us": 0.001, "ms": 1, "s": 1000}[m.group(2)]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rps, p99, int(bad.group(1)) if bad else 0


def article_ids(db, n=2000):
    import sqlite3
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    ids = [r[0] for r in con.execute(
        "SELECT id FROM articles WHERE status='published' ORDER BY random() LIMIT ?", (n,))]
    cats = [r[0] for r in con.execute("SELECT slug FROM categories")]
    # the middle page of each top-level category: deep, and present at any size
    deep = [f"/c/{slug}/?page={max(1, n // 40)}" for slug, n in con.execute(
        "SELECT c.slug, count(a.id) FROM categories c JOIN articles a ON a.section_id = c.id "
        "WHERE c.parent_id IS NULL GROUP BY c.id")]
    return ids, cats, deep


# A table's row: medians of the target's runs and of its baseline's (requests/s,
# p99 ms, the pool's CPU µs a request), their ratios, the lowest and highest
# ratio of one round's pair (how much the machine moved), the target's non-2xx
# answers, and the requests each side answered in all.
Row = collections.namedtuple("Row", "name rps p99 us bname brps bp99 bus ratio p99x lo hi "
                                    "errors requests brequests")


def measure(site, pairs, duration, rounds):
    """pairs: [(name, paths, method, baseline_name, baseline_paths)]; interleaved
    rounds; a Row for each pair."""
    res = [([], []) for _ in pairs]
    for k in range(rounds):
        for (name, paths, method, bname, bpaths), (t, b) in zip(pairs, res):
            runs = [(t, paths, method), (b, bpaths, "GET")]
            # target first in even rounds, baseline first in odd ones, so a
            # machine that slows down during a run favours neither side
            for out, p, m in (runs if k % 2 == 0 else runs[::-1]):
                cpu0 = site.cpu_seconds()
                got = wrk(site, p, duration, m)
                # the pool's CPU a request: steadier than req/s on this VM,
                # and it is what a page adds to the transport
                us = (site.cpu_seconds() - cpu0) * 1e6 / max(1.0, got[0] * duration)
                out.append(got + (us,))
    rows = []
    for (name, _, _, bname, _), (t, b) in zip(pairs, res):
        rps = statistics.median(x[0] for x in t)
        p99 = statistics.median(x[1] for x in t)
        brps = statistics.median(x[0] for x in b)
        bp99 = statistics.median(x[1] for x in b)
        us, bus = statistics.median(x[3] for x in t), statistics.median(x[3] for x in b)
        each = [x[0] / y[0] for x, y in zip(t, b)]
        rows.append(Row(name, rps, p99, us, bname, brps, bp99, bus, rps / brps,
                        p99 / bp99 if bp99 else 0, min(each), max(each), sum(x[2] for x in t),
                        sum(x[0] for x in t) * duration, sum(x[0] for x in b) * duration))
    return rows


def print_table(title, rows):
    print(f"\n{title}")
    print("| target | req/s | p99 ms | pool µs | baseline | req/s | p99 ms | pool µs | "
          "× baseline | rounds | p99 × | errors |")
    print("|---|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r.name} | {r.rps:,.0f} | {r.p99:.2f} | {r.us:.0f} | {r.bname} | {r.brps:,.0f} | "
              f"{r.bp99:.2f} | {r.bus:.0f} | {r.ratio:.2f} | {r.lo:.2f}–{r.hi:.2f} | "
              f"{r.p99x:.2f} | {r.errors} |", flush=True)


def search_p95(site, queries, n=200):
    times = []
    for i in range(n):
        q = queries[i % len(queries)]
        c = http.client.HTTPConnection("127.0.0.1", site.port, timeout=30)
        t0 = time.perf_counter()
        c.request("GET", "/search?q=" + urllib.parse.quote(q))
        r = c.getresponse()
        r.read()
        times.append((time.perf_counter() - t0) * 1000)
        c.close()
        assert r.status == 200
    times.sort()
    return times[int(len(times) * 0.95) - 1]


def warm(path):
    """Reads a file through once: the VM drops cached file data within minutes
    (shared/MEASURED.md), and a cold read is not what is being measured."""
    with open(path, "rb") as f:
        while f.read(1 << 24):
            pass


def login_share(site, duration, rounds=3):
    """Target 6: public throughput with and without 10 concurrent logins
    (Argon2id), in interleaved rounds, and the share of the machine's CPU the
    pool took while the logins ran. Medians of the rounds."""
    pw = "bench-password-1234"
    subprocess.run([os.path.join(site.build, "gazette"), "--db", site.db, "user", "add",
                    "bencher", "--role", "editor", "--password-stdin"], input=pw + "\n",
                   text=True, check=True, capture_output=True)
    body = json.dumps({"username": "bencher", "password": pw})
    logins = []

    def login_loop(stop):
        while time.monotonic() < stop:
            c = http.client.HTTPConnection("127.0.0.1", site.port, timeout=60)
            c.request("POST", "/api/session", body, {"Content-Type": "application/json"})
            r = c.getresponse()
            r.read()
            c.close()
            logins.append(r.status)

    def with_logins():
        cpu0 = site.cpu_seconds()
        t0 = time.monotonic()
        stop = t0 + duration + 1
        threads = [threading.Thread(target=login_loop, args=(stop,)) for _ in range(10)]
        for t in threads:
            t.start()
        time.sleep(0.5)
        got = wrk(site, paths, duration)
        for t in threads:
            t.join()
        return got[0], (site.cpu_seconds() - cpu0) / ((time.monotonic() - t0) * os.cpu_count())

    ids, _, _ = article_ids(site.db, 500)
    paths = [f"/a/{i}" for i in ids]
    alone, loaded, shares = [], [], []
    for r in range(rounds):
        # ABBA: the readers alone first in odd rounds
        order = ("alone", "loaded") if r % 2 == 0 else ("loaded", "alone")
        for what in order:
            if what == "alone":
                alone.append(wrk(site, paths, duration)[0])
            else:
                rps, share = with_logins()
                loaded.append(rps)
                shares.append(share)
    a, lo, sh = statistics.median(alone), statistics.median(loaded), statistics.median(shares)
    ok = sum(1 for x in logins if x == 200)
    print(f"\nlogins vs readers (article files), medians of {rounds} rounds: alone {a:,.0f} req/s; "
          f"with 10 concurrent logins {lo:,.0f} req/s ({lo / a:.2f}); the pool used {sh:.0%} "
          f"of the CPU meanwhile, so the bar is {1 - sh:.2f}; {ok} logins succeeded, "
          f"{len(logins) - ok} refused (throttle)", flush=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build-bench")
    ap.add_argument("--sizes", default="1000,100000")
    ap.add_argument("--duration", type=int, default=5)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--dynamic-rounds", type=int, default=3,
                    help="rounds for the pages that are never files (deep pages, feed) and "
                         "the rendered home and category page")
    ap.add_argument("--files-max", type=int, default=10 ** 7,
                    help="larger sites run without page files (the keeper first renders "
                         "every page of a site)")
    a = ap.parse_args()
    build = os.path.join(ROOT, a.build)
    sizes = [int(s) for s in a.sizes.split(",")]
    print(f"machine: {os.cpu_count()} cores; {sh('uname', '-sr').strip()}; "
          f"{sh('nginx', '-v').strip() or 'nginx'}", flush=True)
    flat = {}
    for n, size in enumerate(sizes):
        db = dataset(build, size)
        files = size <= a.files_max
        site = Site(build, db, pages=files)
        if files:
            print(f"\n{size:,} articles: the keeper wrote every page as a file in "
                  f"{site.keeper_seconds:.0f} s", flush=True)
        try:
            warm(site.db)
            ids, cats, deep = article_ids(site.db)
            arts = [f"/a/{i}" for i in ids]
            top = [c for c in cats if not c.endswith("-sub")]
            catp = [f"/c/{c}/" for c in top]
            size_of = 9500
            # the same pages rendered by the workers: a query string skips the files
            rarts, rcatp = [p + "?r=1" for p in arts], [c + "?r=1" for c in catp]
            # every kind of page the pool answers, for a few seconds: what a
            # worker keeps for good (templates, its page cache, free lists) is
            # then in place, and its memory from here on must stay flat
            wrk(site, rarts + rcatp + deep + ["/?r=1", "/feed.xml", "/search?q=laboratory"], 3)
            rss0 = site.rss_kb()
            pairs = []
            if files:
                # the baseline: a copy of the same page files (the ones measured)
                # as plain static files
                src = os.path.join(site.dir, "pages")
                def bstat(paths):
                    return ["/bench-static" + (p + "index.html" if p.endswith("/") else p + ".html")
                            for p in paths]
                for p in bstat(["/"] + catp + arts):
                    rel = p[len("/bench-static/"):]
                    os.makedirs(os.path.dirname(os.path.join(site.dir, "bench-static", rel)),
                                exist_ok=True)
                    shutil.copy(os.path.join(src, rel), os.path.join(site.dir, "bench-static", rel))
                size_of = len(open(os.path.join(src, "a", f"{ids[0]}.html"), "rb").read())
                pairs = [
                    ("home (file)", ["/"], "GET", "home static", bstat(["/"])),
                    ("category p1 (file)", catp, "GET", "category static", bstat(catp)),
                    ("article (file)", arts, "GET", "article static", bstat(arts)),
                ]
            transport = [f"/_bench/bytes?size={size_of}"]
            nfiles = len(pairs)  # pairs from here on, both sides, go through the pool
            pairs += [
                ("article (rendered)", rarts, "GET", "transport", transport),
                ("view counter", [p.replace("/a/", "/api/articles/") + "/view" for p in arts[:500]],
                 "POST", "transport (30 B)", [f"/_bench/bytes?size=30"]),
            ]
            rows = measure(site, pairs, a.duration, a.rounds)
            rss1 = site.rss_kb()
            print_table(f"{size:,} articles" + ("" if files else " (no page files)"), rows)
            more = [("category p1 (rendered)", rcatp, "GET", "transport", transport),
                    ("category deep (rendered)", deep, "GET", "transport", transport),
                    ("home (rendered)", ["/?r=1"], "GET", "transport", transport),
                    ("feed", ["/feed.xml"], "GET", "transport", transport)]
            rows2 = measure(site, more, a.duration, a.dynamic_rounds)
            print_table(f"{size:,} articles, dynamic pages", rows2)
            for r in rows + rows2:
                flat.setdefault(r.name, {})[size] = r
            en = search_p95(site, ["laboratory", "Robotics", "volunteers", "scholarship"])
            zh = search_p95(site, ["学院", "图书", "志愿", "能耗"])
            print(f"\nsearch p95: English word {en:.1f} ms, two-character Chinese {zh:.1f} ms")
            served = [sum(r.requests + r.brequests for r in rs) for rs in (rows[nfiles:], rows2)]
            print(f"worker RSS (kB): {rss0} after a warm-up; {rss1} after {served[0]:,.0f} "
                  f"requests through the pool; {site.rss_kb()} after {sum(served):,.0f}",
                  flush=True)
            if n == 0 and files:
                login_share(site, a.duration)
        finally:
            site.close()
    if len(sizes) > 1:
        print_flat(flat, sizes)


def print_flat(flat, sizes):
    """Target 4: each target's ratio to its baseline at each size, and the pool's
    µs a request (zero for page files), which moves less with the VM's speed;
    with the largest of each over the smallest."""
    def cells(vals, fmt):
        return " | ".join("–" if v is None else fmt % v for v in vals)

    def spread(vals):
        vals = [v for v in vals if v]
        return f"{max(vals) / min(vals):.2f}" if len(vals) > 1 else "–"

    cols = " | ".join(f"{s:,}" for s in sizes)
    print("\nflat with size: each target's ratio to its baseline, then its pool µs")
    print(f"| target | {cols} | largest ÷ smallest | {cols} | largest ÷ smallest |")
    print("|---|" + "---:|" * (2 * len(sizes) + 2))
    for name, by in flat.items():
        ratios = [by[s].ratio if s in by else None for s in sizes]
        us = [by[s].us if s in by else None for s in sizes]
        print(f"| {name} | {cells(ratios, '%.2f')} | {spread(ratios)} | {cells(us, '%.0f')} | "
              f"{spread(us)} |")


if __name__ == "__main__":
    main()
