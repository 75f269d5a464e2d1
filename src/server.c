/* FastCGI and CGI request loops, and binding the listening socket. */
#include "server.h"
#include "app.h"
#include "log.h"

#include <errno.h>
#include <fcgiapp.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

extern char **environ;

/* How old a snapshot a worker's public pages may read (app.h, snapshot_ms). */
enum { SERVER_SNAPSHOT_MS = 10 };

static volatile sig_atomic_t in_request, stop_requested;

/* SIGTERM/SIGINT in a worker: leave at once when idle (blocked in accept),
 * else finish the request in progress and leave after it. */
static void on_stop(int sig)
{
	(void)sig;
	if (!in_request)
		_exit(0);
	stop_requested = 1;
}

static int fcgx_read(void *ctx, char *dst, int n)
{
	return FCGX_GetStr(dst, n, ((FCGX_Request *)ctx)->in);
}

static int fcgx_write(void *ctx, const char *src, int n)
{
	return FCGX_PutStr(src, n, ((FCGX_Request *)ctx)->out);
}

int server_fcgi_loop(struct app *app, int sock)
{
	struct sigaction sa = {.sa_handler = on_stop};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN); /* a client gone mid-write is an error return, not death */

	FCGX_Init();
	FCGX_Request fr;
	if (FCGX_InitRequest(&fr, sock, 0) != 0) {
		log_error("cannot set up the FastCGI request");
		return 1;
	}
	/*
	 * Public pages share a read snapshot while requests keep coming, and
	 * none is held while waiting for one: a worker that finds nothing
	 * waiting gives it up and waits in epoll, which wakes one idle worker
	 * per request (EPOLLEXCLUSIVE), as a blocking accept did. The socket
	 * does not block in accept: when a busy worker takes the request an
	 * idle one was woken for, the idle one goes back to waiting instead
	 * of waiting in accept with a snapshot. (Accepted connections do not
	 * inherit O_NONBLOCK.)
	 */
	int flags = fcntl(sock, F_GETFL);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event want = {.events = EPOLLIN | EPOLLEXCLUSIVE};
	if (flags < 0 || fcntl(sock, F_SETFL, flags | O_NONBLOCK) < 0 || ep < 0 ||
	    epoll_ctl(ep, EPOLL_CTL_ADD, sock, &want) < 0) {
		log_error("cannot set up the listening socket: %s", strerror(errno));
		if (ep >= 0)
			close(ep);
		return 1;
	}
	app->snapshot_ms = SERVER_SNAPSHOT_MS;
	int rc = 0;
	while (!stop_requested) {
		struct pollfd next = {.fd = sock, .events = POLLIN};
		if (poll(&next, 1, 0) == 0) {
			app_idle(app);
			struct epoll_event ready;
			if (epoll_wait(ep, &ready, 1, -1) < 0 && errno != EINTR) {
				/* without this the loop would spin on the failing call */
				log_error("cannot wait for requests: %s", strerror(errno));
				rc = 1;
				break;
			}
			continue;
		}
		int got = FCGX_Accept_r(&fr);
		if (got < 0) {
			if ((got == -EAGAIN || got == -EINTR) && !stop_requested)
				continue; /* another worker took it, or a signal */
			rc = stop_requested ? 0 : 1;
			if (rc)
				log_error("FastCGI accept failed: %s", strerror(-got));
			break;
		}
		in_request = 1;
		struct http_io io = {fr.envp, fcgx_read, fcgx_write, &fr};
		app_handle(app, &io);
		FCGX_Finish_r(&fr);
		in_request = 0;
	}
	FCGX_Free(&fr, 1);
	close(ep);
	return rc;
}

static int stdio_read(void *ctx, char *dst, int n)
{
	size_t got = fread(dst, 1, (size_t)n, stdin);
	return ferror(stdin) ? -1 : (int)got;
}

static int stdio_write(void *ctx, const char *src, int n)
{
	return fwrite(src, 1, (size_t)n, stdout) == (size_t)n ? n : -1;
}

int server_cgi_once(struct app *app)
{
	struct http_io io = {environ, stdio_read, stdio_write, NULL};
	app_handle(app, &io);
	return fflush(stdout) == 0 ? 0 : 1;
}

int server_is_cgi(void)
{
	return FCGX_IsCGI();
}

static int listen_unix(const char *path, char *err, size_t errlen)
{
	struct sockaddr_un sun = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof sun.sun_path) {
		snprintf(err, errlen, "socket path too long: %s", path);
		return -1;
	}
	strcpy(sun.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -1;
	}
	/* A socket file left by a previous run that died: replace it, but never
	 * remove anything that is not a socket. */
	struct stat st;
	if (lstat(path, &st) == 0 && S_ISSOCK(st.st_mode))
		unlink(path);
	if (bind(fd, (struct sockaddr *)&sun, sizeof sun) != 0 || chmod(path, 0666) != 0 ||
	    listen(fd, 128) != 0) {
		snprintf(err, errlen, "cannot listen on %s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int listen_tcp(const char *addr, char *err, size_t errlen)
{
	const char *colon = strrchr(addr, ':');
	if (!colon || !colon[1]) {
		snprintf(err, errlen, "bad listen address %s (want unix:PATH or HOST:PORT)", addr);
		return -1;
	}
	char host[256];
	size_t hlen = (size_t)(colon - addr);
	if (hlen >= sizeof host) {
		snprintf(err, errlen, "bad listen address %s", addr);
		return -1;
	}
	memcpy(host, addr, hlen);
	host[hlen] = '\0';
	if (hlen >= 2 && host[0] == '[' && host[hlen - 1] == ']') { /* [::1]:9000 */
		memmove(host, host + 1, hlen - 2);
		host[hlen - 2] = '\0';
	}
	struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
				 .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
	struct addrinfo *res;
	int gai = getaddrinfo(host[0] ? host : NULL, colon + 1, &hints, &res);
	if (gai != 0) {
		snprintf(err, errlen, "bad listen address %s: %s", addr, gai_strerror(gai));
		return -1;
	}
	int fd = -1;
	for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd < 0)
			continue;
		int one = 1;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
		if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 128) == 0)
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		snprintf(err, errlen, "cannot listen on %s: %s", addr, strerror(errno));
	return fd;
}

int server_listen(const char *addr, char *err, size_t errlen)
{
	if (!strncmp(addr, "unix:", 5))
		return listen_unix(addr + 5, err, errlen);
	return listen_tcp(addr, err, errlen);
}
