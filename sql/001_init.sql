-- Gazette's first schema. Times are Unix seconds (UTC) in INTEGER columns;
-- pages convert them to the site's time zone. Statuses and roles are checked
-- by the code (valid_*), not by CHECK constraints, so later migrations can add
-- values without rebuilding tables.

CREATE TABLE categories (
	id         INTEGER PRIMARY KEY,
	parent_id  INTEGER REFERENCES categories(id) ON DELETE RESTRICT,
	slug       TEXT NOT NULL UNIQUE,
	name       TEXT NOT NULL,
	position   INTEGER NOT NULL DEFAULT 0,
	created_at INTEGER NOT NULL
);
-- The menu and subcategory lists: children of a parent in order.
CREATE INDEX categories_by_parent ON categories(parent_id, position, id);
-- Categories nest two levels deep (Home > parent > category, as the
-- breadcrumb shows): a parent must itself be top-level, and a category with
-- children cannot move under another.
CREATE TRIGGER categories_depth_insert BEFORE INSERT ON categories
WHEN new.parent_id IS NOT NULL
	AND (SELECT parent_id FROM categories WHERE id = new.parent_id) IS NOT NULL
BEGIN
	SELECT RAISE(ABORT, 'categories nest two levels deep at most');
END;
CREATE TRIGGER categories_depth_update BEFORE UPDATE OF parent_id ON categories
WHEN new.parent_id IS NOT NULL
	AND ((SELECT parent_id FROM categories WHERE id = new.parent_id) IS NOT NULL
	     OR EXISTS (SELECT 1 FROM categories WHERE parent_id = new.id)
	     OR new.parent_id = new.id)
BEGIN
	SELECT RAISE(ABORT, 'categories nest two levels deep at most');
END;

CREATE TABLE users (
	id            INTEGER PRIMARY KEY,
	username      TEXT NOT NULL UNIQUE COLLATE NOCASE,
	display_name  TEXT NOT NULL DEFAULT '',
	role          TEXT NOT NULL,          -- 'editor' | 'admin'
	password_hash TEXT NOT NULL,          -- crypto_pwhash_str (Argon2id)
	disabled      INTEGER NOT NULL DEFAULT 0,
	created_at    INTEGER NOT NULL,
	updated_at    INTEGER NOT NULL
);

CREATE TABLE media (
	id         INTEGER PRIMARY KEY,
	sha256     TEXT NOT NULL UNIQUE,      -- content hash: the same file is stored once
	path       TEXT NOT NULL,             -- relative to the media dir, e.g. ab/abcd….jpg
	mime       TEXT NOT NULL,
	width      INTEGER NOT NULL DEFAULT 0,
	height     INTEGER NOT NULL DEFAULT 0,
	bytes      INTEGER NOT NULL,
	created_at INTEGER NOT NULL,
	created_by INTEGER REFERENCES users(id)
);

CREATE TABLE articles (
	id             INTEGER PRIMARY KEY,
	category_id    INTEGER NOT NULL REFERENCES categories(id),
	section_id     INTEGER,                   -- top-level category it lists under (trigger-kept)
	title          TEXT NOT NULL,
	summary        TEXT NOT NULL DEFAULT '',
	body_md        TEXT NOT NULL DEFAULT '',
	body_html      TEXT NOT NULL DEFAULT '',  -- body_md rendered at save time
	source         TEXT NOT NULL DEFAULT '',
	author         TEXT NOT NULL DEFAULT '',  -- the "Drafted by" line
	cover_media_id INTEGER REFERENCES media(id),
	status         TEXT NOT NULL DEFAULT 'draft', -- draft | scheduled | published | archived
	published_at   INTEGER,                   -- publish time; in the future when scheduled
	pinned         INTEGER NOT NULL DEFAULT 0,
	created_at     INTEGER NOT NULL,
	created_by     INTEGER REFERENCES users(id),
	updated_at     INTEGER NOT NULL,
	updated_by     INTEGER REFERENCES users(id),
	deleted_at     INTEGER                    -- soft delete
);
-- An article is public when it is published or scheduled, its time has come
-- and it is not deleted. The partial indexes below cover exactly those rows,
-- so public lists never scan drafts. Queries must repeat the WHERE clause
-- word for word for SQLite to use them.
CREATE INDEX articles_public_by_category ON articles(category_id, published_at DESC, id DESC)
	WHERE status IN ('published', 'scheduled') AND deleted_at IS NULL;
CREATE INDEX articles_public_by_section ON articles(section_id, published_at DESC, id DESC)
	WHERE status IN ('published', 'scheduled') AND deleted_at IS NULL;
CREATE INDEX articles_public_by_time ON articles(published_at DESC, id DESC)
	WHERE status IN ('published', 'scheduled') AND deleted_at IS NULL;
CREATE INDEX articles_public_pinned ON articles(pinned DESC, published_at DESC, id DESC)
	WHERE status IN ('published', 'scheduled') AND deleted_at IS NULL;
-- The editors' dashboard: everything by last change.
CREATE INDEX articles_by_update ON articles(updated_at DESC, id DESC);
CREATE INDEX articles_by_status ON articles(status, updated_at DESC);

-- An article lists under its category and under that category's parent: the
-- section. Keeping it in the row lets a parent's list page use one index
-- range however many subcategories it has.
CREATE TRIGGER articles_section_insert AFTER INSERT ON articles BEGIN
	UPDATE articles SET section_id =
		(SELECT coalesce(parent_id, id) FROM categories WHERE id = new.category_id)
	WHERE id = new.id;
END;
CREATE TRIGGER articles_section_update AFTER UPDATE OF category_id ON articles BEGIN
	UPDATE articles SET section_id =
		(SELECT coalesce(parent_id, id) FROM categories WHERE id = new.category_id)
	WHERE id = new.id;
END;
CREATE TRIGGER categories_section_move AFTER UPDATE OF parent_id ON categories BEGIN
	UPDATE articles SET section_id = coalesce(new.parent_id, new.id) WHERE category_id = new.id;
END;

-- View counts live apart from articles so that counting a view never rewrites
-- an article row (its ETag, its revision, its cache entry stay valid).
CREATE TABLE article_views (
	article_id INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
	views      INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE revisions (
	id           INTEGER PRIMARY KEY,
	article_id   INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
	title        TEXT NOT NULL,
	summary      TEXT NOT NULL,
	body_md      TEXT NOT NULL,
	source       TEXT NOT NULL,
	author       TEXT NOT NULL,
	category_id  INTEGER NOT NULL,
	status       TEXT NOT NULL,
	published_at INTEGER,
	pinned       INTEGER NOT NULL,
	created_at   INTEGER NOT NULL,
	created_by   INTEGER REFERENCES users(id)
);
CREATE INDEX revisions_by_article ON revisions(article_id, id DESC);

CREATE TABLE sessions (
	id           INTEGER PRIMARY KEY,
	token_hash   BLOB NOT NULL UNIQUE,    -- keyed hash of the cookie token; never the token
	user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
	csrf_secret  BLOB NOT NULL,
	created_at   INTEGER NOT NULL,
	last_seen_at INTEGER NOT NULL,
	expires_at   INTEGER NOT NULL,        -- absolute expiry
	address      TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_by_user ON sessions(user_id);
CREATE INDEX sessions_by_expiry ON sessions(expires_at);

CREATE TABLE login_attempts (
	id       INTEGER PRIMARY KEY,
	username TEXT NOT NULL COLLATE NOCASE,
	address  TEXT NOT NULL,
	at       INTEGER NOT NULL,
	ok       INTEGER NOT NULL
);
CREATE INDEX login_attempts_by_user ON login_attempts(username, at);
CREATE INDEX login_attempts_by_address ON login_attempts(address, at);

CREATE TABLE settings (
	key        TEXT PRIMARY KEY,
	value      TEXT NOT NULL,
	updated_at INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE audit_log (
	id          INTEGER PRIMARY KEY,
	at          INTEGER NOT NULL,
	user_id     INTEGER REFERENCES users(id),
	username    TEXT NOT NULL DEFAULT '',  -- kept as it was, even if the user is renamed
	action      TEXT NOT NULL,             -- e.g. article.publish, user.add
	object_type TEXT NOT NULL DEFAULT '',
	object_id   INTEGER,
	detail      TEXT NOT NULL DEFAULT '',
	address     TEXT NOT NULL DEFAULT ''   -- client address, or 'cli'
);
CREATE INDEX audit_log_by_time ON audit_log(at DESC);
CREATE INDEX audit_log_by_user ON audit_log(user_id, at DESC);

-- Full-text search over title and Markdown body. The trigram tokenizer matches
-- any substring of three or more characters, case-insensitively, which makes
-- Chinese text searchable without a word segmenter. External content: the
-- index stores no second copy of the text; the triggers keep it in step.
CREATE VIRTUAL TABLE articles_fts USING fts5(
	title, body_md, content='articles', content_rowid='id', tokenize='trigram');

CREATE TRIGGER articles_fts_insert AFTER INSERT ON articles BEGIN
	INSERT INTO articles_fts(rowid, title, body_md) VALUES (new.id, new.title, new.body_md);
END;
CREATE TRIGGER articles_fts_delete AFTER DELETE ON articles BEGIN
	INSERT INTO articles_fts(articles_fts, rowid, title, body_md)
		VALUES ('delete', old.id, old.title, old.body_md);
END;
CREATE TRIGGER articles_fts_update AFTER UPDATE OF title, body_md ON articles BEGIN
	INSERT INTO articles_fts(articles_fts, rowid, title, body_md)
		VALUES ('delete', old.id, old.title, old.body_md);
	INSERT INTO articles_fts(rowid, title, body_md) VALUES (new.id, new.title, new.body_md);
END;

-- The short-query index: one- and two-character terms, which trigrams cannot
-- match. Its text is gazette_ngrams(title, body) (src/search.c, registered on
-- every connection Gazette opens): CJK characters alone and in pairs, other
-- text as words. Contentless, so the triggers compute the same text again
-- to delete old entries.
CREATE VIRTUAL TABLE articles_short_fts USING fts5(
	title, body, content='', tokenize='unicode61');

CREATE TRIGGER articles_short_fts_insert AFTER INSERT ON articles BEGIN
	INSERT INTO articles_short_fts(rowid, title, body)
		VALUES (new.id, gazette_ngrams(new.title), gazette_ngrams(new.body_md));
END;
CREATE TRIGGER articles_short_fts_delete AFTER DELETE ON articles BEGIN
	INSERT INTO articles_short_fts(articles_short_fts, rowid, title, body)
		VALUES ('delete', old.id, gazette_ngrams(old.title), gazette_ngrams(old.body_md));
END;
CREATE TRIGGER articles_short_fts_update AFTER UPDATE OF title, body_md ON articles BEGIN
	INSERT INTO articles_short_fts(articles_short_fts, rowid, title, body)
		VALUES ('delete', old.id, gazette_ngrams(old.title), gazette_ngrams(old.body_md));
	INSERT INTO articles_short_fts(rowid, title, body)
		VALUES (new.id, gazette_ngrams(new.title), gazette_ngrams(new.body_md));
END;
