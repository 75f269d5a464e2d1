"""Instructions per request, counted by valgrind's callgrind (stable on a noisy
machine, unlike wall time). For each target it starts the benchmark's site
(real nginx, the pool with one worker, no page files) with the pool under
callgrind, sends N and then 2N requests through nginx in two runs, and prints
the difference per request: the marginal cost, free of start-up work. Counted
are the worker inside app_handle and, for views, the counter inside
counter_run.

    bench/profile.sh [--size 1000] [--n 200] [TARGET...]

TARGET: article, home, category, deep, feed, view, search, transport (default:
all; transport is the trivial handler the benchmark compares pages with).
"""

import argparse
import glob
import http.client
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402

TARGETS = ["article", "home", "category", "deep", "feed", "view", "search", "transport"]


def total_ir(path):
    for line in open(path):
        if line.startswith(("totals:", "summary:")):
            return int(line.split()[1])
    return 0


def run(build, db, method, paths, n):
    """{role: instructions} of one site that answered n requests."""
    site = bench.Site(build, db, workers=1, pages=False, wrapper=[
        "valgrind", "--tool=callgrind", "--toggle-collect=app_handle",
        "--toggle-collect=counter_run", "--callgrind-out-file=%s/cg.%p"])
    try:
        roles = {pid: "worker" for pid in site.workers()}
        roles.update({pid: "counter" for pid in site.helper("gz-counter")})
        c = http.client.HTTPConnection("127.0.0.1", site.port, timeout=120)
        for i in range(n):
            c.request(method, paths[i % len(paths)])
            r = c.getresponse()
            r.read()
            if r.status >= 500:
                raise SystemExit(f"{paths[i % len(paths)]}: {r.status}")
        c.close()
    finally:
        site.close(keep=True)
    got = {}
    for f in glob.glob(os.path.join(site.dir, "cg.*")):
        role = roles.get(int(f.rsplit(".", 1)[1]))
        if role:
            got[role] = got.get(role, 0) + total_ir(f)
    if os.environ.get("PROFILE_KEEP"):
        print("kept", site.dir)
    else:
        site.remove()
    return got


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build-bench")
    ap.add_argument("--size", type=int, default=1000)
    ap.add_argument("--n", type=int, default=200)
    ap.add_argument("targets", nargs="*", choices=TARGETS + [[]], default=[])
    a = ap.parse_args()
    build = os.path.join(bench.ROOT, a.build)
    db = bench.dataset(build, a.size)
    ids, cats, deep = bench.article_ids(db, 50)
    top = [c for c in cats if not c.endswith("-sub")]
    paths = {
        "article": ("GET", [f"/a/{i}?r=1" for i in ids]),
        "home": ("GET", ["/?r=1"]),
        "category": ("GET", [f"/c/{c}/?r=1" for c in top]),
        "deep": ("GET", deep),
        "feed": ("GET", ["/feed.xml?r=1"]),
        "view": ("POST", [f"/api/articles/{i}/view" for i in ids]),
        "search": ("GET", ["/search?q=laboratory", "/search?q=%E5%AD%A6%E9%99%A2"]),
        "transport": ("GET", ["/_bench/bytes?size=9500"]),
    }
    print(f"instructions per request, {a.size:,} articles (callgrind; "
          f"runs of {a.n} and {2 * a.n} requests)", flush=True)
    for name in a.targets or TARGETS:
        method, plist = paths[name]
        one = run(build, db, method, plist, a.n)
        two = run(build, db, method, plist, 2 * a.n)
        per = {k: (two[k] - one.get(k, 0)) / a.n for k in two if two[k]}
        print(f"  {name:9s} " + "  ".join(f"{k} {v:,.0f}" for k, v in sorted(per.items())),
              flush=True)


if __name__ == "__main__":
    main()
