/* hpo-steer - propose points with a built-in optimiser, as an iDDS steering
 * command (%IN %OUT %NUM_POINTS %MAX_POINTS)
 *
 * The local engine calls the same library function (hpo_optim_propose), so
 * a task proposes the same points here, in hpo-submit --local and in a
 * steering container on the Grid.
 */
#include "autoconf.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "file.h"
#include "jsontext.h"
#include "log.h"
#include "optim.h"
#include "opts.h"
#include "space.h"

/* the exit codes are exitcode.h's: hpo-steer has none of its own */
enum {
	EXIT_OK = HPO_EXIT_OK,
	EXIT_ERROR = HPO_EXIT_ERROR,
	EXIT_USAGE = HPO_EXIT_USAGE,
	EXIT_INPUT = HPO_EXIT_INPUT,
};

static const char *const usage[] = {
	"--algorithm NAME --in FILE --out FILE --num-points N --max-points M [options]",
	NULL,
};

enum {
	OPT_ALGORITHM, OPT_IN, OPT_OUT, OPT_NUM_POINTS, OPT_MAX_POINTS, OPT_SEED, OPT_SPACE,
	OPT_SETTING, OPT_QUIET, OPT_HELP, OPT_VERSION, OPT_END,
};

static const struct hpo_option options[] = {
	[OPT_ALGORITHM] = {"algorithm", 'a', "NAME", "the optimiser: tpe, gp, cmaes, random, grid, asha, hyperband (hpo-steer(1) says which to pick)"},
	[OPT_IN] = {"in", 'i', "FILE", "the iDDS input: {\"points\": [[point, loss|null], ...], \"opt_space\": {...}} (%IN)"},
	[OPT_OUT] = {"out", 'o', "FILE", "where the new points go, a JSON list; [] once the budget is spent (%OUT; - for stdout)"},
	[OPT_NUM_POINTS] = {"num-points", 'n', "N", "how many points are wanted now (%NUM_POINTS)"},
	[OPT_MAX_POINTS] = {"max-points", 'm', "M", "the whole budget: never more points than M in all (%MAX_POINTS)"},
	[OPT_SEED] = {"seed", 's', "S", "random seed, 0 to 2^64-1 (default 0): the same input and seed give the same points"},
	[OPT_SPACE] = {"space", 0, "FILE", "the search space (YAML or JSON) instead of the input's opt_space"},
	[OPT_SETTING] = {"setting", 'S', "KEY=VALUE", "an algorithm setting, or a JSON object of them; repeatable"},
	[OPT_QUIET] = HPO_OPTION_QUIET,
	[OPT_HELP] = HPO_OPTION_HELP,
	[OPT_VERSION] = HPO_OPTION_VERSION,
	[OPT_END] = {NULL, 0, NULL, NULL},
};

static const struct hpo_tool tool = {
	"hpo-steer", usage,
	"Propose new points of a hyperparameter search with a built-in optimiser.  Reads\n"
	"every point so far, writes the next ones: an iDDS steering command, e.g.\n"
	"  hpo-steer --algorithm tpe --in %IN --out %OUT --num-points %NUM_POINTS \\\n"
	"            --max-points %MAX_POINTS --seed 7",
	options,
	NULL,
	(const struct hpo_exitcode[]){
		{0, NULL, "the points, or [] when the budget is spent"},
		{1, NULL, "reading or writing a file"},
		{2, NULL, "also an unknown algorithm or setting, or a setting out of range"},
		{13, NULL, "the input or space file is malformed (the message names where)"},
		{0, NULL, NULL},
	},
};

/* The input document: its points and space.  The space comes from
 * space_path when given. */
static int
load_input(const char *path, const char *space_path, struct hpo_doc **doc, json_t **points,
	   struct hpo_space **space, struct hpo_err *err)
{
	const json_t *root, *sp;

	*points = NULL;
	*space = NULL;
	if (hpo_doc_load(path, doc, err) < 0)
		return -1;
	root = hpo_doc_root(*doc);
	if (!json_is_object(root))
		return hpo_doc_err(err, *doc, root, NULL,
				   "the input must be a mapping with points and opt_space, not %s",
				   hpo_json_kind(root));
	*points = json_object_get(root, "points");
	if (*points != NULL && !json_is_array(*points) && !json_is_null(*points))
		return hpo_doc_err(err, *doc, root, "points", "points must be a list, not %s",
				   hpo_json_kind(*points));
	if (space_path != NULL)
		return hpo_space_load(space_path, space, err);
	sp = json_object_get(root, "opt_space");
	if (sp == NULL)
		return hpo_err_set(err, HPO_E_INPUT, "%s: no opt_space (the search space); "
				   "or give --space", path);
	return hpo_space_from_json(*doc, sp, space, err);
}

static int
write_points(const char *path, const json_t *points, struct hpo_err *err)
{
	char *text = hpo_json_text(points, JSON_COMPACT, 0);
	int rc;

	if (strcmp(path, "-") == 0) {
		rc = puts(text) < 0 || fflush(stdout) != 0 ? hpo_err_sys(err, "stdout") : 0;
	} else {
		size_t len = strlen(text);
		text[len] = '\n';	/* json_dumps's NUL, which puts adds too */
		/* read once this process has ended (iDDS, the local engine):
		 * renamed into place whole, not synced (file.h) */
		rc = hpo_file_replace(path, text, len + 1, 0644, err);
	}
	free(text);
	return rc;
}

static struct hpo_doc *volatile input;	/* volatile: the store is not dropped */

int
main(int argc, char **argv)
{
	struct hpo_optstate os = {0};
	const struct hpo_option *o;
	const char *algorithm = NULL, *in = NULL, *out = NULL, *space_path = NULL;
	long num = -1, max = -1;
	uint64_t seed = 0;
	struct hpo_common com = {0};
	int rc = EXIT_ERROR;
	struct hpo_err err = {0};
	struct hpo_doc *doc = NULL;
	struct hpo_space *space = NULL;
	const struct hpo_optim_algo *a;
	json_t *settings = json_object(), *points = NULL, *history;

	while ((o = hpo_opts_next(&tool, argc, argv, &os)) != NULL) {
		if (o == HPO_OPT_ERROR) {
			json_decref(settings);
			return EXIT_USAGE;
		}
		if ((rc = hpo_opts_common(&tool, o, &os, &com)) == HPO_OPTS_EXIT) {
			json_decref(settings);
			return EXIT_OK;
		} else if (rc == 1) {
			continue;
		}
		switch (o - options) {
		case OPT_ALGORITHM: algorithm = os.arg; break;
		case OPT_IN: in = os.arg; break;
		case OPT_OUT: out = os.arg; break;
		case OPT_NUM_POINTS:
			if (hpo_opts_long(os.arg, 0, INT_MAX, &num) < 0) {
				hpo_opts_error(&tool, "--num-points: '%s' is not a number of points", os.arg);
				goto usage;
			}
			break;
		case OPT_MAX_POINTS:
			if (hpo_opts_long(os.arg, 0, INT_MAX, &max) < 0) {
				hpo_opts_error(&tool, "--max-points: '%s' is not a number of points", os.arg);
				goto usage;
			}
			break;
		case OPT_SEED: {
			char *end;
			unsigned long long u;
			errno = 0;
			u = strtoull(os.arg, &end, 10);
			if (*os.arg < '0' || *os.arg > '9' || *end != '\0' || errno == ERANGE) {
				hpo_opts_error(&tool, "--seed: '%s' is not a number from 0 to 2^64-1",
					       os.arg);
				goto usage;
			}
			seed = u;
			break;
		}
		case OPT_SPACE: space_path = os.arg; break;
		case OPT_SETTING:
			if (hpo_optim_setting_parse(os.arg, settings, &err) < 0) {
				hpo_opts_error(&tool, "--setting: %s", err.msg);
				goto usage;
			}
			break;
		}
	}
	rc = EXIT_ERROR;
	hpo_log_init(argv[0], com.quiet ? HPO_LOG_QUIET : HPO_LOG_NORMAL);
	if (os.nops > 0) {
		hpo_opts_error(&tool, "unexpected argument '%s'", os.ops[0]);
		goto usage;
	}
	if (algorithm == NULL || in == NULL || out == NULL || num < 0 || max < 0) {
		hpo_opts_error(&tool, "--%s is required",
			       algorithm == NULL ? "algorithm" : in == NULL ? "in" :
			       out == NULL ? "out" : num < 0 ? "num-points" : "max-points");
		goto usage;
	}
	if ((a = hpo_optim_get(algorithm, &err)) == NULL ||
	    hpo_optim_check_settings(a, NULL, settings, &err) < 0) {
		hpo_opts_error(&tool, "%s", err.msg);
		goto usage;
	}

	if (load_input(in, space_path, &doc, &history, &space, &err) < 0) {
		rc = hpo_exit_for(&err);
		goto fail;
	}
	/* the values of the settings, for this space */
	if (hpo_optim_check_settings(a, space, settings, &err) < 0) {
		rc = err.kind == HPO_E_INPUT ? EXIT_USAGE : EXIT_ERROR;
		goto fail;
	}
	if (hpo_optim_propose(algorithm, space, history, num, max, seed, settings, &points,
			      &err) < 0) {
		rc = err.kind == HPO_E_INPUT ? EXIT_INPUT : EXIT_ERROR;
		if (rc == EXIT_INPUT)
			hpo_err_prefix(&err, "%s", in);
		goto fail;
	}
	if (write_points(out, points, &err) < 0)
		goto fail;
	hpo_debug("%zu points", json_array_size(points));
	rc = EXIT_OK;
	goto done;
usage:
	json_decref(settings);
	return EXIT_USAGE;
fail:
	fprintf(stderr, "%s: %s\n", tool.name, err.msg);
done:
	json_decref(points);
	json_decref(settings);
	hpo_space_free(space);
	/* the input's tree, some 20,000 values for 1,000 points, is left to
	 * the exit: freeing it one by one was a sixth of a call.  Kept
	 * reachable, it is no leak to valgrind or LeakSanitizer. */
	input = doc;
	return rc;
}
