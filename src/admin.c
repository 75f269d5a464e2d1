/* Users, categories and settings changed from the web. */
#include "admin.h"
#include "auth.h"
#include "auth_password.h"
#include "db_admin.h"
#include "db_auth.h"
#include "db_workflow.h"
#include "settings.h"
#include "valid.h"

#include <string.h>
#include <time.h>

static int refuse(struct article_error *err, const char *field, const char *message)
{
	err->field = field;
	err->message = message;
	return 422;
}

/* Maps an SQLite code to a status; constraint failures mean a taken name. */
static int status_of(int rc)
{
	if (rc == SQLITE_OK)
		return 0;
	if ((rc & 0xff) == SQLITE_CONSTRAINT)
		return 409;
	return db_is_busy(rc) ? 503 : 500;
}

/* Commits after an audit row, or rolls back; returns the final status. */
static int finish(struct app *app, struct http_req *req, int status, const char *action,
		  const char *type, long long id, const char *detail)
{
	struct db *w = app->dbw;
	if (status == 0 &&
	    db_auth_audit(w, req->user->id, req->user->username, action, type, id, detail,
			  req->remote_addr, (long long)time(NULL)) != DB_OK)
		status = 500;
	if (status == 0 && db_commit(w) != SQLITE_OK)
		status = 503;
	if (status)
		db_rollback(w);
	return status;
}

/* Replaces a user's category rights in the caller's transaction: 0, 422
 * (an id that names no category), 503 or 500. */
static int set_categories(struct db *w, long long user_id, const struct admin_user_input *in,
			  struct article_error *err)
{
	enum db_result r = db_workflow_rights_set(w, user_id, in->categories, in->ncategories);
	if (r == DB_NOTFOUND) {
		err->field = "categories";
		err->message = "categories must be ids of existing categories";
		return 422;
	}
	return r == DB_OK ? 0 : r == DB_BUSY ? 503 : 500;
}

int admin_user_save(struct app *app, struct http_req *req, long long id,
		    const struct admin_user_input *in, long long *new_id, struct article_error *err)
{
	if (!id && (!in->username || !valid_username(in->username)))
		return refuse(err, "username", "username must be 1-64 letters, digits, '.', '_' or '-'");
	if ((!id || in->role) && !valid_role(in->role))
		return refuse(err, "role", "role must be author, editor or admin");
	if (in->set_categories && in->ncategories > 10000)
		return refuse(err, "categories", "categories must be a list of at most 10000 ids");
	if (in->display_name && !valid_line(in->display_name, 100))
		return refuse(err, "display_name", "display name must be one line of at most 100 characters");
	/* Why: an admin who disables their own account or drops their own
	 * admin role could leave the site without any admin; another admin
	 * must do it, so there is always one left who can. */
	if (id && req->user && id == req->user->id) {
		if (in->disabled == 1)
			return refuse(err, "disabled", "you cannot disable your own account: another admin must do it");
		if (in->role && strcmp(in->role, "admin") && !strcmp(req->user->role, "admin"))
			return refuse(err, "role", "you cannot remove your own admin role: another admin must do it");
	}
	const char *why = NULL;
	if ((!id || in->password) &&
	    !auth_password_acceptable(in->password ? in->password : "",
				      in->password ? strlen(in->password) : 0, &why))
		return refuse(err, "password", why);
	struct db *w = app_writer(app);
	if (!w)
		return 500;
	long long now = (long long)time(NULL);
	char hash[crypto_pwhash_STRBYTES];
	if (!id && auth_password_hash(in->password, strlen(in->password), hash) != 0)
		return 500;
	if (db_begin_write(w) != SQLITE_OK)
		return 503;
	int status = 0;
	if (!id) {
		status = status_of(db_admin_user_add(w, in->username, in->display_name ? in->display_name : "",
						     in->role, hash, now, new_id));
		if (!status && in->set_categories)
			status = set_categories(w, *new_id, in, err);
		return finish(app, req, status, "user.add", "user", *new_id, in->username) ?: 201;
	}
	int rc = db_admin_user_exists(w, id);
	status = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? 404 : status_of(rc);
	if (!status && (in->role || in->display_name))
		status = status_of(db_admin_user_update(w, id, in->role, in->display_name, now));
	if (!status && in->disabled >= 0) {
		int n;
		status = status_of(db_admin_user_set_disabled(w, id, in->disabled, now));
		/* Why: a disabled account must lose its open sessions at once. */
		if (!status && in->disabled)
			status = status_of(db_admin_sessions_revoke(w, id, &n));
	}
	if (!status && in->password) {
		enum auth_result ar = auth_set_password(app, id, in->password, strlen(in->password), 0);
		status = ar == AUTH_OK ? 0 : ar == AUTH_BUSY ? 503 : 500;
	}
	if (!status && in->set_categories)
		status = set_categories(w, id, in, err);
	return finish(app, req, status, "user.update", "user", id,
		      in->set_categories ? "categories" : "") ?: 200;
}

int admin_category_save(struct app *app, struct http_req *req, long long id, const char *slug,
			const char *name, const char *parent, long long position, long long *new_id,
			struct article_error *err)
{
	if (!id && !valid_slug(slug))
		return refuse(err, "slug", "slug must be 1-64 of a-z, 0-9 and '-'");
	if (!name || !*name || !valid_line(name, 100))
		return refuse(err, "name", "name must be one line of 1 to 100 characters");
	if (parent && *parent && !valid_slug(parent))
		return refuse(err, "parent", "parent must be the slug of a top-level category");
	if (position < 0 || position > 1000000)
		return refuse(err, "position", "position must be 0 to 1000000");
	struct db *w = app_writer(app);
	if (!w)
		return 500;
	if (db_begin_write(w) != SQLITE_OK)
		return 503;
	long long parent_id = 0;
	int status = 0;
	if (parent && *parent) {
		int rc = db_admin_category_top(w, parent, &parent_id);
		if (rc == SQLITE_DONE || parent_id == id) {
			db_rollback(w);
			return refuse(err, "parent", "parent must be the slug of another top-level category");
		}
		status = rc == SQLITE_ROW ? 0 : status_of(rc);
	}
	long long now = (long long)time(NULL);
	int rc = SQLITE_OK;
	if (!status && !id)
		rc = db_admin_category_add(w, slug, name, parent_id, position, now, new_id);
	else if (!status) {
		rc = db_admin_category_update(w, id, name, parent_id, position);
		if (rc == SQLITE_OK && sqlite3_changes(w->h) == 0)
			status = 404;
	}
	if (rc == SQLITE_CONSTRAINT_TRIGGER) {
		db_rollback(w);
		return refuse(err, "parent", "categories nest two levels deep at most");
	}
	if (!status)
		status = status_of(rc);
	return finish(app, req, status, id ? "category.update" : "category.add", "category",
		      id ? id : *new_id, name) ?: (id ? 200 : 201);
}

int admin_setting_set(struct app *app, struct http_req *req, const char *key, const char *value,
		      struct article_error *err)
{
	const char *why = settings_check(key, value);
	if (why)
		return refuse(err, key, why);
	struct db *w = app_writer(app);
	if (!w)
		return 500;
	if (db_begin_write(w) != SQLITE_OK)
		return 503;
	int status = status_of(db_admin_setting_set(w, key, value, (long long)time(NULL)));
	return finish(app, req, status, "setting.set", "setting", 0, key) ?: 200;
}

int admin_own_password(struct app *app, struct http_req *req, const char *current,
		       const char *password, struct article_error *err)
{
	const char *why = NULL;
	if (!auth_password_acceptable(password, strlen(password), &why))
		return refuse(err, "password", why);
	struct db *w = app_writer(app);
	if (!w)
		return 500;
	struct db_login_user u;
	enum db_result r = db_auth_user(w, req->user->username, req->arena, &u);
	if (r != DB_OK)
		return r == DB_BUSY ? 503 : 500;
	if (!auth_password_verify(u.password_hash, current, strlen(current)))
		return 403;
	if (db_begin_write(w) != SQLITE_OK)
		return 503;
	enum auth_result ar = auth_set_password(app, u.id, password, strlen(password), req->session_id);
	int status = ar == AUTH_OK ? 0 : ar == AUTH_BUSY ? 503 : 500;
	return finish(app, req, status, "user.password", "user", u.id, "") ?: 200;
}
