/* fuzz_task.c - the task file: YAML or JSON through doc and taskspec.
 * Invariants: a refused file has a message; an accepted one's canonical
 * JSON (what the store keeps, what --resume reads) is accepted again. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "fuzz.h"
#include "log.h"
#include "taskspec.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hpo_doc *doc;
	struct hpo_task *task, *again;
	struct hpo_err err;
	json_t *canon;

	hpo_log_init("fuzz", HPO_LOG_QUIET);
	if (hpo_doc_parse("task.yaml", (const char *)data, size, &doc, &err) < 0) {
		if (err.msg[0] == '\0')
			abort();
		return 0;
	}
	/* a directory that does not exist: search-space-file stays unread */
	if (hpo_task_from_json(doc, hpo_doc_root(doc), "/nonexistent/hpo-fuzz", &task, &err) < 0) {
		if (err.msg[0] == '\0')
			abort();
		hpo_doc_free(doc);
		return 0;
	}
	canon = hpo_task_to_json(task);
	if (canon == NULL)
		abort();
	if (hpo_task_from_json(NULL, canon, "/nonexistent/hpo-fuzz", &again, &err) < 0)
		abort();	/* the canonical form of a valid task is valid */
	hpo_task_free(again);
	json_decref(canon);
	hpo_task_free(task);
	hpo_doc_free(doc);
	return 0;
}
