-- The site-wide and section list indexes also carry category_id. A list
-- page joins each row to its category; OFFSET skips rows after that join,
-- so without the column every skipped row read its table row just to find
-- its category (a deep page skips up to a day of rows: about 90 in a
-- section of a 1,000,000-article site). Same names: the queries name them
-- in INDEXED BY.
DROP INDEX articles_public_by_section;
DROP INDEX articles_public_by_time;
CREATE INDEX articles_public_by_section
	ON articles(section_id, published_at DESC, id DESC, status, deleted_at, category_id)
	WHERE status IN ('published', 'scheduled') AND deleted_at IS NULL;
CREATE INDEX articles_public_by_time
	ON articles(published_at DESC, id DESC, status, deleted_at, category_id)
	WHERE status IN ('published', 'scheduled') AND deleted_at IS NULL;
