/* steer.h - proposing points: built-in algorithms and the iDDS steering
 * protocol for the user's own steering command
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

/* Points `first` .. `first + n - 1` of a built-in algorithm ("random" or
 * "grid"), as a new JSON list.  Point k depends only on the space, the
 * seed and k, so a resumed task proposes what the first run would have.
 * The list is shorter than n (empty at the end) when the grid runs out. */
int hpo_steer_builtin(const char *algorithm, const struct hpo_space *space, uint64_t seed,
		      unsigned grid_steps, long first, long n, json_t **points,
		      struct hpo_err *err);

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
