/* The view tally (tally.h): counts in a shared file mapping, written in batches. */
#include "tally.h"
#include "buf.h"
#include "db_public.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

/* One article's count. A slot is in use when id is not 0; id is written
 * last, so a process killed while filling a slot leaves it empty. */
struct slot {
	int64_t id;
	int64_t born;    /* the article's created_at: an id reused after a delete is another */
	int64_t total;   /* views this pool counted, ever (its mark when written) */
	int64_t stored;  /* how many of them the database holds */
	int64_t base;    /* the article's views from elsewhere, at the last check */
	int64_t touched; /* time of the last view */
	int64_t checked; /* second in which the article was last seen public */
	int64_t listed;  /* its id is in the dirty list */
};

#define TALLY_MAGIC 0x677a74616c6c7901ULL /* "gztally" and a version */

struct head {
	uint64_t magic;
	uint32_t nslots;
	uint32_t pending; /* set by a view, cleared by the counter as it collects */
	uint32_t used;    /* slots in use (recounted by every sweep) */
	uint32_t ndirty;
	int64_t swept;    /* the second of the last sweep */
	pthread_mutex_t lock;
	int64_t dirty[TALLY_SLOTS]; /* ids of slots with counts to write (rebuilt by a sweep) */
};

struct tally {
	char key[256]; /* the pool's listen address: its marks in view_marks */
	struct head *head;
	struct slot *slots;
	size_t size;
	int fd;    /* the file, flock'ed: one pool per database */
	int event; /* eventfd: views are waiting */
};

static struct tally *shared;

struct tally *tally_shared(void)
{
	return shared;
}

void tally_share(struct tally *t)
{
	shared = t;
}

/* Takes the lock. A holder that died held it between single stores (slot.id
 * is written last), so the table is whole and is declared consistent. */
static void lock(struct tally *t)
{
	if (pthread_mutex_lock(&t->head->lock) == EOWNERDEAD)
		pthread_mutex_consistent(&t->head->lock);
}

static void unlock(struct tally *t)
{
	pthread_mutex_unlock(&t->head->lock);
}

static size_t home(int64_t id)
{
	return (size_t)(((uint64_t)id * 0x9E3779B97F4A7C15ULL) >> (64 - TALLY_BITS));
}

/* The slot of id, or the empty slot where it would go (linear probing;
 * the table is never full of ids: tally_view refuses the last slot). */
static struct slot *find(struct tally *t, int64_t id)
{
	for (size_t i = home(id);; i = (i + 1) & (TALLY_SLOTS - 1))
		if (t->slots[i].id == id || t->slots[i].id == 0)
			return &t->slots[i];
}

/* Removes slot i and moves later slots of its probe run back into the
 * gap, so that find() still reaches every id. Each move writes id last: a
 * process killed midway leaves at worst a stale duplicate behind the live
 * slot, and writing its lower total adds nothing (db_view_add's mark). */
static void drop(struct tally *t, size_t i)
{
	for (size_t j = i;;) {
		j = (j + 1) & (TALLY_SLOTS - 1);
		if (t->slots[j].id == 0)
			break;
		size_t k = home(t->slots[j].id);
		/* an entry whose home lies cyclically in (i, j] stays */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		struct slot *to = &t->slots[i], *from = &t->slots[j];
		to->born = from->born;
		to->total = from->total;
		to->stored = from->stored;
		to->base = from->base;
		to->touched = from->touched;
		to->checked = from->checked;
		to->listed = from->listed;
		to->id = from->id;
		i = j;
	}
	t->slots[i].id = 0;
	t->head->used--;
}

static size_t used(const struct tally *t)
{
	size_t n = 0;
	for (size_t i = 0; i < TALLY_SLOTS; i++)
		n += t->slots[i].id != 0;
	return n;
}

/* Writes every unwritten count through a connection of its own. */
static int write_all(struct tally *t, const char *db_path)
{
	char err[256];
	struct db *w = db_open(db_path, 0, err, sizeof err);
	if (!w) {
		log_error("view tally: %s", err);
		return -1;
	}
	int rc = 0;
	while (rc >= 0) {
		rc = tally_flush(t, w, 0);
		if (rc == 0)
			break;
	}
	db_close(w);
	return rc < 0 ? -1 : 0;
}

static void init_lock(struct tally *t)
{
	pthread_mutexattr_t a;
	pthread_mutexattr_init(&a);
	pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&t->head->lock, &a);
	pthread_mutexattr_destroy(&a);
}

static void init_head(struct tally *t)
{
	memset(t->head, 0, t->size);
	init_lock(t);
	t->head->nslots = TALLY_SLOTS;
	t->head->magic = TALLY_MAGIC;
}

struct tally *tally_open(const char *db_path, const char *listen, char *err, size_t errlen)
{
	/* One file per pool (its listen address), beside the database. */
	uint64_t h = 1469598103934665603ULL;
	for (const char *p = listen; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	char path[1100];
	snprintf(path, sizeof path, "%s-views-%016llx", db_path, (unsigned long long)h);
	struct tally *t = xcalloc(1, sizeof *t);
	snprintf(t->key, sizeof t->key, "%s", listen);
	t->size = sizeof(struct head) + TALLY_SLOTS * sizeof(struct slot);
	t->fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
	t->event = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (t->fd < 0 || t->event < 0) {
		snprintf(err, errlen, "view tally %s: %s", path, strerror(errno));
		goto fail;
	}
	/* Why: two pools on one database would each think the table theirs. */
	if (flock(t->fd, LOCK_EX | LOCK_NB) != 0) {
		snprintf(err, errlen, "view tally %s: another pool listens on %s", path, listen);
		goto fail;
	}
	struct stat st;
	bool fresh = fstat(t->fd, &st) != 0 || (size_t)st.st_size != t->size;
	if (fresh && ftruncate(t->fd, (off_t)t->size) != 0) {
		snprintf(err, errlen, "view tally %s: %s", path, strerror(errno));
		goto fail;
	}
	void *m = mmap(NULL, t->size, PROT_READ | PROT_WRITE, MAP_SHARED, t->fd, 0);
	if (m == MAP_FAILED) {
		snprintf(err, errlen, "view tally %s: %s", path, strerror(errno));
		goto fail;
	}
	t->head = m;
	t->slots = (struct slot *)(t->head + 1);
	if (fresh || t->head->magic != TALLY_MAGIC || t->head->nslots != TALLY_SLOTS) {
		init_head(t);
		return t;
	}
	/* What the last pool counted and could not write (it was killed).
	 * Its lock may have died held; we alone use the file now (flock). */
	size_t left = used(t);
	init_lock(t);
	if (left && write_all(t, db_path) != 0) {
		snprintf(err, errlen, "view tally %s: cannot write the counts left by the last run",
			 path);
		goto fail;
	}
	if (left)
		log_info("view tally: wrote the counts of %zu articles left by the last run", left);
	init_head(t);
	return t;
fail:
	if (t->head)
		munmap(t->head, t->size);
	if (t->fd >= 0)
		close(t->fd);
	if (t->event >= 0)
		close(t->event);
	free(t);
	return NULL;
}

void tally_close(struct tally *t, const char *db_path)
{
	if (!t)
		return;
	write_all(t, db_path);
	munmap(t->head, t->size);
	close(t->fd);
	close(t->event);
	if (shared == t)
		shared = NULL;
	free(t);
}

int tally_wait_fd(const struct tally *t)
{
	return t->event;
}

/* Adds the view to s (locked), unlocks, and wakes the counter if it sleeps.
 * Returns the article's count: views from elsewhere and this pool's. */
static long long count(struct tally *t, struct slot *s, long long now)
{
	s->total++;
	s->touched = now;
	if (!s->listed && t->head->ndirty < TALLY_SLOTS) {
		t->head->dirty[t->head->ndirty++] = s->id;
		s->listed = 1;
	}
	long long views = s->base + s->total;
	uint32_t was = t->head->pending;
	t->head->pending = 1;
	unlock(t);
	if (!was) {
		uint64_t one = 1;
		if (write(t->event, &one, sizeof one) < 0 && errno != EAGAIN)
			log_error("view tally: cannot wake the counter: %s", strerror(errno));
	}
	return views;
}

enum db_result tally_view(struct tally *t, struct db *db, long long id, long long now,
			  long long *views)
{
	lock(t);
	struct slot *s = find(t, id);
	/* An article seen public this second is taken as public: a busy
	 * article costs one database read a second, not one a view, and an
	 * unpublished one stops counting within that second. */
	if (s->id == id && s->checked == now) {
		*views = count(t, s, now);
		return DB_OK;
	}
	/* The check reads under the lock, so the mark it reads and the views
	 * it reads belong together (the counter writes both in one commit,
	 * and notes it under this lock). */
	struct db_view_base b;
	enum db_result r = db_view_base(db, t->key, id, now, &b);
	if (r == DB_OK && s->id == 0 && t->head->used >= TALLY_SLOTS * 3 / 4)
		r = DB_BUSY; /* full until the counter writes and lets slots go */
	if (r != DB_OK) {
		unlock(t);
		return r;
	}
	if (s->id == 0 || s->born != b.born) {
		if (s->id == 0)
			t->head->used++;
		s->born = b.born;
		s->total = s->stored = b.mark;
		s->listed = 0;
		s->id = id;
	}
	s->base = b.views - b.mark;
	s->checked = now;
	*views = count(t, s, now);
	return DB_OK;
}

long long tally_current(struct tally *t, long long id, long long stored)
{
	lock(t);
	const struct slot *s = find(t, id);
	long long v = s->id && s->base + s->total > stored ? s->base + s->total : stored;
	unlock(t);
	return v;
}

/* Once a second (and on every call at start and stop, now 0): recounts the
 * slots in use, rebuilds the dirty list from the slots themselves (so a
 * process killed while listing cannot leave a count unwritten) and lets go
 * of slots written and idle, so the table holds what is being read. */
static void sweep(struct tally *t, long long now)
{
	struct head *h = t->head;
	h->ndirty = 0;
	for (size_t i = 0; i < TALLY_SLOTS; i++) {
		struct slot *s = &t->slots[i];
		if (s->id && s->total == s->stored && (now == 0 || s->touched < now - TALLY_IDLE_SECONDS))
			drop(t, i--);
	}
	h->used = 0;
	for (size_t i = 0; i < TALLY_SLOTS; i++) {
		struct slot *s = &t->slots[i];
		h->used += s->id != 0;
		s->listed = s->id && s->total != s->stored;
		if (s->listed)
			h->dirty[h->ndirty++] = s->id;
	}
	h->swept = now;
}

/* Puts the slot of id back on the dirty list if it has counts to write. */
static void relist(struct tally *t, int64_t id)
{
	struct slot *s = find(t, id);
	if (s->id == id && !s->listed && s->total != s->stored &&
	    t->head->ndirty < TALLY_SLOTS) {
		t->head->dirty[t->head->ndirty++] = id;
		s->listed = 1;
	}
}

int tally_flush(struct tally *t, struct db *w, long long now)
{
	static struct slot batch[TALLY_BATCH];
	size_t n = 0;
	uint64_t drain;
	if (read(t->event, &drain, sizeof drain) < 0 && errno != EAGAIN)
		log_error("view tally: %s", strerror(errno));
	lock(t);
	t->head->pending = 0;
	if (now == 0 || now != t->head->swept)
		sweep(t, now);
	while (n < TALLY_BATCH && t->head->ndirty > 0) {
		int64_t id = t->head->dirty[--t->head->ndirty];
		struct slot *s = find(t, id);
		if (s->id != id || !s->listed)
			continue;
		s->listed = 0;
		if (s->total != s->stored)
			batch[n++] = *s;
	}
	unlock(t);
	if (!n)
		return 0;

	int rc = db_begin_write(w);
	enum db_result r = rc == SQLITE_OK ? DB_OK : DB_BUSY;
	for (size_t i = 0; i < n && r == DB_OK; i++)
		r = db_view_add(w, t->key, batch[i].id, batch[i].born, batch[i].total);
	if (r != DB_OK || db_commit(w) != SQLITE_OK) {
		db_rollback(w);
		lock(t);
		for (size_t i = 0; i < n; i++)
			relist(t, batch[i].id);
		unlock(t);
		log_error("view tally: writing %zu counts failed; they stay for the next try", n);
		return -1;
	}
	lock(t);
	for (size_t i = 0; i < n; i++) {
		struct slot *s = find(t, batch[i].id);
		if (s->id == batch[i].id && s->born == batch[i].born && s->stored < batch[i].total)
			s->stored = batch[i].total;
	}
	unlock(t);
	return (int)n;
}
