/* phpo_file.h - phpo option files (phpo --loadJson, hpo-submit --load-json)
 *
 * A phpo option file is read by hpo_phpo_to_task_json into the task-file
 * JSON that hpo_task_from_json takes; hpo_task_json_merge lays it over a
 * task file, the phpo file winning, as phpo's --loadJson values win over its
 * command line.  Local runs read them too (hpo-submit --local --load-json).
 */
#ifndef HPO_PHPO_FILE_H
#define HPO_PHPO_FILE_H

#include <jansson.h>

#include "doc.h"
#include "err.h"
#include "taskspec.h"

/* A phpo --loadJson file (an object of phpo option names) as task-file JSON:
 * sections evaluation, steering, budget, checkpoint, grid and
 * search-space-file.  Numeric strings become integers for phpo's integer
 * options (as phpo's int() does); file names (searchSpaceFile,
 * segmentSpecFile) relative to dir become absolute; null values are left
 * out (phpo's default).  Unknown keys are warned about (hpo_warn, naming
 * file:line:col) and ignored, as phpo does; phpo options without meaning
 * here (dumpJson, noSubmit, verbose, ...) are ignored with a note.  doc
 * gives positions and may be NULL. */
int hpo_phpo_to_task_json(const struct hpo_doc *doc, const json_t *phpo, const char *dir,
			  json_t **task_json, struct hpo_err *err);

/* Lay `over` on `base`, section by section: a key in a section of `over`
 * replaces the same key in `base`, other keys stay; top-level keys that are
 * not sections are replaced.  Where the task file allows only one of two
 * keys, the one from `over` removes the other: search-space and
 * search-space-file; steering.algorithm and steering.exec.  Returns 0, -1
 * when either is not an object. */
int hpo_task_json_merge(json_t *base, const json_t *over);

/* A task from a task file, a phpo option file, or both (the phpo file's
 * options laid over the task file's, hpo_task_json_merge).  Either may be
 * NULL, not both.  The task's directory (its sandbox) is the task file's,
 * or the working directory with a phpo file alone, as for phpo; file names
 * in the phpo file are relative to the working directory, as for phpo. */
int hpo_task_load_with_phpo(const char *task_file, const char *phpo_file, struct hpo_task **out,
			    struct hpo_err *err);

#endif
