/* fuzz_steer.c - the iDDS steering input that hpo-steer reads (%IN:
 * {"points": [[point, loss], ...], "opt_space": {...}}), through every
 * algorithm with a small budget.  The first byte picks the algorithm and
 * the number of points wanted; the rest is the document.  Invariant: every
 * proposed point fits the space, and no more are proposed than asked. */
#include "autoconf.h"

#include <stdlib.h>

#include "doc.h"
#include "fuzz.h"
#include "log.h"
#include "optim.h"
#include "space.h"

static const char *const algorithms[] = {"random", "grid", "tpe", "gp", "cmaes", "asha", "hyperband"};
#define NALGO (sizeof(algorithms) / sizeof(algorithms[0]))

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hpo_doc *doc;
	struct hpo_space *space;
	struct hpo_err err;
	const json_t *root, *points, *sp;
	json_t *out;
	const char *algorithm;
	long num, done;
	size_t i;

	if (size < 1)
		return 0;
	hpo_log_init("fuzz", HPO_LOG_QUIET);
	algorithm = algorithms[data[0] % NALGO];
	num = 1 + data[0] / NALGO % 4;
	if (hpo_doc_parse("input.json", (const char *)data + 1, size - 1, &doc, &err) < 0)
		return 0;
	root = hpo_doc_root(doc);
	points = json_object_get(root, "points");
	sp = json_object_get(root, "opt_space");
	if (!json_is_object(root) || sp == NULL ||
	    hpo_space_from_json(doc, sp, &space, &err) < 0) {
		hpo_doc_free(doc);
		return 0;
	}
	done = json_is_array(points) ? (long)json_array_size(points) : 0;
	if (hpo_optim_propose(algorithm, space, json_is_array(points) ? points : NULL, num,
			      done + num, 7, NULL, &out, &err) == 0) {
		if (!json_is_array(out) || (long)json_array_size(out) > num)
			abort();
		for (i = 0; i < json_array_size(out); i++)
			if (hpo_space_check_point(space, json_array_get(out, i), "point", &err) < 0)
				abort();
		json_decref(out);
	} else if (err.msg[0] == '\0') {
		abort();
	}
	hpo_space_free(space);
	hpo_doc_free(doc);
	return 0;
}
