/* The workflow's invariants below the web: the version guard in SQL (a
 * stale expect_version changes nothing, even when no C check ran first),
 * per-category rights (a top-level grant covers its subcategories, not the
 * other way round; no rows and admins: everything; an unknown category is
 * refused), article_may's table of roles and steps, and the soft lock's
 * "since" (kept while the form stays open, new after a pause). */
#include "arena.h"
#include "article_rights.h"
#include "auth.h"
#include "db.h"
#include "db_admin.h"
#include "db_editor.h"
#include "db_workflow.h"
#include "scratch_db.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct arena arena;

static long long add_category(struct db *db, const char *slug, long long parent)
{
	long long id = 0;
	CHECK(db_admin_category_add(db, slug, slug, parent, 0, 1, &id) == SQLITE_OK);
	return id;
}

static long long add_article(struct db *db, long long category, long long user)
{
	struct db_editor_article a = {.category_id = category,
	                              .title = "T",
	                              .summary = "",
	                              .body_md = "b",
	                              .body_html = "<p>b</p>",
	                              .source = "",
	                              .author = "",
	                              .status = "draft"};
	CHECK(db_editor_insert(db, &a, user, 10) == DB_OK);
	return a.id;
}

static void test_version(struct db *db, long long cat, long long user)
{
	long long id = add_article(db, cat, user);
	struct db_editor_article a;
	CHECK(db_editor_article(db, id, &arena, &a) == DB_OK);
	CHECK(a.version == 1);
	a.title = "first";
	CHECK(db_editor_update(db, &a, 1, user, 20) == DB_OK);
	CHECK(db_editor_article(db, id, &arena, &a) == DB_OK);
	CHECK(a.version == 2);
	CHECK_STR(a.title, "first");
	/* A save based on version 1 again: no row matches, nothing changes. */
	a.title = "stale";
	CHECK(db_editor_update(db, &a, 1, user, 30) == DB_NOTFOUND);
	CHECK(db_editor_article(db, id, &arena, &a) == DB_OK);
	CHECK_STR(a.title, "first");
	CHECK(a.version == 2);
	CHECK(a.updated_at == 20);
}

static void test_rights(struct db *db, long long news, long long sports, long long research,
                        long long user)
{
	struct db_category cats[] = {
	    {news, 0, "news", "news", 0},
	    {sports, news, "sports", "sports", 0},
	    {research, 0, "research", "research", 0},
	};
	struct app app;
	memset(&app, 0, sizeof app);
	app.categories = cats;
	app.ncategories = 3;
	struct auth_user editor = {.id = user, .username = "ed", .role = "editor"};
	struct auth_user admin = {.id = user, .username = "ada", .role = "admin"};
	struct article_rights r;

	CHECK(article_rights_load(&app, db, &editor, &arena, &r) == DB_OK);
	CHECK(r.all && article_rights_cover(&r, research));
	CHECK(article_rights_json(&r, &arena) == NULL);

	long long grant[] = {news};
	CHECK(db_workflow_rights_set(db, user, grant, 1) == DB_OK);
	CHECK(article_rights_load(&app, db, &editor, &arena, &r) == DB_OK);
	CHECK(!r.all);
	CHECK(article_rights_cover(&r, news));
	CHECK(article_rights_cover(&r, sports)); /* the subcategory comes with it */
	CHECK(!article_rights_cover(&r, research));
	CHECK_STR(article_rights_json(&r, &arena), "[1,2]");
	CHECK(article_rights_load(&app, db, &admin, &arena, &r) == DB_OK);
	CHECK(r.all); /* admins are never limited */

	long long sub[] = {sports, sports};
	CHECK(db_workflow_rights_set(db, user, sub, 2) == DB_OK); /* repeated: one right */
	CHECK(article_rights_load(&app, db, &editor, &arena, &r) == DB_OK);
	CHECK(article_rights_cover(&r, sports));
	CHECK(!article_rights_cover(&r, news)); /* a subcategory gives not its parent */
	CHECK(r.n == 1);

	long long bad[] = {research, 999};
	CHECK(db_workflow_rights_set(db, user, bad, 2) == DB_NOTFOUND);
	CHECK(db_workflow_rights_set(db, user, NULL, 0) == DB_OK);
	CHECK(article_rights_load(&app, db, &editor, &arena, &r) == DB_OK);
	CHECK(r.all);

	/* article_may: the roles and steps. */
	long long author_id;
	CHECK(db_admin_user_add(db, "al", "", "author", "x", 1, &author_id) == SQLITE_OK);
	struct auth_user author = {.id = author_id, .username = "al", .role = "author"};
	struct article_subject own_draft = {research, author_id, "draft"};
	struct article_subject own_review = {research, author_id, "in_review"};
	struct article_subject other = {research, user, "draft"};
	const char *why, *field;
	CHECK(article_may(&app, db, &author, &own_draft, ARTICLE_EDIT, &why, &field) == 0);
	CHECK(article_may(&app, db, &author, &own_draft, ARTICLE_SUBMIT, &why, &field) == 0);
	CHECK(article_may(&app, db, &author, &own_draft, ARTICLE_PUBLISH, &why, &field) == 403);
	CHECK(field && !strcmp(field, "status") && strstr(why, "may not publish"));
	CHECK(article_may(&app, db, &author, &own_draft, ARTICLE_REVIEW, &why, &field) == 403);
	CHECK(article_may(&app, db, &author, &own_review, ARTICLE_EDIT, &why, &field) == 403);
	CHECK(article_may(&app, db, &author, &own_review, ARTICLE_VIEW, &why, &field) == 0);
	CHECK(article_may(&app, db, &author, &other, ARTICLE_EDIT, &why, &field) == 403);
	CHECK(article_may(&app, db, &author, &other, ARTICLE_DELETE, &why, &field) == 403);
	CHECK(article_may(&app, db, &author, &other, ARTICLE_VIEW, &why, &field) == 0);
	CHECK(article_may(&app, db, &editor, &other, ARTICLE_PUBLISH, &why, &field) == 0);
	CHECK(article_may(&app, db, &editor, &own_review, ARTICLE_REVIEW, &why, &field) == 0);
	/* An unknown role gets no more than an author. */
	struct auth_user odd = {.id = author_id, .username = "al", .role = "chief"};
	CHECK(article_may(&app, db, &odd, &own_draft, ARTICLE_PUBLISH, &why, &field) == 403);
	/* Rights come before roles: an editor outside their categories. */
	CHECK(db_workflow_rights_set(db, user, grant, 1) == DB_OK);
	CHECK(article_may(&app, db, &editor, &other, ARTICLE_VIEW, &why, &field) == 403);
	CHECK(field && !strcmp(field, "category"));
	struct article_subject in_sports = {sports, user, "draft"};
	CHECK(article_may(&app, db, &editor, &in_sports, ARTICLE_PUBLISH, &why, &field) == 0);
	CHECK(article_may(&app, db, &admin, &other, ARTICLE_PUBLISH, &why, &field) == 0);
	CHECK(article_may(&app, db, NULL, &other, ARTICLE_VIEW, &why, &field) == 403);
	CHECK(db_workflow_rights_set(db, user, NULL, 0) == DB_OK);
	arena_free(&app.arena);
}

static void test_locks(struct db *db, long long cat, long long ed, long long eve)
{
	long long id = add_article(db, cat, ed);
	struct db_lock *l;
	size_t n;
	CHECK(db_workflow_lock_touch(db, id, ed, 1000, 120) == DB_OK);
	CHECK(db_workflow_lock_touch(db, id, ed, 1090, 120) == DB_OK); /* still open */
	CHECK(db_workflow_locks(db, id, eve, 1090 - 120, 5, &arena, &l, &n) == DB_OK);
	CHECK(n == 1 && l[0].since == 1000 && !strcmp(l[0].username, "ed"));
	CHECK(db_workflow_locks(db, id, ed, 1090 - 120, 5, &arena, &l, &n) == DB_OK);
	CHECK(n == 0); /* one's own lock is not shown to oneself */
	CHECK(db_workflow_locks(db, id, eve, 1090 + 1, 5, &arena, &l, &n) == DB_OK);
	CHECK(n == 0); /* not seen recently: no longer "being edited" */
	CHECK(db_workflow_lock_touch(db, id, ed, 2000, 120) == DB_OK); /* back after a pause */
	CHECK(db_workflow_locks(db, id, eve, 2000 - 120, 5, &arena, &l, &n) == DB_OK);
	CHECK(n == 1 && l[0].since == 2000);
	/* A day later the old row is gone. */
	CHECK(db_workflow_lock_touch(db, id, eve, 2000 + 86401, 120) == DB_OK);
	CHECK(db_workflow_locks(db, id, eve, 0, 5, &arena, &l, &n) == DB_OK);
	CHECK(n == 0);
}

int main(void)
{
	char path[700];
	struct db *db = scratch_db_open("test_workflow", path, sizeof path);
	if (!db)
		return check_done("test_workflow");
	long long ed, eve;
	CHECK(db_admin_user_add(db, "ed", "", "editor", "x", 1, &ed) == SQLITE_OK);
	CHECK(db_admin_user_add(db, "eve", "", "editor", "x", 1, &eve) == SQLITE_OK);
	long long news = add_category(db, "news", 0);
	long long sports = add_category(db, "sports", news);
	long long research = add_category(db, "research", 0);
	test_version(db, research, ed);
	test_rights(db, news, sports, research, ed);
	test_locks(db, research, ed, eve);
	long long n = -1;
	CHECK(db_workflow_review_count(db, NULL, &n) == DB_OK && n == 0);
	scratch_db_remove(db, path);
	arena_free(&arena);
	return check_done("test_workflow");
}
