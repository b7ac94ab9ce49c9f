/* optcheck.h - checks every optimiser of optim.h must pass, for the
 * tests of each (test_opt_gp.c, test_opt_cmaes.c) */
#ifndef HPO_OPTCHECK_H
#define HPO_OPTCHECK_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "optim.h"
#include "space.h"

/* A space from YAML text (fails the test on an error). */
struct hpo_space *optcheck_space(const char *text);

/* Ask fn for num points after history (a JSON list [[point, loss|null], ...]);
 * every point must be valid in the space, typed as hpo_space_sample types
 * it; returns the list (new ref). */
json_t *optcheck_ask(hpo_optim_fn fn, const struct hpo_space *s, const json_t *history, long num,
		     uint64_t seed, const json_t *settings);

/* n random points of the space with the loss sum of squares of their
 * encoded coordinates (minus 0.3) as a history (new ref); every
 * `failed_every`-th one (0: none) failed with loss 1e5. */
json_t *optcheck_history(const struct hpo_space *s, size_t n, uint64_t seed, size_t failed_every);

/* The checks, each a whole test for one algorithm. */
void optcheck_types(hpo_optim_fn fn);		/* every method, bounds, grids, categories */
void optcheck_degenerate(hpo_optim_fn fn);	/* 0 points, all failed, huge losses, duplicates,
						 * only fixed parameters */
void optcheck_spread(hpo_optim_fn fn);		/* a batch and pending points: distinct */
void optcheck_reproducible(hpo_optim_fn fn);	/* same seed same points; other seed other */
/* Registered as `algorithm`; `setting` (a whole number setting that takes
 * 5) accepted, an unknown one, -1 and a string refused. */
void optcheck_settings(hpo_optim_fn fn, const char *algorithm, const char *setting);
/* The median best loss over `seeds` runs of `evals` sequential points on a
 * 3-D shifted sphere beats random search's. */
void optcheck_beats_random(hpo_optim_fn fn, int seeds, int evals);
/* qsort's comparison of doubles, ascending */
int optcheck_by_double(const void *a, const void *b);

#endif
