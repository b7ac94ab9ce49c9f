/* ckpt_watch.c - the supervisor of hpo-ckpt watch (ckpt_watch.h)
 *
 * The signal handler forwards a stop signal to the child and writes the
 * signal's number into a pipe (SIGCHLD too); the loop polls that pipe with
 * the time to the next look as its timeout, so it sleeps between looks and
 * wakes at once for a signal or the command's end.
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "ckpt_watch.h"
#include "clock.h"
#include "log.h"
#include "xmalloc.h"

#define NSTOP (sizeof(stop_signals) / sizeof(stop_signals[0]))

static const int stop_signals[] = {SIGTERM, SIGINT, SIGUSR1};

static volatile sig_atomic_t child_pid;
static volatile sig_atomic_t sigpipe_w = -1;

static void
on_signal(int sig)
{
	int saved = errno;
	unsigned char c = (unsigned char)sig;

	if (sig != SIGCHLD && child_pid > 0)
		kill((pid_t)child_pid, sig);	/* at once, even during a save */
	if (write(sigpipe_w, &c, 1) < 0) {
		/* the pipe is full: the loop wakes up anyway */
	}
	errno = saved;
}

struct state {
	const struct hpo_ckpt_watch *w;
	const char **live;		/* the paths that exist at a save */
	uint64_t saved_fp;
};

static void
save_if_changed(struct state *st, const char *why)
{
	const struct hpo_ckpt_watch *w = st->w;
	/* no progress line: the command owns the terminal */
	struct hpo_ckpt_save opt = {st->live, 0, w->comp, w->keep, 0};
	struct hpo_err err = {0};
	struct stat sb;
	uint64_t fp;

	if (hpo_tar_fingerprint(w->paths, w->npaths, &fp, &err) < 0) {
		hpo_warn("%s", err.msg);
		return;
	}
	if (fp == st->saved_fp) {
		hpo_debug("%s: nothing changed", why);
		return;
	}
	for (size_t i = 0; i < w->npaths; i++)
		if (lstat(w->paths[i], &sb) == 0)
			st->live[opt.npaths++] = w->paths[i];
	if (opt.npaths == 0) {
		hpo_debug("%s: nothing to save yet", why);
		return;
	}
	hpo_debug("%s: saving", why);
	if (hpo_ckpt_save(w->loc, &opt, NULL, &err) < 0) {
		hpo_warn("%s", err.msg);	/* the training goes on */
		return;
	}
	st->saved_fp = fp;
}

static const char *
signame(int sig)
{
	return sig == SIGTERM ? "TERM" : sig == SIGINT ? "INT" : "USR1";
}

/* Wait for the command, looking every interval and once after a stop. */
static int
supervise(struct state *st, pid_t pid, int rfd, int *status, struct hpo_err *err)
{
	int stopping = 0, grace_done = 0;
	double next = hpo_mono() + st->w->interval, stop_at = 0;

	for (;;) {
		double t = hpo_mono(), until = stopping && !grace_done ? stop_at : next;
		int ms = until > t ? (int)((until - t) * 1000) + 1 : 0;
		struct pollfd p = {rfd, POLLIN, 0};
		unsigned char sigs[64];
		ssize_t got;

		if (stopping && grace_done)
			ms = -1;	/* only the command's end is awaited now */
		if (poll(&p, 1, ms) < 0 && errno != EINTR)
			return hpo_err_sys(err, "poll");
		while ((got = read(rfd, sigs, sizeof(sigs))) > 0)
			for (ssize_t i = 0; i < got; i++)
				if (sigs[i] != SIGCHLD && !stopping) {
					stopping = 1;
					stop_at = hpo_mono() + HPO_WATCH_GRACE;
					hpo_info("got SIG%s: passed on to the command; last save follows",
						 signame(sigs[i]));
				}
		if (waitpid(pid, status, WNOHANG) == pid) {
			child_pid = 0;
			save_if_changed(st, "the command ended");
			return 0;
		}
		t = hpo_mono();
		if (stopping && !grace_done && t >= stop_at) {
			grace_done = 1;
			save_if_changed(st, "stopping, the command is still running");
		} else if (!stopping && t >= next) {
			save_if_changed(st, "interval");
			while (next <= hpo_mono())
				next += st->w->interval;
		}
	}
}

int
hpo_ckpt_watch(const struct hpo_ckpt_watch *w, char *const *cmd, struct hpo_err *err)
{
	struct state st = {w, NULL, 0};
	struct sigaction sa, old_stop[NSTOP], old_chld;
	sigset_t block, old;
	int pfd[2], status = 0, rc = -1;
	pid_t pid;

	if (hpo_tar_fingerprint(w->paths, w->npaths, &st.saved_fp, err) < 0)
		return -1;
	st.live = xcalloc(w->npaths, sizeof(*st.live));
	if (pipe2(pfd, O_CLOEXEC | O_NONBLOCK) < 0) {
		free(st.live);
		return hpo_err_sys(err, "pipe");
	}
	sigpipe_w = pfd[1];
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&block);
	for (size_t i = 0; i < NSTOP; i++) {
		sigaddset(&block, stop_signals[i]);
		sigaddset(&sa.sa_mask, stop_signals[i]);
	}
	sigaddset(&block, SIGCHLD);
	sigprocmask(SIG_BLOCK, &block, &old);
	for (size_t i = 0; i < NSTOP; i++)
		sigaction(stop_signals[i], &sa, &old_stop[i]);
	sa.sa_flags |= SA_NOCLDSTOP;
	sigaction(SIGCHLD, &sa, &old_chld);

	if ((pid = fork()) < 0) {
		hpo_err_sys(err, "fork");
		goto out;
	}
	if (pid == 0) {
		struct sigaction dfl;
		memset(&dfl, 0, sizeof(dfl));
		dfl.sa_handler = SIG_DFL;
		for (size_t i = 0; i < NSTOP; i++)
			sigaction(stop_signals[i], &dfl, NULL);
		sigaction(SIGCHLD, &dfl, NULL);
		sigprocmask(SIG_SETMASK, &old, NULL);
		execvp(cmd[0], cmd);
		fprintf(stderr, "%s: %s: %s\n", hpo_progname(), cmd[0], strerror(errno));
		_exit(errno == ENOENT ? 127 : 126);
	}
	child_pid = pid;
	sigprocmask(SIG_SETMASK, &old, NULL);
	hpo_debug("started %s (pid %ld), saving every %.0f s when changed", cmd[0], (long)pid,
		  w->interval);
	if (supervise(&st, pid, pfd[0], &status, err) == 0)
		rc = WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status);
	else
		rc = -1;	/* the command runs on, in the process group */

	sigprocmask(SIG_BLOCK, &block, NULL);
out:
	/* a stop signal that came after the command's end goes, as it did to
	 * the handler: the previous handlers may end the process */
	while (sigtimedwait(&block, NULL, &(struct timespec){0, 0}) > 0)
		continue;
	child_pid = 0;
	for (size_t i = 0; i < NSTOP; i++)
		sigaction(stop_signals[i], &old_stop[i], NULL);
	sigaction(SIGCHLD, &old_chld, NULL);
	sigpipe_w = -1;
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(pfd[0]);
	close(pfd[1]);
	free(st.live);
	return rc;
}
