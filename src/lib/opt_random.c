/* opt_random.c - random search: point k of a task is a sample of the space
 * from the stream (seed, k), so it depends on nothing else (optim.h) */
#include "autoconf.h"

#include "optim.h"
#include "rng.h"

void
hpo_optim_random_points(const struct hpo_space *space, uint64_t seed, long first, long n,
			json_t *out)
{
	for (long k = first; k < first + n; k++) {
		struct hpo_rng rng;
		hpo_rng_seed2(&rng, seed, (uint64_t)k);
		json_array_append_new(out, hpo_space_sample(space, &rng));
	}
}

int
hpo_optim_random(const struct hpo_optim_req *req, json_t *out, struct hpo_err *err)
{
	(void)err;
	hpo_optim_random_points(req->space, req->seed, (long)req->hist->n, req->num, out);
	return 0;
}
