/* fuzz_pandaview.c - a Grid task's view from the servers' answers:
 * {"info": <task/get_detailed_info's data, or a task of the listing>,
 *  "points": <iDDS get_hyperparameters' result>}, both as any server might
 * send them; then the tables and the result hpo-status prints.
 * Invariants: a view always comes back (whatever the answers); its counts
 * add up to its points; a best point is a finished one; in a
 * multi-fidelity task a point continues an earlier point of its trial, and
 * no finished point has a budget above the best's. */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "log.h"
#include "view.h"

static void
check_rungs(const json_t *v)
{
	const json_t *pts = json_object_get(v, "points"), *p, *q;
	const json_t *best = json_object_get(v, "best");
	size_t i, j;

	json_array_foreach(pts, i, p) {
		const json_t *from = json_object_get(p, "continues"), *b = json_object_get(p, "budget");
		int found = 0;
		if (from != NULL && !json_is_null(from)) {
			for (j = 0; j < i && !found; j++) {
				q = json_array_get(pts, j);
				found = json_equal(json_object_get(q, "id"), from) &&
					json_equal(json_object_get(q, "trial"), json_object_get(p, "trial"));
			}
			if (!found)
				abort();
		}
		if (json_is_number(b) && json_is_number(json_object_get(best, "budget")) &&
		    strcmp(json_string_value(json_object_get(p, "status")), "finished") == 0 &&
		    json_number_value(b) > json_number_value(json_object_get(best, "budget")))
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	json_error_t jerr;
	json_t *in, *v, *tasks, *c, *best;
	const json_t *points;
	json_int_t sum = 0;
	const char *k;

	hpo_log_init("fuzz", HPO_LOG_QUIET);
	if (null == NULL && (null = fopen("/dev/null", "w")) == NULL)
		abort();
	if ((in = json_loadb((const char *)data, size, JSON_DECODE_ANY, &jerr)) == NULL)
		return 0;
	points = json_object_get(in, "points");
	v = hpo_view_panda(42, json_object_get(in, "info"), json_is_array(points) ? points : NULL,
			   json_is_array(points) ? NULL : "iDDS: no answer");
	if (v == NULL)
		abort();
	c = json_object_get(v, "counts");
	json_object_foreach(c, k, best)
		if (strcmp(k, "points") != 0)
			sum += json_integer_value(best);
	if (sum != json_integer_value(json_object_get(c, "points")))
		abort();
	best = json_object_get(v, "best");
	if (!json_is_null(best) && strcmp(json_string_value(json_object_get(best, "status")), "finished") != 0)
		abort();
	check_rungs(v);
	(void)hpo_view_outcome(v);
	hpo_view_print_points(null, v);
	tasks = json_pack("[O]", v);
	hpo_view_print_tasks(null, tasks);
	json_decref(tasks);
	json_decref(v);
	json_decref(in);
	return 0;
}
