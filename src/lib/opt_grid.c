/* opt_grid.c - grid search: point k of a task is the k-th of the space's
 * grid (space.h: steps values for each continuous parameter), whatever the
 * seed; none once the grid is exhausted (optim.h) */
#include "autoconf.h"

#include "optim.h"

#define GRID_STEPS_DEFAULT 5

int
hpo_optim_grid_points(const struct hpo_space *space, unsigned steps, long first, long n,
		      json_t *out, struct hpo_err *err)
{
	uint64_t size;

	if (hpo_space_grid_size(space, steps, &size, err) < 0)
		return -1;
	for (long k = first; k < first + n && (uint64_t)k < size; k++)
		json_array_append_new(out, hpo_space_grid_point(space, steps, (uint64_t)k));
	return 0;
}

int
hpo_optim_grid(const struct hpo_optim_req *req, json_t *out, struct hpo_err *err)
{
	long steps;

	if (hpo_optim_setting_int(req->settings, "steps", GRID_STEPS_DEFAULT, 1, 1000000, &steps,
				  err) < 0)
		return -1;
	return hpo_optim_grid_points(req->space, (unsigned)steps, (long)req->hist->n, req->num,
				     out, err);
}
