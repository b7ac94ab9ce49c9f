/*
 * accept-rotate.c - preloaded into the test XRootD server (tests/lib/xrootd.sh)
 * so that a new connection never gets the descriptor number of one closed a
 * moment before.
 *
 * Why: xrootd 5.5.3 keeps one link object per descriptor number and a worker
 * can still be inside a request of a connection that another thread has just
 * closed (a client that went away while the answer was being written).  When
 * the listener accepts the next connection on the same number, that worker's
 * epilogue fails to re-enable "its" link and closes it: it tears down the new
 * connection in the middle of its TLS handshake (OpenSSL logs "bad length" and
 * "shutdown while in init", xrootd "Dispatch on closed link") and the server
 * stops answering.  The nearest upstream report: xrootd/xrootd#1928 (a new
 * connection dropped, "attempt to reuse active link"), fixed after 5.5.3 by
 * commit 8e4965c39 "Wait for the current PollE poll to finish after removing
 * a Link" (5.5.4); Debian 12 has 5.5.3.  The race needs the number to be
 * reused within that moment; here every accepted socket is moved to the next
 * free number of a window of several hundred, so a number comes back only
 * after the whole window has been used.  Nothing else of the server changes.
 *
 * LD_PRELOAD only; not part of hpo-tools.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

enum { WINDOW_LOW = 256, WINDOW_HIGH = 4096, WINDOW_MIN = 128 };

static int next_fd = WINDOW_LOW;

/* fd moved to the next free number of the window (fd itself when there is
 * no room), keeping its close-on-exec flag */
static int rotate(int fd)
{
	struct rlimit rl;
	long high = WINDOW_HIGH;
	int from, moved, cloexec;

	if (fd < 0)
		return fd;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    (long)rl.rlim_cur < high)
		high = (long)rl.rlim_cur;
	if (high - WINDOW_LOW < WINDOW_MIN)
		return fd;
	from = __atomic_load_n(&next_fd, __ATOMIC_RELAXED);
	if (from < WINDOW_LOW || from >= high)
		from = WINDOW_LOW;
	cloexec = fcntl(fd, F_GETFD);
	if (cloexec < 0)
		return fd;
	moved = fcntl(fd, (cloexec & FD_CLOEXEC) ? F_DUPFD_CLOEXEC : F_DUPFD, from);
	if (moved < 0 || moved >= high) {
		/* the top of the window is reached (or full): start over */
		if (moved >= 0)
			close(moved);
		moved = fcntl(fd, (cloexec & FD_CLOEXEC) ? F_DUPFD_CLOEXEC : F_DUPFD,
			      WINDOW_LOW);
		if (moved < 0 || moved >= high) {
			if (moved >= 0)
				close(moved);
			__atomic_store_n(&next_fd, WINDOW_LOW, __ATOMIC_RELAXED);
			return fd;
		}
	}
	__atomic_store_n(&next_fd, moved + 1, __ATOMIC_RELAXED);
	close(fd);
	return moved;
}

int accept4(int sock, struct sockaddr *addr, socklen_t *len, int flags)
{
	static int (*real)(int, struct sockaddr *, socklen_t *, int);

	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "accept4");
	if (real == NULL) {
		errno = ENOSYS;
		return -1;
	}
	return rotate(real(sock, addr, len, flags));
}

int accept(int sock, struct sockaddr *addr, socklen_t *len)
{
	static int (*real)(int, struct sockaddr *, socklen_t *);

	if (real == NULL)
		*(void **)&real = dlsym(RTLD_NEXT, "accept");
	if (real == NULL) {
		errno = ENOSYS;
		return -1;
	}
	return rotate(real(sock, addr, len));
}
