/* test_doc.c - YAML/JSON documents with positions */
#include "autoconf.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "doc.h"
#include "../fuzz/doc_same.h"

static struct hpo_doc *
parse_ok(const char *text)
{
	struct hpo_err err = {0};
	struct hpo_doc *doc = NULL;

	if (hpo_doc_parse("t.yaml", text, strlen(text), &doc, &err) < 0)
		fail_msg("unexpected error: %s", err.msg);
	return doc;
}

static void
parse_fails(const char *text, const char *expect)
{
	struct hpo_err err = {0};
	struct hpo_doc *doc = NULL;

	assert_int_equal(hpo_doc_parse("t.yaml", text, strlen(text), &doc, &err), -1);
	assert_null(doc);
	if (strstr(err.msg, expect) == NULL)
		fail_msg("error '%s' does not contain '%s'", err.msg, expect);
}

static void
test_scalar_types(void **state)
{
	(void)state;
	struct hpo_doc *doc = parse_ok("a: 1\nb: -2.5e3\nc: true\nd: ~\ne: '1'\nf: hello\n"
				       "g: 0x1f\nh: 1.\ni: .5\nj: 1e5\nk: 1e\n");
	json_t *r = hpo_doc_root(doc);

	assert_true(json_is_integer(json_object_get(r, "a")));
	assert_int_equal(json_integer_value(json_object_get(r, "a")), 1);
	assert_true(json_is_real(json_object_get(r, "b")));
	assert_true(json_real_value(json_object_get(r, "b")) == -2500.0);
	assert_true(json_is_true(json_object_get(r, "c")));
	assert_true(json_is_null(json_object_get(r, "d")));
	assert_string_equal(json_string_value(json_object_get(r, "e")), "1");
	assert_string_equal(json_string_value(json_object_get(r, "f")), "hello");
	assert_int_equal(json_integer_value(json_object_get(r, "g")), 31);
	assert_true(json_real_value(json_object_get(r, "h")) == 1.0);
	assert_true(json_real_value(json_object_get(r, "i")) == 0.5);
	assert_true(json_real_value(json_object_get(r, "j")) == 1e5);
	assert_string_equal(json_string_value(json_object_get(r, "k")), "1e");
	hpo_doc_free(doc);
}

static void
test_json_is_read(void **state)
{
	(void)state;
	struct hpo_doc *doc = parse_ok("{\"x\":{\"method\":\"uniform\",\"dimension\":{\"low\":0,\"high\":1}},"
				       "\"y\": [1, 2.5, \"z\"]}");
	json_t *r = hpo_doc_root(doc);
	json_t *y = json_object_get(r, "y");

	assert_int_equal(json_array_size(y), 3);
	assert_string_equal(json_string_value(json_object_get(json_object_get(r, "x"), "method")),
			    "uniform");
	hpo_doc_free(doc);
}

/* JSON text is read by jansson: the same values and positions as the YAML
 * reader's, found when first asked for */
static void
test_json_fast_same(void **state)
{
	static const char *const texts[] = {
		"{\"x\":{\"method\":\"uniform\",\"dimension\":{\"low\":0,\"high\":1}},"
		"\"y\": [1, 2.5, \"z\", -0, 1e5, 1E-3, true, false, null, [], {}]}",
		"  \n [\n  {\"a\": \"\\u00e9\\n\\\"\", \"b\": {\"c\": [[1], [2, {\"d\": 3}]]}},\n  7\n]\n",
		"{\"points\": [[{\"x\": 0.5, \"c\": \"a\"}, 0.25], [{\"x\": -1, \"c\": \"b\"}, null]],"
		" \"opt_space\": {\"x\": {\"method\": \"uniform\"}}}",
	};
	char why[256];

	(void)state;
	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		struct hpo_doc *a = parse_ok(texts[i]), *b = NULL;
		struct hpo_err err = {0};
		const char *w;

		assert_int_equal(hpo_doc_parse_yaml("t.yaml", texts[i], strlen(texts[i]), &b, &err),
				 0);
		if ((w = doc_same(a, b, why, sizeof(why))) != NULL)
			fail_msg("text %zu: %s", i, w);
		hpo_doc_free(a);
		hpo_doc_free(b);
	}
}

/* what jansson refuses, the YAML reader reads or refuses, and says where */
static void
test_json_fast_refusals(void **state)
{
	struct hpo_doc *doc;

	(void)state;
	parse_fails("{\"a\": 1,\n \"a\": 2}", "t.yaml:2:2: duplicate key 'a'");
	/* a tab before JSON text: JSON allows it, YAML does not */
	doc = parse_ok("\t[1]");
	assert_int_equal(json_array_size(hpo_doc_root(doc)), 1);
	hpo_doc_free(doc);
	parse_fails("[\"a\\u0000b\"]", "t.yaml:1:2: NUL byte in a scalar");
	doc = parse_ok("{\"big\": 123456789012345678901234567890, \"c\": 1} # note");
	assert_true(json_is_real(json_object_get(hpo_doc_root(doc), "big")));
	hpo_doc_free(doc);
}

/* positions are those of the values as parsed, whatever the tree became */
static void
test_json_fast_after_changes(void **state)
{
	struct hpo_doc *doc = parse_ok("{\"a\": {\"k\": 1},\n \"b\": [10, 20]}");
	json_t *root = hpo_doc_root(doc), *b = json_object_get(root, "b");
	int line, col;

	(void)state;
	json_object_set_new(root, "a", json_integer(5));	/* replaced: not from the text */
	json_object_set_new(root, "n", json_string("new"));
	json_array_insert_new(b, 0, json_integer(0));
	hpo_doc_where(doc, json_array_get(b, 1), &line, &col);
	assert_int_equal(line * 100 + col, 208);
	hpo_doc_where(doc, json_array_get(b, 0), &line, &col);
	assert_int_equal(line, 0);
	hpo_doc_where_key(doc, root, "b", &line, &col);
	assert_int_equal(line * 100 + col, 202);
	hpo_doc_where_key(doc, root, "n", &line, &col);
	assert_int_equal(line, 0);
	hpo_doc_free(doc);
}

static void
test_positions(void **state)
{
	(void)state;
	struct hpo_doc *doc = parse_ok("top:\n  inner: 42\n  flag: true\n");
	json_t *top = json_object_get(hpo_doc_root(doc), "top");
	struct hpo_err err = {0};
	int line, col;

	hpo_doc_where(doc, json_object_get(top, "inner"), &line, &col);
	assert_int_equal(line, 2);
	assert_int_equal(col, 10);
	hpo_doc_where_key(doc, top, "flag", &line, &col);
	assert_int_equal(line, 3);
	assert_int_equal(col, 3);
	hpo_doc_err(&err, doc, top, "flag", "must be %s", "a number");
	assert_string_equal(err.msg, "t.yaml:3:3: must be a number");
	hpo_doc_err(&err, doc, top, "inner", "too big");
	assert_string_equal(err.msg, "t.yaml:2:10: too big");
	hpo_doc_free(doc);

	/* string and list values, allocated where freed key scalars were */
	doc = parse_ok("a: x\nbb: [1]\nccc: word\n");
	hpo_doc_where(doc, json_object_get(hpo_doc_root(doc), "a"), &line, &col);
	assert_int_equal(line * 100 + col, 104);
	hpo_doc_where(doc, json_object_get(hpo_doc_root(doc), "bb"), &line, &col);
	assert_int_equal(line * 100 + col, 205);
	hpo_doc_where(doc, json_object_get(hpo_doc_root(doc), "ccc"), &line, &col);
	assert_int_equal(line * 100 + col, 306);
	hpo_doc_free(doc);
}

static void
test_errors(void **state)
{
	(void)state;
	parse_fails("a: [1, 2\n", "t.yaml:2:1:");
	parse_fails("a: 1\na: 2\n", "t.yaml:2:1: duplicate key 'a'");
	parse_fails("a: .inf\n", "t.yaml:1:4: '.inf': infinite and NaN");
	parse_fails("a: 1\n---\nb: 2\n", "more than one document");
	parse_fails("? [1]\n: 2\n", "mapping key must be a plain string");
	parse_fails("a: *nope\n", "unknown alias");
}

/* libyaml's words keep their file:line:column and get a hint for the
 * usual slips of YAML and of JSON */
static void
test_syntax_hints(void **state)
{
	(void)state;
	parse_fails("a:\n\tb: 1\n", "t.yaml:2:1: found character that cannot start any token "
		    "while scanning for the next token (use spaces to indent, not tabs)");
	parse_fails("a: 1\n\tb: 2\n", "t.yaml:2:1: found a tab character that violates "
		    "indentation while scanning a plain scalar (use spaces to indent, not tabs)");
	parse_fails("key: value: more\n", "t.yaml:1:11: mapping values are not allowed in this "
		    "context (quote a value that has ': ' in it: key: \"value: more\")");
	/* JSON: a comma missing, one too many, after the end; single quotes */
	parse_fails("{\"a\": 1\n \"b\": 2}", "t.yaml:2:2: did not find expected ',' or '}' "
		    "while parsing a flow mapping (a ',' between two entries, or the ':' after a "
		    "key, is missing)");
	parse_fails("{\"\xc3\xa9t\xc3\xa9\": 1 b: 2}", "t.yaml:1:11: did not find expected ',' or '}'");
	parse_fails("[{\"a\": 1} {\"b\": 2}]", "t.yaml:1:11: did not find expected ',' or ']' "
		    "while parsing a flow sequence (a ',' between two items is missing)");
	parse_fails("[1,,2]", "t.yaml:1:4: did not find expected node content while parsing a "
		    "flow node (one ',' too many: two in a row, or one with nothing before it)");
	parse_fails("{\"a\": 1},\n", "t.yaml:1:9: did not find expected <document start> "
		    "(a ',' after the end of the document: remove it)");
	parse_fails("{'a': 'don\\'t'}", "t.yaml:1:13: did not find expected ',' or '}' while "
		    "parsing a flow mapping (in single quotes a backslash is an ordinary "
		    "character: write a quote in them twice, 'it''s', or use double quotes, "
		    "\"it's\")");
	parse_fails("{\"a\": [1, 2}", "t.yaml:1:12: did not find expected ',' or ']' while parsing "
		    "a flow sequence (a closing ']' is missing)");
	parse_fails("{\"a\": 1\n", "t.yaml:2:1: did not find expected ',' or '}' while parsing a "
		    "flow mapping (a closing '}' is missing)");
	/* a file without its last newline: the end of its last line, not a line after it */
	parse_fails("{\"a\": 1", "t.yaml:1:8: did not find expected ',' or '}' while parsing a "
		    "flow mapping (a closing '}' is missing)");
	parse_fails("a: [1\nb", "t.yaml:2:2: did not find expected ',' or ']'");
	parse_fails("a: \"open\n", "while scanning a quoted scalar (a quoted string is not closed)");
	/* JSON's unquoted key without a space: YAML's key "low:0" with no value */
	parse_fails("x: {low:0, high: 1}\n", "t.yaml:1:5: 'low:0' is a key without a value (put "
		    "a space after ':', as in {low: 0}, or quote the key, {\"low\": 0})");
}

/* What YAML allows of JSON's slips parses: a trailing comma inside {...}
 * and [...], single quotes, unquoted keys; and ':' inside plain values. */
static void
test_json_slips_yaml_allows(void **state)
{
	(void)state;
	struct hpo_doc *doc = parse_ok("{'x': {low: 0, high: 1,}, \"y\": [1, 2,], \"u\": http://h:1/p, "
				       "\"e\": }");
	json_t *r = hpo_doc_root(doc);

	assert_int_equal(json_integer_value(json_object_get(json_object_get(r, "x"), "high")), 1);
	assert_int_equal(json_array_size(json_object_get(r, "y")), 2);
	assert_string_equal(json_string_value(json_object_get(r, "u")), "http://h:1/p");
	assert_true(json_is_null(json_object_get(r, "e")));
	hpo_doc_free(doc);
}

static void
test_aliases_and_bombs(void **state)
{
	(void)state;
	struct hpo_doc *doc = parse_ok("base: &b {low: 1, high: 2}\ncopy: *b\n");
	json_t *r = hpo_doc_root(doc);

	assert_true(json_equal(json_object_get(r, "base"), json_object_get(r, "copy")));
	hpo_doc_free(doc);
	parse_fails("a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
		    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
		    "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
		    "g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f,*f]\n",
		    "document too large");
}

static void
test_empty_and_nearest(void **state)
{
	(void)state;
	static const char *const names[] = {"evaluation", "steering", "budget", NULL};
	struct hpo_doc *doc = parse_ok("");

	assert_true(json_is_null(hpo_doc_root(doc)));
	hpo_doc_free(doc);
	assert_string_equal(hpo_nearest("evalution", names), "evaluation");
	assert_string_equal(hpo_nearest("budgte", names), "budget");
	assert_null(hpo_nearest("colour", names));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scalar_types),
		cmocka_unit_test(test_json_is_read),
		cmocka_unit_test(test_json_fast_same),
		cmocka_unit_test(test_json_fast_refusals),
		cmocka_unit_test(test_json_fast_after_changes),
		cmocka_unit_test(test_positions),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_syntax_hints),
		cmocka_unit_test(test_json_slips_yaml_allows),
		cmocka_unit_test(test_aliases_and_bombs),
		cmocka_unit_test(test_empty_and_nearest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
