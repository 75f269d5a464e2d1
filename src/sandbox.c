/* Dropping root and the seccomp filters of the pool's processes (sandbox.h). */
#include "sandbox.h"
#include "config.h"
#include "http.h"
#include "log.h"
#include "page.h"

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <seccomp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_UNDEFINED__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(undefined_behavior_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

/*
 * The calls each role makes once set up, found with `strace -f -c` over the
 * integration tests' workload (every tests/..._test.py through nginx). SCMP_SYS of a
 * call the machine does not have (open on arm64) is negative and skipped.
 * mmap, mprotect, ioctl and tgkill are added with argument checks in
 * add_checked().
 */
/* clang-format off */
static const int every_role[] = {
	/* memory: malloc (brk, large blocks in their own mappings that grow
	 * with mremap and are given back with madvise), SQLite's page cache */
	SCMP_SYS(brk), SCMP_SYS(munmap), SCMP_SYS(mremap), SCMP_SYS(madvise),
	/* signals: the stop handlers, SIGPIPE ignored, abort() */
	SCMP_SYS(rt_sigaction), SCMP_SYS(rt_sigprocmask), SCMP_SYS(rt_sigreturn),
	SCMP_SYS(restart_syscall),
	/* leaving */
	SCMP_SYS(exit), SCMP_SYS(exit_group),
	/* time: log lines, sessions, the keeper's tick (the vDSO answers most;
	 * the calls are there when it does not, as under valgrind) */
	SCMP_SYS(clock_gettime), SCMP_SYS(gettimeofday), SCMP_SYS(time),
	SCMP_SYS(clock_nanosleep), SCMP_SYS(nanosleep),
	/* identity: log lines (pid), SQLite (euid: whether to hand new WAL
	 * files to the database's owner) */
	SCMP_SYS(getpid), SCMP_SYS(gettid), SCMP_SYS(getuid), SCMP_SYS(geteuid),
	/* glibc's internal locks; the view tally's process-shared mutex */
	SCMP_SYS(futex),
	/* SQLite: the database, its WAL and shared-memory index (reads,
	 * writes, POSIX locks with fcntl, syncs, truncating and removing the
	 * WAL, fchown of a new WAL when root); templates, time zone files and
	 * libmagic's database are opened and read the same way; stderr */
	SCMP_SYS(read), SCMP_SYS(write), SCMP_SYS(pread64), SCMP_SYS(pwrite64),
	SCMP_SYS(lseek), SCMP_SYS(close), SCMP_SYS(open), SCMP_SYS(openat),
	SCMP_SYS(fstat), SCMP_SYS(newfstatat), SCMP_SYS(stat), SCMP_SYS(lstat),
	SCMP_SYS(access), SCMP_SYS(faccessat), SCMP_SYS(readlink), SCMP_SYS(getcwd),
	SCMP_SYS(fcntl), SCMP_SYS(ftruncate), SCMP_SYS(fsync), SCMP_SYS(fdatasync),
	SCMP_SYS(unlink), SCMP_SYS(fchown),
};

static const int worker_only[] = {
	/* FastCGI (libfcgi): connections accepted on the inherited socket,
	 * answered and closed */
	SCMP_SYS(accept), SCMP_SYS(accept4), SCMP_SYS(poll), SCMP_SYS(shutdown),
	/* waiting for the next request, one idle worker woken (server.c) */
	SCMP_SYS(epoll_create1), SCMP_SYS(epoll_ctl), SCMP_SYS(epoll_wait), SCMP_SYS(epoll_pwait),
	/* uploads (media.h: directories, temporary file, fchmod, rename) and
	 * the session key (link makes its creation atomic) */
	SCMP_SYS(mkdir), SCMP_SYS(chmod), SCMP_SYS(fchmod), SCMP_SYS(rename), SCMP_SYS(link),
	/* libsodium: session tokens, CSRF tokens, password salts */
	SCMP_SYS(getrandom),
};

static const int keeper_only[] = {
	/* page files: directories, temporary files renamed into place */
	SCMP_SYS(mkdir), SCMP_SYS(rename),
	/* the old page tree is removed by `rm -rf` in a child (fork, exec);
	 * the filter stays on across exec, so rm's own start-up (the dynamic
	 * loader, thread set-up, stack limit, random seed) and its walk
	 * (fstatfs, getdents64, unlinkat) are allowed here too */
	SCMP_SYS(clone), SCMP_SYS(execve), SCMP_SYS(arch_prctl), SCMP_SYS(set_tid_address),
	SCMP_SYS(set_robust_list), SCMP_SYS(rseq), SCMP_SYS(prlimit64), SCMP_SYS(getrandom),
	SCMP_SYS(fstatfs), SCMP_SYS(getdents64), SCMP_SYS(unlinkat),
};

static const int counter_only[] = {
	/* waiting on the view tally's eventfd (tally.h) */
	SCMP_SYS(poll),
};

/* What the sanitizers' runtimes call when they report (stack unwinding,
 * /proc/self/maps, symbolizing): only in a sanitizer build. */
static const int sanitizer_only[] = {
	SCMP_SYS(sched_yield), SCMP_SYS(getrlimit), SCMP_SYS(prlimit64), SCMP_SYS(sigaltstack),
	SCMP_SYS(readlinkat), SCMP_SYS(getdents64), SCMP_SYS(prctl), SCMP_SYS(mincore),
	SCMP_SYS(uname),
};
/* clang-format on */

struct call_group {
	const int *calls;
	size_t n;
};
#define GROUP(a) ((struct call_group){a, sizeof a / sizeof a[0]})

/* The groups of role, and how many there are. */
static size_t groups_of(enum sandbox_role role, struct call_group out[3])
{
	size_t n = 0;
	out[n++] = GROUP(every_role);
	if (role == SANDBOX_WORKER)
		out[n++] = GROUP(worker_only);
	else if (role == SANDBOX_KEEPER)
		out[n++] = GROUP(keeper_only);
	else
		out[n++] = GROUP(counter_only);
	if (SANITIZED)
		out[n++] = GROUP(sanitizer_only);
	return n;
}

/* The calls allowed only with some arguments (mmap, mprotect, ioctl for the
 * keeper, tgkill). No pool process opens a socket: the workers' is
 * inherited. Returns 0, or a negative errno. */
static int add_checked(scmp_filter_ctx ctx, enum sandbox_role role)
{
	int rc = 0;
	if (role == SANDBOX_KEEPER) {
		/* The loader maps rm's code executable. */
		rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 0);
		rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 0);
		/* rm asks whether stdin is a terminal, nothing else. */
		rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
		                       SCMP_A1(SCMP_CMP_EQ, TCGETS, 0));
	} else {
		/* Why: no new executable memory, so injected bytes cannot be run
		 * as code; nothing in a worker loads code once set up. */
		rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mmap), 1,
		                       SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
		rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(mprotect), 1,
		                       SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0));
	}
	/* abort() and raise() signal this process, never another. */
	rc |= seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(tgkill), 1,
	                       SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)getpid(), 0));
	return rc ? -EINVAL : 0;
}

size_t sandbox_allowed(enum sandbox_role role)
{
	struct call_group g[3];
	size_t ng = groups_of(role, g), count = 0;
	int seen[192];
	for (size_t i = 0; i < ng; i++) {
		for (size_t j = 0; j < g[i].n; j++) {
			bool dup = g[i].calls[j] < 0;
			for (size_t k = 0; k < count && !dup; k++)
				dup = seen[k] == g[i].calls[j];
			if (!dup && count < sizeof seen / sizeof seen[0])
				seen[count++] = g[i].calls[j];
		}
	}
	return count + (role == SANDBOX_KEEPER ? 4 : 3); /* add_checked's, in no group */
}

int sandbox_enter(enum sandbox_role role)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!ctx) {
		log_error("sandbox: cannot create a seccomp filter");
		return -1;
	}
	struct call_group g[3];
	size_t ng = groups_of(role, g);
	int rc = 0;
	for (size_t i = 0; i < ng && rc == 0; i++)
		for (size_t j = 0; j < g[i].n && rc == 0; j++)
			if (g[i].calls[j] >= 0) /* a call this machine has */
				rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, g[i].calls[j], 0);
	if (rc == 0)
		rc = add_checked(ctx, role);
	/* libseccomp sets no_new_privs first: no setuid program run after
	 * this could gain what the filter takes away. */
	if (rc == 0)
		rc = seccomp_load(ctx);
	seccomp_release(ctx);
	if (rc != 0) {
		log_error("sandbox: cannot install the seccomp filter: %s", strerror(-rc));
		return -1;
	}
	return 0;
}

int sandbox_sanitized(void)
{
	return SANITIZED;
}

/* --- leaving root ---------------------------------------------------------------- */

static int fail(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* The directory part of path ("." when it has none). */
static void parent_of(const char *path, char *out, size_t outlen)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		snprintf(out, outlen, ".");
	else
		snprintf(out, outlen, "%.*s", slash == path ? 1 : (int)(slash - path), path);
}

/* Whether the account we now are can create and rename files in dir, or in
 * its parent when dir does not exist yet (the keeper and uploads make it). */
static bool dir_writable(const char *dir)
{
	char parent[CONFIG_PATH_MAX];
	if (!dir[0])
		return true;
	if (access(dir, F_OK) != 0) {
		parent_of(dir, parent, sizeof parent);
		dir = parent;
	}
	return access(dir, W_OK | X_OK) == 0;
}

/* After the switch: what the pool writes must be writable by the account. */
static int check_writable(const struct config *cfg, const char *name, char *err, size_t errlen)
{
	char dbdir[CONFIG_PATH_MAX];
	parent_of(cfg->db, dbdir, sizeof dbdir);
	const char *bad = access(cfg->db, R_OK | W_OK) != 0 ? cfg->db
	                  : !dir_writable(dbdir)            ? dbdir
	                  : !dir_writable(cfg->media_dir)   ? cfg->media_dir
	                  : !dir_writable(cfg->pages_dir)   ? cfg->pages_dir
	                                                    : NULL;
	if (bad)
		return fail(err, errlen,
		            "the pool runs as %s, who cannot write %s: give the data directory to "
		            "that account (chown -R %s DIR) or set user",
		            name, bad, name);
	return 0;
}

int sandbox_drop_root(const struct config *cfg, char *err, size_t errlen)
{
	const struct passwd *pw = NULL;
	if (cfg->user[0] && !(pw = getpwnam(cfg->user)))
		return fail(err, errlen, "user %s: no such account", cfg->user);
	if (geteuid() != 0) {
		/* Why refuse: the admin asked for an account we cannot become;
		 * running as another one would surprise them. */
		if (pw && pw->pw_uid != geteuid())
			return fail(err, errlen,
			            "user = %s: only a pool started as root can switch accounts "
			            "(this one runs as uid %d)",
			            cfg->user, (int)geteuid());
		return 0;
	}
	uid_t uid;
	gid_t gid;
	if (pw) {
		uid = pw->pw_uid;
		gid = pw->pw_gid;
	} else {
		/* The account that owns the database is the one that must write
		 * it: running as it needs no setting and no chown. */
		struct stat st;
		if (stat(cfg->db, &st) != 0)
			return fail(err, errlen, "cannot stat %s: %s", cfg->db, strerror(errno));
		uid = st.st_uid;
		pw = getpwuid(uid);
		gid = pw ? pw->pw_gid : st.st_gid;
	}
	if (uid == 0)
		return 1;
	char name[64];
	if (pw)
		snprintf(name, sizeof name, "%s", pw->pw_name);
	else
		snprintf(name, sizeof name, "uid %d", (int)uid);
	/* Groups first: once the uid is gone, nothing else can be changed. */
	if ((pw ? initgroups(pw->pw_name, gid) : setgroups(0, NULL)) != 0 || setgid(gid) != 0 ||
	    setuid(uid) != 0)
		return fail(err, errlen, "cannot become %s: %s", name, strerror(errno));
	/* Why check: a kernel or a setting that left a way back to root would
	 * make the whole switch pointless. */
	if (setuid(0) == 0 || geteuid() == 0 || getegid() == 0)
		return fail(err, errlen, "could not leave root for %s", name);
	return check_writable(cfg, name, err, errlen);
}

/* --- the test route --------------------------------------------------------------- */

void sandbox_page_violate(struct app *app, struct http_req *req)
{
	const char *on = getenv("GAZETTE_SANDBOX_TEST");
	const char *call = req->arg_slug;
	if (!on || strcmp(on, "1")) {
		page_error(app, req, 404);
		return;
	}
	/* Each call is harmless when it is allowed (sandbox off): it fails or
	 * is undone at once. */
	long rc;
	if (!strcmp(call, "socket")) {
		rc = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (rc >= 0)
			close((int)rc);
	} else if (!strcmp(call, "execve")) {
		char *argv[] = {"gazette-none", NULL};
		rc = execve("/nonexistent/gazette-none", argv, environ);
	} else if (!strcmp(call, "ptrace")) {
		rc = ptrace(PTRACE_ATTACH, 0, NULL, NULL);
	} else if (!strcmp(call, "exec-memory")) {
		void *p =
		    mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		rc = p == MAP_FAILED ? -1 : 0;
		if (p != MAP_FAILED)
			munmap(p, 4096);
	} else {
		page_error(app, req, 404);
		return;
	}
	req->content_type = "text/plain; charset=utf-8";
	buf_printf(req->body, "%s returned %ld (%s)\n", call, rc, rc < 0 ? strerror(errno) : "ok");
}
