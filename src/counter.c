/* The view counter: group commit of view counts for the pool's workers. */
#include "counter.h"
#include "app.h"
#include "log.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

enum {
	MAX_CLIENTS = 512,   /* workers connected at once */
	REPLY_TIMEOUT_S = 5, /* a worker waits this long for its answer, then 503 */
};

/* What travels on the socket, both ways, in the machine's byte order. */
struct view_msg {
	int64_t id;    /* request: the article; answer: the same */
	int64_t value; /* request: the time; answer: the new count */
	int64_t result; /* answer: an enum db_result */
};

/* The socket's name in the abstract namespace, unique to one pool: the
 * master's pid. Nothing on disk to clean up or to protect. */
static socklen_t counter_addr(struct sockaddr_un *sa, pid_t master)
{
	memset(sa, 0, sizeof *sa);
	sa->sun_family = AF_UNIX;
	int n = snprintf(sa->sun_path + 1, sizeof sa->sun_path - 1, "gazette-views-%d", (int)master);
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
}

/* --- the worker's side ------------------------------------------------------- */

static int counter_fd = -1;

static int counter_connect(void)
{
	struct sockaddr_un sa;
	socklen_t len = counter_addr(&sa, getppid());
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	struct timeval tv = {.tv_sec = REPLY_TIMEOUT_S};
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
	if (connect(fd, (struct sockaddr *)&sa, len) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

enum db_result counter_view(struct app *app, long long id, long long now, long long *views)
{
	if (counter_fd < 0)
		counter_fd = counter_connect();
	if (counter_fd < 0) {
		/* No counter in this deployment: count it here, as durably. */
		struct db *w = app_writer(app);
		return w ? db_article_view(w, id, now, views) : DB_ERROR;
	}
	struct view_msg m = {.id = id, .value = now};
	if (send(counter_fd, &m, sizeof m, MSG_NOSIGNAL) != (ssize_t)sizeof m ||
	    recv(counter_fd, &m, sizeof m, 0) != (ssize_t)sizeof m || m.id != id) {
		/* The counter went away or is stuck: whether this view was
		 * counted is unknown, so the visitor is asked to try again rather
		 * than counted twice. The next call connects anew. */
		log_error("view counter did not answer: %s", strerror(errno));
		close(counter_fd);
		counter_fd = -1;
		return DB_BUSY;
	}
	*views = m.value;
	return (enum db_result)m.result;
}

/* --- the counter process ---------------------------------------------------- */

static volatile sig_atomic_t stopping;

static void on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

struct pending {
	int fd;
	struct view_msg m;
};

/* Counts every pending view in one transaction and answers them all. */
static void commit_batch(struct db *w, struct pending *batch, size_t n)
{
	int rc = db_begin_write(w);
	for (size_t i = 0; i < n; i++) {
		long long views = 0;
		enum db_result r = rc == SQLITE_OK
			? db_article_view(w, batch[i].m.id, batch[i].m.value, &views)
			: DB_BUSY;
		batch[i].m.value = views;
		batch[i].m.result = r;
	}
	if (rc == SQLITE_OK && db_commit(w) != SQLITE_OK) {
		db_rollback(w);
		for (size_t i = 0; i < n; i++)
			batch[i].m.result = DB_BUSY; /* nothing of it was stored */
	}
	for (size_t i = 0; i < n; i++)
		send(batch[i].fd, &batch[i].m, sizeof batch[i].m, MSG_NOSIGNAL | MSG_DONTWAIT);
}

int counter_run(struct app *app)
{
	struct sigaction sa = {.sa_handler = on_stop};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	struct db *w = app_writer(app);
	/* A view is answered once its commit is in the WAL: no process dying
	 * can lose it, while an fsync per batch would cap the site at one
	 * batch per disk flush (a libfcgi worker waits for each answer). */
	if (w && db_sync_normal(w) != SQLITE_OK)
		w = NULL;
	struct sockaddr_un addr;
	socklen_t len = counter_addr(&addr, getppid());
	int lfd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (!w || lfd < 0 || bind(lfd, (struct sockaddr *)&addr, len) != 0 || listen(lfd, 128) != 0) {
		log_error("view counter: cannot listen: %s", strerror(errno));
		return 1;
	}
	static struct pollfd fds[MAX_CLIENTS + 1];
	static struct pending batch[MAX_CLIENTS];
	nfds_t nfds = 1;
	fds[0] = (struct pollfd){.fd = lfd, .events = POLLIN};
	log_info("view counter: ready");
	while (!stopping) {
		if (poll(fds, nfds, 1000) < 0)
			continue; /* EINTR: look at stopping */
		if ((fds[0].revents & POLLIN) && nfds <= MAX_CLIENTS) {
			int c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
			if (c >= 0)
				fds[nfds++] = (struct pollfd){.fd = c, .events = POLLIN};
		}
		/* Every view that has arrived goes into this one transaction. A
		 * worker has at most one view outstanding (it waits for the
		 * answer), so one message per connection is all there is. */
		size_t n = 0;
		for (nfds_t i = 1; i < nfds; i++) {
			if (!(fds[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			struct view_msg m;
			ssize_t got = recv(fds[i].fd, &m, sizeof m, MSG_DONTWAIT);
			if (got == (ssize_t)sizeof m) {
				batch[n++] = (struct pending){fds[i].fd, m};
			} else if (got == 0 || (got < 0 && errno != EAGAIN)) {
				close(fds[i].fd); /* the worker is gone */
				fds[i--] = fds[--nfds];
			}
		}
		if (n)
			commit_batch(w, batch, n);
	}
	for (nfds_t i = 0; i < nfds; i++)
		close(fds[i].fd);
	return 0;
}
