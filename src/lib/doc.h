/* doc.h - YAML or JSON documents as jansson values that remember where
 * each value and key stood in the file, so that every later check can name
 * file:line:column.
 *
 * JSON is YAML flow syntax: the YAML reader reads it as well, and gives
 * the same values as jansson where jansson reads it (hpo_doc_parse).
 * Scalars are typed with the YAML 1.2 core schema: quoted scalars are
 * strings; plain ones are null (~, null, empty), booleans (true/false),
 * integers, reals (including .inf and .nan) or else strings.
 */
#ifndef HPO_DOC_H
#define HPO_DOC_H

#include <jansson.h>

#include "err.h"

struct hpo_doc;

/* Parse a file.  On a syntax error, the message names file:line:column. */
int hpo_doc_load(const char *path, struct hpo_doc **out, struct hpo_err *err);
/* Parse a buffer; name is used in messages in place of a path.  JSON text
 * is read by jansson when it takes it, the positions found only when
 * asked for; the same value and the same positions as by the YAML reader,
 * which reads everything else (and, for tests, hpo_doc_parse_yaml). */
int hpo_doc_parse(const char *name, const char *buf, size_t len,
		  struct hpo_doc **out, struct hpo_err *err);
int hpo_doc_parse_yaml(const char *name, const char *buf, size_t len,
		       struct hpo_doc **out, struct hpo_err *err);
void hpo_doc_free(struct hpo_doc *doc);

/* The root value (borrowed: valid while doc lives). */
json_t *hpo_doc_root(const struct hpo_doc *doc);
const char *hpo_doc_name(const struct hpo_doc *doc);

/* Position of a value, or of the key `key` inside object `obj`.  Line and
 * column are 1-based; both 0 when unknown (e.g. a value not from the doc).
 * true, false and null are shared jansson singletons: ask for their key. */
void hpo_doc_where(const struct hpo_doc *doc, const json_t *value, int *line, int *col);
void hpo_doc_where_key(const struct hpo_doc *doc, const json_t *obj, const char *key,
		       int *line, int *col);

/* Set an HPO_E_INPUT error "name:line:col: <message>" about a value (or,
 * when key is not NULL, about obj's member key: its value's position when
 * known, else the key's).  doc may be NULL: then only the message is set.
 * Returns -1. */
int hpo_doc_err(struct hpo_err *err, const struct hpo_doc *doc, const json_t *obj,
		const char *key, const char *fmt, ...) HPO_PRINTF(5, 6);

/* The same for a member key itself (unknown key, duplicate key). */
int hpo_doc_err_key(struct hpo_err *err, const struct hpo_doc *doc, const json_t *obj,
		    const char *key, const char *fmt, ...) HPO_PRINTF(5, 6);

/* What a JSON value is, for messages: "a mapping", "a list", "a string",
 * "a number", "a boolean", "null". */
const char *hpo_json_kind(const json_t *v);
/* The closest of `names` (NULL-terminated) to `word` by edit distance, or
 * NULL when none is close enough to be a likely misspelling. */
const char *hpo_nearest(const char *word, const char *const *names);

#endif
