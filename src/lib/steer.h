/* steer.h - the iDDS steering protocol for the user's own steering command
 * (the built-in algorithms are optim.h's)
 *
 * iDDS protocol: the steering command gets %IN, a JSON file
 *     {"points": [[{point}, loss-or-null], ...], "opt_space": {...}}
 * holding every point so far, and writes to %OUT a JSON list of new point
 * objects; [] (or no file) ends the search.  %NUM_POINTS is how many are
 * wanted now, %MAX_POINTS the whole budget.
 */
#ifndef HPO_STEER_H
#define HPO_STEER_H

#include <stdint.h>

#include <jansson.h>

#include "err.h"
#include "space.h"

/* The %IN document for a history: points is a list of [point, loss|null]. */
json_t *hpo_steer_input(const json_t *history, const struct hpo_space *space);

/* The steering command with %IN, %OUT, %NUM_POINTS and %MAX_POINTS
 * replaced (malloc'ed). */
char *hpo_steer_command(const char *exec, const char *in, const char *out, long num,
			long max);

/* 1 when exec is the arguments of a docker command, "run --rm -v
 * \"$(pwd)\":/HPOiDDS IMAGE CMD ...": phpo's steeringExec without
 * steeringContainer, which iDDS runs as `docker` + exec in the directory of
 * %IN and %OUT, passing them as file names in that directory. */
int hpo_steer_exec_is_docker_args(const char *exec);

/* The Grid's steering command for a built-in algorithm: hpo-steer with the
 * iDDS placeholders, the seed (when has_seed) and the settings (when not
 * empty), quoted for the shell (malloc'ed):
 *   hpo-steer --algorithm A --in %IN --out %OUT --num-points %NUM_POINTS
 *     --max-points %MAX_POINTS [--seed S] [--setting '{...}'] */
char *hpo_steer_exec_builtin(const char *algorithm, const json_t *settings, uint64_t seed,
			     int has_seed);

/* Read a steering run's %OUT: *points is the list (maybe empty), or NULL
 * when the file does not exist.  Every point is checked against the space;
 * at most `limit` are kept. */
int hpo_steer_read_output(const char *path, const struct hpo_space *space, long limit,
			  json_t **points, struct hpo_err *err);

#endif
