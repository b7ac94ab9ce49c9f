/* opt_settings.c - an algorithm's settings read by name and checked, and
 * the command line's --setting (optim.h) */
#include "autoconf.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "optim.h"
#include "xmalloc.h"

static const json_t *
setting(const json_t *settings, const char *name)
{
	const json_t *v = json_is_object(settings) ? json_object_get(settings, name) : NULL;

	return json_is_null(v) ? NULL : v;
}

int
hpo_optim_setting_num(const json_t *settings, const char *name, double def, double min,
		      double max, double *out, struct hpo_err *err)
{
	const json_t *v = setting(settings, name);

	*out = def;
	if (v == NULL)
		return 0;
	if (!json_is_number(v))
		return hpo_err_set(err, HPO_E_INPUT, "setting '%s' must be a number, not %s", name,
				   hpo_json_kind(v));
	*out = json_number_value(v);
	if (!(*out >= min && *out <= max))
		return hpo_err_set(err, HPO_E_INPUT, "setting '%s' (%g) must be between %g and %g",
				   name, *out, min, max);
	return 0;
}

int
hpo_optim_setting_int(const json_t *settings, const char *name, long def, long min, long max,
		      long *out, struct hpo_err *err)
{
	const json_t *v = setting(settings, name);
	double x;

	*out = def;
	if (v == NULL)
		return 0;
	if (!json_is_number(v) || floor(json_number_value(v)) != json_number_value(v))
		return hpo_err_set(err, HPO_E_INPUT, "setting '%s' must be a whole number", name);
	x = json_number_value(v);
	if (x < (double)min || x > (double)max)
		return hpo_err_set(err, HPO_E_INPUT, "setting '%s' (%.0f) must be between %ld and %ld",
				   name, x, min, max);
	*out = (long)x;
	return 0;
}

int
hpo_optim_setting_bool(const json_t *settings, const char *name, int def, int *out,
		       struct hpo_err *err)
{
	const json_t *v = setting(settings, name);

	*out = def;
	if (v == NULL)
		return 0;
	if (json_is_boolean(v))
		*out = json_is_true(v);
	else if (json_is_integer(v) && (json_integer_value(v) == 0 || json_integer_value(v) == 1))
		*out = (int)json_integer_value(v);
	else
		return hpo_err_set(err, HPO_E_INPUT, "setting '%s' must be true or false", name);
	return 0;
}

int
hpo_optim_setting_choice(const json_t *settings, const char *name, const char *const *choices,
			 int *out, struct hpo_err *err)
{
	const json_t *v = setting(settings, name);
	char list[256] = "";
	int n;

	*out = 0;
	if (v == NULL)
		return 0;
	for (n = 0; choices[n] != NULL; n++)
		if (json_is_string(v) && strcmp(json_string_value(v), choices[n]) == 0) {
			*out = n;
			return 0;
		}
	for (int i = 0; i < n; i++) {
		size_t o = strlen(list);
		snprintf(list + o, sizeof(list) - o, "%s\"%s\"",
			 i == 0 ? "" : i == n - 1 ? " or " : ", ", choices[i]);
	}
	return hpo_err_set(err, HPO_E_INPUT, "setting '%s' must be %s", name, list);
}

int
hpo_optim_setting_parse(const char *arg, json_t *settings, struct hpo_err *err)
{
	const char *eq = strchr(arg, '=');
	json_error_t jerr;
	json_t *v;
	char *key;

	if (*arg == '{') {
		v = json_loads(arg, JSON_REJECT_DUPLICATES, &jerr);
		if (v == NULL)
			return hpo_err_set(err, HPO_E_INPUT, "'%s': column %d: %s", arg, jerr.column,
					   jerr.text);
		if (!json_is_object(v)) {
			json_decref(v);
			return hpo_err_set(err, HPO_E_INPUT, "'%s': not a JSON object", arg);
		}
		json_object_update(settings, v);
		json_decref(v);
		return 0;
	}
	if (eq == NULL || eq == arg)
		return hpo_err_set(err, HPO_E_INPUT,
				   "'%s': expected KEY=VALUE or a JSON object", arg);
	v = json_loads(eq + 1, JSON_DECODE_ANY, &jerr);
	if (v != NULL && (json_is_object(v) || json_is_array(v) || json_is_string(v))) {
		json_decref(v);
		v = NULL;
	}
	if (v == NULL)
		v = json_string(eq + 1);
	key = xstrndup(arg, (size_t)(eq - arg));
	/* json_string and the key refuse what is not UTF-8 */
	if (v == NULL || json_object_set_new(settings, key, v) < 0) {
		free(key);
		return hpo_err_set(err, HPO_E_INPUT, "'%s': not valid UTF-8", arg);
	}
	free(key);
	return 0;
}
