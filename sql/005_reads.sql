-- Views per article and day (issue 9): the public "most read this week" lists.
--
-- day is the UTC day of the view: Unix seconds / 86400, days since
-- 1970-01-01. UTC rather than the site's time zone so that a bucket never
-- changes meaning when an admin changes the zone, and "this week" (the last
-- seven days, today included) is off from a local week by hours at most.
CREATE TABLE article_views_daily (
	article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
	day        INTEGER NOT NULL,
	views      INTEGER NOT NULL,
	PRIMARY KEY (article_id, day)
) WITHOUT ROWID;
-- "Top N by views over the last D days": one range of this index holds the
-- buckets of those days (each entry carries the primary key, so the article
-- is at hand without reading the row). Only a new bucket (an article's first
-- view of a day) writes it; counting into an existing one does not.
CREATE INDEX article_views_daily_by_day ON article_views_daily(day);

-- The bucket moves with the total in the same statement, so whatever counts
-- a view (the pool's view counter, a plain CGI) and however it batches
-- (views = views + k), a bucket and its total never disagree, even for a
-- moment, and a rolled-back count rolls back both. The first rows that
-- article_save and import create hold 0 views: no bucket for them.
CREATE TRIGGER article_views_daily_insert AFTER INSERT ON article_views
WHEN new.views > 0
BEGIN
	INSERT INTO article_views_daily(article_id, day, views)
		VALUES (new.article_id, unixepoch() / 86400, new.views)
		ON CONFLICT(article_id, day) DO UPDATE SET views = views + excluded.views;
END;
CREATE TRIGGER article_views_daily_update AFTER UPDATE OF views ON article_views
WHEN new.views > old.views
BEGIN
	INSERT INTO article_views_daily(article_id, day, views)
		VALUES (new.article_id, unixepoch() / 86400, new.views - old.views)
		ON CONFLICT(article_id, day) DO UPDATE SET views = views + excluded.views;
END;
