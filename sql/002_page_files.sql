-- Public pages are also kept as files that nginx serves without asking the
-- application (src/keeper.c writes them). Every change that can alter a
-- public page leaves a row here, from whatever writes it (web, CLI, import):
-- the keeper reads the rows in order and rewrites the pages they touch.
CREATE TABLE page_changes (
	id           INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: a watermark
	kind         TEXT NOT NULL,     -- 'article' or 'site' (menu, settings: every page)
	article_id   INTEGER,
	category_id  INTEGER,           -- 'article': the category it was in before the change
	published_at INTEGER            -- 'article': its publish time before the change
);

CREATE TRIGGER page_changes_article_insert AFTER INSERT ON articles BEGIN
	INSERT INTO page_changes(kind, article_id) VALUES ('article', new.id);
END;
CREATE TRIGGER page_changes_article_update AFTER UPDATE ON articles
WHEN old.title IS NOT new.title OR old.summary IS NOT new.summary
	OR old.body_html IS NOT new.body_html OR old.source IS NOT new.source
	OR old.author IS NOT new.author OR old.cover_media_id IS NOT new.cover_media_id
	OR old.status IS NOT new.status OR old.published_at IS NOT new.published_at
	OR old.pinned IS NOT new.pinned OR old.category_id IS NOT new.category_id
	OR old.deleted_at IS NOT new.deleted_at
BEGIN
	INSERT INTO page_changes(kind, article_id, category_id, published_at)
		VALUES ('article', new.id, old.category_id, old.published_at);
END;
CREATE TRIGGER page_changes_article_delete AFTER DELETE ON articles BEGIN
	INSERT INTO page_changes(kind, article_id, category_id, published_at)
		VALUES ('article', old.id, old.category_id, old.published_at);
END;

CREATE TRIGGER page_changes_category_insert AFTER INSERT ON categories BEGIN
	INSERT INTO page_changes(kind) VALUES ('site');
END;
CREATE TRIGGER page_changes_category_update AFTER UPDATE ON categories BEGIN
	INSERT INTO page_changes(kind) VALUES ('site');
END;
CREATE TRIGGER page_changes_category_delete AFTER DELETE ON categories BEGIN
	INSERT INTO page_changes(kind) VALUES ('site');
END;
CREATE TRIGGER page_changes_setting_insert AFTER INSERT ON settings BEGIN
	INSERT INTO page_changes(kind) VALUES ('site');
END;
CREATE TRIGGER page_changes_setting_update AFTER UPDATE ON settings BEGIN
	INSERT INTO page_changes(kind) VALUES ('site');
END;
CREATE TRIGGER page_changes_setting_delete AFTER DELETE ON settings BEGIN
	INSERT INTO page_changes(kind) VALUES ('site');
END;
