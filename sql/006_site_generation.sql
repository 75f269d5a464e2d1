-- Workers keep the site's settings, labels and menu in memory and must know
-- when to rebuild them. PRAGMA data_version changes on every commit, and a
-- busy site commits a view count many times a second; this number changes
-- only when something every page shows changes (the 'site' page changes).
CREATE TABLE site_generation (
	id INTEGER PRIMARY KEY,
	n  INTEGER NOT NULL
);
INSERT INTO site_generation(id, n) VALUES (1, 1);

CREATE TRIGGER site_generation_bump AFTER INSERT ON page_changes
WHEN new.kind = 'site'
BEGIN
	UPDATE site_generation SET n = n + 1 WHERE id = 1;
END;
