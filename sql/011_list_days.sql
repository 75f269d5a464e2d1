-- Where a list's deep pages begin, kept by triggers, so that page N of a
-- category skips at most one day of index entries instead of (N-1)*20.
-- One row per list and UTC day (published_at / 86400) holding at least one
-- public article of the list (the rule of list_counts: published or
-- scheduled, not deleted, whatever the time): n = its articles that day,
-- older = its articles on earlier days. The lists are the ones with numbered
-- pages: 'site' (id 0: the API, the sitemap's chunks), 'section' and
-- 'category' (id: the category). src/db_public.c seeks the day holding a
-- page's first row (list_days_seek) and starts the page query at its end;
-- gazette check compares the table with a fresh computation.
CREATE TABLE list_days (
	kind  TEXT NOT NULL,
	id    INTEGER NOT NULL,
	day   INTEGER NOT NULL,
	n     INTEGER NOT NULL,
	older INTEGER NOT NULL,
	PRIMARY KEY (kind, id, day)
) WITHOUT ROWID;
-- older grows with day, so this finds the day of the Pth-oldest article in
-- one descent; n rides along so the seek never visits the table.
CREATE INDEX list_days_seek ON list_days(kind, id, older, n);

INSERT INTO list_days(kind, id, day, n, older)
	SELECT kind, id, day, n, sum(n) OVER (PARTITION BY kind, id ORDER BY day) - n
	FROM (SELECT 'site' AS kind, 0 AS id, published_at / 86400 AS day, count(*) AS n
	      FROM articles
	      WHERE status IN ('published', 'scheduled') AND deleted_at IS NULL
		AND published_at IS NOT NULL
	      GROUP BY day
	      UNION ALL
	      SELECT 'section', section_id, published_at / 86400 AS day, count(*)
	      FROM articles
	      WHERE status IN ('published', 'scheduled') AND deleted_at IS NULL
		AND published_at IS NOT NULL AND section_id IS NOT NULL
	      GROUP BY section_id, day
	      UNION ALL
	      SELECT 'category', category_id, published_at / 86400 AS day, count(*)
	      FROM articles
	      WHERE status IN ('published', 'scheduled') AND deleted_at IS NULL
		AND published_at IS NOT NULL
	      GROUP BY category_id, day);

-- An article leaves its day in the lists it was in and joins its day in the
-- lists it is in now; the later days of each list move by one. Every step is
-- arithmetic on "older = the n of the earlier days", so the steps commute: a
-- leave that runs before its join (articles_section_insert fills a new row's
-- section_id with an UPDATE, which list_days_update sees, and triggers of
-- one event run newest first) makes a row of n = -1 that the join brings
-- back. Rows whose n is 0 go at the end. A new day is normally the newest,
-- so "later days" is usually no row at all.
CREATE TRIGGER list_days_insert AFTER INSERT ON articles
WHEN new.status IN ('published', 'scheduled') AND new.deleted_at IS NULL
	AND new.published_at IS NOT NULL
BEGIN
	INSERT OR IGNORE INTO list_days(kind, id, day, n, older)
		SELECT s.column1, s.column2, new.published_at / 86400, 0,
			coalesce((SELECT d.older + d.n FROM list_days d
				  WHERE d.kind = s.column1 AND d.id = s.column2
					AND d.day < new.published_at / 86400
				  ORDER BY d.day DESC LIMIT 1), 0)
		FROM (VALUES ('site', 0), ('section', new.section_id),
			     ('category', new.category_id)) s
		WHERE s.column2 IS NOT NULL;
	UPDATE list_days SET n = n + 1
	WHERE (kind = 'site' AND id = 0 AND day = new.published_at / 86400)
		OR (kind = 'section' AND id = new.section_id AND day = new.published_at / 86400)
		OR (kind = 'category' AND id = new.category_id AND day = new.published_at / 86400);
	UPDATE list_days SET older = older + 1
	WHERE (kind = 'site' AND id = 0 AND day > new.published_at / 86400)
		OR (kind = 'section' AND id = new.section_id AND day > new.published_at / 86400)
		OR (kind = 'category' AND id = new.category_id AND day > new.published_at / 86400);
	DELETE FROM list_days
	WHERE n = 0 AND ((kind = 'site' AND id = 0 AND day = new.published_at / 86400)
		OR (kind = 'section' AND id = new.section_id AND day = new.published_at / 86400)
		OR (kind = 'category' AND id = new.category_id AND day = new.published_at / 86400));
END;

CREATE TRIGGER list_days_update AFTER UPDATE ON articles
WHEN (old.status IS NOT new.status OR old.deleted_at IS NOT new.deleted_at
	OR old.category_id IS NOT new.category_id OR old.section_id IS NOT new.section_id
	OR old.published_at IS NOT new.published_at)
	AND ((old.status IN ('published', 'scheduled') AND old.deleted_at IS NULL
	      AND old.published_at IS NOT NULL)
	     OR (new.status IN ('published', 'scheduled') AND new.deleted_at IS NULL
		 AND new.published_at IS NOT NULL))
BEGIN
	-- leave
	INSERT OR IGNORE INTO list_days(kind, id, day, n, older)
		SELECT s.column1, s.column2, old.published_at / 86400, 0,
			coalesce((SELECT d.older + d.n FROM list_days d
				  WHERE d.kind = s.column1 AND d.id = s.column2
					AND d.day < old.published_at / 86400
				  ORDER BY d.day DESC LIMIT 1), 0)
		FROM (VALUES ('site', 0), ('section', old.section_id),
			     ('category', old.category_id)) s
		WHERE s.column2 IS NOT NULL AND old.status IN ('published', 'scheduled')
			AND old.deleted_at IS NULL AND old.published_at IS NOT NULL;
	UPDATE list_days SET n = n - 1
	WHERE old.status IN ('published', 'scheduled') AND old.deleted_at IS NULL
		AND ((kind = 'site' AND id = 0 AND day = old.published_at / 86400)
		     OR (kind = 'section' AND id = old.section_id
			 AND day = old.published_at / 86400)
		     OR (kind = 'category' AND id = old.category_id
			 AND day = old.published_at / 86400));
	UPDATE list_days SET older = older - 1
	WHERE old.status IN ('published', 'scheduled') AND old.deleted_at IS NULL
		AND ((kind = 'site' AND id = 0 AND day > old.published_at / 86400)
		     OR (kind = 'section' AND id = old.section_id
			 AND day > old.published_at / 86400)
		     OR (kind = 'category' AND id = old.category_id
			 AND day > old.published_at / 86400));
	-- join
	INSERT OR IGNORE INTO list_days(kind, id, day, n, older)
		SELECT s.column1, s.column2, new.published_at / 86400, 0,
			coalesce((SELECT d.older + d.n FROM list_days d
				  WHERE d.kind = s.column1 AND d.id = s.column2
					AND d.day < new.published_at / 86400
				  ORDER BY d.day DESC LIMIT 1), 0)
		FROM (VALUES ('site', 0), ('section', new.section_id),
			     ('category', new.category_id)) s
		WHERE s.column2 IS NOT NULL AND new.status IN ('published', 'scheduled')
			AND new.deleted_at IS NULL AND new.published_at IS NOT NULL;
	UPDATE list_days SET n = n + 1
	WHERE new.status IN ('published', 'scheduled') AND new.deleted_at IS NULL
		AND ((kind = 'site' AND id = 0 AND day = new.published_at / 86400)
		     OR (kind = 'section' AND id = new.section_id
			 AND day = new.published_at / 86400)
		     OR (kind = 'category' AND id = new.category_id
			 AND day = new.published_at / 86400));
	UPDATE list_days SET older = older + 1
	WHERE new.status IN ('published', 'scheduled') AND new.deleted_at IS NULL
		AND ((kind = 'site' AND id = 0 AND day > new.published_at / 86400)
		     OR (kind = 'section' AND id = new.section_id
			 AND day > new.published_at / 86400)
		     OR (kind = 'category' AND id = new.category_id
			 AND day > new.published_at / 86400));
	DELETE FROM list_days
	WHERE n = 0 AND ((kind = 'site' AND id = 0 AND day = old.published_at / 86400)
		OR (kind = 'section' AND id = old.section_id AND day = old.published_at / 86400)
		OR (kind = 'category' AND id = old.category_id AND day = old.published_at / 86400)
		OR (kind = 'site' AND id = 0 AND day = new.published_at / 86400)
		OR (kind = 'section' AND id = new.section_id AND day = new.published_at / 86400)
		OR (kind = 'category' AND id = new.category_id
		    AND day = new.published_at / 86400));
END;

CREATE TRIGGER list_days_delete AFTER DELETE ON articles
WHEN old.status IN ('published', 'scheduled') AND old.deleted_at IS NULL
	AND old.published_at IS NOT NULL
BEGIN
	UPDATE list_days SET n = n - 1
	WHERE (kind = 'site' AND id = 0 AND day = old.published_at / 86400)
		OR (kind = 'section' AND id = old.section_id AND day = old.published_at / 86400)
		OR (kind = 'category' AND id = old.category_id AND day = old.published_at / 86400);
	UPDATE list_days SET older = older - 1
	WHERE (kind = 'site' AND id = 0 AND day > old.published_at / 86400)
		OR (kind = 'section' AND id = old.section_id AND day > old.published_at / 86400)
		OR (kind = 'category' AND id = old.category_id AND day > old.published_at / 86400);
	DELETE FROM list_days
	WHERE n = 0 AND ((kind = 'site' AND id = 0 AND day = old.published_at / 86400)
		OR (kind = 'section' AND id = old.section_id AND day = old.published_at / 86400)
		OR (kind = 'category' AND id = old.category_id AND day = old.published_at / 86400));
END;
