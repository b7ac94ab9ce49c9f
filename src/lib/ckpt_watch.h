/* ckpt_watch.h - run a training command and save its checkpoints meanwhile
 *
 * hpo-ckpt watch: the command runs as a child in the caller's own process
 * group (no setpgid), so a pilot's SIGTERM to the payload's group reaches
 * it directly and the pilot's SIGKILL 10 s later takes both; a stop signal
 * (SIGTERM, SIGINT, SIGUSR1) sent to the caller alone (docker stop, kill
 * PID) is forwarded to the child from the signal handler, at once, even
 * while a save runs.
 *
 * Every interval the watched paths are fingerprinted (tarstream.h) and a
 * generation saved when the fingerprint changed since the last save (or
 * since the start).  After a stop signal the command gets HPO_WATCH_GRACE
 * seconds to write its last state, then a last save follows, whether or
 * not it still runs; when it ends, a final save of what changed.  A failed
 * save is a warning: the training goes on.
 *
 * One watch at a time per process: the signal handlers are process-wide
 * (the previous ones are back when hpo_ckpt_watch returns).
 */
#ifndef HPO_CKPT_WATCH_H
#define HPO_CKPT_WATCH_H

#include <stddef.h>

#include "ckpt.h"
#include "err.h"

/* after a stop signal, how long the command gets to write its last state
 * before the save anyway (a pilot's SIGKILL comes 10 s after) */
#define HPO_WATCH_GRACE 2.0

struct hpo_ckpt_watch {
	struct hpo_ckpt_loc *loc;
	const char *const *paths;	/* what to save; a path may appear later */
	size_t npaths;
	enum hpo_tar_comp comp;
	int keep;			/* generations to keep, at least 1 */
	double interval;		/* seconds between looks for a change */
};

/* Run cmd (cmd[0] looked up in PATH) and watch.  The command's exit
 * status, or 128+N when signal N ended it (127: not found, 126: not
 * runnable, as a shell says); -1 and err when the watch itself failed. */
int hpo_ckpt_watch(const struct hpo_ckpt_watch *w, char *const *cmd, struct hpo_err *err);

#endif
