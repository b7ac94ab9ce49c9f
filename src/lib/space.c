/* space.c - the search space: parsing, validation, sampling, JSON form
 *
 * Numbers are compared with a relative tolerance (SPACE_TOL) so that a
 * point computed elsewhere (0.1 * 3 = 0.30000000000000004) still counts as
 * on the grid and within bounds.  Grid values are always k * q with k a
 * whole number held in a double, computed the same way everywhere, so that
 * sampling, grid enumeration and hpo_space_check_point agree exactly.
 */
#include "autoconf.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "space.h"
#include "xmalloc.h"

#define SPACE_TOL	1e-9		/* relative tolerance for bounds and grids */
#define SPACE_MAXINT	9007199254740992.0	/* 2^53: doubles hold integers exactly */
#define SPACE_MAXGRID	1000000.0	/* values of one parameter in a grid */

#ifndef M_E
#define M_E 2.7182818284590452354
#endif

enum { K_REQ = 1, K_OPT = 0 };

struct dimkey {
	const char *name;
	int required;
};

struct method_info {
	const char *name;
	struct dimkey keys[5];		/* terminated by a NULL name */
};

/* Indexed by enum hpo_method. */
static const struct method_info methods[] = {
	[HPO_UNIFORM] = {"uniform", {{"low", K_REQ}, {"high", K_REQ}, {NULL, 0}}},
	[HPO_UNIFORMINT] = {"uniformint", {{"low", K_REQ}, {"high", K_REQ}, {NULL, 0}}},
	[HPO_QUNIFORM] = {"quniform",
			  {{"low", K_REQ}, {"high", K_REQ}, {"q", K_REQ}, {NULL, 0}}},
	[HPO_LOGUNIFORM] = {"loguniform",
			    {{"low", K_REQ}, {"high", K_REQ}, {"base", K_OPT}, {NULL, 0}}},
	[HPO_QLOGUNIFORM] = {"qloguniform",
			     {{"low", K_REQ}, {"high", K_REQ}, {"q", K_REQ}, {"base", K_OPT},
			      {NULL, 0}}},
	[HPO_NORMAL] = {"normal", {{"mu", K_REQ}, {"sigma", K_REQ}, {NULL, 0}}},
	[HPO_QNORMAL] = {"qnormal", {{"mu", K_REQ}, {"sigma", K_REQ}, {"q", K_REQ}, {NULL, 0}}},
	[HPO_LOGNORMAL] = {"lognormal", {{"mu", K_REQ}, {"sigma", K_REQ}, {NULL, 0}}},
	[HPO_QLOGNORMAL] = {"qlognormal",
			    {{"mu", K_REQ}, {"sigma", K_REQ}, {"q", K_REQ}, {NULL, 0}}},
	[HPO_CATEGORICAL] = {"categorical",
			     {{"categories", K_REQ}, {"grid_search", K_OPT}, {NULL, 0}}},
	[HPO_FIXED] = {"fixed", {{"value", K_REQ}, {NULL, 0}}},
	[HPO_FIDELITY] = {"fidelity", {{"low", K_REQ}, {"high", K_REQ}, {"eta", K_OPT}, {NULL, 0}}},
};
#define NMETHODS (sizeof(methods) / sizeof(methods[0]))

static const char *const method_names[] = {
	"uniform", "uniformint", "quniform", "loguniform", "qloguniform", "normal",
	"qnormal", "lognormal", "qlognormal", "categorical", "fixed", "fidelity", NULL,
};

/* Where a parse is: for messages. */
struct ctx {
	const struct hpo_doc *doc;
	struct hpo_err *err;
	const char *name;	/* the parameter, once known */
};

const char *
hpo_method_name(enum hpo_method m)
{
	if ((size_t)m >= NMETHODS)
		return "unknown";
	return methods[m].name;
}

/* ---- small helpers ------------------------------------------------------ */

static int
is_int(double x)
{
	return isfinite(x) && floor(x) == x && fabs(x) <= SPACE_MAXINT;
}

/* Shortest text that reads back as x: "0.1", "10", "0.30000000000000004". */
static const char *
fmt_num(char *buf, size_t size, double x)
{
	x += 0.0;	/* no "-0" */
	if (is_int(x) && fabs(x) < 1e15) {
		snprintf(buf, size, "%.0f", x);
		return buf;
	}
	for (int prec = 1; prec <= 17; prec++) {
		snprintf(buf, size, "%.*g", prec, x);
		if (strtod(buf, NULL) == x)
			break;
	}
	return buf;
}

/* A JSON value as compact text for a message, cut short when long. */
static const char *
fmt_json(char *buf, size_t size, const json_t *v)
{
	char *s;

	if (json_is_integer(v))
		return fmt_num(buf, size, json_number_value(v));
	if (json_is_real(v)) {
		/* 7.0, so that it does not read like the integer 7 */
		fmt_num(buf, size, json_real_value(v));
		if (strpbrk(buf, ".en") == NULL && strlen(buf) + 2 < size)
			strcat(buf, ".0");
		return buf;
	}
	s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	if (s == NULL) {
		snprintf(buf, size, "(value)");
		return buf;
	}
	if (strlen(s) >= size && size > 4)
		snprintf(buf, size, "%.*s...", (int)(size - 4), s);
	else
		snprintf(buf, size, "%s", s);
	free(s);
	return buf;
}

/* "file:line:col: parameter 'x': <message>" at the key `key` of obj.
 *
 * Messages point at keys, never at values: hpo_doc_where is not reliable
 * for string, list (and, with some allocators, other) values, as doc.c
 * records a position for every key scalar and frees it, and a value
 * allocated later at the same address then finds the key's stale entry
 * first.  Key positions (hpo_doc_where_key) are looked up by their live
 * mapping and are always right. */
static int
perr(const struct ctx *c, const json_t *obj, const char *key, const char *fmt, ...)
	HPO_PRINTF(4, 5);

static int
perr(const struct ctx *c, const json_t *obj, const char *key, const char *fmt, ...)
{
	char msg[640];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return hpo_doc_err_key(c->err, c->doc, obj, key, "parameter '%s': %s", c->name, msg);
}

/* Smallest and largest k with k * q within [low, high] (tolerantly, the
 * same test hpo_space_check_point makes).  kmin > kmax when there is none. */
static void
q_range(const struct hpo_param *p, double *kmin, double *kmax)
{
	double lo = p->low - SPACE_TOL * fabs(p->low);
	double hi = p->high + SPACE_TOL * fabs(p->high);
	double a = ceil(lo / p->q), b = floor(hi / p->q);

	/* the division may round across an integer: settle on the products
	 * (a step or two at most; bounded, as a +- 1 is lost above 2^53) */
	for (int i = 0; i < 4 && a * p->q < lo; i++)
		a++;
	for (int i = 0; i < 4 && (a - 1) * p->q >= lo; i++)
		a--;
	for (int i = 0; i < 4 && b * p->q > hi; i++)
		b--;
	for (int i = 0; i < 4 && (b + 1) * p->q <= hi; i++)
		b++;
	*kmin = a;
	*kmax = b;
}

/* x rounded to the grid of q; x itself when the grid is finer than x's
 * precision (x / q not finite). */
static double
snap(double x, double q)
{
	double k = round(x / q);

	if (!isfinite(k))
		return x;
	return k * q;
}

static int
on_grid(double x, double q)
{
	double k = round(x / q);

	if (!isfinite(k))
		return 1;
	return fabs(x - k * q) <= SPACE_TOL * fmax(fabs(x), q);
}

/* Whether values of p are whole numbers, emitted as JSON integers. */
static int
integral(const struct hpo_param *p)
{
	switch (p->method) {
	case HPO_UNIFORMINT:
		return 1;
	case HPO_QUNIFORM:
	case HPO_QLOGUNIFORM:
		return is_int(p->q) && is_int(p->low) && is_int(p->high);
	case HPO_QNORMAL:
	case HPO_QLOGNORMAL:
		return is_int(p->q);
	case HPO_FIDELITY:
		return is_int(p->low) && is_int(p->high);
	default:
		return 0;
	}
}

static json_t *
num_json(double v, int as_int)
{
	v += 0.0;	/* -0 becomes 0 */
	if (as_int && is_int(v))
		return json_integer((json_int_t)v);
	return json_real(v);
}

static double
clamp(double x, double lo, double hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

/* ---- parsing ------------------------------------------------------------- */

static int
find_method(const char *name)
{
	for (size_t i = 0; i < NMETHODS; i++)
		if (strcmp(methods[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int
key_allowed(enum hpo_method m, const char *key)
{
	for (const struct dimkey *k = methods[m].keys; k->name != NULL; k++)
		if (strcmp(k->name, key) == 0)
			return 1;
	return 0;
}

static int
get_num(const struct ctx *c, const json_t *dim, const char *key, double *out)
{
	const json_t *v = json_object_get(dim, key);

	if (!json_is_number(v))
		return perr(c, dim, key, "%s must be a number, not %s", key, hpo_json_kind(v));
	*out = json_number_value(v);
	if (!isfinite(*out))
		return perr(c, dim, key, "%s must be finite", key);
	return 0;
}

static int
get_int(const struct ctx *c, const json_t *dim, const char *key, double *out)
{
	char a[32];

	if (get_num(c, dim, key, out) < 0)
		return -1;
	if (floor(*out) != *out)
		return perr(c, dim, key, "%s (%s) must be an integer", key,
			    fmt_num(a, sizeof(a), *out));
	if (fabs(*out) > SPACE_MAXINT)
		return perr(c, dim, key, "%s (%s) must be between -2^53 and 2^53", key,
			    fmt_num(a, sizeof(a), *out));
	return 0;
}

static int
check_positive(const struct ctx *c, const json_t *dim, const char *key, double v)
{
	char a[32];

	if (v <= 0)
		return perr(c, dim, key, "%s (%s) must be positive", key,
			    fmt_num(a, sizeof(a), v));
	return 0;
}

/* low and high of the uniform families. */
static int
parse_bounds(const struct ctx *c, struct hpo_param *p, const json_t *dim)
{
	char a[32], b[32];

	if (p->method == HPO_UNIFORMINT) {
		if (get_int(c, dim, "low", &p->low) < 0 || get_int(c, dim, "high", &p->high) < 0)
			return -1;
		if (p->low > p->high)
			return perr(c, dim, "low", "low (%s) must not be above high (%s)",
				    fmt_num(a, sizeof(a), p->low), fmt_num(b, sizeof(b), p->high));
		return 0;
	}
	if (get_num(c, dim, "low", &p->low) < 0 || get_num(c, dim, "high", &p->high) < 0)
		return -1;
	if (p->low >= p->high)
		return perr(c, dim, "low", "low (%s) must be below high (%s)",
			    fmt_num(a, sizeof(a), p->low), fmt_num(b, sizeof(b), p->high));
	if ((p->method == HPO_LOGUNIFORM || p->method == HPO_QLOGUNIFORM ||
	     p->method == HPO_FIDELITY) && p->low <= 0)
		return perr(c, dim, "low", "low (%s) must be positive for method '%s'",
			    fmt_num(a, sizeof(a), p->low), methods[p->method].name);
	return 0;
}

static int
parse_q(const struct ctx *c, struct hpo_param *p, const json_t *dim)
{
	char a[32], b[32], d[32];
	double kmin, kmax;

	if (get_num(c, dim, "q", &p->q) < 0 || check_positive(c, dim, "q", p->q) < 0)
		return -1;
	if (p->method != HPO_QUNIFORM && p->method != HPO_QLOGUNIFORM)
		return 0;
	if (fabs(p->low / p->q) > SPACE_MAXINT || fabs(p->high / p->q) > SPACE_MAXINT)
		return perr(c, dim, "q", "q (%s) is too small for the range",
			    fmt_num(a, sizeof(a), p->q));
	q_range(p, &kmin, &kmax);
	if (kmin > kmax)
		return perr(c, dim, "q", "no multiple of q (%s) lies between low (%s) and high (%s)",
			    fmt_num(a, sizeof(a), p->q), fmt_num(b, sizeof(b), p->low),
			    fmt_num(d, sizeof(d), p->high));
	return 0;
}

static int
parse_categories(const struct ctx *c, struct hpo_param *p, const json_t *dim)
{
	const json_t *cats = json_object_get(dim, "categories");
	const json_t *gs = json_object_get(dim, "grid_search");
	char a[80];
	size_t n;

	if (!json_is_array(cats))
		return perr(c, dim, "categories", "categories must be a list, not %s",
			    hpo_json_kind(cats));
	n = json_array_size(cats);
	if (n == 0)
		return perr(c, dim, "categories", "categories must not be empty");
	/* a repeated category would weigh double in sampling and repeat grid
	 * points: surely a slip */
	for (size_t i = 1; i < n; i++) {
		const json_t *v = json_array_get(cats, i);
		for (size_t j = 0; j < i; j++)
			if (json_equal(v, json_array_get(cats, j)))
				return perr(c, dim, "categories", "category %s appears twice",
					    fmt_json(a, sizeof(a), v));
	}
	if (gs != NULL) {
		if (json_is_true(gs) || (json_is_integer(gs) && json_integer_value(gs) == 1))
			p->grid_search = 1;
		else if (json_is_false(gs) || (json_is_integer(gs) && json_integer_value(gs) == 0))
			p->grid_search = 0;
		else
			return perr(c, dim, "grid_search", "grid_search must be 0, 1, true or false");
	}
	p->categories = json_deep_copy(cats);
	return 0;
}

/* The canonical dimension: dim's keys for the method in file order, values
 * as given except uniformint bounds (integers) and grid_search (0 or 1). */
static void
canonical_dimension(struct hpo_param *p, const json_t *dim)
{
	const char *key;
	json_t *v, *d = json_object();

	json_object_foreach((json_t *)dim, key, v) {
		json_t *nv;
		if (!key_allowed(p->method, key))
			continue;	/* "method" in the flattened form */
		if (p->method == HPO_UNIFORMINT)
			nv = json_integer((json_int_t)(strcmp(key, "low") == 0 ? p->low : p->high));
		else if (strcmp(key, "grid_search") == 0)
			nv = json_integer(p->grid_search);
		else if (strcmp(key, "categories") == 0)
			nv = json_incref(p->categories);
		else if (strcmp(key, "value") == 0)
			nv = json_incref(p->value);
		else
			nv = json_deep_copy(v);
		json_object_set_new(d, key, nv);
	}
	p->dimension = d;
}

/* spec (space's member) is known to be a mapping with a known method; find
 * the object that holds the dimension keys and check that it holds no
 * others and all the required ones. */
static int
find_dimension(const struct ctx *c, const struct hpo_param *p, const json_t *space,
	       const json_t *spec, const json_t **out)
{
	const struct method_info *mi = &methods[p->method];
	const json_t *dim = json_object_get(spec, "dimension");
	const char *names[8], *key, *near;
	json_t *v;
	size_t n = 0;

	if (dim != NULL) {
		static const char *const outer[] = {"method", "dimension", NULL};
		if (!json_is_object(dim))
			return perr(c, spec, "dimension", "dimension must be a mapping, not %s",
				    hpo_json_kind(dim));
		json_object_foreach((json_t *)spec, key, v) {
			if (strcmp(key, "method") == 0 || strcmp(key, "dimension") == 0)
				continue;
			if (key_allowed(p->method, key))
				return perr(c, spec, key, "'%s' must be inside 'dimension'", key);
			near = hpo_nearest(key, outer);
			if (near != NULL)
				return perr(c, spec, key, "unknown key '%s' (did you mean '%s'?)",
						key, near);
			return perr(c, spec, key, "unknown key '%s'", key);
		}
	} else {
		dim = spec;
	}
	for (const struct dimkey *k = mi->keys; k->name != NULL; k++)
		names[n++] = k->name;
	if (dim == spec)
		names[n++] = "dimension";	/* for a misspelt one */
	names[n] = NULL;
	json_object_foreach((json_t *)dim, key, v) {
		char list[128] = "";
		if ((dim == spec && strcmp(key, "method") == 0) || key_allowed(p->method, key))
			continue;
		near = hpo_nearest(key, names);
		if (near != NULL)
			return perr(c, dim, key,
					"unknown key '%s' for method '%s' (did you mean '%s'?)",
					key, mi->name, near);
		for (const struct dimkey *k = mi->keys; k->name != NULL; k++) {
			if (k != mi->keys)
				strcat(list, ", ");
			strcat(list, k->name);
		}
		return perr(c, dim, key, "unknown key '%s' for method '%s' (expected %s)",
				key, mi->name, list);
	}
	for (const struct dimkey *k = mi->keys; k->name != NULL; k++)
		if (k->required && json_object_get(dim, k->name) == NULL)
			return perr(c, dim == spec ? space : spec, dim == spec ? c->name : "dimension",
				    "method '%s' needs '%s'", mi->name, k->name);
	*out = dim;
	return 0;
}

static int
parse_param(const struct ctx *c, struct hpo_param *p, const json_t *space, const json_t *spec)
{
	const json_t *mv, *dim;
	const char *near;
	int m;

	if (!json_is_object(spec))
		return perr(c, space, c->name, "the specification must be a mapping, not %s",
			    hpo_json_kind(spec));
	mv = json_object_get(spec, "method");
	if (mv == NULL)
		return perr(c, space, c->name, "no method given");
	if (!json_is_string(mv))
		return perr(c, spec, "method", "method must be a string, not %s", hpo_json_kind(mv));
	if ((m = find_method(json_string_value(mv))) < 0) {
		near = hpo_nearest(json_string_value(mv), method_names);
		if (near != NULL)
			return perr(c, spec, "method", "unknown method '%s' (did you mean '%s'?)",
				    json_string_value(mv), near);
		return perr(c, spec, "method", "unknown method '%s'", json_string_value(mv));
	}
	p->method = (enum hpo_method)m;
	if (find_dimension(c, p, space, spec, &dim) < 0)
		return -1;

	switch (p->method) {
	case HPO_UNIFORM:
	case HPO_UNIFORMINT:
		if (parse_bounds(c, p, dim) < 0)
			return -1;
		break;
	case HPO_QUNIFORM:
		if (parse_bounds(c, p, dim) < 0 || parse_q(c, p, dim) < 0)
			return -1;
		break;
	case HPO_LOGUNIFORM:
	case HPO_QLOGUNIFORM:
		if (parse_bounds(c, p, dim) < 0)
			return -1;
		p->base = M_E;
		if (json_object_get(dim, "base") != NULL) {
			char a[32];
			if (get_num(c, dim, "base", &p->base) < 0)
				return -1;
			if (p->base <= 1)
				return perr(c, dim, "base", "base (%s) must be above 1",
					    fmt_num(a, sizeof(a), p->base));
		}
		if (p->method == HPO_QLOGUNIFORM && parse_q(c, p, dim) < 0)
			return -1;
		break;
	case HPO_NORMAL:
	case HPO_QNORMAL:
	case HPO_LOGNORMAL:
	case HPO_QLOGNORMAL:
		if (get_num(c, dim, "mu", &p->mu) < 0 || get_num(c, dim, "sigma", &p->sigma) < 0 ||
		    check_positive(c, dim, "sigma", p->sigma) < 0)
			return -1;
		if ((p->method == HPO_QNORMAL || p->method == HPO_QLOGNORMAL) &&
		    parse_q(c, p, dim) < 0)
			return -1;
		break;
	case HPO_CATEGORICAL:
		if (parse_categories(c, p, dim) < 0)
			return -1;
		break;
	case HPO_FIXED:
		p->value = json_deep_copy(json_object_get(dim, "value"));	/* required */
		break;
	case HPO_FIDELITY:
		if (parse_bounds(c, p, dim) < 0)
			return -1;
		p->eta = 3;
		if (json_object_get(dim, "eta") != NULL) {
			char a[32];
			if (get_num(c, dim, "eta", &p->eta) < 0)
				return -1;
			if (p->eta <= 1)
				return perr(c, dim, "eta", "eta (%s) must be above 1",
					    fmt_num(a, sizeof(a), p->eta));
		}
		break;
	}
	canonical_dimension(p, dim);
	return 0;
}

int
hpo_space_from_json(const struct hpo_doc *doc, const json_t *value, struct hpo_space **out,
		    struct hpo_err *err)
{
	struct ctx c = {doc, err, NULL};
	struct hpo_space *s;
	const char *name;
	json_t *spec;
	size_t i = 0;

	*out = NULL;
	if (!json_is_object(value))
		return hpo_doc_err(err, doc, value, NULL,
				   "the search space must be a mapping of parameter names "
				   "to specifications, not %s", hpo_json_kind(value));
	if (json_object_size(value) == 0)
		return hpo_doc_err(err, doc, value, NULL, "the search space is empty");
	s = xcalloc(1, sizeof(*s));
	s->params = xcalloc(json_object_size(value), sizeof(*s->params));
	json_object_foreach((json_t *)value, name, spec) {
		struct hpo_param *p = &s->params[i];
		if (*name == '\0') {
			hpo_doc_err_key(err, doc, value, name, "a parameter name must not be empty");
			goto fail;
		}
		s->n = ++i;
		p->name = xstrdup(name);
		c.name = name;
		if (strncmp(name, "__hpo_", 6) == 0) {
			hpo_doc_err_key(err, doc, value, name,
					"parameter names starting with '__hpo_' are reserved");
			goto fail;
		}
		if (parse_param(&c, p, value, spec) < 0)
			goto fail;
		if (p->method == HPO_FIDELITY && hpo_space_fidelity(s) != (int)i - 1) {
			perr(&c, value, name, "a second fidelity parameter (the first is '%s'): "
			     "a task has one budget", s->params[hpo_space_fidelity(s)].name);
			goto fail;
		}
	}
	*out = s;
	return 0;
fail:
	hpo_space_free(s);
	return -1;
}

int
hpo_space_load(const char *path, struct hpo_space **out, struct hpo_err *err)
{
	struct hpo_doc *doc;
	int rc;

	*out = NULL;
	if (hpo_doc_load(path, &doc, err) < 0)
		return -1;
	rc = hpo_space_from_json(doc, hpo_doc_root(doc), out, err);
	hpo_doc_free(doc);
	return rc;
}

void
hpo_space_free(struct hpo_space *space)
{
	if (space == NULL)
		return;
	for (size_t i = 0; i < space->n; i++) {
		struct hpo_param *p = &space->params[i];
		free(p->name);
		json_decref(p->categories);
		json_decref(p->value);
		json_decref(p->dimension);
	}
	free(space->params);
	free(space);
}

/* ---- JSON form ------------------------------------------------------------ */

static int
set_num(json_t *d, const char *key, double v, int as_int)
{
	return json_object_set_new(d, key, num_json(v, as_int));
}

/* The dimension of a parameter built by hand (no p->dimension). */
static json_t *
dimension_from_fields(const struct hpo_param *p)
{
	json_t *d = json_object();
	int rc = 0;

	if (d == NULL)
		return NULL;
	switch (p->method) {
	case HPO_UNIFORM:
	case HPO_UNIFORMINT:
	case HPO_QUNIFORM:
	case HPO_LOGUNIFORM:
	case HPO_QLOGUNIFORM:
		rc |= set_num(d, "low", p->low, p->method == HPO_UNIFORMINT);
		rc |= set_num(d, "high", p->high, p->method == HPO_UNIFORMINT);
		if (p->method == HPO_QUNIFORM || p->method == HPO_QLOGUNIFORM)
			rc |= set_num(d, "q", p->q, 0);
		if ((p->method == HPO_LOGUNIFORM || p->method == HPO_QLOGUNIFORM) &&
		    p->base != M_E && p->base != 0)
			rc |= set_num(d, "base", p->base, 0);
		break;
	case HPO_NORMAL:
	case HPO_QNORMAL:
	case HPO_LOGNORMAL:
	case HPO_QLOGNORMAL:
		rc |= set_num(d, "mu", p->mu, 0);
		rc |= set_num(d, "sigma", p->sigma, 0);
		if (p->method == HPO_QNORMAL || p->method == HPO_QLOGNORMAL)
			rc |= set_num(d, "q", p->q, 0);
		break;
	case HPO_CATEGORICAL:
		rc |= json_object_set(d, "categories", p->categories);
		rc |= json_object_set_new(d, "grid_search", json_integer(p->grid_search));
		break;
	case HPO_FIXED:
		rc |= json_object_set(d, "value", p->value);
		break;
	case HPO_FIDELITY:
		rc |= set_num(d, "low", p->low, integral(p));
		rc |= set_num(d, "high", p->high, integral(p));
		if (p->eta != 3 && p->eta != 0)
			rc |= set_num(d, "eta", p->eta, 0);
		break;
	}
	if (rc != 0) {
		json_decref(d);
		return NULL;
	}
	return d;
}

json_t *
hpo_space_to_json(const struct hpo_space *space)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	for (size_t i = 0; i < space->n; i++) {
		const struct hpo_param *p = &space->params[i];
		json_t *d, *spec;
		if (p->dimension != NULL)
			d = json_deep_copy(p->dimension);
		else
			d = dimension_from_fields(p);
		spec = json_pack("{s:s, s:o}", "method", hpo_method_name(p->method),
				 "dimension", d);
		if (spec == NULL || json_object_set_new(o, p->name, spec) < 0) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

/* ---- sampling ----------------------------------------------------------- */

/* x in [low, high] for u in [0, 1), without overflow when high - low is
 * beyond the double range. */
static double
lerp(double low, double high, double u)
{
	double r = high - low, x;

	if (isfinite(r))
		x = low + u * r;
	else
		x = low * (1 - u) + high * u;
	return clamp(x, low, high);
}

/* k * q for the grid value nearest x within [low, high]. */
static double
sample_q_bounded(const struct hpo_param *p, double x)
{
	double kmin, kmax, k;

	q_range(p, &kmin, &kmax);
	k = clamp(round(x / p->q), kmin, kmax);
	return k * p->q;
}

double
hpo_param_nearest(const struct hpo_param *p, double x)
{
	if (isnan(x))
		x = 0;
	switch (p->method) {
	case HPO_UNIFORM:
	case HPO_LOGUNIFORM:
		return clamp(x, p->low, p->high);
	case HPO_UNIFORMINT:
		return clamp(round(x), p->low, p->high);
	case HPO_QUNIFORM:
	case HPO_QLOGUNIFORM:
		return sample_q_bounded(p, clamp(x, p->low, p->high));
	case HPO_NORMAL:
		return clamp(x, -DBL_MAX, DBL_MAX);
	case HPO_QNORMAL:
		return snap(clamp(x, -DBL_MAX, DBL_MAX), p->q);
	case HPO_LOGNORMAL:
		return clamp(x, DBL_MIN, DBL_MAX);
	case HPO_QLOGNORMAL:
		return snap(clamp(x, 0, DBL_MAX), p->q);
	case HPO_FIDELITY:
		return integral(p) ? clamp(round(x), p->low, p->high) : clamp(x, p->low, p->high);
	default:
		return x;
	}
}

json_t *
hpo_param_value(const struct hpo_param *p, double x)
{
	return num_json(hpo_param_nearest(p, x), integral(p));
}

static json_t *
sample_param(const struct hpo_param *p, struct hpo_rng *rng)
{
	switch (p->method) {
	case HPO_UNIFORM:
	case HPO_QUNIFORM:
		return hpo_param_value(p, lerp(p->low, p->high, hpo_rng_uniform(rng)));
	case HPO_UNIFORMINT: {
		uint64_t n = (uint64_t)((int64_t)p->high - (int64_t)p->low) + 1;
		return json_integer((json_int_t)((int64_t)p->low + (int64_t)hpo_rng_below(rng, n)));
	}
	case HPO_LOGUNIFORM:
	case HPO_QLOGUNIFORM:
		return hpo_param_value(p, exp(lerp(log(p->low), log(p->high),
						   hpo_rng_uniform(rng))));
	case HPO_NORMAL:
	case HPO_QNORMAL:
		return hpo_param_value(p, p->mu + p->sigma * hpo_rng_normal(rng));
	case HPO_LOGNORMAL:
	case HPO_QLOGNORMAL:
		/* exp may underflow to 0 or overflow: kept a positive double */
		return hpo_param_value(p, exp(p->mu + p->sigma * hpo_rng_normal(rng)));
	case HPO_CATEGORICAL:
		return json_deep_copy(json_array_get(p->categories,
			(size_t)hpo_rng_below(rng, json_array_size(p->categories))));
	case HPO_FIXED:
	case HPO_FIDELITY:
		return hpo_param_constant(p);
	}
	return NULL;
}

json_t *
hpo_space_sample(const struct hpo_space *space, struct hpo_rng *rng)
{
	json_t *o = json_object();

	if (o == NULL)
		return NULL;
	for (size_t i = 0; i < space->n; i++) {
		json_t *v = sample_param(&space->params[i], rng);
		if (v == NULL || json_object_set_new(o, space->params[i].name, v) < 0) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

/* ---- fidelity ------------------------------------------------------------ */

int
hpo_param_is_constant(const struct hpo_param *p)
{
	return p->method == HPO_FIXED || p->method == HPO_FIDELITY;
}

json_t *
hpo_param_constant(const struct hpo_param *p)
{
	if (p->method == HPO_FIDELITY)
		return num_json(p->high, integral(p));
	return json_deep_copy(p->value);
}

int
hpo_space_fidelity(const struct hpo_space *space)
{
	for (size_t i = 0; i < space->n; i++)
		if (space->params[i].method == HPO_FIDELITY)
			return (int)i;
	return -1;
}

size_t
hpo_param_rungs(const struct hpo_param *p, double *budgets)
{
	double k = floor(log(p->high / p->low) / log(p->eta) + 1e-9), prev = -1;
	size_t n = 0;

	if (k > HPO_RUNGS_MAX - 1)
		k = HPO_RUNGS_MAX - 1;
	for (double i = k; i >= 0; i--) {
		double b = i == 0 ? p->high : p->high / pow(p->eta, i);
		if (integral(p))
			b = round(b);
		b = clamp(b, p->low, p->high);
		if (b <= prev)
			continue;	/* whole numbers: two rungs rounded alike */
		if (budgets != NULL)
			budgets[n] = b;
		n++;
		prev = b;
	}
	return n;
}

static int
alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

int
hpo_trial_name_ok(const char *s)
{
	size_t n = strlen(s);

	/* a letter first: never a point's ID, which shares the checkpoints'
	 * directory (local) and sub IDs (PanDA) */
	if (n == 0 || n > HPO_TRIAL_MAX || !alnum(s[0]) || (s[0] >= '0' && s[0] <= '9'))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!alnum(s[i]) && s[i] != '.' && s[i] != '-')
			return 0;
	return 1;
}

/* ---- checking a point ------------------------------------------------------ */

/* Bounds and grids are checked with a relative tolerance of SPACE_TOL.
 * uniformint accepts JSON integers and reals with an integral value (3.0):
 * a steering program in a language without an integer type may well send
 * the latter, and the value is the same. */
static int
check_value(const struct hpo_param *p, const json_t *v, const char *what, struct hpo_err *err)
{
	char a[80], b[80];
	double x;

	if (p->method == HPO_CATEGORICAL) {
		for (size_t i = 0; i < json_array_size(p->categories); i++)
			if (json_equal(v, json_array_get(p->categories, i)))
				return 0;
		return hpo_err_set(err, HPO_E_INPUT,
				   "%s: parameter '%s': %s is not one of the categories", what,
				   p->name, fmt_json(a, sizeof(a), v));
	}
	if (p->method == HPO_FIXED) {
		if (json_equal(v, p->value))
			return 0;
		return hpo_err_set(err, HPO_E_INPUT,
				   "%s: parameter '%s': %s is not the fixed value %s", what,
				   p->name, fmt_json(a, sizeof(a), v), fmt_json(b, sizeof(b), p->value));
	}
	if (!json_is_number(v))
		return hpo_err_set(err, HPO_E_INPUT, "%s: parameter '%s': expected a number, not %s",
				   what, p->name, hpo_json_kind(v));
	x = json_number_value(v);
	if (!isfinite(x))
		return hpo_err_set(err, HPO_E_INPUT, "%s: parameter '%s': %s is not finite",
				   what, p->name, fmt_num(a, sizeof(a), x));
	switch (p->method) {
	case HPO_UNIFORMINT:
	case HPO_FIDELITY:
		if (integral(p) && floor(x) != x)
			return hpo_err_set(err, HPO_E_INPUT,
					   "%s: parameter '%s': %s is not an integer", what,
					   p->name, fmt_num(a, sizeof(a), x));
		/* FALLTHROUGH */
	case HPO_UNIFORM:
	case HPO_QUNIFORM:
	case HPO_LOGUNIFORM:
	case HPO_QLOGUNIFORM: {
		double tl = p->method == HPO_UNIFORMINT ? 0 : SPACE_TOL * fabs(p->low);
		double th = p->method == HPO_UNIFORMINT ? 0 : SPACE_TOL * fabs(p->high);
		if (x < p->low - tl)
			return hpo_err_set(err, HPO_E_INPUT,
					   "%s: parameter '%s': %s is below low (%s)", what, p->name,
					   fmt_num(a, sizeof(a), x), fmt_num(b, sizeof(b), p->low));
		if (x > p->high + th)
			return hpo_err_set(err, HPO_E_INPUT,
					   "%s: parameter '%s': %s is above high (%s)", what, p->name,
					   fmt_num(a, sizeof(a), x), fmt_num(b, sizeof(b), p->high));
		break;
	}
	case HPO_LOGNORMAL:
		if (x <= 0)
			return hpo_err_set(err, HPO_E_INPUT,
					   "%s: parameter '%s': %s is not positive", what, p->name,
					   fmt_num(a, sizeof(a), x));
		break;
	case HPO_QLOGNORMAL:
		/* exp(N) below q / 2 rounds to 0 */
		if (x < 0)
			return hpo_err_set(err, HPO_E_INPUT,
					   "%s: parameter '%s': %s is negative", what, p->name,
					   fmt_num(a, sizeof(a), x));
		break;
	default:
		break;
	}
	if (p->q > 0 && !on_grid(x, p->q))
		return hpo_err_set(err, HPO_E_INPUT,
				   "%s: parameter '%s': %s is not a multiple of q (%s)", what,
				   p->name, fmt_num(a, sizeof(a), x), fmt_num(b, sizeof(b), p->q));
	return 0;
}

/* A reserved key of a point: only with a fidelity parameter. */
static int
check_reserved(const struct hpo_space *space, const json_t *point, const char *key,
	       const json_t *v, const char *what, struct hpo_err *err)
{
	int f = hpo_space_fidelity(space);
	char a[32], b[32];
	double budget;

	if (f < 0)
		return hpo_err_set(err, HPO_E_INPUT,
				   "%s: '%s' is reserved for tasks with a fidelity parameter", what,
				   key);
	if (strcmp(key, HPO_KEY_TRIAL) == 0) {
		if (!json_is_string(v) || !hpo_trial_name_ok(json_string_value(v)))
			return hpo_err_set(err, HPO_E_INPUT,
					   "%s: '%s' must be a string of letters, digits, '.' and "
					   "'-' (at most %d), starting with a letter", what,
					   key, HPO_TRIAL_MAX);
		return 0;
	}
	if (!json_is_number(v) || !isfinite(json_number_value(v)))
		return hpo_err_set(err, HPO_E_INPUT, "%s: '%s' must be a budget (a number), not %s",
				   what, key, hpo_json_kind(v));
	/* the fidelity parameter's value was checked before the extra keys */
	budget = json_number_value(json_object_get(point, space->params[f].name));
	if (json_number_value(v) >= budget || json_number_value(v) < space->params[f].low)
		return hpo_err_set(err, HPO_E_INPUT,
				   "%s: '%s' (%s) must be a budget below the point's '%s' (%s)", what,
				   key, fmt_num(a, sizeof(a), json_number_value(v)),
				   space->params[f].name, fmt_num(b, sizeof(b), budget));
	return 0;
}

int
hpo_space_check_point(const struct hpo_space *space, const json_t *point, const char *what,
		      struct hpo_err *err)
{
	const char *key;
	json_t *v;

	if (what == NULL)
		what = "point";
	if (!json_is_object(point))
		return hpo_err_set(err, HPO_E_INPUT, "%s: a point must be a mapping, not %s",
				   what, hpo_json_kind(point));
	for (size_t i = 0; i < space->n; i++) {
		const struct hpo_param *p = &space->params[i];
		v = json_object_get(point, p->name);
		if (v == NULL)
			return hpo_err_set(err, HPO_E_INPUT, "%s: parameter '%s' is missing", what,
					   p->name);
		if (check_value(p, v, what, err) < 0)
			return -1;
	}
	json_object_foreach((json_t *)point, key, v) {
		size_t i;
		for (i = 0; i < space->n; i++)
			if (strcmp(space->params[i].name, key) == 0)
				break;
		if (i < space->n)
			continue;
		if (strcmp(key, HPO_KEY_TRIAL) == 0 || strcmp(key, HPO_KEY_CONTINUES) == 0) {
			if (check_reserved(space, point, key, v, what, err) < 0)
				return -1;
			continue;
		}
		return hpo_err_set(err, HPO_E_INPUT, "%s: unknown parameter '%s'", what, key);
	}
	if (json_object_get(point, HPO_KEY_CONTINUES) != NULL &&
	    json_object_get(point, HPO_KEY_TRIAL) == NULL)
		return hpo_err_set(err, HPO_E_INPUT, "%s: '%s' without '%s'", what,
				   HPO_KEY_CONTINUES, HPO_KEY_TRIAL);
	return 0;
}

/* ---- grid search ---------------------------------------------------------- */

/* Number of grid values of p, as a double (it may be huge before the
 * limit check); -1 for the normal families. */
static double
grid_count(const struct hpo_param *p, unsigned steps)
{
	double kmin, kmax;

	switch (p->method) {
	case HPO_UNIFORM:
	case HPO_LOGUNIFORM:
		return steps;
	case HPO_UNIFORMINT:
		return p->high - p->low + 1;
	case HPO_QUNIFORM:
	case HPO_QLOGUNIFORM:
		q_range(p, &kmin, &kmax);
		return kmax - kmin + 1;
	case HPO_CATEGORICAL:
		return (double)json_array_size(p->categories);
	case HPO_FIXED:
	case HPO_FIDELITY:
		return 1;
	default:
		return -1;
	}
}

int
hpo_space_grid_size(const struct hpo_space *space, unsigned steps, uint64_t *size,
		    struct hpo_err *err)
{
	uint64_t total = 1;
	char a[32];

	*size = 0;
	if (steps < 1)
		return hpo_err_set(err, HPO_E_INPUT, "grid steps must be at least 1");
	for (size_t i = 0; i < space->n; i++) {
		const struct hpo_param *p = &space->params[i];
		double n = grid_count(p, steps);
		if (n < 0)
			return hpo_err_set(err, HPO_E_INPUT,
					   "parameter '%s': method '%s' has no finite set of "
					   "values for a grid search", p->name,
					   hpo_method_name(p->method));
		if (n > SPACE_MAXGRID)
			return hpo_err_set(err, HPO_E_INPUT,
					   "parameter '%s': %s grid values, more than the limit "
					   "of %.0f", p->name, fmt_num(a, sizeof(a), n), SPACE_MAXGRID);
		if (total > UINT64_MAX / (uint64_t)n)
			return hpo_err_set(err, HPO_E_INPUT,
					   "the grid has more than %" PRIu64 " points", UINT64_MAX);
		total *= (uint64_t)n;
	}
	*size = total;
	return 0;
}

/* The j-th of p's grid values. */
static json_t *
grid_value(const struct hpo_param *p, unsigned steps, uint64_t j)
{
	double kmin, kmax, t, x;

	switch (p->method) {
	case HPO_UNIFORM:
		if (steps == 1)
			return num_json(clamp(p->low / 2 + p->high / 2, p->low, p->high), 0);
		if (j == steps - 1)
			return num_json(p->high, 0);
		return num_json(lerp(p->low, p->high, (double)j / (steps - 1)), 0);
	case HPO_LOGUNIFORM:
		if (steps == 1)
			return num_json(clamp(sqrt(p->low) * sqrt(p->high), p->low, p->high), 0);
		if (j == steps - 1)
			return num_json(p->high, 0);
		t = (double)j / (steps - 1);
		x = p->low * pow(p->high / p->low, t);
		if (!isfinite(x))
			x = exp(log(p->low) + t * (log(p->high) - log(p->low)));
		return num_json(clamp(x, p->low, p->high), 0);
	case HPO_UNIFORMINT:
		return json_integer((json_int_t)((int64_t)p->low + (int64_t)j));
	case HPO_QUNIFORM:
	case HPO_QLOGUNIFORM:
		q_range(p, &kmin, &kmax);
		return num_json((kmin + (double)j) * p->q, integral(p));
	case HPO_CATEGORICAL:
		return json_deep_copy(json_array_get(p->categories, (size_t)j));
	case HPO_FIXED:
	case HPO_FIDELITY:
		return hpo_param_constant(p);
	default:
		return NULL;
	}
}

json_t *
hpo_space_grid_point(const struct hpo_space *space, unsigned steps, uint64_t index)
{
	uint64_t size;
	json_t *o;

	if (hpo_space_grid_size(space, steps, &size, NULL) < 0 || index >= size)
		return NULL;
	if ((o = json_object()) == NULL)
		return NULL;
	/* keys in space order: add them first, fill in from the last */
	for (size_t i = 0; i < space->n; i++)
		if (json_object_set_new(o, space->params[i].name, json_null()) < 0)
			goto fail;
	for (size_t i = space->n; i-- > 0;) {
		const struct hpo_param *p = &space->params[i];
		uint64_t n = (uint64_t)grid_count(p, steps);
		json_t *v = grid_value(p, steps, index % n);
		index /= n;
		if (v == NULL || json_object_set_new(o, p->name, v) < 0)
			goto fail;
	}
	return o;
fail:
	json_decref(o);
	return NULL;
}
