/* GET/POST /editor/media: uploading an image without JavaScript. The
 * answer shows the Markdown to paste into an article and the image's
 * number for the cover field. */
#include "i18n.h"
#include "media.h"
#include "multipart.h"
#include "page.h"

#include <string.h>

const struct field_spec page_media_form[] = {
	{"csrf_token", FIELD_LINE, 0, 64},
	{"caption", FIELD_LINE, 0, 200},
	{NULL, 0, 0, 0},
};

void page_editor_media(struct app *app, struct http_req *req)
{
	cJSON *d = page_data(app, req);
	cJSON_AddStringToObject(d, "title", i18n_label(app->lang, "upload_image"));
	req->cacheable = false;
	if (req->method == HTTP_POST) {
		const struct multipart_part *file = req->parts
			? multipart_find(req->parts, req->nparts, "file") : NULL;
		struct media_info m;
		struct db *w = app_writer(app);
		int status = !file || !file->len ? 422
			     : !w ? 500
			     : media_store(w, app->media_dir, file->data, file->len, req->user,
					   req->remote_addr, &m);
		if (status == 200 || status == 201) {
			const struct field_value *cap = http_field(req, "caption");
			const char *caption = cap ? cap->text : "";
			cJSON *r = cJSON_AddObjectToObject(d, "uploaded");
			const char *url = arena_printf(req->arena, "%s/media/%s", req->base, m.path);
			cJSON_AddNumberToObject(r, "id", (double)m.id);
			cJSON_AddStringToObject(r, "url", url);
			cJSON_AddNumberToObject(r, "width", m.width);
			cJSON_AddNumberToObject(r, "height", m.height);
			/* The caption goes into Markdown as typed: brackets and quotes
			 * would end its syntax early, so they are dropped. */
			char *clean = arena_strdup(req->arena, caption);
			for (char *p = clean; *p; p++)
				if (strchr("[]\"\\", *p))
					*p = ' ';
			cJSON_AddStringToObject(r, "markdown", *clean
				? arena_printf(req->arena, "![%s](%s \"%s\")", clean, url, clean)
				: arena_printf(req->arena, "![](%s)", url));
		} else {
			cJSON_AddStringToObject(d, "error", i18n_label(app->lang, status == 415 ? "upload_not_image"
								: status == 413 ? "upload_too_big"
								: "upload_failed"));
			req->status = status == 422 || status == 415 || status == 413 ? status : 500;
			if (status == 503)
				req->status = 503;
		}
	}
	int keep = req->status;
	page_render(app, req, "editor_media", d);
	req->status = keep;
}
