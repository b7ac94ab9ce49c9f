/* optim_fixtures.h - what the optimiser and steering tests share: a space with
 * every method, and parsing helpers that fail the test on bad input */
#ifndef HPO_TEST_OPTIM_FIXTURES_H
#define HPO_TEST_OPTIM_FIXTURES_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "space.h"

/* Every method, with integral and non-integral q. */
static const char *const all_methods =
	"u: {method: uniform, low: -2, high: 3}\n"
	"i: {method: uniformint, low: -3, high: 7}\n"
	"q: {method: quniform, low: 0, high: 10, q: 2}\n"
	"qr: {method: quniform, low: 0.05, high: 1, q: 0.1}\n"
	"l: {method: loguniform, low: 0.0001, high: 1}\n"
	"ql: {method: qloguniform, low: 1, high: 1000, q: 5}\n"
	"n: {method: normal, mu: 1, sigma: 2}\n"
	"qn: {method: qnormal, mu: 0, sigma: 3, q: 1}\n"
	"ln: {method: lognormal, mu: 0, sigma: 1}\n"
	"qln: {method: qlognormal, mu: 0, sigma: 1, q: 0.5}\n"
	"c: {method: categorical, categories: [relu, 1, 2.5, true, null, [1]]}\n"
	"f: {method: fixed, value: {a: 1}}\n";

static inline struct hpo_space *
space_ok(const char *text)
{
	struct hpo_err err = {0};
	struct hpo_doc *doc = NULL;
	struct hpo_space *s = NULL;

	if (hpo_doc_parse("t.yaml", text, strlen(text), &doc, &err) < 0)
		fail_msg("unexpected parse error: %s", err.msg);
	if (hpo_space_from_json(doc, hpo_doc_root(doc), &s, &err) < 0)
		fail_msg("unexpected error: %s", err.msg);
	hpo_doc_free(doc);
	assert_non_null(s);
	return s;
}

static inline json_t *
json_ok(const char *text)
{
	json_error_t jerr;
	json_t *v = json_loads(text, JSON_DECODE_ANY, &jerr);

	if (v == NULL)
		fail_msg("bad test JSON: %s", jerr.text);
	return v;
}

/* Compact text, keys in order (malloc'ed). */
static inline char *
dumps(const json_t *v, size_t flags)
{
	char *s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | flags);

	assert_non_null(s);
	return s;
}

static inline void
assert_json_text(const json_t *v, const char *expect)
{
	char *s = dumps(v, JSON_PRESERVE_ORDER);

	if (strcmp(s, expect) != 0) {
		fprintf(stderr, "got      %s\nexpected %s\n", s, expect);
		free(s);
		fail();
	}
	free(s);
}

#endif
