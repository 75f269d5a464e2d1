-- The newsroom workflow (issue 9): review by editors, per-category rights,
-- and the edit-conflict guard. Statuses gain 'in_review' and roles gain
-- 'author' (checked by the code, as before: no CHECK constraints).

-- Every save adds one (in the same UPDATE ... WHERE version = ?), so a save
-- based on an older copy of the article is recognised and refused.
ALTER TABLE articles ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

-- The review history of an article: an author submits, an editor approves
-- (publish now or at a time) or sends back with a comment the author sees.
CREATE TABLE article_reviews (
	id           INTEGER PRIMARY KEY,
	article_id   INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
	at           INTEGER NOT NULL,
	user_id      INTEGER REFERENCES users(id),
	username     TEXT NOT NULL DEFAULT '',  -- kept as it was, like audit_log
	action       TEXT NOT NULL,             -- submit | approve | send_back
	comment      TEXT NOT NULL DEFAULT '',
	published_at INTEGER                    -- approve: when it goes public
);
CREATE INDEX article_reviews_by_article ON article_reviews(article_id, id DESC);

-- The review queue: articles in review, by when they were last submitted.
CREATE INDEX articles_in_review ON articles(updated_at DESC, id DESC)
	WHERE status = 'in_review' AND deleted_at IS NULL;

-- Per-category rights of authors and editors. No row for a user: every
-- category. A row for a top-level category covers its subcategories.
CREATE TABLE user_categories (
	user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	category_id INTEGER NOT NULL REFERENCES categories(id) ON DELETE CASCADE,
	PRIMARY KEY (user_id, category_id)
) WITHOUT ROWID;

-- Soft locks: who has an article's form open (the form records it when it
-- is shown, and the page's script every minute while it stays open). A lock
-- never blocks a save; the form only says "being edited by X since T".
CREATE TABLE article_locks (
	article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
	user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	since      INTEGER NOT NULL,
	seen_at    INTEGER NOT NULL,
	PRIMARY KEY (article_id, user_id)
) WITHOUT ROWID;
CREATE INDEX article_locks_by_seen ON article_locks(seen_at);
