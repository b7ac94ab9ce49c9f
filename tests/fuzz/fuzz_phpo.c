/* fuzz_phpo.c - a phpo option file (`hpo-submit --load-json`, phpo's
 * --dumpJson): its options become a task document, which taskspec then
 * checks.  Invariant: a refused file has a message. */
#include "autoconf.h"

#include <stdlib.h>

#include "doc.h"
#include "fuzz.h"
#include "log.h"
#include "phpo_file.h"
#include "taskspec.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hpo_doc *doc;
	struct hpo_task *task;
	struct hpo_err err;
	json_t *task_json;

	hpo_log_init("fuzz", HPO_LOG_QUIET);
	if (hpo_doc_parse("phpo.json", (const char *)data, size, &doc, &err) < 0)
		return 0;
	if (hpo_phpo_to_task_json(doc, hpo_doc_root(doc), "/nonexistent/hpo-fuzz", &task_json,
				  &err) < 0) {
		if (err.msg[0] == '\0')
			abort();
		hpo_doc_free(doc);
		return 0;
	}
	if (hpo_task_from_json(doc, task_json, "/nonexistent/hpo-fuzz", &task, &err) == 0)
		hpo_task_free(task);
	else if (err.msg[0] == '\0')
		abort();
	json_decref(task_json);
	hpo_doc_free(doc);
	return 0;
}
