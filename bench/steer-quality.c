/* bench/steer-quality.c - how good the built-in optimisers are: the best
 * loss after N points, over SEEDS seeds (quartiles), of each algorithm on
 * a few test functions, asking for one point at a time and, as a parallel
 * search does, for 4 at a time.
 *
 *   make bench/steer-quality-prog && bench/steer-quality-prog [SEEDS]
 */
#include "autoconf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "optim.h"

struct problem {
	const char *name;
	const char *space;
	double (*f)(const json_t *p);
	long n;
};

static double
num(const json_t *p, const char *k)
{
	return json_number_value(json_object_get(p, k));
}

/* Branin on [-5, 10] x [0, 15]: minimum 0.397887 at three places. */
static double
branin(const json_t *p)
{
	double x1 = num(p, "x1"), x2 = num(p, "x2");
	double b = 5.1 / (4 * M_PI * M_PI), c = 5 / M_PI, t = 1 / (8 * M_PI);

	return pow(x2 - b * x1 * x1 + c * x1 - 6, 2) + 10 * (1 - t) * cos(x1) + 10;
}

/* A quadratic bowl in 3 dimensions, minimum 0. */
static double
bowl(const json_t *p)
{
	double x = num(p, "x") - 1.3, y = num(p, "y") + 0.7, z = num(p, "z") - 2.1;

	return x * x + y * y + z * z;
}

/* A training-like mixture: log learning rate, integer layers, categorical
 * activation, quantised dropout; minimum 0. */
static double
mixed(const json_t *p)
{
	double lr = log10(num(p, "lr")) + 2.5, layers = num(p, "layers") - 5;
	double drop = num(p, "dropout") - 0.3;
	const char *act = json_string_value(json_object_get(p, "act"));

	return lr * lr + 0.1 * layers * layers + 4 * drop * drop +
	       (strcmp(act, "gelu") == 0 ? 0 : strcmp(act, "relu") == 0 ? 0.3 : 1);
}

static const struct problem problems[] = {
	{"branin", "{\"x1\": {\"method\": \"uniform\", \"dimension\": {\"low\": -5, \"high\": 10}},"
		   " \"x2\": {\"method\": \"uniform\", \"dimension\": {\"low\": 0, \"high\": 15}}}",
	 branin, 50},
	{"bowl-3d", "{\"x\": {\"method\": \"uniform\", \"dimension\": {\"low\": -5, \"high\": 5}},"
		    " \"y\": {\"method\": \"uniform\", \"dimension\": {\"low\": -5, \"high\": 5}},"
		    " \"z\": {\"method\": \"uniform\", \"dimension\": {\"low\": -5, \"high\": 5}}}",
	 bowl, 40},
	{"mixed", "{\"lr\": {\"method\": \"loguniform\", \"dimension\": {\"low\": 1e-5, \"high\": 1}},"
		  " \"layers\": {\"method\": \"uniformint\", \"dimension\": {\"low\": 1, \"high\": 12}},"
		  " \"dropout\": {\"method\": \"quniform\", \"dimension\": {\"low\": 0, \"high\": 0.8, \"q\": 0.05}},"
		  " \"act\": {\"method\": \"categorical\", \"dimension\": {\"categories\": [\"relu\", \"tanh\", \"gelu\", \"elu\"]}}}",
	 mixed, 50},
};

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
best_after(const struct problem *pr, const struct hpo_space *s, const char *algo,
	   const json_t *settings, uint64_t seed, long batch)
{
	json_t *h = json_array();
	double best = INFINITY;
	struct hpo_err err = {0};

	while ((long)json_array_size(h) < pr->n) {
		json_t *pts, *p;
		size_t i;
		if (hpo_optim_propose(algo, s, h, batch, pr->n, seed, settings, &pts, &err) < 0) {
			fprintf(stderr, "steer-quality: %s\n", err.msg);
			exit(1);
		}
		json_array_foreach(pts, i, p) {
			double l = pr->f(p);
			best = fmin(best, l);
			json_array_append_new(h, json_pack("[O, f]", p, l));
		}
		json_decref(pts);
	}
	json_decref(h);
	return best;
}

int
main(int argc, char **argv)
{
	static const char *const algos[][2] = {
		{"random", NULL}, {"tpe", NULL}, {"tpe", "{\"multivariate\": false}"},
	};
	int seeds = argc > 1 ? atoi(argv[1]) : 51;
	double *v;

	if (seeds < 1 || (v = calloc((size_t)seeds, sizeof(double))) == NULL)
		return 2;
	printf("best loss after N points over %d seeds: quartiles (median in the middle)\n", seeds);
	for (size_t i = 0; i < sizeof(problems) / sizeof(problems[0]); i++) {
		const struct problem *pr = &problems[i];
		struct hpo_space *s;
		struct hpo_err err = {0};
		json_t *sj = json_loads(pr->space, 0, NULL);
		if (hpo_space_from_json(NULL, sj, &s, &err) < 0) {
			fprintf(stderr, "steer-quality: %s\n", err.msg);
			return 1;
		}
		for (size_t a = 0; a < sizeof(algos) / sizeof(algos[0]); a++) {
			json_t *set = algos[a][1] ? json_loads(algos[a][1], 0, NULL) : NULL;
			for (long batch = 1; batch <= 4; batch += 3) {
				for (int k = 0; k < seeds; k++)
					v[k] = best_after(pr, s, algos[a][0], set, (uint64_t)k, batch);
				qsort(v, (size_t)seeds, sizeof(double), cmp);
				printf("%-8s N=%-3ld %-6s %-24s %2ld at a time: %8.4f %8.4f %8.4f\n",
				       pr->name, pr->n, algos[a][0], algos[a][1] ? algos[a][1] : "",
				       batch, v[seeds / 4], v[seeds / 2], v[3 * seeds / 4]);
			}
			json_decref(set);
		}
		hpo_space_free(s);
		json_decref(sj);
	}
	free(v);
	return 0;
}
