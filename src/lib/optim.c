/* optim.c - the built-in algorithms by name, the names of their settings, and the budget
 *
 * hpo-steer and the local engine both come through hpo_optim_propose, so a
 * task proposes the same points here and in a steering container.
 */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "optim.h"

static const char *const no_settings[] = {NULL};
static const char *const grid_settings[] = {"steps", NULL};
static const char *const tpe_settings[] = {
	"n_startup", "gamma", "max_good", "n_ei_candidates", "prior_weight", "density", "multivariate",
	"constant_liar", "pending", "pending_weight", "pending_width", NULL,
};
static const char *const gp_settings[] = {
	"n_initial", "candidates", "max_points", "fit_points", "xi", "explore_every", NULL,
};
static const char *const cmaes_settings[] = {"popsize", "sigma0", "n_initial", NULL};
static const char *const mf_settings[] = {"sampler", "model", "random_fraction", "min_points", NULL};

/* The registry.  An algorithm is one line here and one function in its own
 * file (opt_NAME.c, declared in optim.h), with the names of its settings. */
static const struct hpo_optim_algo algorithms[] = {
	{"random", hpo_optim_random, no_settings},
	{"grid", hpo_optim_grid, grid_settings},
	{"tpe", hpo_optim_tpe, tpe_settings},
	{"gp", hpo_optim_gp, gp_settings},
	{"cmaes", hpo_optim_cmaes, cmaes_settings},
	{"asha", hpo_optim_asha, mf_settings},
	{"hyperband", hpo_optim_hyperband, mf_settings},
};
#define NALGORITHMS (sizeof(algorithms) / sizeof(algorithms[0]))

const struct hpo_optim_algo *
hpo_optim_find(const char *name)
{
	for (size_t i = 0; i < NALGORITHMS; i++)
		if (strcmp(algorithms[i].name, name) == 0)
			return &algorithms[i];
	return NULL;
}

const struct hpo_optim_algo *
hpo_optim_get(const char *name, struct hpo_err *err)
{
	const struct hpo_optim_algo *a = hpo_optim_find(name);
	const char *names[NALGORITHMS + 1], *near;
	char list[256] = "";

	if (a != NULL)
		return a;
	for (size_t i = 0; i < NALGORITHMS; i++) {
		names[i] = algorithms[i].name;
		if (i > 0)
			strncat(list, ", ", sizeof(list) - strlen(list) - 1);
		strncat(list, names[i], sizeof(list) - strlen(list) - 1);
	}
	names[NALGORITHMS] = NULL;
	near = hpo_nearest(name, names);
	if (near != NULL)
		hpo_err_set(err, HPO_E_INPUT, "unknown algorithm '%s' (did you mean '%s'?)", name,
			    near);
	else
		hpo_err_set(err, HPO_E_INPUT, "unknown algorithm '%s' (built in: %s)", name, list);
	return NULL;
}

static int
check_names(const struct hpo_optim_algo *a, const json_t *settings, struct hpo_err *err)
{
	const char *key, *near;
	json_t *v;

	if (settings == NULL || json_is_null(settings))
		return 0;
	if (!json_is_object(settings))
		return hpo_err_set(err, HPO_E_INPUT, "the settings must be a mapping, not %s",
				   hpo_json_kind(settings));
	json_object_foreach((json_t *)settings, key, v) {
		size_t i;
		for (i = 0; a->settings[i] != NULL; i++)
			if (strcmp(a->settings[i], key) == 0)
				break;
		if (a->settings[i] != NULL)
			continue;
		if (a->settings[0] == NULL)
			return hpo_err_set(err, HPO_E_INPUT,
					   "unknown setting '%s': algorithm '%s' takes none", key,
					   a->name);
		near = hpo_nearest(key, a->settings);
		if (near != NULL)
			return hpo_err_set(err, HPO_E_INPUT,
					   "unknown setting '%s' for algorithm '%s' (did you mean "
					   "'%s'?)", key, a->name, near);
		return hpo_err_set(err, HPO_E_INPUT, "unknown setting '%s' for algorithm '%s'",
				   key, a->name);
	}
	return 0;
}

int
hpo_optim_check_settings(const struct hpo_optim_algo *a, const struct hpo_space *space,
			 const json_t *settings, struct hpo_err *err)
{
	json_t *pts;

	if (check_names(a, settings, err) < 0)
		return -1;
	if (space == NULL)
		return 0;
	if (hpo_optim_propose(a->name, space, NULL, 1, 1, 0, settings, &pts, err) < 0)
		return -1;
	json_decref(pts);
	return 0;
}

int
hpo_optim_propose(const char *algorithm, const struct hpo_space *space, const json_t *history,
		  long num, long max_points, uint64_t seed, const json_t *settings,
		  json_t **points, struct hpo_err *err)
{
	const struct hpo_optim_algo *a = hpo_optim_get(algorithm, err);
	struct hpo_optim_hist hist;
	struct hpo_optim_req req;
	json_t *out;
	long room;

	*points = NULL;
	if (a == NULL)
		return -1;
	if (check_names(a, settings, err) < 0)
		return -1;
	if (hpo_optim_hist_init(space, history, &hist, err) < 0)
		return -1;
	out = json_array();
	room = max_points - (long)hist.n;
	if (num > room)
		num = room;
	if (num > 0) {
		req.space = space;
		req.hist = &hist;
		req.num = num;
		req.seed = seed;
		req.settings = json_is_object(settings) ? settings : NULL;
		req.history = json_is_array(history) ? history : NULL;
		if (a->fn(&req, out, err) < 0) {
			json_decref(out);
			hpo_optim_hist_free(&hist);
			return -1;
		}
	}
	hpo_optim_hist_free(&hist);
	/* an algorithm that hands back more than asked does not overrun */
	while ((long)json_array_size(out) > (num > 0 ? num : 0))
		json_array_remove(out, json_array_size(out) - 1);
	*points = out;
	return 0;
}
