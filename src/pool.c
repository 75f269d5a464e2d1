/* The pre-fork supervisor: keeps N workers alive, stops them on request. */
#include "server.h"
#include "log.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum { MAX_WORKERS = 256, MAX_HELPERS = 4, STOP_GRACE_SECONDS = 10 };

static volatile sig_atomic_t stopping;

static void on_stop(int sig)
{
	(void)sig;
	stopping = 1;
}

static void on_child(int sig)
{
	(void)sig; /* only interrupts the wait below */
}

static pid_t spawn(int sock, int (*worker)(int, void *), void *ctx)
{
	/* The keeper (sock < 0) and the workers start the same way. */
	pid_t pid = fork();
	if (pid == 0) {
		/* The worker sets its own handlers; start from the defaults. */
		signal(SIGCHLD, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		sigset_t none;
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		_exit(worker(sock, ctx));
	}
	if (pid < 0)
		log_error("fork: %s", strerror(errno));
	return pid;
}

static int live_count(const pid_t *pids, int n)
{
	int live = 0;
	for (int i = 0; i < n; i++)
		live += pids[i] > 0;
	return live;
}

/* Reaps every exited child, marking its slot empty; returns how many. */
static int reap(pid_t *pids, int n, time_t *started)
{
	int reaped = 0, status;
	pid_t pid;
	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (int i = 0; i < n; i++) {
			if (pids[i] != pid)
				continue;
			pids[i] = 0;
			reaped++;
			if (!stopping) {
				if (WIFSIGNALED(status))
					log_error("worker %d killed by signal %d%s after %lds; replacing it",
						  (int)pid, WTERMSIG(status),
						  WTERMSIG(status) == SIGSYS
							  ? " (SIGSYS: a system call its sandbox forbids)"
							  : "",
						  (long)(time(NULL) - started[i]));
				else
					log_error("worker %d exited with status %d; replacing it",
						  (int)pid, WEXITSTATUS(status));
			}
		}
	}
	return reaped;
}

int pool_run(int sock, int workers, pool_fn worker, const pool_fn *helpers, int nhelpers,
	     void *ctx)
{
	if (workers < 1)
		workers = 1;
	if (workers > MAX_WORKERS)
		workers = MAX_WORKERS;
	if (nhelpers < 0 || nhelpers > MAX_HELPERS)
		nhelpers = 0;
	pid_t pids[MAX_WORKERS + MAX_HELPERS] = {0};
	time_t started[MAX_WORKERS + MAX_HELPERS] = {0};
	/* The helpers take the slots after the workers and are supervised
	 * like them. */
	int nworkers = workers;
	workers += nhelpers;

	struct sigaction sa = {.sa_handler = on_stop};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_child;
	sa.sa_flags = SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	/* Signals are blocked except inside sigsuspend(), so none is lost
	 * between checking the flags and sleeping. */
	sigset_t block, old;
	sigemptyset(&block);
	sigaddset(&block, SIGCHLD);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &old);

	int quick_deaths = 0;
	log_info("starting %d workers and %d helpers", nworkers, nhelpers);
	while (!stopping) {
		for (int i = 0; i < workers && !stopping; i++) {
			if (pids[i] > 0)
				continue;
			/* A worker that dies right after start (bad database, broken
			 * templates) would make us fork in a hot loop: back off. */
			if (started[i] && time(NULL) - started[i] < 2 && ++quick_deaths > workers) {
				log_error("workers keep dying at start; waiting before the next try");
				sigprocmask(SIG_SETMASK, &old, NULL);
				sleep(1);
				sigprocmask(SIG_BLOCK, &block, NULL);
			} else if (started[i] && time(NULL) - started[i] >= 2) {
				quick_deaths = 0;
			}
			started[i] = time(NULL);
			pids[i] = i < nworkers ? spawn(sock, worker, ctx)
					       : spawn(-1, helpers[i - nworkers], ctx);
		}
		if (!stopping && !reap(pids, workers, started))
			sigsuspend(&old);
		reap(pids, workers, started);
	}

	log_info("stopping %d workers", live_count(pids, workers));
	for (int i = 0; i < workers; i++)
		if (pids[i] > 0)
			kill(pids[i], SIGTERM);
	sigprocmask(SIG_SETMASK, &old, NULL);
	time_t deadline = time(NULL) + STOP_GRACE_SECONDS;
	while (live_count(pids, workers) > 0 && time(NULL) < deadline) {
		if (!reap(pids, workers, started))
			usleep(20000);
	}
	for (int i = 0; i < workers; i++) {
		if (pids[i] > 0) {
			log_error("worker %d did not stop in time; killing it", (int)pids[i]);
			kill(pids[i], SIGKILL);
			waitpid(pids[i], NULL, 0);
		}
	}
	return 0;
}
