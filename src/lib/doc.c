/* doc.c - YAML/JSON documents as jansson values with source positions */
#include "autoconf.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "doc.h"
#include "xmalloc.h"
#include "file.h"

#define DOC_MAX_NODES 1000000	/* values, counting alias copies */
#define DOC_MAX_DEPTH 256

struct pos {
	const json_t *node;	/* the value, or the object holding key */
	char *key;		/* NULL for a value's position */
	int line, col;
};

struct anchor {
	char *name;
	json_t *value;
};

struct hpo_doc {
	char *name;
	json_t *root;
	struct pos *pos;
	size_t npos, cappos;
	struct anchor *anchors;
	size_t nanchors;
	size_t nnodes;
	/* read by jansson (JSON text): the positions are found when first
	 * asked for, by reading text again with libyaml (resolve_positions);
	 * nodes[] are the values as parsed, in document order, to pair with
	 * libyaml's whatever the caller changed in the tree since */
	char *text;
	size_t len;
	const json_t **nodes;
	size_t nrec;
};

struct frame {
	json_t *value;		/* object or array being filled */
	char *key;		/* object: key waiting for its value */
	int key_line, key_col;
	int flow;		/* written {...} or [...] */
	int key_colon;		/* the key is plain and has a ':' in it */
	char *anchor;
};

static void
add_pos(struct hpo_doc *doc, const json_t *node, const char *key, int line, int col)
{
	struct pos *p;

	if (doc->npos == doc->cappos) {
		doc->cappos = doc->cappos ? doc->cappos * 2 : 64;
		doc->pos = xreallocarray(doc->pos, doc->cappos, sizeof(*p));
	}
	p = &doc->pos[doc->npos++];
	p->node = node;
	p->key = key != NULL ? xstrdup(key) : NULL;
	p->line = line;
	p->col = col;
}

static void resolve_positions(const struct hpo_doc *doc);

void
hpo_doc_where(const struct hpo_doc *doc, const json_t *value, int *line, int *col)
{
	*line = *col = 0;
	if (doc == NULL || value == NULL || json_is_true(value) || json_is_false(value) ||
	    json_is_null(value))
		return;
	resolve_positions(doc);
	for (size_t i = doc->npos; i-- > 0;) {	/* newest first */
		if (doc->pos[i].node == value && doc->pos[i].key == NULL) {
			*line = doc->pos[i].line;
			*col = doc->pos[i].col;
			return;
		}
	}
}

void
hpo_doc_where_key(const struct hpo_doc *doc, const json_t *obj, const char *key,
		  int *line, int *col)
{
	*line = *col = 0;
	if (doc == NULL || obj == NULL || key == NULL)
		return;
	resolve_positions(doc);
	for (size_t i = 0; i < doc->npos; i++) {
		if (doc->pos[i].node == obj && doc->pos[i].key != NULL &&
		    strcmp(doc->pos[i].key, key) == 0) {
			*line = doc->pos[i].line;
			*col = doc->pos[i].col;
			return;
		}
	}
}

static int
verr_at(struct hpo_err *err, const struct hpo_doc *doc, int line, int col,
	const char *fmt, va_list ap)
{
	char msg[768];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (doc == NULL)
		return hpo_err_set(err, HPO_E_INPUT, "%s", msg);
	if (line > 0)
		return hpo_err_set(err, HPO_E_INPUT, "%s:%d:%d: %s", doc->name, line, col, msg);
	return hpo_err_set(err, HPO_E_INPUT, "%s: %s", doc->name, msg);
}

int
hpo_doc_err(struct hpo_err *err, const struct hpo_doc *doc, const json_t *obj,
	    const char *key, const char *fmt, ...)
{
	int line = 0, col = 0, rc;
	va_list ap;

	if (key != NULL) {
		hpo_doc_where(doc, json_object_get(obj, key), &line, &col);
		if (line == 0)
			hpo_doc_where_key(doc, obj, key, &line, &col);
	} else {
		hpo_doc_where(doc, obj, &line, &col);
	}
	va_start(ap, fmt);
	rc = verr_at(err, doc, line, col, fmt, ap);
	va_end(ap);
	return rc;
}

int
hpo_doc_err_key(struct hpo_err *err, const struct hpo_doc *doc, const json_t *obj,
		const char *key, const char *fmt, ...)
{
	int line = 0, col = 0, rc;
	va_list ap;

	hpo_doc_where_key(doc, obj, key, &line, &col);
	va_start(ap, fmt);
	rc = verr_at(err, doc, line, col, fmt, ap);
	va_end(ap);
	return rc;
}

static int
err_mark(struct hpo_err *err, const struct hpo_doc *doc, yaml_mark_t mark,
	 const char *fmt, ...) HPO_PRINTF(4, 5);

static int
err_mark(struct hpo_err *err, const struct hpo_doc *doc, yaml_mark_t mark,
	 const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = verr_at(err, doc, (int)mark.line + 1, (int)mark.column + 1, fmt, ap);
	va_end(ap);
	return rc;
}

/* ---- syntax errors: libyaml's words and a hint -------------------------------- */

/* The last character before at that is not blank, or 0. */
static int
before(const char *buf, size_t at, size_t *where)
{
	while (at-- > 0)
		if (strchr(" \t\r\n", buf[at]) == NULL) {
			if (where != NULL)
				*where = at;
			return (unsigned char)buf[at];
		}
	return 0;
}

/* What probably went wrong when libyaml stops with problem (in context)
 * at byte at of buf: the slips of YAML (tabs, an unquoted ': ') and of JSON read as YAML
 * (a comma missing or one too many, single quotes with backslashes), or
 * NULL.  A trailing comma inside {...} or [...], single quotes and
 * unquoted keys are fine in YAML: those parse. */
static const char *
syntax_hint(const char *buf, size_t len, size_t at, const char *problem, const char *context)
{
	int c = at < len ? (unsigned char)buf[at] : 0;
	size_t p = 0;
	int prev = before(buf, at < len ? at : len, &p);

	if (strstr(problem, "tab character") != NULL || c == '\t')
		return "use spaces to indent, not tabs";
	if (strncmp(problem, "mapping values are not allowed", 30) == 0)
		return "quote a value that has ': ' in it: key: \"value: more\"";
	if (strncmp(problem, "found character that cannot start any token", 44) == 0 &&
	    (c == '@' || c == '`'))
		return "quote a value that starts with '@' or '`'";
	if (strncmp(problem, "found unexpected end of stream", 30) == 0 &&
	    strstr(context, "quoted scalar") != NULL)
		return "a quoted string is not closed";
	if (strstr(problem, "did not find expected ',' or") != NULL) {
		int mapping = strchr(problem, '}') != NULL;
		if (prev == '\'' && p > 0 && buf[p - 1] == '\\')
			return "in single quotes a backslash is an ordinary character: write a quote "
			       "in them twice, 'it''s', or use double quotes, \"it's\"";
		if (at >= len || c == '\0' || c == (mapping ? ']' : '}'))
			return mapping ? "a closing '}' is missing" : "a closing ']' is missing";
		return mapping ? "a ',' between two entries, or the ':' after a key, is missing"
			       : "a ',' between two items is missing";
	}
	if (strncmp(problem, "did not find expected node content", 34) == 0 && c == ',')
		return "one ',' too many: two in a row, or one with nothing before it";
	if (strncmp(problem, "did not find expected <document start>", 38) == 0) {
		if (c == ',')
			return "a ',' after the end of the document: remove it";
		if (c == '}' || c == ']')
			return "one closing bracket too many";
		return "text after the end of the document";
	}
	return NULL;
}

/* The byte offset in buf of character number index (libyaml counts
 * characters; UTF-8 continuation bytes are not characters). */
static size_t
byte_offset(const char *buf, size_t len, size_t index)
{
	size_t at = 0;

	for (size_t n = 0; at < len; at++) {
		if (((unsigned char)buf[at] & 0xc0) == 0x80)
			continue;
		if (n++ == index)
			break;
	}
	return at;
}

/* The line and column of byte p of buf, in mark. */
static yaml_mark_t
mark_at(const char *buf, size_t p, yaml_mark_t mark)
{
	mark.line = 0;
	mark.column = 0;
	for (size_t i = 0; i < p; i++) {
		if (buf[i] == '\n') {
			mark.line++;
			mark.column = 0;
		} else if (((unsigned char)buf[i] & 0xc0) != 0x80) {
			mark.column++;	/* characters, as libyaml counts them */
		}
	}
	return mark;
}

/* libyaml stops a {"a": 1 "b": 2} at the ':' after "b": the ',' is
 * missing before "b".  The mark of the key before a ':' at byte at, or
 * mark. */
static yaml_mark_t
key_before_colon(const char *buf, size_t len, size_t at, yaml_mark_t mark)
{
	size_t p;
	int q;

	if (at >= len || buf[at] != ':' || (q = before(buf, at, &p)) == 0)
		return mark;
	if (q == '"' || q == '\'') {
		while (p-- > 0 && (buf[p] != q || (q == '"' && p > 0 && buf[p - 1] == '\\')))
			;
		if (p == (size_t)-1)
			return mark;
	} else {
		while (p > 0 && strchr(" \t\r\n,{[", buf[p - 1]) == NULL)
			p--;
	}
	return mark_at(buf, p, mark);
}

/* The error for a parser that failed on buf. */
static int
syntax_error(struct hpo_err *err, const struct hpo_doc *doc, const yaml_parser_t *parser,
	     const char *buf, size_t len)
{
	const char *problem = parser->problem ? parser->problem : "syntax error";
	const char *context = parser->context ? parser->context : "";
	size_t at = byte_offset(buf, len, parser->problem_mark.index);
	const char *hint = syntax_hint(buf, len, at, problem, context);
	yaml_mark_t mark = parser->problem_mark;

	if (strstr(problem, "did not find expected ',' or '}'") != NULL)
		mark = key_before_colon(buf, len, at, mark);
	if (at >= len)
		/* libyaml puts the end of a file without its last newline on a
		 * line after the last, as if it had one */
		mark = mark_at(buf, len, mark);
	return err_mark(err, doc, mark, "%s%s%s%s%s%s", problem,
			*context ? " " : "", context,
			hint ? " (" : "", hint ? hint : "", hint ? ")" : "");
}

static int
all_match(const char *s, const char *set)
{
	if (*s == '\0')
		return 0;
	return strspn(s, set) == strlen(s);
}

/* YAML 1.2 core schema for a plain scalar.  *nonfinite is set for .inf and
 * .nan, which JSON (and jansson) cannot hold. */
static json_t *
plain_scalar(const char *v, int *nonfinite)
{
	const char *d = v;
	char *end;

	*nonfinite = 0;
	if (*v == '\0' || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
	    strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0)
		return json_null();
	if (strcmp(v, "true") == 0 || strcmp(v, "True") == 0 || strcmp(v, "TRUE") == 0)
		return json_true();
	if (strcmp(v, "false") == 0 || strcmp(v, "False") == 0 || strcmp(v, "FALSE") == 0)
		return json_false();
	if (*d == '-' || *d == '+')
		d++;
	if (all_match(d, "0123456789")) {
		long long n;
		errno = 0;
		n = strtoll(v, &end, 10);
		if (errno == 0 && *end == '\0')
			return json_integer(n);
		return json_real(strtod(v, NULL));	/* too large for an integer */
	}
	if (strncmp(v, "0x", 2) == 0 && all_match(v + 2, "0123456789abcdefABCDEF")) {
		errno = 0;
		long long n = strtoll(v + 2, &end, 16);
		if (errno == 0)
			return json_integer(n);
	}
	if (strncmp(v, "0o", 2) == 0 && all_match(v + 2, "01234567")) {
		errno = 0;
		long long n = strtoll(v + 2, &end, 8);
		if (errno == 0)
			return json_integer(n);
	}
	if (strcmp(d, ".inf") == 0 || strcmp(d, ".Inf") == 0 || strcmp(d, ".INF") == 0 ||
	    strcmp(v, ".nan") == 0 || strcmp(v, ".NaN") == 0 || strcmp(v, ".NAN") == 0) {
		*nonfinite = 1;
		return NULL;
	}
	/* [-+]? ( \.[0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )? */
	{
		const char *p = d;
		int digits = 0;
		while (*p >= '0' && *p <= '9')
			p++, digits++;
		if (*p == '.') {
			p++;
			while (*p >= '0' && *p <= '9')
				p++, digits++;
		}
		if (digits > 0 && (*p == 'e' || *p == 'E')) {
			p++;
			if (*p == '-' || *p == '+')
				p++;
			if (!(*p >= '0' && *p <= '9'))
				return json_string(v);
			while (*p >= '0' && *p <= '9')
				p++;
		}
		if (digits > 0 && *p == '\0') {
			double x = strtod(v, &end);
			if (*end == '\0' && isfinite(x))
				return json_real(x);
			if (*end == '\0') {
				*nonfinite = 1;
				return NULL;
			}
		}
	}
	return json_string(v);
}

static int
count_nodes(const json_t *v, size_t *n, size_t max)
{
	const char *k;
	json_t *m;
	size_t i;

	if (++*n > max)
		return -1;
	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, k, m)
			if (count_nodes(m, n, max) < 0)
				return -1;
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, m)
			if (count_nodes(m, n, max) < 0)
				return -1;
	}
	return 0;
}

static void
free_frames(struct frame *stack, size_t depth)
{
	for (size_t i = 0; i < depth; i++) {
		json_decref(stack[i].value);
		free(stack[i].key);
		free(stack[i].anchor);
	}
}

static void
remember_anchor(struct hpo_doc *doc, const char *name, json_t *value)
{
	struct anchor *a;

	/* a later anchor of the same name shadows the earlier one */
	doc->anchors = a = xreallocarray(doc->anchors, doc->nanchors + 1, sizeof(*a));
	a[doc->nanchors].name = xstrdup(name);
	a[doc->nanchors].value = json_incref(value);
	doc->nanchors++;
}

static json_t *
find_anchor(const struct hpo_doc *doc, const char *name)
{
	for (size_t i = doc->nanchors; i-- > 0;)
		if (strcmp(doc->anchors[i].name, name) == 0)
			return doc->anchors[i].value;
	return NULL;
}

/* Attach a finished value to the frame on top, or make it the root. */
static int
attach(struct hpo_doc *doc, struct frame *stack, size_t depth, json_t *v,
       yaml_mark_t mark, const char *anchor, struct hpo_err *err)
{
	if (anchor != NULL)
		remember_anchor(doc, anchor, v);
	if (depth == 0) {
		doc->root = v;
		return 0;
	}
	struct frame *top = &stack[depth - 1];
	if (json_is_array(top->value)) {
		json_array_append_new(top->value, v);
		return 0;
	}
	/* object: v is a key or a value */
	if (top->key == NULL) {
		if (!json_is_string(v)) {
			json_decref(v);
			return err_mark(err, doc, mark, "a mapping key must be a plain string");
		}
		top->key = xstrdup(json_string_value(v));
		/* the key scalar is gone: forget its position, lest a later value
		 * allocated at the same address be taken for it */
		if (doc->npos > 0 && doc->pos[doc->npos - 1].node == v &&
		    doc->pos[doc->npos - 1].key == NULL)
			doc->npos--;
		json_decref(v);
		top->key_line = (int)mark.line + 1;
		top->key_col = (int)mark.column + 1;
		if (json_object_get(top->value, top->key) != NULL)
			return err_mark(err, doc, mark, "duplicate key '%s'", top->key);
		return 0;
	}
	add_pos(doc, top->value, top->key, top->key_line, top->key_col);
	/* the key is a string libyaml read, so valid UTF-8 */
	json_object_set_new(top->value, top->key, v);
	free(top->key);
	top->key = NULL;
	return 0;
}

/* JSON's {low:0} read as YAML is the key "low:0" without a value: in a
 * {...} mapping, a plain key with ':' in it followed by no value is taken
 * for that slip.  Remembers the key's kind when ev is a key. */
static int
unquoted_key_slip(const struct hpo_doc *doc, struct frame *stack, size_t depth,
		  const yaml_event_t *ev, struct hpo_err *err)
{
	struct frame *top = depth > 0 ? &stack[depth - 1] : NULL;
	int plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;

	if (top == NULL || !top->flow || !json_is_object(top->value))
		return 0;
	if (top->key == NULL) {
		top->key_colon = plain && strchr((const char *)ev->data.scalar.value, ':') != NULL;
		return 0;
	}
	if (top->key_colon && plain && ev->data.scalar.length == 0) {
		yaml_mark_t m = {0, (size_t)(top->key_line - 1), (size_t)(top->key_col - 1)};
		return err_mark(err, doc, m, "'%s' is a key without a value (put a space after "
				"':', as in {low: 0}, or quote the key, {\"low\": 0})", top->key);
	}
	return 0;
}

static json_t *
scalar_value(struct hpo_doc *doc, const yaml_event_t *ev, struct hpo_err *err)
{
	const char *v = (const char *)ev->data.scalar.value;
	const char *tag = (const char *)ev->data.scalar.tag;
	json_t *j;
	int nonfinite = 0;

	if (strlen(v) != ev->data.scalar.length) {
		err_mark(err, doc, ev->start_mark, "NUL byte in a scalar");
		return NULL;
	}
	if (ev->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
	    (tag != NULL && strcmp(tag, YAML_STR_TAG) == 0))
		j = json_string(v);
	else
		j = plain_scalar(v, &nonfinite);
	if (j == NULL) {
		if (nonfinite)
			err_mark(err, doc, ev->start_mark,
				 "'%s': infinite and NaN numbers are not allowed", v);
		else
			err_mark(err, doc, ev->start_mark, "invalid UTF-8 text");
	}
	return j;
}

int
hpo_doc_parse_yaml(const char *name, const char *buf, size_t len, struct hpo_doc **out,
		   struct hpo_err *err)
{
	struct frame stack[DOC_MAX_DEPTH];
	size_t depth = 0;
	int ndocs = 0, done = 0, rc = -1;
	yaml_parser_t parser;
	struct hpo_doc *doc;

	*out = NULL;
	doc = xcalloc(1, sizeof(*doc));
	doc->name = xstrdup(name);
	if (!yaml_parser_initialize(&parser))
		hpo_oom();
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);

	while (!done) {
		yaml_event_t ev;
		json_t *v = NULL;
		const char *anchor = NULL;

		if (!yaml_parser_parse(&parser, &ev)) {
			syntax_error(err, doc, &parser, buf, len);
			goto out;
		}
		switch (ev.type) {
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (++ndocs > 1) {
				err_mark(err, doc, ev.start_mark, "more than one document in the file");
				yaml_event_delete(&ev);
				goto out;
			}
			break;
		case YAML_MAPPING_START_EVENT:
		case YAML_SEQUENCE_START_EVENT:
			if (depth == DOC_MAX_DEPTH) {
				err_mark(err, doc, ev.start_mark, "nesting deeper than %d levels",
					 DOC_MAX_DEPTH);
				yaml_event_delete(&ev);
				goto out;
			}
			if (depth > 0 && json_is_object(stack[depth - 1].value) &&
			    stack[depth - 1].key == NULL) {
				err_mark(err, doc, ev.start_mark, "a mapping key must be a plain string");
				yaml_event_delete(&ev);
				goto out;
			}
			v = ev.type == YAML_MAPPING_START_EVENT ? json_object() : json_array();
			anchor = ev.type == YAML_MAPPING_START_EVENT
					 ? (const char *)ev.data.mapping_start.anchor
					 : (const char *)ev.data.sequence_start.anchor;
			memset(&stack[depth], 0, sizeof(stack[depth]));
			stack[depth].value = v;
			stack[depth].flow = ev.type == YAML_MAPPING_START_EVENT
						    ? ev.data.mapping_start.style == YAML_FLOW_MAPPING_STYLE
						    : ev.data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE;
			add_pos(doc, v, NULL, (int)ev.start_mark.line + 1, (int)ev.start_mark.column + 1);
			if (anchor != NULL)
				stack[depth].anchor = xstrdup(anchor);
			depth++;
			if (++doc->nnodes > DOC_MAX_NODES) {
				err_mark(err, doc, ev.start_mark, "document too large");
				yaml_event_delete(&ev);
				goto out;
			}
			break;
		case YAML_MAPPING_END_EVENT:
		case YAML_SEQUENCE_END_EVENT: {
			struct frame f = stack[--depth];
			int r = attach(doc, stack, depth, f.value, ev.start_mark, f.anchor, err);
			free(f.key);
			free(f.anchor);
			if (r < 0) {
				yaml_event_delete(&ev);
				goto out;
			}
			break;
		}
		case YAML_SCALAR_EVENT:
			if (unquoted_key_slip(doc, stack, depth, &ev, err) < 0) {
				yaml_event_delete(&ev);
				goto out;
			}
			v = scalar_value(doc, &ev, err);
			if (v == NULL) {
				yaml_event_delete(&ev);
				goto out;
			}
			add_pos(doc, v, NULL, (int)ev.start_mark.line + 1, (int)ev.start_mark.column + 1);
			if (++doc->nnodes > DOC_MAX_NODES) {
				json_decref(v);
				err_mark(err, doc, ev.start_mark, "document too large");
				yaml_event_delete(&ev);
				goto out;
			}
			if (attach(doc, stack, depth, v, ev.start_mark,
				   (const char *)ev.data.scalar.anchor, err) < 0) {
				yaml_event_delete(&ev);
				goto out;
			}
			break;
		case YAML_ALIAS_EVENT: {
			json_t *target = find_anchor(doc, (const char *)ev.data.alias.anchor);
			size_t n = doc->nnodes;
			if (target == NULL) {
				err_mark(err, doc, ev.start_mark, "unknown alias '*%s'",
					 (const char *)ev.data.alias.anchor);
				yaml_event_delete(&ev);
				goto out;
			}
			if (count_nodes(target, &n, DOC_MAX_NODES) < 0) {
				err_mark(err, doc, ev.start_mark, "document too large");
				yaml_event_delete(&ev);
				goto out;
			}
			doc->nnodes = n;
			v = json_deep_copy(target);
			add_pos(doc, v, NULL, (int)ev.start_mark.line + 1, (int)ev.start_mark.column + 1);
			if (attach(doc, stack, depth, v, ev.start_mark, NULL, err) < 0) {
				yaml_event_delete(&ev);
				goto out;
			}
			break;
		}
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	if (doc->root == NULL)
		doc->root = json_null();
	*out = doc;
	doc = NULL;
	rc = 0;
out:
	free_frames(stack, depth);
	yaml_parser_delete(&parser);
	hpo_doc_free(doc);
	return rc;
}

/* ---- JSON text: jansson, positions when asked ------------------------------------ */

/* v and what it holds, in document order, into doc->nodes; -1 past the
 * limits of the YAML reader (it then reads the text, and says so). */
static int
record_nodes(struct hpo_doc *doc, const json_t *v, size_t depth, size_t *cap)
{
	const char *k;
	json_t *m;
	size_t i;

	if (doc->nrec == DOC_MAX_NODES)
		return -1;
	if (doc->nrec == *cap) {
		*cap = *cap ? 2 * *cap : 256;
		doc->nodes = xreallocarray(doc->nodes, *cap, sizeof(*doc->nodes));
	}
	doc->nodes[doc->nrec++] = v;
	if (json_is_object(v) || json_is_array(v)) {
		if (depth == DOC_MAX_DEPTH)
			return -1;
		if (json_is_object(v)) {
			json_object_foreach((json_t *)v, k, m)
				if (record_nodes(doc, m, depth + 1, cap) < 0)
					return -1;
		} else {
			json_array_foreach(v, i, m)
				if (record_nodes(doc, m, depth + 1, cap) < 0)
					return -1;
		}
	}
	return 0;
}

struct pair {
	const json_t *y, *f;	/* a container of the libyaml reading, and ours */
};

static int
by_y(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)((const struct pair *)a)->y;
	uintptr_t y = (uintptr_t)((const struct pair *)b)->y;

	return x < y ? -1 : x > y;
}

/* ydoc, the YAML reader's, records a position for every value in document
 * order (the keys' own scalars taken back) and, apart, each key's with its
 * object: the values pair with doc->nodes in order, the keys through
 * their objects' pairs. */
static void
pair_positions(struct hpo_doc *doc, const struct hpo_doc *ydoc)
{
	struct pair *pairs = xreallocarray(NULL, ydoc->npos + 1, sizeof(*pairs)), want, *hit;
	size_t k = 0, np = 0;

	for (size_t i = 0; i < ydoc->npos && k < doc->nrec; i++) {
		const struct pos *p = &ydoc->pos[i];

		if (p->key != NULL)
			continue;
		add_pos(doc, doc->nodes[k], NULL, p->line, p->col);
		if (json_is_object(p->node))
			pairs[np++] = (struct pair){p->node, doc->nodes[k]};
		k++;
	}
	qsort(pairs, np, sizeof(*pairs), by_y);
	for (size_t i = 0; i < ydoc->npos; i++) {
		const struct pos *p = &ydoc->pos[i];

		want.y = p->node;
		if (p->key != NULL &&
		    (hit = bsearch(&want, pairs, np, sizeof(*pairs), by_y)) != NULL)
			add_pos(doc, hit->f, p->key, p->line, p->col);
	}
	free(pairs);
}

/* The positions of a document jansson read, once: libyaml reads the same
 * text (the cost hpo_doc_parse saved, paid only by a message that names a
 * place) and its values, in the same order, lend theirs.  The document is
 * const to callers: the positions are a cache of what it always meant. */
static void
resolve_positions(const struct hpo_doc *cdoc)
{
	struct hpo_doc *doc = (struct hpo_doc *)cdoc;	/* heap-allocated, not const */
	struct hpo_doc *ydoc;
	struct hpo_err err;

	if (doc->text == NULL)
		return;
	if (hpo_doc_parse_yaml(doc->name, doc->text, doc->len, &ydoc, &err) == 0) {
		pair_positions(doc, ydoc);
		hpo_doc_free(ydoc);
	}
	free(doc->text);
	doc->text = NULL;
	free(doc->nodes);
	doc->nodes = NULL;
}

int
hpo_doc_parse(const char *name, const char *buf, size_t len, struct hpo_doc **out,
	      struct hpo_err *err)
{
	struct hpo_doc *doc;
	size_t i = 0, cap = 0;
	json_t *root;

	/* JSON text (an object or a list) that jansson takes whole is read by
	 * it, ten times faster than by libyaml event by event; anything else,
	 * and JSON it refuses (duplicate keys, a NUL, an integer out of range,
	 * NaN: libyaml then says what and where), by the YAML reader */
	while (i < len && (buf[i] == ' ' || buf[i] == '\t' || buf[i] == '\r' || buf[i] == '\n'))
		i++;
	if (i == len || (buf[i] != '{' && buf[i] != '[') ||
	    (root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, NULL)) == NULL)
		return hpo_doc_parse_yaml(name, buf, len, out, err);
	doc = xcalloc(1, sizeof(*doc));
	doc->name = xstrdup(name);
	doc->root = root;
	if (record_nodes(doc, root, 1, &cap) < 0) {
		hpo_doc_free(doc);
		return hpo_doc_parse_yaml(name, buf, len, out, err);
	}
	doc->nnodes = doc->nrec;
	doc->text = xmalloc(len + 1);
	memcpy(doc->text, buf, len);
	doc->text[len] = '\0';
	doc->len = len;
	*out = doc;
	return 0;
}

int
hpo_doc_load(const char *path, struct hpo_doc **out, struct hpo_err *err)
{
	char *buf;
	size_t len;
	int rc;

	*out = NULL;
	if (hpo_file_read(path, 16u << 20, &buf, &len, err) < 0)
		return -1;
	rc = hpo_doc_parse(path, buf, len, out, err);
	free(buf);
	return rc;
}

void
hpo_doc_free(struct hpo_doc *doc)
{
	if (doc == NULL)
		return;
	for (size_t i = 0; i < doc->npos; i++)
		free(doc->pos[i].key);
	for (size_t i = 0; i < doc->nanchors; i++) {
		free(doc->anchors[i].name);
		json_decref(doc->anchors[i].value);
	}
	free(doc->anchors);
	free(doc->pos);
	free(doc->text);
	free(doc->nodes);
	json_decref(doc->root);
	free(doc->name);
	free(doc);
}

json_t *
hpo_doc_root(const struct hpo_doc *doc)
{
	return doc->root;
}

const char *
hpo_doc_name(const struct hpo_doc *doc)
{
	return doc->name;
}

static size_t
edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), *row, best;

	if (la > 64 || lb > 64)
		return (size_t)-1;
	row = malloc((lb + 1) * sizeof(*row));
	if (row == NULL)
		return (size_t)-1;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
			size_t v = diag + cost;
			if (row[j] + 1 < v)
				v = row[j] + 1;
			if (row[j - 1] + 1 < v)
				v = row[j - 1] + 1;
			row[j] = v;
			diag = up;
		}
	}
	best = row[lb];
	free(row);
	return best;
}

const char *
hpo_nearest(const char *word, const char *const *names)
{
	const char *best = NULL;
	size_t bestd = (size_t)-1, limit;

	limit = strlen(word) / 3 + 1;
	if (limit > 3)
		limit = 3;
	for (size_t i = 0; names[i] != NULL; i++) {
		size_t d = edit_distance(word, names[i]);
		if (d < bestd) {
			bestd = d;
			best = names[i];
		}
	}
	return bestd <= limit ? best : NULL;
}

const char *
hpo_json_kind(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		return "a mapping";
	case JSON_ARRAY:
		return "a list";
	case JSON_STRING:
		return "a string";
	case JSON_INTEGER:
	case JSON_REAL:
		return "a number";
	case JSON_TRUE:
	case JSON_FALSE:
		return "a boolean";
	case JSON_NULL:
	default:
		return "null";
	}
}
