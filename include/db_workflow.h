/*
 * The SQL of the newsroom workflow: review steps (submit, approve, send
 * back), per-category rights of users, and the soft locks of the article
 * form. Writes expect the caller's BEGIN IMMEDIATE transaction on the
 * writable connection. Results are db_result codes.
 */
#ifndef GAZETTE_DB_WORKFLOW_H
#define GAZETTE_DB_WORKFLOW_H

#include "db_public.h"

#include <stddef.h>

struct arena;

/* One review step of an article. */
struct db_review {
	long long id, at;
	const char *username; /* who, as they were called then */
	const char *action;   /* submit | approve | send_back */
	const char *comment;
	int has_published_at; /* approve: when it goes public */
	long long published_at;
};

/* Records a review step (published_at < 0: none). */
enum db_result db_workflow_review_add(struct db *db, long long article_id, long long user_id,
                                      const char *username, const char *action, const char *comment,
                                      long long published_at, long long now);
/* The review steps of an article, newest first, at most limit, in the arena. */
enum db_result db_workflow_reviews(struct db *db, long long article_id, int limit, struct arena *a,
                                   struct db_review **out, size_t *n);

/* The category ids a user was limited to (none: every category), in the
 * arena. */
enum db_result db_workflow_rights(struct db *db, long long user_id, struct arena *a,
                                  long long **ids, size_t *n);
/* Replaces a user's category rows with ids (n 0: every category).
 * DB_NOTFOUND when an id names no category (nothing is kept then: the
 * caller rolls back). */
enum db_result db_workflow_rights_set(struct db *db, long long user_id, const long long *ids,
                                      size_t n);

/* Articles in review among categories (a JSON array of ids, or NULL for
 * all), for the menu's badge. */
enum db_result db_workflow_review_count(struct db *db, const char *categories, long long *n);

/* Records that user_id has article_id's form open now: since stays while
 * the user keeps it open (seen within stale seconds), seen_at moves. Also
 * drops locks not seen for a day. */
enum db_result db_workflow_lock_touch(struct db *db, long long article_id, long long user_id,
                                      long long now, long long stale);

/* Someone else who has the form open. */
struct db_lock {
	const char *username;
	long long since;
};
/* Other users than user_id seen on article_id's form since seen_after,
 * longest first, at most limit, in the arena. */
enum db_result db_workflow_locks(struct db *db, long long article_id, long long user_id,
                                 long long seen_after, int limit, struct arena *a,
                                 struct db_lock **out, size_t *n);

#endif
