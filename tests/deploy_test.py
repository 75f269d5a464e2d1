"""Every deployment shape of SPEC §2 with the real servers, from an installed Gazette.

The build is installed with `cmake --install --prefix P` into a scratch prefix, and
every server runs P/bin/gazette.fcgi with the templates and static files of P (a
marker added to P's footer template must show on every page). One database serves:

- nginx with conf/nginx-production.conf (site root, micro-cache, a base_url, HTTPS
  forced, 127.0.0.1 as a trusted proxy) in front of a worker pool started from a
  settings file alone;
- nginx with conf/nginx-prefix.conf (under /news/) in front of a second pool;
- Apache with conf/apache-proxy-fcgi.conf, conf/apache-fcgid.conf (Apache starts
  the program) and conf/apache-cgi.conf (one run per request, mod_cgid), each at
  the site root and under /news/ of one apache2 instance.

Through each: home, article (304 on its ETag), search, API reads, static file, 404s,
login, a CSRF-protected write with its audit address, an upload served back from
disk, logout. The samples are used as shipped: nginx's with their default paths
replaced (the table PATHS), Apache's through Define before Include. Run as root,
the servers and programs run as www-data, which owns the data, as in production.
Also: the installed program serves with the source tree hidden (a mount namespace),
migrate makes the database 0640, the upload limit setting, the systemd unit passes
`systemd-analyze verify`, and no sanitizer report appears."""

import html
import json
import os
import pwd
import re
import shutil
import sqlite3
import stat
import struct
import subprocess
import sys
import time
import tempfile
import zlib

sys.dont_write_bytecode = True
import gazette_harness as h  # noqa: E402

PASSWORD = "correct horse battery"
BOUNDARY = "----gazette-deploy-5e1d"
MARKER = "<!-- gazette: installed templates -->"
MODULES = "/usr/lib/apache2/modules"
RUN_USER = "www-data" if os.geteuid() == 0 else None
SANITIZER_VARS = ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS")


def png(seed):
    """A small valid PNG whose bytes (and hash) depend on seed."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))
    rows = b"".join(b"\x00" + bytes((x * 7 + y + seed) % 256 for x in range(5)) for y in range(3))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 5, 3, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def multipart(data):
    return (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"photo.png\"\r\nContent-Type: image/png\r\n\r\n").encode() + data + \
        f"\r\n--{BOUNDARY}--\r\n".encode()


def as_run_user(argv):
    """argv run as the web server's account when the test runs as root."""
    if not RUN_USER:
        return argv
    return ["setpriv", "--reuid=" + RUN_USER, "--regid=" + RUN_USER, "--init-groups", *argv]


def traversable(path):
    """Whether another account can reach path (every directory above it searchable)."""
    path = os.path.abspath(path)
    while True:
        if not os.stat(path).st_mode & stat.S_IXOTH:
            return False
        if path == "/":
            return True
        path = os.path.dirname(path)


def sanitizer_env(log_dir):
    """The sanitizer options of this run, with reports written under log_dir (a
    program that Apache starts has no stderr that the test sees)."""
    env = {}
    for name in SANITIZER_VARS:
        if name in os.environ:
            env[name] = os.environ[name] + f":log_path={log_dir}/{name.split('_')[0].lower()}"
    return env


class Site:
    """The installed prefix, the data directory and the settings files."""

    def __init__(self, c, scratch):
        self.prefix = scratch.file("prefix")
        build = os.path.dirname(h.FCGI)
        r = subprocess.run(["cmake", "--install", build, "--prefix", self.prefix],
                           capture_output=True, text=True, timeout=120)
        c.require(r.returncode == 0, "cmake --install --prefix succeeds", r.stdout + r.stderr)
        self.bin = os.path.join(self.prefix, "bin")
        self.share = os.path.join(self.prefix, "share", "gazette")
        self.fcgi = os.path.join(self.bin, "gazette.fcgi")
        self.data = scratch.file("data")
        self.db = os.path.join(self.data, "gazette.db")
        self.run = scratch.file("run")
        self.asan = scratch.file("sanitizer")
        for d in (self.data, self.run, self.asan):
            os.makedirs(d)
        os.chmod(self.asan, 0o1777)

    def settings(self, name, **keys):
        """Writes a settings file name.ini with data_dir and the given keys."""
        path = os.path.join(self.run, name + ".ini")
        with open(path, "w") as f:
            f.write(f"; deploy_test: {name}\n[gazette]\ndata_dir = {self.data}\n")
            for key, value in keys.items():
                f.write(f"{key} = {value}\n")
        return path

    def own(self):
        """Hands the data to the account the programs run as."""
        if not RUN_USER:
            return
        pw = pwd.getpwnam(RUN_USER)
        os.chown(self.run, pw.pw_uid, pw.pw_gid)  # the pools make their sockets there
        for top, dirs, files in os.walk(self.data):
            for name in [top] + [os.path.join(top, n) for n in dirs + files]:
                os.chown(name, pw.pw_uid, pw.pw_gid)


class PoolFromSettings(h.Service):
    """gazette.fcgi started with --config only: listen and workers come from the file."""

    def __init__(self, scratch, site, ini, socket_path, workers):
        self.socket, self.workers = socket_path, workers
        env = dict(os.environ, **sanitizer_env(site.asan))
        env.pop("GATEWAY_INTERFACE", None)
        super().__init__(as_run_user([site.fcgi, "--config", ini]),
                         scratch.file(os.path.basename(ini) + ".log"), env=env)
        scratch.track(self)

    def ready(self, timeout=15):
        def up():
            if not self.running() or len(h.children(self.pid)) < self.workers:
                return False
            import socket
            with socket.socket(socket.AF_UNIX) as s:
                return s.connect_ex(self.socket) == 0
        return h.wait_until(up, timeout)


def port_ready(service, ports, timeout=20):
    import socket

    def up():
        if not service.running():
            return False
        for port in ports:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) != 0:
                    return False
        return True
    return h.wait_until(up, timeout)


# nginx samples: their default paths and what the test puts in their place.
def nginx_paths(site, cache, socket_path, port):
    return [("/usr/local/share/gazette", site.share), ("/var/lib/gazette", site.data),
            ("/run/gazette/gazette.sock", socket_path), ("/var/cache/nginx/gazette", cache),
            ("listen 80;", f"listen 127.0.0.1:{port};"), ("listen [::]:80;", "")]


class NginxSample(h.Service):
    """Real nginx on a sample of conf/, inside a minimal nginx.conf of its own."""

    def __init__(self, c, scratch, site, sample, socket_path, in_server):
        self.port = h.free_port()
        self.dir = scratch.file(sample.split(".")[0])
        cache = os.path.join(self.dir, "cache")
        for d in ("tmp", "cache", "log"):
            os.makedirs(os.path.join(self.dir, d))
        with open(os.path.join(h.SOURCE, "conf", sample)) as f:
            text = f.read()
        for old, new in nginx_paths(site, cache, socket_path, self.port):
            if in_server and (old.startswith("listen") or "cache" in old):
                continue  # a snippet inside our server { }: no listen, no cache
            c.check(old in text, f"{sample} mentions {old}")
            text = text.replace(old, new)
        for default in ("/usr/local/", "/var/lib/gazette", "/run/gazette", "/var/cache/nginx"):
            c.check(default not in re.sub(r"#.*", "", text), f"{sample}: every {default} replaced")
        with open(os.path.join(self.dir, sample), "w") as f:
            f.write(text)
        site_conf = os.path.join(self.dir, sample)
        include = (f"server {{ listen 127.0.0.1:{self.port}; server_name localhost; "
                   f"include {site_conf}; }}" if in_server else f"include {site_conf};")
        tmp = os.path.join(self.dir, "tmp")
        conf = os.path.join(self.dir, "nginx.conf")
        with open(conf, "w") as f:
            f.write(f"""{f"user {RUN_USER};" if RUN_USER else ""}
worker_processes 1;
pid {self.dir}/nginx.pid;
error_log {self.dir}/log/error.log warn;
events {{ worker_connections 256; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log {self.dir}/log/access.log;
    client_body_temp_path {tmp}/body;
    fastcgi_temp_path {tmp}/fastcgi;
    proxy_temp_path {tmp}/proxy;
    scgi_temp_path {tmp}/scgi;
    uwsgi_temp_path {tmp}/uwsgi;
    {include}
}}
""")
        if RUN_USER:
            pw = pwd.getpwnam(RUN_USER)
            for d in ("tmp", "cache"):
                os.chown(os.path.join(self.dir, d), pw.pw_uid, pw.pw_gid)
        super().__init__(["nginx", "-p", self.dir, "-c", conf, "-e",
                          os.path.join(self.dir, "log", "error.log"), "-g", "daemon off;"],
                         os.path.join(self.dir, "log", "nginx.out"))
        scratch.track(self)


class Apache(h.Service):
    """apache2 -f CONF -DFOREGROUND with its own ServerRoot: one sample of conf/
    included in two virtual hosts, at / and at /news/."""

    MODULES = {"proxy-fcgi": ["proxy", "proxy_fcgi"], "fcgid": ["fcgid"], "cgi": ["cgid"]}

    def __init__(self, scratch, site, kind, ini, socket_path):
        self.kind = kind
        self.dir = scratch.file("apache-" + kind)
        os.makedirs(os.path.join(self.dir, "run"))
        self.ports = {"": h.free_port(), "/news": h.free_port()}
        mods = ["mpm_event", "authz_core", "alias", "mime", "headers", "expires", "env",
                "setenvif"] + self.MODULES[kind]
        lines = [f'ServerRoot "{self.dir}"', "ServerName localhost",
                 f"PidFile {self.dir}/run/httpd.pid", f"DefaultRuntimeDir {self.dir}/run",
                 f"ErrorLog {self.dir}/error.log", "LogLevel warn",
                 'LogFormat "%h %>s %r" brief', f"CustomLog {self.dir}/access.log brief",
                 "TypesConfig /etc/mime.types", "Timeout 60"]
        if RUN_USER:
            lines += [f"User {RUN_USER}", f"Group {RUN_USER}"]
        lines += [f"LoadModule {m}_module {MODULES}/mod_{m}.so" for m in mods]
        if kind == "cgi":
            lines.append(f"ScriptSock {self.dir}/run/cgid.sock")
        if kind == "fcgid":
            lines += [f"FcgidIPCDir {self.dir}/run/fcgid",
                      f"FcgidProcessTableFile {self.dir}/run/fcgid-shm"]
        # Like Debian's apache2.conf: nothing but a document root (Apache looks
        # up PATH_TRANSLATED there for every request of the program).
        htdocs = os.path.join(self.dir, "htdocs")
        os.makedirs(htdocs)
        lines += ["<Directory />", "  Require all denied", "  AllowOverride None", "</Directory>",
                  f'DocumentRoot "{htdocs}"', f'<Directory "{htdocs}">', "  Require all granted",
                  "</Directory>"]
        env = sanitizer_env(site.asan)
        for mount, port in self.ports.items():
            lines += [f"Listen 127.0.0.1:{port}", f"<VirtualHost 127.0.0.1:{port}>",
                      f"  Define GAZETTE_MOUNT {mount}/", f"  Define GAZETTE_SHARE {site.share}",
                      f"  Define GAZETTE_DATA {site.data}", f"  Define GAZETTE_BIN {site.bin}",
                      f"  Define GAZETTE_CONFIG {ini}", f"  Define GAZETTE_SOCKET {socket_path}"]
            for name, value in env.items():  # the sanitizers' settings, test-only
                lines.append(f'  FcgidInitialEnv {name} "{value}"' if kind == "fcgid"
                             else f'  SetEnv {name} "{value}"')
            lines += [f"  Include {h.SOURCE}/conf/apache-{kind}.conf", "</VirtualHost>"]
        self.conf = os.path.join(self.dir, "httpd.conf")
        with open(self.conf, "w") as f:
            f.write("\n".join(lines) + "\n")
        super().__init__(["apache2", "-f", self.conf, "-DFOREGROUND"],
                         os.path.join(self.dir, "apache2.out"))
        scratch.track(self)


# --- the checks run through every server ---------------------------------------------

def session_of(r):
    return r.header("set-cookie").split(";")[0], json.loads(r.body)["csrf_token"]


def audit_address(db, article_id):
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        row = con.execute("SELECT address FROM audit_log WHERE object_type = 'article' AND "
                          "object_id = ? ORDER BY id LIMIT 1", (article_id,)).fetchone()
    finally:
        con.close()
    return row[0] if row else None


def check_site(c, name, port, base, site, seed, url_base=None, secure=False,
               client="127.0.0.1"):
    """The same requests through one server at mount point base ("" or "/news").
    url_base: the expected absolute URL prefix (None: http://127.0.0.1[:port]base)."""
    def get(path, method="GET", headers=None, body=None):
        return h.get(port, base + path, method, headers, body, timeout=60)

    def absolute(url, path):
        if url_base:
            return url == url_base + path
        return re.fullmatch(rf"http://127\.0\.0\.1(:{port})?{re.escape(base + path)}", url or "")

    r = get("/")
    c.eq(r.status, 200, f"{name}: GET {base}/")
    page = r.text
    c.check(MARKER in page, f"{name}: the page comes from the installed templates")
    ids = [int(i) for i in re.findall(rf'href="{re.escape(base)}/a/(\d+)"', page)]
    c.require(ids, f"{name}: the home page links to articles under {base or '/'}", page[:300])
    if base:
        c.check('href="/a/' not in page and 'href="/static/' not in page,
                f"{name}: no link leaves {base}/")
    c.check(f'href="{base}/static/css/site.css"' in page, f"{name}: the stylesheet is linked")
    ident = ids[0]

    r = get(f"/a/{ident}")
    c.eq(r.status, 200, f"{name}: GET {base}/a/{ident}")
    c.eq(r.header("x-content-type-options"), "nosniff", f"{name}: pages carry nosniff")
    c.check("frame-ancestors 'none'" in r.header("content-security-policy"), f"{name}: CSP")
    title = re.search(r"<h1[^>]*>(.*?)</h1>", r.text, re.S)
    c.require(title and r.header("etag"), f"{name}: the article has a title and an ETag")
    # The page keeper may rewrite the page between the two requests (a
    # neighbour changed): a new page rightly gets a new tag, so try again.
    for _ in range(5):
        etag = get(f"/a/{ident}").header("etag")
        r = get(f"/a/{ident}", headers={"If-None-Match": etag})
        if r.status == 304:
            break
        time.sleep(0.3)
    c.eq((r.status, r.body), (304, b""), f"{name}: If-None-Match gets 304")
    words = sorted(re.findall(r"[A-Za-z]{5,}", html.unescape(title.group(1))), key=len)
    if words:
        r = get(f"/search?q={words[-1]}")
        c.eq(r.status, 200, f"{name}: search for {words[-1]!r}")
        c.check(f'href="{base}/a/{ident}"' in r.text, f"{name}: search finds the article")

    r = get(f"/api/articles/{ident}")
    c.eq(r.status, 200, f"{name}: GET {base}/api/articles/{ident}")
    c.check(r.header("content-type").startswith("application/json"), f"{name}: API is JSON")
    a = json.loads(r.body) if r.status == 200 else {}
    c.check(absolute(a.get("url"), f"/a/{ident}"), f"{name}: the API's absolute URL",
            f"{a.get('url')!r} (want {url_base or 'http://127.0.0.1'}{base}/a/{ident})")
    r = get("/api/articles?per_page=2")
    c.check(r.status == 200 and len(json.loads(r.body)["articles"]) == 2,
            f"{name}: the API lists articles", repr(r))
    r = get("/feed.xml")
    c.check(r.status == 200 and re.search(r"<link>([^<]*)/a/\d+</link>", r.text),
            f"{name}: the feed has article links")
    if url_base:
        c.check(f"<link>{url_base}/a/" in r.text, f"{name}: the feed links to {url_base}")

    with open(os.path.join(site.share, "static", "css", "site.css"), "rb") as f:
        css = f.read()
    r = get("/static/css/site.css")
    c.check(r.status == 200 and r.body == css, f"{name}: static files from the installed prefix")
    c.eq(r.header("x-content-type-options"), "nosniff", f"{name}: static files carry nosniff")
    r = get("/no/such/page")
    c.check(r.status == 404 and r.header("content-type").startswith("text/html"),
            f"{name}: an unknown page is an HTML 404", repr(r))
    r = get("/api/articles/999999")
    c.check(r.status == 404 and b"not_found" in r.body, f"{name}: an unknown id is a JSON 404")

    # An editor through this server: login, a CSRF-protected write, an upload.
    r = get("/api/session", "POST", {"Content-Type": "application/json"},
            json.dumps({"username": "ed", "password": PASSWORD}))
    c.require(r.status == 200, f"{name}: POST {base}/api/session logs in", f"{r!r} {r.text[:200]}")
    cookie = r.header("set-cookie")
    c.check(f"Path={base}/;" in cookie and "HttpOnly" in cookie and "SameSite" in cookie,
            f"{name}: the session cookie's Path is the mount point", cookie)
    c.eq("Secure" in cookie, secure, f"{name}: the cookie is Secure only over HTTPS")
    sess = session_of(r)
    r = get("/api/session", headers={"Cookie": sess[0]})
    c.eq(r.status, 200, f"{name}: the session cookie comes back through the server")
    article = json.dumps({"title": f"Deployed through {name}", "category": "news",
                          "body_markdown": "Written through the server."})
    r = get("/api/articles", "POST", {"Content-Type": "application/json", "Cookie": sess[0]},
            article)
    c.eq(r.status, 403, f"{name}: a write without X-CSRF-Token is 403")
    r = get("/api/articles", "POST", {"Content-Type": "application/json", "Cookie": sess[0],
                                      "X-CSRF-Token": sess[1],
                                      "X-Forwarded-For": "203.0.113.7"}, article)
    c.eq(r.status, 201, f"{name}: a write with X-CSRF-Token is 201")
    if r.status == 201:
        c.eq(audit_address(site.db, json.loads(r.body)["id"]), client,
             f"{name}: the audit log's client address")

    image = png(seed)
    body = multipart(image)
    ctype = f"multipart/form-data; boundary={BOUNDARY}"
    r = get("/api/media", "POST", {"Content-Type": ctype, "Cookie": sess[0]}, body)
    c.eq(r.status, 403, f"{name}: an upload without X-CSRF-Token is 403")
    r = get("/api/media", "POST", {"Content-Type": ctype, "Cookie": sess[0],
                                   "X-CSRF-Token": sess[1]}, body)
    c.eq(r.status, 201, f"{name}: POST {base}/api/media uploads an image")
    url = json.loads(r.body).get("url", "") if r.status == 201 else ""
    c.check(url.startswith(base + "/media/") and url.endswith(".png"),
            f"{name}: the image's URL is under {base}/media/", url)
    if url:
        r = h.get(port, url)
        c.check(r.status == 200 and r.body == image, f"{name}: the server serves the upload")
        c.eq(r.header("x-content-type-options"), "nosniff", f"{name}: uploads carry nosniff")
        c.check("sandbox" in r.header("content-security-policy"), f"{name}: uploads sandboxed")

    r = get("/api/session", "DELETE", {"Cookie": sess[0], "X-CSRF-Token": sess[1]})
    c.check(r.status in (200, 204), f"{name}: DELETE {base}/api/session logs out", repr(r))
    c.eq(get("/api/session", headers={"Cookie": sess[0]}).status, 401,
         f"{name}: the session is gone")
    if base:
        r = h.get(port, base)
        c.check(r.status == 301 and r.header("location").endswith(base + "/"),
                f"{name}: {base} redirects to {base}/", f"{r!r} {r.header('location')}")
    return ident


def check_cache(c, port, ident, sess):
    """nginx-production.conf's micro-cache: public pages are kept a few seconds,
    a request with an editor's session cookie neither reads nor fills it."""
    path = f"/a/{ident}?probe=anonymous"
    first, second = h.get(port, path), h.get(port, path)
    c.eq((first.header("x-cache-status"), second.header("x-cache-status")), ("MISS", "HIT"),
         "production: a public page is cached")
    c.eq(second.body, first.body, "production: the cached page is the page")
    path = f"/a/{ident}?probe=editor"
    r = h.get(port, path, headers={"Cookie": sess[0]})
    c.eq(r.header("x-cache-status"), "BYPASS", "production: an editor's request skips the cache")
    r = h.get(port, path)
    c.eq(r.header("x-cache-status"), "MISS", "production: an editor's answer was not stored")
    r = h.get(port, "/api/session", headers={"Cookie": sess[0]})
    c.check(r.status == 200 and r.header("x-cache-status") == "BYPASS",
            "production: the API with a session is not cached")


def cgi(site, ini, path, extra, hide=()):
    """One CGI run of the installed program; hide: directories to mount an empty
    tmpfs over first (in a private mount namespace). Returns (status line, body)."""
    env = {"PATH": "/usr/bin:/bin", "GATEWAY_INTERFACE": "CGI/1.1", "REQUEST_METHOD": "GET",
           "SERVER_NAME": "localhost", "SERVER_PORT": "80", "REMOTE_ADDR": "127.0.0.1",
           "SCRIPT_NAME": "", "PATH_INFO": path, "QUERY_STRING": "", "GAZETTE_CONFIG": ini,
           **sanitizer_env(site.asan)}
    env.update(extra)
    argv = [site.fcgi]
    if hide:
        mounts = " && ".join(f'mount -t tmpfs -o size=1m gazette-hidden "{d}"' for d in hide)
        argv = ["unshare", "--mount", "--", "sh", "-c", f'{mounts} && exec "$0"', site.fcgi]
    r = subprocess.run(argv, env=env, stdin=subprocess.DEVNULL, capture_output=True, timeout=60)
    head, _, body = r.stdout.partition(b"\r\n\r\n")
    return head.split(b"\r\n")[0].decode(errors="replace"), body, r


def mount_namespaces(site):
    """Whether this process may hide directories in a private mount namespace."""
    probe = os.path.join(site.run, "mount-probe")
    os.makedirs(probe, exist_ok=True)
    r = subprocess.run(["unshare", "--mount", "--", "mount", "-t", "tmpfs", "probe", probe],
                       capture_output=True, timeout=30)
    return r.returncode == 0


def check_install(c, site, ini, sess):
    for prog in ("gazette", "gazette.fcgi"):
        mode = os.stat(os.path.join(site.bin, prog)).st_mode
        c.check(mode & 0o755 == 0o755 and not mode & 0o022, f"install: bin/{prog} is 0755")
    for rel in ("sql/001_init.sql", "static/css/site.css", "templates/article.html",
                "conf/gazette.ini", "conf/nginx-production.conf", "conf/nginx-prefix.conf",
                "conf/apache-proxy-fcgi.conf", "conf/apache-fcgid.conf", "conf/apache-cgi.conf",
                "conf/systemd/gazette.service"):
        path = os.path.join(site.share, rel)
        c.check(os.path.isfile(path) and stat.S_IMODE(os.stat(path).st_mode) == 0o644,
                f"install: share/gazette/{rel} (0644)")

    # The installed program with the source and build trees out of sight.
    hide = {os.path.realpath(h.SOURCE), os.path.realpath(os.path.dirname(h.FCGI))}
    hide = [d for d in sorted(hide) if not any(d != o and d.startswith(o + "/") for o in hide)]
    if any(os.path.realpath(site.prefix).startswith(d + "/") for d in hide):
        c.check(False, "install: the scratch prefix lies outside the source tree")
    elif mount_namespaces(site):
        status, body, r = cgi(site, ini, "/", {}, hide=hide)
        c.check(status == "Status: 200 OK" and MARKER.encode() in body,
                "install: serves with the source tree hidden", r.stderr.decode()[-500:])
    else:
        print("deploy_test: no mount namespace here (not root?): hidden-tree check skipped")

    # upload_max: a multipart body over the setting is refused before it is read.
    req = {"REQUEST_METHOD": "POST", "PATH_INFO": "/api/media", "CONTENT_LENGTH": "300000",
           "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
           "HTTP_COOKIE": sess[0], "HTTP_X_CSRF_TOKEN": sess[1]}
    status, _, _ = cgi(site, ini, "/api/media", dict(req, GAZETTE_UPLOAD_MAX="200K"))
    c.eq(status, "Status: 413 Payload Too Large", "upload_max=200K refuses a 300 kB upload")
    status, _, _ = cgi(site, ini, "/api/media", req)
    c.eq(status, "Status: 400 Bad Request", "without it the same (empty) body is read: 400")
    status, _, r = cgi(site, ini, "/", {"GAZETTE_WORKERS": "zero"})
    c.check(status.startswith("Status: 503") and r.returncode == 2 and
            b"GAZETTE_WORKERS: workers must be a number" in r.stderr,
            "a bad setting: exit 2, one clear line, and a CGI still answers", repr(r))


def check_systemd(c, site, scratch):
    """The unit is checked offline (systemd is not PID 1 here): no warnings from
    `systemd-analyze verify`, and a low exposure score from `security`."""
    if not shutil.which("systemd-analyze"):
        c.check(False, "systemd-analyze is installed (package systemd)")
        return
    with open(os.path.join(h.SOURCE, "conf", "systemd", "gazette.service")) as f:
        unit = f.read()
    c.check("/usr/local/bin/gazette.fcgi --config /etc/gazette/gazette.ini" in unit,
            "the unit starts the installed program with /etc/gazette/gazette.ini")
    for need in ("User=gazette", "NoNewPrivileges=yes", "ProtectSystem=strict",
                 "ReadWritePaths=/var/lib/gazette", "PrivateTmp=yes", "ProtectHome=yes",
                 "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
                 "SystemCallFilter=@system-service", "UMask=0027"):
        c.check(re.search(rf"^{re.escape(need)}$", unit, re.M), f"gazette.service: {need}")
    path = scratch.file("gazette.service")
    with open(path, "w") as f:
        f.write(unit.replace("/usr/local/bin/", site.bin + "/"))
    r = subprocess.run(["systemd-analyze", "verify", path], capture_output=True, text=True,
                       timeout=60)
    c.check(r.returncode == 0 and not r.stderr.strip() and not r.stdout.strip(),
            "systemd-analyze verify gazette.service: no error, no warning", r.stdout + r.stderr)
    r = subprocess.run(["systemd-analyze", "security", "--offline=yes", path],
                       capture_output=True, text=True, timeout=60)
    score = re.search(r"Overall exposure level for \S+: ([\d.]+)", r.stdout)
    c.check(score and float(score.group(1)) <= 2.0, "gazette.service exposure level <= 2.0",
            (score.group(0) if score else r.stdout[-300:] + r.stderr[-300:]))


def sanitizer_reports(site, logs):
    """Sanitizer reports written by any program of this test."""
    found = [os.path.join(site.asan, n) for n in os.listdir(site.asan)]
    for log in logs:
        try:
            with open(log, errors="replace") as f:
                if re.search(r"AddressSanitizer|LeakSanitizer|runtime error:", f.read()):
                    found.append(log)
        except OSError:
            pass
    return found


def test(c, scratch):
    # Another account (the servers' www-data) must reach everything: keep the
    # scratch outside a private home or a source tree, where the test can hide it.
    trees = [os.path.realpath(d) + "/" for d in (h.SOURCE, os.path.dirname(h.FCGI))]
    if not traversable(scratch.path) or any(os.path.realpath(scratch.path).startswith(t)
                                            for t in trees):
        os.rmdir(scratch.path)
        scratch.path = tempfile.mkdtemp(prefix="gz-deploy_test.")
    os.chmod(scratch.path, 0o755)
    c.require(traversable(scratch.path), "the scratch directory is reachable by other users")

    site = Site(c, scratch)
    with open(os.path.join(site.share, "templates", "foot.html"), "a") as f:
        f.write(MARKER + "\n")
    old_mask = os.umask(0o022)
    try:
        h.make_db(c, site.db)
    finally:
        os.umask(old_mask)
    c.eq(stat.S_IMODE(os.stat(site.db).st_mode), 0o640, "migrate creates the database 0640")
    r = h.gazette(site.db, "user", "add", "ed", "--role", "editor", "--password-stdin",
                  stdin=PASSWORD + "\n")
    c.require(r.returncode == 0, "gazette user add ed", r.stderr)
    r = subprocess.run([os.path.join(site.bin, "gazette"), "--config",
                        os.path.join(h.SOURCE, "conf", "gazette.ini"), "--db", site.db, "check"],
                       capture_output=True, text=True, timeout=60)
    c.check(r.returncode == 0, "the installed CLI reads the sample gazette.ini", r.stderr)
    os.makedirs(os.path.join(site.data, "media"), exist_ok=True)
    site.own()

    plain_sock = os.path.join(site.run, "plain.sock")
    # One page keeper per data dir: the plain pool (under /news/ and behind
    # Apache, which serve no page files) runs without.
    plain = site.settings("plain", listen="unix:" + plain_sock, workers=2, pages="off")
    proxied_sock = os.path.join(site.run, "proxied.sock")
    proxied = site.settings("proxied", listen="unix:" + proxied_sock, workers=2,
                            base_url="https://news.example.test", https="on",
                            trusted_proxies="127.0.0.1 ::1", log_level="error")
    pools = [PoolFromSettings(scratch, site, plain, plain_sock, 2),
             PoolFromSettings(scratch, site, proxied, proxied_sock, 2)]
    production = NginxSample(c, scratch, site, "nginx-production.conf", proxied_sock, False)
    prefix = NginxSample(c, scratch, site, "nginx-prefix.conf", plain_sock, True)
    apaches = [Apache(scratch, site, kind, plain, plain_sock)
               for kind in ("proxy-fcgi", "fcgid", "cgi")]
    for pool in pools:
        c.require(pool.ready(), "a pool starts from its settings file", pool.log)
    for server in (production, prefix):
        c.require(port_ready(server, [server.port]), f"nginx starts on {server.dir}")
    for a in apaches:
        c.require(port_ready(a, list(a.ports.values())), f"apache2 ({a.kind}) starts",
                  open(os.path.join(a.dir, "error.log")).read()[-2000:]
                  if os.path.exists(os.path.join(a.dir, "error.log")) else "")

    seed = 0
    ident = check_site(c, "nginx production", production.port, "", site, seed,
                       url_base="https://news.example.test", secure=True, client="203.0.113.7")
    r = h.get(production.port, "/api/session", "POST", {"Content-Type": "application/json"},
              json.dumps({"username": "ed", "password": PASSWORD}))
    c.require(r.status == 200, "ed logs in again")
    sess = session_of(r)
    check_cache(c, production.port, ident, sess)
    check_site(c, "nginx prefix", prefix.port, "/news", site, seed + 1)
    for a in apaches:
        for mount, port in a.ports.items():
            seed += 2
            check_site(c, f"apache {a.kind} at {mount or '/'}", port, mount, site, seed)
    check_install(c, site, plain, sess)
    check_systemd(c, site, scratch)

    for a in apaches:
        a.stop()
        with open(os.path.join(a.dir, "error.log"), errors="replace") as f:
            errors = [line for line in f if re.search(r":(error|crit|alert|emerg)\]", line)]
        c.check(not errors, f"apache2 ({a.kind}) logged no errors", "".join(errors[-5:]))
    for pool in pools:
        pool.stop()
    logs = [p.log for p in pools]
    c.check(not sanitizer_reports(site, logs), "no sanitizer report",
            " ".join(sanitizer_reports(site, logs)))


if __name__ == "__main__":
    h.run_test("deploy_test", test)
