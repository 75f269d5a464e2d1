-- How many articles each public list holds, kept by triggers, so a category
-- page's page count is one row read, not a walk over the whole category. A
-- row counts the articles whose status is public (published or scheduled,
-- not deleted) whatever their time: the queries subtract the few scheduled
-- ones whose time has not come, found at the front of the same index.
-- kind: 'site' (id 0), 'pinned' (id 0), 'section' and 'category' (id: the
-- category). gazette check compares these with a fresh count.
CREATE TABLE list_counts (
	kind TEXT NOT NULL,
	id   INTEGER NOT NULL,
	n    INTEGER NOT NULL,
	PRIMARY KEY (kind, id)
) WITHOUT ROWID;

INSERT INTO list_counts(kind, id, n)
	SELECT 'site', 0, count(*) FROM articles
	WHERE status IN ('published', 'scheduled') AND deleted_at IS NULL;
INSERT INTO list_counts(kind, id, n)
	SELECT 'pinned', 0, count(*) FROM articles
	WHERE pinned = 1 AND status IN ('published', 'scheduled') AND deleted_at IS NULL;
INSERT INTO list_counts(kind, id, n)
	SELECT 'section', section_id, count(*) FROM articles
	WHERE section_id IS NOT NULL AND status IN ('published', 'scheduled') AND deleted_at IS NULL
	GROUP BY section_id;
INSERT INTO list_counts(kind, id, n)
	SELECT 'category', category_id, count(*) FROM articles
	WHERE status IN ('published', 'scheduled') AND deleted_at IS NULL
	GROUP BY category_id;

-- An article leaves the lists it was in and joins the ones it is in now.
-- (A new row's section_id is filled by an UPDATE from articles_section_insert,
-- which the update trigger sees.)
CREATE TRIGGER list_counts_insert AFTER INSERT ON articles
WHEN new.status IN ('published', 'scheduled') AND new.deleted_at IS NULL
BEGIN
	INSERT OR IGNORE INTO list_counts(kind, id, n) VALUES ('category', new.category_id, 0);
	UPDATE list_counts SET n = n + 1
	WHERE (kind = 'site' AND id = 0) OR (kind = 'pinned' AND id = 0 AND new.pinned = 1)
		OR (kind = 'category' AND id = new.category_id);
END;

CREATE TRIGGER list_counts_update AFTER UPDATE ON articles
WHEN old.status IS NOT new.status OR old.deleted_at IS NOT new.deleted_at
	OR old.pinned IS NOT new.pinned OR old.category_id IS NOT new.category_id
	OR old.section_id IS NOT new.section_id
BEGIN
	UPDATE list_counts SET n = n - 1
	WHERE old.status IN ('published', 'scheduled') AND old.deleted_at IS NULL
		AND ((kind = 'site' AND id = 0) OR (kind = 'pinned' AND id = 0 AND old.pinned = 1)
		     OR (kind = 'section' AND id = old.section_id)
		     OR (kind = 'category' AND id = old.category_id));
	INSERT OR IGNORE INTO list_counts(kind, id, n) VALUES ('category', new.category_id, 0);
	INSERT OR IGNORE INTO list_counts(kind, id, n)
		SELECT 'section', new.section_id, 0 WHERE new.section_id IS NOT NULL;
	UPDATE list_counts SET n = n + 1
	WHERE new.status IN ('published', 'scheduled') AND new.deleted_at IS NULL
		AND ((kind = 'site' AND id = 0) OR (kind = 'pinned' AND id = 0 AND new.pinned = 1)
		     OR (kind = 'section' AND id = new.section_id)
		     OR (kind = 'category' AND id = new.category_id));
END;

CREATE TRIGGER list_counts_delete AFTER DELETE ON articles
WHEN old.status IN ('published', 'scheduled') AND old.deleted_at IS NULL
BEGIN
	UPDATE list_counts SET n = n - 1
	WHERE (kind = 'site' AND id = 0) OR (kind = 'pinned' AND id = 0 AND old.pinned = 1)
		OR (kind = 'section' AND id = old.section_id)
		OR (kind = 'category' AND id = old.category_id);
END;
