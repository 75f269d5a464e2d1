-- The public list indexes also carry status and deleted_at. Their WHERE
-- clause already guarantees both, but SQLite still read each row to test the
-- query's own copy of those terms; with the columns in the index, paging and
-- counting read the index alone (a middle page of a 12,000-article section:
-- 1.1 ms -> 0.3 ms; its count 1.6 ms -> 0.8 ms). Same names: the queries
-- name them in INDEXED BY.
DROP INDEX articles_public_by_category;
DROP INDEX articles_public_by_section;
DROP INDEX articles_public_by_time;
DROP INDEX articles_public_pinned;
CREATE INDEX articles_public_by_category
	ON articles(category_id, published_at DESC, id DESC, status, deleted_at)
	WHERE status IN ('published', 'scheduled') AND deleted_at IS NULL;
CREATE INDEX articles_public_by_section
	ON articles(section_id, published_at DESC, id DESC, status, deleted_at)
	WHERE status IN ('published', 'scheduled') AND deleted_at IS NULL;
CREATE INDEX articles_public_by_time
	ON articles(published_at DESC, id DESC, status, deleted_at)
	WHERE status IN ('published', 'scheduled') AND deleted_at IS NULL;
CREATE INDEX articles_public_pinned
	ON articles(pinned DESC, published_at DESC, id DESC, status, deleted_at)
	WHERE status IN ('published', 'scheduled') AND deleted_at IS NULL;
