-- The lists on the pages (home, category pages) show each article's title
-- and date. The site, section and pinned list indexes now carry the title,
-- as the category index does (013), so a page of a list is read from its
-- index alone: the table rows, mostly body, are not read, and a deep page
-- of a large site costs no more disk reads than page 1. Same names: the
-- queries name them in INDEXED BY.
DROP INDEX articles_public_by_section;
DROP INDEX articles_public_by_time;
DROP INDEX articles_public_pinned;
CREATE INDEX articles_public_by_section
	ON articles(section_id, published_at DESC, id DESC, status, deleted_at, category_id, title)
	WHERE status IN ('published', 'scheduled') AND deleted_at IS NULL;
CREATE INDEX articles_public_by_time
	ON articles(published_at DESC, id DESC, status, deleted_at, category_id, title)
	WHERE status IN ('published', 'scheduled') AND deleted_at IS NULL;
CREATE INDEX articles_public_pinned
	ON articles(pinned DESC, published_at DESC, id DESC, status, deleted_at, category_id, title)
	WHERE status IN ('published', 'scheduled') AND deleted_at IS NULL;
