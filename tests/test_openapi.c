/*
 * docs/openapi.json against the router (route_table): every /api/ route and
 * method is documented and nothing else is; operations declare what the
 * front line enforces (session → 401 and the cookie scheme, CSRF → the
 * X-CSRF-Token header and 403, admin → 403); query fields, their bounds and
 * path parameters match the field_spec tables; each path's 405 Allow list is
 * the router's; every $ref resolves; error answers use the Error schema and
 * 429/503 carry Retry-After. Then mutated copies of the document and of the
 * table prove that each kind of drift is caught.
 */
#include "check.h"
#include "arena.h"
#include "buf.h"
#include "http.h"
#include "route.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char DOC_NAME[] = "docs/openapi.json";

/* Problems found by the current check_doc() run; printed unless quiet (the
 * mutation runs only count them). */
static int problems;
static bool quiet;

static void problem(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void problem(const char *fmt, ...)
{
	problems++;
	if (quiet)
		return;
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, "%s: ", DOC_NAME);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

/* The operation keys of a Path Item Object and the router's bit for each
 * (0: the router has no such method). HEAD is implied by GET in the router
 * and is not documented, so a documented "head" needs an explicit bit. */
static const struct {
	unsigned bit;
	const char *key, *name;
} methods[] = {
    {HTTP_GET, "get", "GET"},
    {HTTP_HEAD, "head", "HEAD"},
    {HTTP_POST, "post", "POST"},
    {HTTP_PUT, "put", "PUT"},
    {HTTP_PATCH, "patch", "PATCH"},
    {HTTP_DELETE, "delete", "DELETE"},
    {HTTP_OPTIONS, "options", "OPTIONS"},
    {0, "trace", "TRACE"},
};
enum { NMETHODS = sizeof methods / sizeof methods[0] };

static const cJSON *get(const cJSON *o, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(o, name);
}

/* The node at a local JSON pointer ("#/components/schemas/Error"), or NULL. */
static const cJSON *pointer(const cJSON *doc, const char *ref)
{
	if (strncmp(ref, "#/", 2))
		return NULL;
	const cJSON *n = doc;
	const char *p = ref + 2;
	while (n && *p) {
		char part[128];
		size_t len = strcspn(p, "/");
		if (len >= sizeof part)
			return NULL;
		memcpy(part, p, len);
		part[len] = '\0';
		n = get(n, part);
		p += len + (p[len] == '/');
	}
	return n;
}

/* node with its $ref chain followed; NULL when a reference dangles. */
static const cJSON *resolve(const cJSON *doc, const cJSON *node)
{
	for (int depth = 0; node && depth < 8; depth++) {
		const cJSON *r = get(node, "$ref");
		if (!cJSON_IsString(r))
			return node;
		node = pointer(doc, r->valuestring);
	}
	return NULL;
}

static void check_refs(const cJSON *doc, const cJSON *node)
{
	for (const cJSON *c = node ? node->child : NULL; c; c = c->next) {
		if (c->string && !strcmp(c->string, "$ref")) {
			if (!cJSON_IsString(c) || !pointer(doc, c->valuestring))
				problem("$ref \"%s\" points nowhere",
				        cJSON_IsString(c) ? c->valuestring : "?");
		} else {
			check_refs(doc, c);
		}
	}
}

/* The router's entry for pattern and one method bit, or NULL. */
static const struct route *route_find(const struct route *table, const char *pattern, unsigned bit)
{
	for (const struct route *r = table; r->pattern; r++)
		if (!strcmp(r->pattern, pattern) && (r->methods & bit))
			return r;
	return NULL;
}

/* A parameter of an operation (its own first, then the path item's). */
static const cJSON *find_param(const cJSON *doc, const cJSON *item, const cJSON *op, const char *in,
                               const char *name)
{
	const cJSON *lists[] = {get(op, "parameters"), get(item, "parameters")};
	for (size_t i = 0; i < 2; i++) {
		const cJSON *p;
		cJSON_ArrayForEach(p, lists[i])
		{
			const cJSON *r = resolve(doc, p);
			const cJSON *pin = get(r, "in"), *pname = get(r, "name");
			if (!cJSON_IsString(pin) || !cJSON_IsString(pname) ||
			    strcmp(pin->valuestring, in))
				continue;
			/* Header names are case-insensitive in HTTP. */
			if (!strcmp(in, "header") ? !strcasecmp(pname->valuestring, name)
			                          : !strcmp(pname->valuestring, name))
				return r;
		}
	}
	return NULL;
}

static bool uses_session(const cJSON *doc, const cJSON *op)
{
	const cJSON *sec = get(op, "security");
	if (!sec)
		sec = get(doc, "security");
	const cJSON *req;
	cJSON_ArrayForEach(req, sec)
	{
		if (get(req, "sessionCookie"))
			return true;
	}
	return false;
}

static bool number_is(const cJSON *schema, const char *name, long long want)
{
	const cJSON *v = get(schema, name);
	return cJSON_IsNumber(v) && v->valuedouble == (double)want;
}

/* The route's declared query fields against the operation's query
 * parameters, both ways, with kinds and bounds. */
static void check_query(const cJSON *doc, const cJSON *item, const cJSON *op, const char *what,
                        const struct route *r)
{
	for (const struct field_spec *f = r->fields; f && f->name; f++) {
		const cJSON *p = find_param(doc, item, op, "query", f->name);
		if (!p) {
			problem("%s: query field \"%s\" (route.c) is not documented", what,
			        f->name);
			continue;
		}
		const cJSON *s = resolve(doc, get(p, "schema"));
		const cJSON *type = get(s, "type");
		bool ok;
		switch (f->kind) {
		case FIELD_INT:
			ok = cJSON_IsString(type) && !strcmp(type->valuestring, "integer") &&
			     number_is(s, "minimum", f->min) && number_is(s, "maximum", f->max);
			if (!ok)
				problem(
				    "%s: query field \"%s\" must be an integer with minimum %lld "
				    "and maximum %lld",
				    what, f->name, f->min, f->max);
			break;
		case FIELD_LINE:
		case FIELD_TEXT:
			ok = cJSON_IsString(type) && !strcmp(type->valuestring, "string") &&
			     number_is(s, "maxLength", f->max);
			if (!ok)
				problem(
				    "%s: query field \"%s\" must be a string with maxLength %lld",
				    what, f->name, f->max);
			break;
		case FIELD_SLUG:
			ok = cJSON_IsString(type) && !strcmp(type->valuestring, "string") &&
			     cJSON_IsString(get(s, "pattern"));
			if (!ok)
				problem(
				    "%s: query field \"%s\" must be a string with the slug pattern",
				    what, f->name);
			break;
		}
	}
	const cJSON *lists[] = {get(op, "parameters"), get(item, "parameters")};
	for (size_t i = 0; i < 2; i++) {
		const cJSON *p;
		cJSON_ArrayForEach(p, lists[i])
		{
			const cJSON *rp = resolve(doc, p);
			const cJSON *pin = get(rp, "in"), *pname = get(rp, "name");
			if (!cJSON_IsString(pin) || strcmp(pin->valuestring, "query") ||
			    !cJSON_IsString(pname))
				continue;
			bool known = false;
			for (const struct field_spec *f = r->fields; f && f->name; f++)
				known = known || !strcmp(f->name, pname->valuestring);
			if (!known)
				problem("%s: documents query field \"%s\", which route.c does not "
				        "accept",
				        what, pname->valuestring);
		}
	}
}

/* Every {name} of the path is a required path parameter, and back. */
static void check_path_params(const cJSON *doc, const cJSON *item, const cJSON *op,
                              const char *path, const char *what)
{
	for (const char *p = strchr(path, '{'); p; p = strchr(p + 1, '{')) {
		char name[64];
		size_t len = strcspn(p + 1, "}");
		if (len >= sizeof name || p[1 + len] != '}') {
			problem("%s: malformed template in the path", what);
			return;
		}
		memcpy(name, p + 1, len);
		name[len] = '\0';
		const cJSON *prm = find_param(doc, item, op, "path", name);
		if (!prm || !cJSON_IsTrue(get(prm, "required"))) {
			problem(
			    "%s: path parameter {%s} is not declared as a required path parameter",
			    what, name);
			continue;
		}
		const cJSON *s = resolve(doc, get(prm, "schema"));
		const cJSON *type = get(s, "type");
		/* The router's {id} is an integer of at least 1 (route.c, valid_int). */
		if (!strcmp(name, "id") &&
		    (!cJSON_IsString(type) || strcmp(type->valuestring, "integer") ||
		     !number_is(s, "minimum", 1)))
			problem("%s: {id} must be an integer with minimum 1", what);
	}
	const cJSON *lists[] = {get(op, "parameters"), get(item, "parameters")};
	for (size_t i = 0; i < 2; i++) {
		const cJSON *p;
		cJSON_ArrayForEach(p, lists[i])
		{
			const cJSON *rp = resolve(doc, p);
			const cJSON *pin = get(rp, "in"), *pname = get(rp, "name");
			char tmpl[80];
			if (!cJSON_IsString(pin) || strcmp(pin->valuestring, "path") ||
			    !cJSON_IsString(pname))
				continue;
			snprintf(tmpl, sizeof tmpl, "{%s}", pname->valuestring);
			if (!strstr(path, tmpl))
				problem("%s: path parameter \"%s\" is not in the path", what,
				        pname->valuestring);
		}
	}
}

/* Error answers carry the Error schema; 429 and 503 carry Retry-After. */
static void check_responses(const cJSON *doc, const cJSON *op, const char *what)
{
	const cJSON *error = pointer(doc, "#/components/schemas/Error");
	const cJSON *resp;
	cJSON_ArrayForEach(resp, get(op, "responses"))
	{
		const char *code = resp->string;
		if (code[0] != '4' && code[0] != '5' && strcmp(code, "default"))
			continue;
		const cJSON *r = resolve(doc, resp);
		const cJSON *schema = resolve(doc, get(get(get(r, "content"), "application/json"), "schema"));
		/* An answer may say more than the error (a 409 with the current
		 * article), as long as its "error" member is Error's own. */
		const cJSON *member = get(get(schema, "properties"), "error");
		bool extends = schema != error && member && cJSON_IsString(get(member, "$ref")) &&
		               !strcmp(get(member, "$ref")->valuestring,
		                       "#/components/schemas/Error/properties/error");
		if (!error || (schema != error && !extends))
			problem("%s: response %s does not use #/components/schemas/Error", what,
			        code);
		if ((!strcmp(code, "429") || !strcmp(code, "503")) &&
		    !get(get(r, "headers"), "Retry-After"))
			problem("%s: response %s does not declare the Retry-After header", what,
			        code);
	}
}

/* What the front line enforces for r, as the operation must declare it. */
static void check_operation(const cJSON *doc, const char *path, const cJSON *item, const cJSON *op,
                            const char *what, const struct route *r)
{
	const cJSON *responses = get(op, "responses");
	if ((r->flags & ROUTE_CSRF) == ROUTE_CSRF) {
		const cJSON *p = find_param(doc, item, op, "header", "X-CSRF-Token");
		if (!p)
			problem("%s: ROUTE_CSRF route without the X-CSRF-Token header parameter",
			        what);
		else if (!cJSON_IsTrue(get(p, "required")))
			problem("%s: the X-CSRF-Token header parameter is not required", what);
		if (!get(responses, "403"))
			problem("%s: ROUTE_CSRF route without a 403 response", what);
	}
	if ((r->flags & ROUTE_AUTH) == ROUTE_AUTH) {
		if (!get(responses, "401"))
			problem("%s: ROUTE_AUTH route without a 401 response", what);
		if (!uses_session(doc, op))
			problem("%s: ROUTE_AUTH route whose security does not name sessionCookie",
			        what);
	} else if (uses_session(doc, op)) {
		problem("%s: documents a session requirement that route.c does not have", what);
	}
	if ((r->flags & ROUTE_ADMIN) == ROUTE_ADMIN && !get(responses, "403"))
		problem("%s: ROUTE_ADMIN route without a 403 response", what);
	if (r->form) {
		/* The API reads JSON; a urlencoded form on an /api/ route would need
		 * its own request body here. */
		const cJSON *schema = get(get(get(get(op, "requestBody"), "content"),
		                              "application/x-www-form-urlencoded"),
		                          "schema");
		for (const struct field_spec *f = r->form; f->name; f++)
			if (!get(get(resolve(doc, schema), "properties"), f->name))
				problem("%s: form field \"%s\" (route.c) is not documented", what,
				        f->name);
	}
	check_query(doc, item, op, what, r);
	check_path_params(doc, item, op, path, what);
	check_responses(doc, op, what);
}

/* The 405 Allow list of a path: what app_handle() sends for other methods. */
static void check_allow(const cJSON *item, const char *path, const struct route *table)
{
	unsigned mask = 0;
	for (const struct route *r = table; r->pattern; r++)
		if (!strcmp(r->pattern, path))
			mask |= r->methods;
	if (mask & HTTP_GET)
		mask |= HTTP_HEAD;
	struct arena a = ARENA_INIT;
	const char *want = arena_printf(&a, "`Allow: %s`", http_allow(&a, mask));
	const cJSON *desc = get(item, "description");
	if (!cJSON_IsString(desc) || !strstr(desc->valuestring, want))
		problem("path %s: its description must state the 405 answer's %s", path, want);
	arena_free(&a);
}

/* Runs every check of doc against table; returns the number of problems. */
static int check_doc(const cJSON *doc, const struct route *table)
{
	problems = 0;
	const cJSON *paths = get(doc, "paths");
	if (!cJSON_IsObject(paths)) {
		problem("no \"paths\" object");
		return problems;
	}
	check_refs(doc, doc);

	/* The router → the document. */
	for (const struct route *r = table; r->pattern; r++) {
		if (strncmp(r->pattern, "/api/", 5))
			continue;
		const cJSON *item = get(paths, r->pattern);
		for (size_t m = 0; m < NMETHODS; m++) {
			if (!methods[m].bit || !(r->methods & methods[m].bit))
				continue;
			if (!get(item, methods[m].key))
				problem("route %s %s (route.c) is not documented", methods[m].name,
				        r->pattern);
		}
	}

	/* The document → the router, and each operation's declarations. */
	const cJSON *item;
	cJSON_ArrayForEach(item, paths)
	{
		const char *path = item->string;
		if (strncmp(path, "/api/", 5))
			problem("path %s is not under /api/", path);
		bool any = false;
		for (size_t m = 0; m < NMETHODS; m++) {
			const cJSON *op = get(item, methods[m].key);
			if (!op)
				continue;
			any = true;
			char what[160];
			snprintf(what, sizeof what, "%s %s", methods[m].name, path);
			const struct route *r =
			    methods[m].bit ? route_find(table, path, methods[m].bit) : NULL;
			if (!r) {
				problem("%s is documented but route.c has no such route", what);
				continue;
			}
			check_operation(doc, path, item, op, what, r);
		}
		if (any)
			check_allow(item, path, table);
	}
	return problems;
}

/* The whole file as a NUL-terminated string (free it), or NULL. */
static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	struct buf b = BUF_INIT;
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_put(&b, chunk, n);
	bool failed = ferror(f);
	fclose(f);
	char *s = failed ? NULL : xstrdup(buf_cstr(&b));
	buf_free(&b);
	return s;
}

/* Problems in a copy of doc after edit(copy); the original is untouched. */
static int mutated(const cJSON *doc, void (*edit)(cJSON *copy))
{
	cJSON *copy = cJSON_Duplicate(doc, 1);
	edit(copy);
	quiet = true;
	int n = check_doc(copy, route_table);
	quiet = false;
	cJSON_Delete(copy);
	return n;
}

static cJSON *op_of(cJSON *doc, const char *path, const char *method)
{
	return cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(doc, "paths"), path),
	    method);
}

static void drop_create_article(cJSON *d)
{
	cJSON_DeleteItemFromObjectCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(d, "paths"),
	                                     "/api/articles"),
	    "post");
}

static void add_put_categories(cJSON *d)
{
	cJSON *item = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(d, "paths"),
	                                               "/api/categories");
	cJSON_AddItemToObject(item, "put", cJSON_Duplicate(op_of(d, "/api/categories", "get"), 1));
}

static void drop_csrf_header(cJSON *d)
{
	cJSON_DeleteItemFromObjectCaseSensitive(op_of(d, "/api/articles/{id}", "delete"),
	                                        "parameters");
}

static void drop_401(cJSON *d)
{
	cJSON_DeleteItemFromObjectCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(op_of(d, "/api/session", "get"), "responses"), "401");
}

static void loosen_page_bound(cJSON *d)
{
	cJSON *s = cJSON_GetObjectItemCaseSensitive(
	    cJSON_GetObjectItemCaseSensitive(
	        cJSON_GetObjectItemCaseSensitive(
	            cJSON_GetObjectItemCaseSensitive(
	                cJSON_GetObjectItemCaseSensitive(d, "components"), "parameters"),
	            "PerPage"),
	        "schema"),
	    "maximum");
	cJSON_SetNumberValue(s, 1000);
}

static void dangling_ref(cJSON *d)
{
	cJSON *resp =
	    cJSON_GetObjectItemCaseSensitive(op_of(d, "/api/articles/{id}", "get"), "responses");
	cJSON_ReplaceItemInObjectCaseSensitive(
	    resp, "404", cJSON_Parse("{\"$ref\":\"#/components/responses/Nope\"}"));
}

int main(void)
{
	const char *src = getenv("GAZETTE_SOURCE");
	if (!src) {
		fprintf(stderr, "GAZETTE_SOURCE is not set (ctest sets it to the source tree)\n");
		return 1;
	}
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", src, DOC_NAME);
	char *text = read_file(path);
	if (!text)
		fprintf(stderr, "cannot read %s\n", path);
	CHECK(text != NULL);
	cJSON *doc = text ? cJSON_Parse(text) : NULL;
	free(text);
	if (text && !doc)
		fprintf(stderr, "%s is not valid JSON\n", path);
	CHECK(doc != NULL);
	if (!doc)
		return check_done("test_openapi");
	CHECK_STR(cJSON_GetStringValue(get(doc, "openapi")), "3.0.3");
	const cJSON *scheme = get(get(get(doc, "components"), "securitySchemes"), "sessionCookie");
	CHECK_STR(cJSON_GetStringValue(get(scheme, "in")), "cookie");
	CHECK_STR(cJSON_GetStringValue(get(scheme, "name")), "gz_session");

	/* The real document against the real router: not one problem. */
	int base = check_doc(doc, route_table);
	CHECK(base == 0);

	/* Each kind of drift is caught (counted on top of any problem the real
	 * document has, so a broken document fails above, not here too). */
	CHECK(mutated(doc, drop_create_article) == base + 1);
	CHECK(mutated(doc, add_put_categories) == base + 1);
	CHECK(mutated(doc, drop_csrf_header) == base + 1);
	CHECK(mutated(doc, drop_401) == base + 1);
	CHECK(mutated(doc, loosen_page_bound) > base);
	CHECK(mutated(doc, dangling_ref) > base);

	/* A router that grew a route, a method or a query field the document
	 * lacks. */
	size_t n = 0;
	while (route_table[n].pattern)
		n++;
	struct route *table = calloc(n + 2, sizeof *table);
	memcpy(table, route_table, n * sizeof *table);
	static const struct field_spec extra_fields[] = {{"sort", FIELD_LINE, 0, 8},
	                                                 {NULL, 0, 0, 0}};
	quiet = true;
	table[n] = (struct route){"/api/nothing", HTTP_GET, NULL, 0, NULL, NULL};
	CHECK(check_doc(doc, table) == base + 1);
	table[n] = (struct route){0};
	for (size_t i = 0; i < n; i++)
		if (!strcmp(table[i].pattern, "/api/users") && table[i].methods == HTTP_GET)
			table[i].methods |= HTTP_PUT;
	CHECK(check_doc(doc, table) > base);
	memcpy(table, route_table, n * sizeof *table);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(table[i].pattern, "/api/search"))
			table[i].fields = extra_fields;
	CHECK(check_doc(doc, table) > base);
	quiet = false;
	free(table);

	cJSON_Delete(doc);
	return check_done("test_openapi");
}
