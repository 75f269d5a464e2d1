/* POST /api/media: an editor uploads an image (SPEC §4). */
#include "json.h"
#include "media.h"
#include "multipart.h"

/* The multipart envelope around the image: boundaries, part headers and a
 * few small fields a form may add. */
enum { MEDIA_ENVELOPE = 64 * 1024 };

void api_media_upload(struct app *app, struct http_req *req)
{
	/* Why: the route table demands a session before this runs; checking
	 * again costs nothing and keeps an anonymous upload impossible if the
	 * table is ever edited wrong. */
	if (!req->user) {
		json_error_status(req, 401);
		return;
	}
	if (!http_content_type_is(req, "multipart/form-data")) {
		json_error(req, 415, "unsupported_media_type", "send multipart/form-data", NULL);
		return;
	}
	const char *body;
	size_t len;
	int rc = http_read_body(req, MEDIA_MAX_BYTES + MEDIA_ENVELOPE, &body, &len);
	if (rc == 413) {
		json_error(req, 413, "too_large", "an image may be 10 MiB at most", NULL);
		return;
	}
	if (rc) {
		json_error_status(req, rc);
		return;
	}
	struct multipart_part *parts;
	size_t nparts;
	rc = multipart_parse(req->arena, http_content_type(req), body, len, &parts, &nparts);
	if (rc) {
		json_error(req, rc, rc == 415 ? "unsupported_media_type" : "bad_request",
		           rc == 415 ? "send multipart/form-data" : "malformed multipart body",
		           NULL);
		return;
	}
	const struct multipart_part *file = multipart_find(parts, nparts, "file");
	/* One file per request: with two, which one the answer describes
	 * would depend on parser details. */
	if (!file || !file->len || multipart_count(parts, nparts, "file") != 1) {
		json_error(req, 422, "invalid", "send one non-empty image in the field \"file\"",
		           "file");
		return;
	}
	if (file->len > MEDIA_MAX_BYTES) {
		json_error(req, 413, "too_large", "an image may be 10 MiB at most", NULL);
		return;
	}
	struct db *w = app_writer(app);
	if (!w) {
		json_error_status(req, 500);
		return;
	}
	struct media_info info;
	rc = media_store(w, app->media_dir, file->data, file->len, req->user, req->remote_addr,
	                 &info);
	switch (rc) {
	case 200:
	case 201: {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "id", (double)info.id);
		cJSON_AddStringToObject(
		    o, "url", arena_printf(req->arena, "%s/media/%s", req->base, info.path));
		cJSON_AddNumberToObject(o, "width", info.width);
		cJSON_AddNumberToObject(o, "height", info.height);
		json_send(req, rc, o);
		return;
	}
	case 413:
		json_error(req, 413, "too_large", "an image may be 10 MiB at most", NULL);
		return;
	case 415:
		json_error(req, 415, "unsupported_media_type",
		           "the file is not a JPEG, PNG, GIF or WebP image", NULL);
		return;
	case 422:
		json_error(
		    req, 422, "invalid",
		    "the image is damaged, or its width or height is 0 or above 20000 pixels",
		    "file");
		return;
	case 503:
		http_header(req, "Retry-After", "2");
		json_error_status(req, 503);
		return;
	default:
		json_error_status(req, 500);
		return;
	}
}
