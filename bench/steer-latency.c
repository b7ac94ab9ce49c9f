/* bench/steer-latency.c - the time to propose one point from a history of
 * 1,000 finished points: hpo_optim_propose (the history's encoding
 * included, the JSON parsing of the file not), median of RUNS calls, for
 * each algorithm and setting given (default: tpe, multivariate, and tpe univariate).
 *
 *   make bench/steer-latency-prog && bench/steer-latency-prog [RUNS [ALGO [SETTINGS]]]
 *
 * With --spawn, the time of a whole command instead, RUNS times: from
 * posix_spawn to the end of its wait4, so process start and exit included
 * and nothing else; the median and the least, the median CPU time (user
 * and system, from wait4) and the page faults of the last run:
 *
 *   bench/steer-latency-prog --spawn RUNS COMMAND [ARG...]
 */
#include "autoconf.h"

#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#include "optim.h"

static const char *const space_text =
	"{\"lr\": {\"method\": \"loguniform\", \"dimension\": {\"low\": 1e-5, \"high\": 1}},"
	" \"x\": {\"method\": \"uniform\", \"dimension\": {\"low\": -5, \"high\": 5}},"
	" \"y\": {\"method\": \"uniform\", \"dimension\": {\"low\": -5, \"high\": 5}},"
	" \"layers\": {\"method\": \"uniformint\", \"dimension\": {\"low\": 1, \"high\": 8}},"
	" \"act\": {\"method\": \"categorical\", \"dimension\": {\"categories\": [\"relu\", \"tanh\", \"gelu\"]}}}";

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
loss(const json_t *p)
{
	double x = json_number_value(json_object_get(p, "x")) - 1;
	double y = json_number_value(json_object_get(p, "y")) + 2;
	double lr = log10(json_number_value(json_object_get(p, "lr"))) + 3;

	return x * x + y * y + lr * lr + (double)json_integer_value(json_object_get(p, "layers")) / 8;
}

static void
bench(const struct hpo_space *space, const json_t *hist, int runs, const char *algo,
      const char *settings_text)
{
	json_t *settings = settings_text ? json_loads(settings_text, 0, NULL) : NULL;
	double *t = calloc((size_t)runs, sizeof(double));
	struct hpo_err err = {0};

	for (int r = 0; r < runs; r++) {
		json_t *pts;
		double t0 = now();
		if (hpo_optim_propose(algo, space, hist, 1, 100000, (uint64_t)r, settings, &pts,
				      &err) < 0) {
			fprintf(stderr, "steer-latency: %s\n", err.msg);
			exit(1);
		}
		t[r] = now() - t0;
		json_decref(pts);
	}
	qsort(t, (size_t)runs, sizeof(double), cmp);
	printf("%-8s %-24s %zu points  median %.3f ms  (min %.3f, max %.3f, %d runs)\n", algo,
	       settings_text ? settings_text : "{}", json_array_size(hist), t[runs / 2] * 1e3,
	       t[0] * 1e3, t[runs - 1] * 1e3, runs);
	free(t);
	json_decref(settings);
}

extern char **environ;

static int
spawn_bench(int runs, char **cmd)
{
	double *wall = calloc((size_t)runs, sizeof(double)), *cpu = calloc((size_t)runs, sizeof(double));
	posix_spawn_file_actions_t fa;
	long faults = 0;

	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	for (int r = 0; r < runs; r++) {
		struct rusage ru;
		pid_t pid;
		int st;
		double t0 = now();

		if (posix_spawn(&pid, cmd[0], &fa, NULL, cmd, environ) != 0 ||
		    wait4(pid, &st, 0, &ru) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
			fprintf(stderr, "steer-latency: %s failed\n", cmd[0]);
			return 1;
		}
		wall[r] = now() - t0;
		cpu[r] = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
			 (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
		faults = ru.ru_minflt + ru.ru_majflt;
	}
	qsort(wall, (size_t)runs, sizeof(double), cmp);
	qsort(cpu, (size_t)runs, sizeof(double), cmp);
	printf("median %.2f ms  (min %.2f, %d runs), CPU %.2f ms, %ld page faults\n",
	       wall[runs / 2] * 1e3, wall[0] * 1e3, runs, cpu[runs / 2] * 1e3, faults);
	posix_spawn_file_actions_destroy(&fa);
	free(wall);
	free(cpu);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc > 3 && strcmp(argv[1], "--spawn") == 0 && atoi(argv[2]) > 0)
		return spawn_bench(atoi(argv[2]), argv + 3);

	int runs = argc > 1 ? atoi(argv[1]) : 51;
	struct hpo_space *space;
	struct hpo_err err = {0};
	json_t *sj = json_loads(space_text, 0, NULL), *hist = json_array();

	if (runs < 1 || hpo_space_from_json(NULL, sj, &space, &err) < 0) {
		fprintf(stderr, "usage: steer-latency-prog [RUNS [ALGO [SETTINGS]]] %s\n", err.msg);
		return 2;
	}
	for (uint64_t k = 0; k < 1000; k++) {
		struct hpo_rng rng;
		hpo_rng_seed2(&rng, 1, k);
		json_t *p = hpo_space_sample(space, &rng);
		json_array_append_new(hist, json_pack("[o, f]", p, loss(p)));
	}
	if (argc > 2) {
		bench(space, hist, runs, argv[2], argc > 3 ? argv[3] : NULL);
	} else {
		bench(space, hist, runs, "random", NULL);
		bench(space, hist, runs, "tpe", NULL);
		bench(space, hist, runs, "tpe", "{\"multivariate\": false}");
	}
	json_decref(hist);
	json_decref(sj);
	hpo_space_free(space);
	return 0;
}
