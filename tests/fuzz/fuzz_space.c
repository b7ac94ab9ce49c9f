/* fuzz_space.c - a search space (YAML or JSON, as search-space-file or
 * opt_space).  Invariants: an accepted space's canonical JSON is accepted
 * again, its samples pass its own point check, and its grid points too. */
#include "autoconf.h"

#include <stdlib.h>

#include "doc.h"
#include "fuzz.h"
#include "log.h"
#include "rng.h"
#include "space.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hpo_doc *doc;
	struct hpo_space *space, *again;
	struct hpo_err err;
	struct hpo_rng rng;
	json_t *canon, *p;
	uint64_t n;

	hpo_log_init("fuzz", HPO_LOG_QUIET);
	if (hpo_doc_parse("space.yaml", (const char *)data, size, &doc, &err) < 0)
		return err.msg[0] == '\0' ? (abort(), 0) : 0;
	if (hpo_space_from_json(doc, hpo_doc_root(doc), &space, &err) < 0) {
		if (err.msg[0] == '\0')
			abort();
		hpo_doc_free(doc);
		return 0;
	}
	canon = hpo_space_to_json(space);
	if (canon == NULL || hpo_space_from_json(NULL, canon, &again, &err) < 0)
		abort();
	hpo_space_free(again);
	json_decref(canon);

	hpo_rng_seed(&rng, size);
	for (int i = 0; i < 4; i++) {
		p = hpo_space_sample(space, &rng);
		if (p == NULL || hpo_space_check_point(space, p, "point", &err) < 0)
			abort();
		json_decref(p);
	}
	if (hpo_space_grid_size(space, 3, &n, &err) == 0 && n > 0) {
		for (uint64_t k = 0; k < n && k < 8; k++) {
			p = hpo_space_grid_point(space, 3, k * (n / 8 + 1) % n);
			if (p == NULL || hpo_space_check_point(space, p, "point", &err) < 0)
				abort();
			json_decref(p);
		}
	}
	hpo_space_free(space);
	hpo_doc_free(doc);
	return 0;
}
