/*
 * The SQL behind uploads (src/db_media.c): media rows by content hash and
 * the audit_log row of an upload. Results: DB_OK,
 * DB_NOTFOUND, DB_BUSY (503 with Retry-After) or DB_ERROR (500, logged),
 * as everywhere in db.h.
 */
#ifndef GAZETTE_DB_MEDIA_H
#define GAZETTE_DB_MEDIA_H

#include "db.h"
#include "media.h"

/* The media row whose content hash is sha256, copied into out. DB_NOTFOUND
 * when there is none. */
enum db_result db_media_by_sha256(struct db *db, const char *sha256, struct media_info *out);

/* The media row with this id, copied into out. */
enum db_result db_media_get(struct db *db, long long id, struct media_info *out);

/* Inserts the row for m (sha256, path, mime, width, height, bytes) created
 * at now by user_id (0: nobody, stored as NULL); *id is the new row's id.
 * Run inside db_begin_write(). */
enum db_result db_media_insert(struct db *db, const struct media_info *m, long long now,
                               long long user_id, long long *id);


#endif
