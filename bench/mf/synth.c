/* synth.c - bench/multifidelity's synthetic learning curves: the
 * algorithms of hpo_optim_propose (what hpo-steer runs), one point a call,
 * on a family of closed-form curves, until FULL full trainings' worth of
 * epochs are spent
 *
 *   synth ALGORITHM LABEL FIRST_SEED LAST_SEED [FULL [HIGH]]
 *
 * The loss of a configuration after r epochs is
 *
 *   loss(c, r) = f(c) + a(c) * r^-b(c)
 *
 * over lr (log-uniform in [1e-4, 1]), x1 in [-5, 10], x2 in [0, 15] and
 * act (a category of three), with the budget epochs a fidelity parameter
 * from 1 to HIGH (81 by default), eta 3:
 *
 *   f = 0.1 + 0.05 log(1 + branin(x1, x2) - 0.397887)
 *       + 0.04 (log10 lr + 2.5)^2 + (0, 0.01, 0.03 for act a, b, c)
 *   a = 1 + 0.5 (x2 / 15)           (where the curve starts)
 *   b = 0.25 + 0.75 (log10 lr + 4) / 4, times 0.8 for act c
 *
 * A large step size converges fast but to a worse end, so the curves
 * cross: the small budgets rank the configurations near, not exactly, as
 * the full budget does.  No noise.  A point continuing the budget c of its
 * trial costs r - c epochs (its evaluation resumes from the trial's
 * checkpoint), any other r.  For each seed, prints a line "synthetic LABEL
 * SEED HIGH FULL EPOCHS BEST" whenever the best loss improves (EPOCHS:
 * the epochs spent when it did), and the last with the epochs spent in
 * all and the number of points; $MF_SETTINGS is the algorithm's settings object.
 */
#include "autoconf.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "optim.h"
#include "space.h"

static double
num(const json_t *p, const char *k)
{
	return json_number_value(json_object_get(p, k));
}

static double
branin(double x, double y)
{
	double b = 5.1 / (4 * M_PI * M_PI), c = 5 / M_PI, t = 1 / (8 * M_PI);

	return pow(y - b * x * x + c * x - 6, 2) + 10 * (1 - t) * cos(x) + 10;
}

static double
curve(const json_t *p, double r)
{
	const char *act = json_string_value(json_object_get(p, "act"));
	double lg = log10(num(p, "lr")), x1 = num(p, "x1"), x2 = num(p, "x2");
	double f, a, b;

	f = 0.1 + 0.05 * log1p(branin(x1, x2) - 0.397887) + 0.04 * (lg + 2.5) * (lg + 2.5);
	b = 0.25 + 0.75 * (lg + 4) / 4;
	if (strcmp(act, "b") == 0)
		f += 0.01;
	if (strcmp(act, "c") == 0) {
		f += 0.03;
		b *= 0.8;
	}
	a = 1 + 0.5 * x2 / 15;
	return f + a * pow(r, -b);
}

int
main(int argc, char **argv)
{
	struct hpo_space *space = NULL;
	struct hpo_err err = {0};
	json_t *sj, *settings = NULL;
	long first, last, full = 30;
	double high = 81;
	char text[512];

	if (argc < 5 || argc > 7 || !hpo_optim_find(argv[1])) {
		fprintf(stderr, "usage: synth ALGORITHM LABEL FIRST_SEED LAST_SEED [FULL [HIGH]]\n");
		return 2;
	}
	first = atol(argv[3]);
	last = atol(argv[4]);
	if (argc >= 6)
		full = atol(argv[5]);
	if (argc == 7)
		high = atof(argv[6]);
	if (getenv("MF_SETTINGS"))
		settings = json_loads(getenv("MF_SETTINGS"), 0, NULL);
	snprintf(text, sizeof text,
		 "{\"lr\": {\"method\": \"loguniform\", \"dimension\": {\"low\": 1e-4, \"high\": 1}},"
		 " \"x1\": {\"method\": \"uniform\", \"dimension\": {\"low\": -5, \"high\": 10}},"
		 " \"x2\": {\"method\": \"uniform\", \"dimension\": {\"low\": 0, \"high\": 15}},"
		 " \"act\": {\"method\": \"categorical\", \"dimension\": {\"categories\": [\"a\", \"b\", \"c\"]}},"
		 " \"epochs\": {\"method\": \"fidelity\", \"dimension\": {\"low\": 1, \"high\": %g, \"eta\": 3}}}",
		 high);
	sj = json_loads(text, 0, NULL);
	if (!sj || hpo_space_from_json(NULL, sj, &space, &err) < 0) {
		fprintf(stderr, "synth: %s\n", err.msg);
		return 1;
	}
	json_decref(sj);
	for (long seed = first; seed <= last; seed++) {
		json_t *history = json_array();
		double best = INFINITY, spent = 0, budget = full * high;
		long points = 0;

		while (spent < budget) {
			json_t *out = NULL, *p;
			double r, c, loss;

			if (hpo_optim_propose(argv[1], space, history, 1, 1000000, (uint64_t)seed,
					      settings, &out, &err) < 0) {
				fprintf(stderr, "synth: %s\n", err.msg);
				return 1;
			}
			if (json_array_size(out) != 1) {
				fprintf(stderr, "synth: no point proposed\n");
				return 1;
			}
			p = json_array_get(out, 0);
			r = num(p, "epochs");
			c = json_object_get(p, HPO_KEY_CONTINUES) ? num(p, HPO_KEY_CONTINUES) : 0;
			loss = curve(p, r);
			json_array_append_new(history, json_pack("[O, f]", p, loss));
			json_decref(out);
			if (spent + r - c > budget)
				break;	/* the point that would overrun the budget: not counted */
			spent += r - c;
			points++;
			if (loss < best) {
				best = loss;
				printf("synthetic %s %ld %g %ld %g %.6g\n", argv[2], seed, high, full,
				       spent, best);
			}
		}
		printf("synthetic %s %ld %g %ld %g %.6g %ld\n", argv[2], seed, high, full, spent, best,
		       points);
		fflush(stdout);
		json_decref(history);
	}
	hpo_space_free(space);
	json_decref(settings);
	return 0;
}
