/* doc_same.h - whether two readings of one text agree: the same values
 * and, for every value and every key, the same line and column.  For the
 * doc fuzz harness and test_doc (jansson's reading of JSON text against
 * the YAML reader's, doc.h).  Returns NULL, or what differs. */
#ifndef HPO_DOC_SAME_H
#define HPO_DOC_SAME_H

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "doc.h"

static const char *
doc_same_at(const struct hpo_doc *a, const json_t *va, const struct hpo_doc *b, const json_t *vb,
	    char *why, size_t size)
{
	int la, ca, lb, cb;
	const char *key, *w;
	json_t *m;
	size_t i;

	if (json_typeof(va) != json_typeof(vb)) {
		snprintf(why, size, "a %s against a %s", hpo_json_kind(va), hpo_json_kind(vb));
		return why;
	}
	hpo_doc_where(a, va, &la, &ca);
	hpo_doc_where(b, vb, &lb, &cb);
	if (la != lb || ca != cb) {
		snprintf(why, size, "a value at %d:%d against %d:%d", la, ca, lb, cb);
		return why;
	}
	if (json_is_object(va)) {
		if (json_object_size(va) != json_object_size(vb)) {
			snprintf(why, size, "mappings of %zu and %zu keys", json_object_size(va),
				 json_object_size(vb));
			return why;
		}
		json_object_foreach((json_t *)va, key, m) {
			const json_t *n = json_object_get(vb, key);

			if (n == NULL) {
				snprintf(why, size, "key '%s' in one only", key);
				return why;
			}
			hpo_doc_where_key(a, va, key, &la, &ca);
			hpo_doc_where_key(b, vb, key, &lb, &cb);
			if (la != lb || ca != cb) {
				snprintf(why, size, "key '%s' at %d:%d against %d:%d", key, la, ca,
					 lb, cb);
				return why;
			}
			if ((w = doc_same_at(a, m, b, n, why, size)) != NULL)
				return w;
		}
	} else if (json_is_array(va)) {
		if (json_array_size(va) != json_array_size(vb)) {
			snprintf(why, size, "lists of %zu and %zu", json_array_size(va),
				 json_array_size(vb));
			return why;
		}
		json_array_foreach(va, i, m)
			if ((w = doc_same_at(a, m, b, json_array_get(vb, i), why, size)) != NULL)
				return w;
	} else if (!json_equal(va, vb)) {
		snprintf(why, size, "different %s values", hpo_json_kind(va));
		return why;
	}
	return NULL;
}

static const char *
doc_same(const struct hpo_doc *a, const struct hpo_doc *b, char *why, size_t size)
{
	return doc_same_at(a, hpo_doc_root(a), b, hpo_doc_root(b), why, size);
}

#endif
