/* file.h - small file-system helpers */
#ifndef HPO_FILE_H
#define HPO_FILE_H

#include <stddef.h>
#include <sys/types.h>

#include "err.h"
#include "xmalloc.h"

/* Read a whole file (at most max bytes, else an error), NUL-terminated. */
int hpo_file_read(const char *path, size_t max, char **buf, size_t *len, struct hpo_err *err);
/* Write a file atomically: a temporary beside it, fsync, rename.  Never
 * leaves a half-written file under path. */
int hpo_file_write_atomic(const char *path, const void *buf, size_t len, mode_t mode,
			  struct hpo_err *err);
/* The same without the fsync: a reader never sees half a file, but after
 * a crash of the system the file may be empty or gone.  For files read
 * once their writer has ended, by a reader that runs it again after a
 * crash (hpo-steer's %OUT); an fsync costs a journal commit, milliseconds. */
int hpo_file_replace(const char *path, const void *buf, size_t len, mode_t mode,
		     struct hpo_err *err);
/* Write a file in place (no fsync): for files in a directory that is made
 * again when a crash interrupts its user. */
int hpo_file_write(const char *path, const void *buf, size_t len, mode_t mode,
		   struct hpo_err *err);
/* Publish a file written through fd under the temporary name tmp: fsync,
 * close, rename to path.  fd is closed whatever happens; on failure tmp is
 * removed and nothing appears under path.  Messages name `what` (the file
 * as the user knows it). */
int hpo_file_publish(int fd, const char *tmp, const char *path, const char *what,
		     struct hpo_err *err);
/* An open file of no name under TMPDIR (/tmp when unset), read and
 * written through the descriptor returned, or -1 with err set: nothing
 * stays behind, whatever ends the process.  O_TMPFILE, or where the file
 * system lacks it a mkostemp(3) file unlinked at once.  Another
 * descriptor of it opens as /proc/self/fd/N. */
int hpo_file_anon(struct hpo_err *err);
/* mkdir -p with mode for the directories it creates. */
int hpo_mkdirs(const char *path, mode_t mode, struct hpo_err *err);
/* rm -rf, without following symbolic links.  A missing path is success. */
int hpo_rmtree(const char *path, struct hpo_err *err);
/* Copy a regular file (contents and permission bits). */
int hpo_copy_file(const char *from, const char *to, struct hpo_err *err);
/* Join two path parts with '/': a malloc'ed string (never NULL: xmalloc.h). */
char *hpo_path_join(const char *a, const char *b);
/* printf into a malloc'ed string: xasprintf under its old name. */
#define hpo_strf xasprintf

#endif
