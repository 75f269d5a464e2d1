-- The view tally (src/tally.c): each pool counts views in memory and adds
-- them to article_views in batches. A mark is how many of one article's
-- views a pool has added so far, written in the same transaction as the
-- addition, so a batch written twice (a counter killed between its commit
-- and noting it) adds nothing the second time, and several pools (or CGI
-- processes) can count the same articles side by side. tally: the pool's
-- listen address.
CREATE TABLE view_marks (
	tally      TEXT NOT NULL,
	article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
	total      INTEGER NOT NULL,
	PRIMARY KEY (tally, article_id)
) WITHOUT ROWID;
