/* sandbox.h - the task's files, as phpo collects them
 *
 * phpo sends the files below the working directory that match *.json,
 * *.py, *.sh and *.yaml; evaluations and steering find them in their working
 * directory.  The local engine snapshots the same files when a task is
 * created and copies them into each working directory, so a task that works
 * here finds the same files on the Grid.
 */
#ifndef HPO_SANDBOX_H
#define HPO_SANDBOX_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

#define HPO_SANDBOX_MAX (10u * 1024 * 1024)	/* PanDA's limit for a jobO.* sandbox */
#define HPO_SANDBOX_MAX_FILES 10000

struct hpo_sandbox {
	char **files;		/* paths relative to the root, sorted */
	size_t n;
	uint64_t bytes;
};

/* Collect the files below dir (hidden entries, symbolic links and the
 * directory skip, when not NULL, are left out).  Over HPO_SANDBOX_MAX bytes or HPO_SANDBOX_MAX_FILES files is an
 * HPO_E_INPUT error, since PanDA would refuse the same sandbox. */
int hpo_sandbox_collect(const char *dir, const char *skip, struct hpo_sandbox *sb,
			struct hpo_err *err);
/* Copy the collected files from src into dest (created as needed). */
int hpo_sandbox_copy(const struct hpo_sandbox *sb, const char *src, const char *dest,
		     struct hpo_err *err);
void hpo_sandbox_free(struct hpo_sandbox *sb);

#endif
