/* steer.c - the iDDS steering files and command lines */
#include "autoconf.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "file.h"
#include "steer.h"
#include "xmalloc.h"

json_t *
hpo_steer_input(const json_t *history, const struct hpo_space *space)
{
	return json_pack("{s:O, s:o}", "points", history, "opt_space", hpo_space_to_json(space));
}

int
hpo_steer_exec_is_docker_args(const char *exec)
{
	exec += strspn(exec, " \t");
	return strncmp(exec, "run", 3) == 0 && (exec[3] == ' ' || exec[3] == '\t');
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
	res = xmalloc(cap);
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

/* s in single quotes for /bin/sh: ' becomes '\'' (malloc'ed). */
static char *
shell_quote(const char *s)
{
	size_t n = 3;
	char *q, *w;

	for (const char *p = s; *p; p++)
		n += *p == '\'' ? 4 : 1;
	w = q = xmalloc(n);
	*w++ = '\'';
	for (const char *p = s; *p; p++) {
		if (*p == '\'') {
			memcpy(w, "'\\''", 4);
			w += 4;
		} else {
			*w++ = *p;
		}
	}
	*w++ = '\'';
	*w = '\0';
	return q;
}

char *
hpo_steer_exec_builtin(const char *algorithm, const json_t *settings, uint64_t seed,
		       int has_seed)
{
	char *set = NULL, *quoted = NULL, *cmd, seedopt[40] = "";

	if (json_object_size(settings) > 0) {
		/* 0.2, not 0.20000000000000001, when that reads back the same */
		json_t *back;
		set = json_dumps(settings, JSON_COMPACT | JSON_REAL_PRECISION(15));
		back = set ? json_loads(set, 0, NULL) : NULL;
		if (set != NULL && !json_equal(back, settings)) {
			free(set);
			set = json_dumps(settings, JSON_COMPACT);
		}
		json_decref(back);
		if (set == NULL)
			return NULL;
		quoted = shell_quote(set);
	}
	if (has_seed)
		snprintf(seedopt, sizeof(seedopt), " --seed %llu", (unsigned long long)seed);
	cmd = hpo_strf("hpo-steer --algorithm %s --in %%IN --out %%OUT --num-points %%NUM_POINTS "
		       "--max-points %%MAX_POINTS%s%s%s", algorithm, seedopt,
		       quoted ? " --setting " : "", quoted ? quoted : "");
	free(set);
	free(quoted);
	return cmd;
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
		what = hpo_strf("%s: point %zu", path, i + 1);
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
