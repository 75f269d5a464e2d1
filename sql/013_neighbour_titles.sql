-- An article page shows the titles of its newer and older neighbours in its
-- category. The category index now carries the title, so each neighbour is
-- found and named from the index alone, without reading its table row (a
-- row that is mostly body, spread over overflow pages). Same name: the
-- category lists name it in INDEXED BY.
DROP INDEX articles_public_by_category;
CREATE INDEX articles_public_by_category
	ON articles(category_id, published_at DESC, id DESC, status, deleted_at, title)
	WHERE status IN ('published', 'scheduled') AND deleted_at IS NULL;
