/* steer.c - built-in steering and the iDDS steering files */
#include "autoconf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "file.h"
#include "rng.h"
#include "steer.h"

int
hpo_steer_builtin(const char *algorithm, const struct hpo_space *space, uint64_t seed,
		  unsigned grid_steps, long first, long n, json_t **points, struct hpo_err *err)
{
	json_t *list = json_array();

	*points = NULL;
	if (list == NULL)
		return hpo_err_set(err, HPO_E_SYS, "out of memory");
	if (strcmp(algorithm, "random") == 0) {
		for (long k = first; k < first + n; k++) {
			struct hpo_rng rng;
			hpo_rng_seed2(&rng, seed, (uint64_t)k);
			json_array_append_new(list, hpo_space_sample(space, &rng));
		}
	} else if (strcmp(algorithm, "grid") == 0) {
		uint64_t size;
		if (hpo_space_grid_size(space, grid_steps, &size, err) < 0) {
			json_decref(list);
			return -1;
		}
		for (long k = first; k < first + n && (uint64_t)k < size; k++)
			json_array_append_new(list, hpo_space_grid_point(space, grid_steps,
									 (uint64_t)k));
	} else {
		json_decref(list);
		return hpo_err_set(err, HPO_E_INPUT, "unknown steering algorithm '%s'", algorithm);
	}
	*points = list;
	return 0;
}

json_t *
hpo_steer_input(const json_t *history, const struct hpo_space *space)
{
	return json_pack("{s:O, s:o}", "points", history, "opt_space", hpo_space_to_json(space));
}

char *
hpo_steer_command(const char *exec, const char *in, const char *out, long num, long max)
{
	static const char *const keys[] = {"%NUM_POINTS", "%MAX_POINTS", "%IN", "%OUT"};
	char nbuf[32], mbuf[32];
	const char *vals[4];
	size_t cap = strlen(exec) + 1, len = 0;
	char *res;

	snprintf(nbuf, sizeof(nbuf), "%ld", num);
	snprintf(mbuf, sizeof(mbuf), "%ld", max);
	vals[0] = nbuf;
	vals[1] = mbuf;
	vals[2] = in;
	vals[3] = out;
	for (size_t i = 0; i < 4; i++)
		cap += strlen(vals[i]) * (strlen(exec) / 3 + 1);
	if ((res = malloc(cap)) == NULL)
		return NULL;
	for (const char *p = exec; *p;) {
		size_t i;
		for (i = 0; i < 4; i++) {
			size_t kl = strlen(keys[i]);
			if (strncmp(p, keys[i], kl) == 0) {
				size_t vl = strlen(vals[i]);
				memcpy(res + len, vals[i], vl);
				len += vl;
				p += kl;
				break;
			}
		}
		if (i == 4)
			res[len++] = *p++;
	}
	res[len] = '\0';
	return res;
}

int
hpo_steer_read_output(const char *path, const struct hpo_space *space, long limit,
		      json_t **points, struct hpo_err *err)
{
	json_error_t jerr;
	struct stat st;
	json_t *list, *item, *kept;
	size_t i;

	*points = NULL;
	if (stat(path, &st) < 0) {
		if (errno == ENOENT)
			return 0;
		return hpo_err_sys(err, "%s", path);
	}
	if (S_ISDIR(st.st_mode)) {
		errno = EISDIR;
		return hpo_err_sys(err, "%s", path);
	}
	/* any JSON value, so that a number or string is "not a list" too */
	list = json_load_file(path, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &jerr);
	if (list == NULL)
		return hpo_err_set(err, HPO_E_INPUT, "%s:%d:%d: %s", path, jerr.line, jerr.column,
				   jerr.text);
	if (!json_is_array(list)) {
		json_decref(list);
		return hpo_err_set(err, HPO_E_INPUT, "%s: must hold a JSON list of points", path);
	}
	kept = json_array();
	json_array_foreach(list, i, item) {
		char *what;
		int bad;
		if ((long)i >= limit)
			break;
		if ((what = hpo_strf("%s: point %zu", path, i + 1)) == NULL)
			bad = hpo_err_set(err, HPO_E_SYS, "out of memory");
		else
			bad = hpo_space_check_point(space, item, what, err);
		free(what);
		if (bad < 0) {
			json_decref(list);
			json_decref(kept);
			return -1;
		}
		json_array_append(kept, item);
	}
	json_decref(list);
	*points = kept;
	return 0;
}
