/*
 * Rendering of parsed templates: walks a template's node list with a
 * fixed-size context stack, so a render allocates nothing but the output
 * buffer's growth. Lookup, truth and value printing follow tmpl.h.
 */
#include "html.h"
#include "log.h"
#include "tmpl_internal.h"

#include <math.h>
#include <string.h>

/* Render state: the output, the context stack, the include depth. */
struct render {
	const struct tmpl_set *set;
	struct buf *out;
	size_t start;
	int depth;
	int nctx;
	const cJSON *ctx[TMPL_CTX_MAX];
};

/* The member of object o called name, or NULL: what
 * cJSON_GetObjectItemCaseSensitive does, with the first bytes compared
 * before strcmp is called. Most keys differ there, and a page looks up a few
 * hundred names, many in the labels object (a hundred keys): the calls to
 * strcmp were a sixth of an article page's instructions. */
static const cJSON *member(const cJSON *o, const char *name)
{
	if (!o || (o->type & 0xFF) != cJSON_Object)
		return NULL;
	for (const cJSON *c = o->child; c; c = c->next)
		if (c->string && c->string[0] == name[0] && !strcmp(c->string, name))
			return c;
	return NULL;
}

/* A name's value: its first part is looked up from the innermost context
 * outward, the following parts inside what was found. NULL when missing. */
static const cJSON *lookup(const struct render *r, const struct tmpl *t, const struct tnode *n)
{
	if (n->nparts == 0)
		return r->ctx[r->nctx - 1];
	const char *part = t->names + n->off;
	const cJSON *v = NULL;
	for (int i = r->nctx - 1; i >= 0 && !v; i--)
		v = member(r->ctx[i], part);
	for (int k = 1; k < n->nparts && v; k++) {
		part += strlen(part) + 1;
		v = member(v, part);
	}
	return v;
}

/* Missing, false, null, "", 0 and [] hide a section and show an inverted one. */
static int truthy(const cJSON *v)
{
	if (!v || cJSON_IsFalse(v) || cJSON_IsNull(v) || cJSON_IsInvalid(v))
		return 0;
	if (cJSON_IsString(v))
		return v->valuestring && *v->valuestring;
	if (cJSON_IsNumber(v))
		return v->valuedouble != 0;
	if (cJSON_IsArray(v))
		return v->child != NULL;
	return 1;
}

/* Strings and numbers print; booleans, null, arrays and objects do not.
 * A raw value goes in as it is: it is markup this program built with its
 * encoders, which emit valid UTF-8 (rendered Markdown was repaired by
 * md_render when it was saved). Checking an article's body again on every
 * view was 7 k of its 90 k instructions. */
static void put_value(struct buf *out, const cJSON *v, int raw)
{
	if (cJSON_IsString(v) && v->valuestring) {
		if (raw)
			buf_puts(out, v->valuestring);
		else
			html_text(out, v->valuestring);
	} else if (cJSON_IsNumber(v) && isfinite(v->valuedouble)) {
		buf_number(out, v->valuedouble);
	}
}

static int render_nodes(struct render *r, const struct tmpl *t, uint32_t from, uint32_t to);

static int render_body(struct render *r, const struct tmpl *t, uint32_t from, uint32_t to,
                       const cJSON *ctx)
{
	if (r->nctx == TMPL_CTX_MAX)
		return -1;
	r->ctx[r->nctx++] = ctx;
	int rc = render_nodes(r, t, from, to);
	r->nctx--;
	return rc;
}

static int render_nodes(struct render *r, const struct tmpl *t, uint32_t from, uint32_t to)
{
	uint32_t i = from;
	while (i < to) {
		const struct tnode *n = &t->nodes[i];
		const cJSON *v;
		switch (n->op) {
		case OP_TEXT:
			buf_put(r->out, t->text + n->off, n->len);
			i++;
			break;
		case OP_VAR:
		case OP_RAW:
			put_value(r->out, lookup(r, t, n), n->op == OP_RAW);
			i++;
			break;
		case OP_SECTION:
			v = lookup(r, t, n);
			if (cJSON_IsArray(v)) {
				for (const cJSON *item = v->child; item; item = item->next)
					if (render_body(r, t, i + 1, (uint32_t)n->arg, item) != 0)
						return -1;
			} else if (truthy(v) &&
			           render_body(r, t, i + 1, (uint32_t)n->arg, v) != 0) {
				return -1;
			}
			i = (uint32_t)n->arg;
			break;
		case OP_INVERTED:
			if (!truthy(lookup(r, t, n)) && render_nodes(r, t, i + 1, (uint32_t)n->arg))
				return -1;
			i = (uint32_t)n->arg;
			break;
		case OP_PARTIAL:
			if (n->arg < 0) {
				log_error("template %s.html:%u: no template %s.html", t->name,
				          n->line, t->names + n->off);
				return -1;
			}
			/* Why: a cycle of includes would otherwise recurse until the
			 * stack overflows. */
			if (r->depth == TMPL_INCLUDE_MAX) {
				log_error("template %s.html:%u: includes nest deeper than %d",
				          t->name, n->line, TMPL_INCLUDE_MAX);
				return -1;
			}
			const struct tmpl *sub = &r->set->v[n->arg];
			if (sub->fixed) {
				buf_put(r->out, sub->fixed, sub->nfixed);
				i++;
				break;
			}
			r->depth++;
			int rc = render_nodes(r, sub, 0, sub->nnodes);
			r->depth--;
			if (rc)
				return -1;
			i++;
			break;
		default:
			return -1;
		}
		/* Why: loops around includes can multiply output exponentially. */
		if (r->out->len - r->start > TMPL_OUT_MAX) {
			log_error("template %s.html: output over %d bytes", t->name, TMPL_OUT_MAX);
			return -1;
		}
	}
	return 0;
}

/*
 * Renders name with data appended to out. Returns 0, or -1 (and out as it
 * was) when there is no such template, an include is missing, includes nest
 * deeper than 16, or the output would pass 32 MiB.
 */
int tmpl_render(const struct tmpl_set *set, const char *name, const cJSON *data, struct buf *out)
{
	int k = name ? tmpl_find(set, name) : -1;
	if (k < 0) {
		log_error("template %s.html: no such template", name ? name : "(null)");
		return -1;
	}
	struct render r = {.set = set, .out = out, .start = out->len, .nctx = 1};
	r.ctx[0] = data;
	const struct tmpl *t = &set->v[k];
	if (render_nodes(&r, t, 0, t->nnodes) != 0) {
		out->len = r.start;
		if (out->data)
			out->data[out->len] = '\0';
		return -1;
	}
	return 0;
}
