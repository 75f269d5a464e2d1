-- Search checks that each of its newest matches is public. In the table row,
-- status, published_at and deleted_at come after the bodies, so reading them
-- walks a few overflow pages per article; this index answers by id alone and
-- covers every column the check reads. Queries name it (INDEXED BY) and
-- repeat its WHERE clause word for word.
CREATE INDEX articles_public_ids ON articles(id, published_at, status, deleted_at)
	WHERE status IN ('published', 'scheduled') AND deleted_at IS NULL;
