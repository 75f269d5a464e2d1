/*
 * Line diffs of two texts (an article's revisions against its current
 * text), for editors to read: which lines were kept, removed and added, as
 * runs ("hunks"), and the same rendered as an HTML table.
 *
 * The comparison is Myers' O((N+M)D) algorithm in linear space, so it finds
 * a shortest edit script. Its work is bounded so that no text can hold a
 * worker's CPU: over max_lines lines on a side, more than max_edits line
 * edits, or more than max_work steps, and the diff falls back to "the whole
 * old text removed, the whole new text added", which the result and its
 * HTML say.
 *
 * Lines are split at LF; a CR before the LF belongs to the line ending, so
 * CRLF and LF texts compare alike. Whether the text ends with a line break
 * is not part of its last line: it is reported on its own (eol_differs).
 * Bytes are compared as they are; invalid UTF-8 is the renderer's problem,
 * and html.h turns it into U+FFFD.
 */
#ifndef GAZETTE_DIFF_H
#define GAZETTE_DIFF_H

#include "buf.h"

#include <stdbool.h>
#include <stddef.h>

enum diff_op { DIFF_EQUAL, DIFF_DELETE, DIFF_INSERT };

/* count lines that share a fate: old lines a_start… (EQUAL, DELETE) and new
 * lines b_start… (EQUAL, INSERT), 0-based. Between two EQUAL hunks come at
 * most one DELETE and then one INSERT. */
struct diff_hunk {
	enum diff_op op;
	size_t a_start, b_start, count;
};

/* A line without its ending, pointing into the compared text. */
struct diff_line {
	const char *s;
	size_t len;
};

enum diff_fallback {
	DIFF_EXACT = 0,     /* a shortest line edit script */
	DIFF_TOO_LONG,      /* a text has more than max_lines lines (and they differ) */
	DIFF_TOO_DIFFERENT, /* more than max_edits edits, or max_work spent */
};

struct diff_limits {
	size_t max_lines; /* per text */
	size_t max_edits; /* deleted plus inserted lines */
	size_t max_work;  /* steps of the search (diagonals tried and lines compared) */
};

/* The defaults diff_lines uses when given no limits: a few tens of
 * milliseconds of CPU at most. */
enum {
	DIFF_MAX_LINES = 20000,
	DIFF_MAX_EDITS = 4000,
	DIFF_MAX_WORK = 20000000,
};

struct diff {
	const char *a, *b; /* the texts compared (not owned) */
	size_t alen, blen;
	struct diff_line *la, *lb; /* their lines (NULL when one is over max_lines) */
	size_t na, nb;
	struct diff_hunk *hunks; /* in text order; on a fallback one DELETE and one INSERT */
	size_t nhunks;
	size_t deleted, inserted; /* lines */
	enum diff_fallback fallback;
	bool eol_differs; /* one text ends with a line break, the other does not */
};

/*
 * Compares text a (old) with text b (new), alen and blen bytes (NUL bytes
 * are ordinary bytes), within limits (NULL: the defaults). Fills *d, which
 * points into a and b: they must outlive it. Never fails (memory
 * exhaustion aborts, see buf.h). Free with diff_free().
 */
void diff_lines(struct diff *d, const char *a, size_t alen, const char *b, size_t blen,
                const struct diff_limits *limits);
/* Releases what diff_lines allocated; *d is empty afterwards. */
void diff_free(struct diff *d);
/* True when the line contents are the same (eol_differs aside). */
bool diff_same(const struct diff *d);

/* The words of the rendering, in the page's language. */
struct diff_labels {
	const char *old_col, *new_col; /* column heads: line numbers of each text */
	const char *text_col;          /* column head of the lines */
	const char *unchanged;         /* after a number: "unchanged lines" */
	const char *identical;         /* no line differs */
	const char *too_long;          /* the TOO_LONG fallback explained */
	const char *too_different;     /* the TOO_DIFFERENT fallback explained */
	const char *eol;               /* the final line break differs */
};

/*
 * Appends d as HTML to out: a <table class="diff"> with one row per line
 * (class diff-eq, diff-del with <del>, diff-ins with <ins>), line numbers of
 * both texts, and runs of unchanged lines longer than 2 * context + 1 cut
 * to context lines on each side of a change and a diff-gap row. Every piece
 * of text goes through html_textn. A fallback renders its note and the two
 * whole texts as <pre><del>…</del></pre> and <pre><ins>…</ins></pre>.
 */
void diff_html(struct buf *out, const struct diff *d, const struct diff_labels *labels,
               size_t context);

#endif
