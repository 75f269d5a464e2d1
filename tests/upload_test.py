"""Image uploads through real nginx and the worker pool (SPEC §4 POST /api/media):
an editor logs in and uploads PNG, GIF, JPEG and WebP images, which nginx then
serves from disk with nosniff; the same bytes give the same id and one file;
content decides the type (a text file called x.png is 415), a damaged or giant
image is 422, a body over the limit 413, a broken multipart body 400, no session
401, no CSRF token 403, GET 405; concurrent uploads of one new image make one
row; every stored image has its audit row."""

import concurrent.futures
import hashlib
import json
import os
import re
import sqlite3
import stat
import struct
import sys
import zlib

sys.dont_write_bytecode = True
import gazette_harness as h  # noqa: E402

PASSWORD = "correct horse battery"
BOUNDARY = "----gazette-upload-7f3a"


# --- images, built by hand --------------------------------------------------------

def png(width, height, seed=0):
    """A grey PNG that decoders open; seed changes the pixels (and the hash)."""
    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))
    rows = b"".join(b"\x00" + bytes((x + y + seed) % 256 for x in range(width))
                    for y in range(height))
    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def png_header(width, height):
    """A structurally complete PNG claiming any size (the pixels do not match)."""
    data = bytearray(png(1, 1))
    data[16:24] = struct.pack(">II", width, height)
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(data[12:29])))
    return bytes(data)


GIF = (b"GIF89a" + struct.pack("<HHBBB", 5, 4, 0x80, 0, 0) + b"\x00\x00\x00\xff\xff\xff"
       + b"\x2c" + struct.pack("<HHHHB", 0, 0, 1, 1, 0) + b"\x02\x02\x44\x01\x00\x3b")
# A 1x1 grey baseline JPEG: one block, one-code Huffman tables.
JPEG = (bytes.fromhex("FFD8FFE000104A46494600010100000100010000") + b"\xff\xdb\x00\x43\x00"
        + b"\x01" * 64 + bytes.fromhex("FFC0000B080001000101011100")
        + b"\xff\xc4\x00\x14\x00\x01" + b"\x00" * 16 + b"\xff\xc4\x00\x14\x10\x01" + b"\x00" * 16
        + bytes.fromhex("FFDA0008010100003F00") + b"\x3f\xff\xd9")
# A 1x1 lossless WebP.
_VP8L = bytes.fromhex("2F00000000888808")
WEBP = (b"RIFF" + struct.pack("<I", 4 + 8 + len(_VP8L)) + b"WEBP" + b"VP8L"
        + struct.pack("<I", len(_VP8L)) + _VP8L)


# --- HTTP ---------------------------------------------------------------------------

def multipart(parts, boundary=BOUNDARY):
    """A multipart/form-data body from [(name, filename or None, content type or
    None, bytes)]."""
    out = b""
    for name, filename, ctype, data in parts:
        out += f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"".encode()
        if filename is not None:
            out += f"; filename=\"{filename}\"".encode()
        out += b"\r\n"
        if ctype:
            out += f"Content-Type: {ctype}\r\n".encode()
        out += b"\r\n" + data + b"\r\n"
    return out + f"--{boundary}--\r\n".encode()


def form_type(boundary=BOUNDARY):
    return f"multipart/form-data; boundary={boundary}"


def upload(port, sess, data, filename="photo.png", ctype="image/png", csrf=True, body=None,
           content_type=None):
    headers = {"Content-Type": content_type or form_type()}
    if sess:
        headers["Cookie"] = sess[0]
        if csrf:
            headers["X-CSRF-Token"] = sess[1]
    if body is None:
        body = multipart([("caption", None, None, b"a caption"),
                          ("file", filename, ctype, data)])
    return h.get(port, "/api/media", "POST", headers, body, timeout=60)


def answer(r):
    try:
        return json.loads(r.body)
    except ValueError:
        return {}


def error_code(r):
    return answer(r).get("error", {}).get("code")


def test(c, scratch):
    db = h.make_db(c, scratch.file("gazette.db"), demo=False)
    r = h.gazette(db, "user", "add", "ed", "--role", "editor", "--password-stdin",
                  stdin=PASSWORD + "\n")
    c.require(r.returncode == 0, "gazette user add ed", r.stderr)
    pool = h.Pool(scratch, db, workers=2)
    c.require(pool.ready(), "the pool starts")
    nginx = h.Nginx(scratch, pool.socket)
    c.require(nginx.ready(), "nginx starts")
    port = nginx.port
    media = scratch.file("media")

    r = h.get(port, "/api/session", "POST", {"Content-Type": "application/json"},
              json.dumps({"username": "ed", "password": PASSWORD}))
    c.require(r.status == 200 and "gz_session=" in r.header("set-cookie"), "ed logs in",
              f"{r.status} {r.text[:200]}")
    sess = (r.header("set-cookie").split(";")[0], answer(r)["csrf_token"])

    # --- a new PNG --------------------------------------------------------------------
    image = png(3, 2)
    digest = hashlib.sha256(image).hexdigest()
    r = upload(port, sess, image)
    c.eq(r.status, 201, "a new PNG is created")
    c.check(r.header("content-type").startswith("application/json"), "the answer is JSON", r)
    a = answer(r)
    c.eq(sorted(a), ["height", "id", "url", "width"], "the answer's fields")
    c.eq((a.get("width"), a.get("height")), (3, 2), "width and height read from the PNG")
    c.eq(a.get("url"), f"/media/{digest[:2]}/{digest}.png",
         "the url is the SHA-256 of the content under its two-character directory")
    first_id = a.get("id")
    c.check(isinstance(first_id, int) and first_id > 0, "a numeric id", a)

    path = os.path.join(media, digest[:2], digest + ".png")
    st = os.stat(path) if os.path.exists(path) else None
    c.check(st is not None, "the file is on disk under media/ab/", path)
    if st:
        c.eq(stat.S_IMODE(st.st_mode), 0o644, "the file is 0644")
        c.eq(stat.S_IMODE(os.stat(os.path.dirname(path)).st_mode), 0o755, "its directory is 0755")
        c.eq(os.listdir(os.path.dirname(path)), [digest + ".png"], "no temporary file left")

    r = h.get(port, a.get("url", "/media/none"))
    c.eq(r.status, 200, "nginx serves the uploaded file")
    c.check(r.body == image, "byte for byte")
    c.eq(r.header("content-type"), "image/png", "as image/png")
    c.eq(r.header("x-content-type-options"), "nosniff", "with nosniff")
    c.check("sandbox" in r.header("content-security-policy"), "and a sandboxing CSP", r.headers)

    # --- the same bytes again ------------------------------------------------------------
    r = upload(port, sess, image, filename="renamed.jpg", ctype="image/jpeg")
    c.eq(r.status, 200, "the same bytes again answer 200")
    c.eq(answer(r).get("id"), first_id, "with the same id")
    c.eq(answer(r).get("url"), a.get("url"), "and the same url")

    # --- the other types ---------------------------------------------------------------
    for data, ext, dims in ((GIF, "gif", (5, 4)), (JPEG, "jpg", (1, 1)), (WEBP, "webp", (1, 1))):
        r = upload(port, sess, data, filename="image.png", ctype="application/octet-stream")
        c.eq(r.status, 201, f"a {ext} image is created")
        b = answer(r)
        c.check(re.fullmatch(r"/media/[0-9a-f]{2}/[0-9a-f]{64}\." + ext, b.get("url", "")),
                f"the {ext} url ends in .{ext}", b)
        c.eq((b.get("width"), b.get("height")), dims, f"the {ext} size")
        r = h.get(port, b.get("url", "/media/none"))
        c.check(r.status == 200 and r.body == data, f"nginx serves the {ext} file")

    # --- refusals ---------------------------------------------------------------------------
    r = upload(port, sess, b"I am only text, whatever my name says.\n", filename="x.png")
    c.eq(r.status, 415, "a text file called x.png is refused by content")
    c.eq(error_code(r), "unsupported_media_type", "as unsupported_media_type")
    r = upload(port, sess, b"<svg xmlns='http://www.w3.org/2000/svg'/>", filename="x.svg",
               ctype="image/svg+xml")
    c.eq(r.status, 415, "SVG is not accepted")
    r = upload(port, sess, png_header(30000, 10))
    c.eq(r.status, 422, "a PNG 30000 pixels wide is refused")
    c.eq(answer(r).get("error", {}).get("fields"), ["file"], "naming the field file")
    r = upload(port, sess, png(4, 4, seed=9)[:-6])
    c.eq(r.status, 422, "a truncated PNG is refused")
    r = upload(port, sess, None, body=multipart([("picture", "a.png", "image/png", image)]))
    c.eq((r.status, answer(r).get("error", {}).get("fields")), (422, ["file"]),
         "no field file: 422 naming it")
    r = upload(port, sess, b"", filename="empty.png")
    c.eq(r.status, 422, "an empty file: 422")

    big = b"\x89PNG\r\n\x1a\n" + b"\0" * (11 * 1024 * 1024)
    r = upload(port, sess, big)
    c.eq(r.status, 413, "an 11 MiB upload is too large")
    c.eq(error_code(r), "too_large", "as too_large")

    body = multipart([("file", "a.png", "image/png", image)])
    r = upload(port, sess, None, body=body[:-len(f"--{BOUNDARY}--\r\n") - 3])
    c.eq(r.status, 400, "a truncated multipart body is 400")
    r = upload(port, sess, None, body=body, content_type="multipart/form-data")
    c.eq(r.status, 400, "multipart without a boundary is 400")
    r = upload(port, sess, None, body=json.dumps({"file": "x"}), content_type="application/json")
    c.eq(r.status, 415, "a JSON body is 415")

    r = upload(port, None, image)
    c.eq(r.status, 401, "no session: 401")
    r = upload(port, (sess[0], ""), image, csrf=False)
    c.eq(r.status, 403, "a session without the CSRF header: 403")
    r = upload(port, (sess[0], "0" * 64), image)
    c.eq(r.status, 403, "a wrong CSRF token: 403")
    r = h.get(port, "/api/media", headers={"Cookie": sess[0]})
    c.eq(r.status, 405, "GET /api/media is 405")
    c.check("POST" in r.header("allow"), "Allow names POST", r.headers)

    # --- the same new image from several clients at once -------------------------------------
    fresh = png(7, 7, seed=3)
    with concurrent.futures.ThreadPoolExecutor(6) as pool_:
        results = list(pool_.map(lambda _: upload(port, sess, fresh), range(6)))
    statuses = sorted(x.status for x in results)
    c.eq(statuses, [200] * 5 + [201], "concurrent uploads of one image: one 201, the rest 200")
    c.eq(len({answer(x).get("id") for x in results}), 1, "all with the same id")

    # --- what the database holds ---------------------------------------------------------
    con = sqlite3.connect(db)
    try:
        rows = con.execute("SELECT sha256, path, mime, width, height, bytes, created_by "
                           "FROM media ORDER BY id").fetchall()
        ed_id = con.execute("SELECT id FROM users WHERE username = 'ed'").fetchone()[0]
        audit = con.execute("SELECT user_id, username, action, object_type, object_id, address "
                            "FROM audit_log WHERE action = 'media.upload' ORDER BY id").fetchall()
    finally:
        con.close()
    c.eq(len(rows), 5, "five images stored (PNG, GIF, JPEG, WebP, the concurrent one)")
    if rows:
        c.eq(rows[0], (digest, f"{digest[:2]}/{digest}.png", "image/png", 3, 2, len(image), ed_id),
             "the PNG's row")
    c.eq(len(audit), 5, "one audit row per stored image, none for refusals or repeats")
    if audit:
        c.eq(audit[0], (ed_id, "ed", "media.upload", "media", first_id, "127.0.0.1"),
             "the audit row says who, what and from where")
    files = sorted(f for d in os.listdir(media) for f in os.listdir(os.path.join(media, d)))
    c.check(len(files) == 5, "five files on disk, no leftovers", files)
    r = h.gazette(db, "check")
    c.eq(r.returncode, 0, "gazette check is ok after the uploads")


if __name__ == "__main__":
    h.run_test("upload_test", test)
