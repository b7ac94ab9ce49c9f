/* test_jsontext.c - JSON text with the shortest reals that read back exactly */
#include "autoconf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "jsontext.h"

static void
text_is(const json_t *v, int digits, const char *want)
{
	char *s = hpo_json_text(v, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENCODE_ANY, digits);

	assert_non_null(s);
	assert_string_equal(s, want);
	free(s);
}

static void
test_shortest(void **state)
{
	json_t *v = json_pack("{s:f, s:f, s:f, s:f, s:f, s:i, s:s, s:[f, f]}", "loss", 0.4758879196,
			      "lr", 1e-5, "one", 1.0, "neg", -2.5, "tiny", 5e-324, "n", 7, "s",
			      "0.47588791959999999", "l", 0.1, 1e300);

	(void)state;
	/* jansson alone: 0.47588791959999999, 1.0000000000000001e-05 */
	text_is(v, 0, "{\"loss\":0.4758879196,\"lr\":1e-05,\"one\":1.0,\"neg\":-2.5,"
		      "\"tiny\":4.94065645841247e-324,\"n\":7,\"s\":\"0.47588791959999999\","
		      "\"l\":[0.1,1e+300]}");
	text_is(v, 6, "{\"loss\":0.475888,\"lr\":1e-05,\"one\":1.0,\"neg\":-2.5,"
		      "\"tiny\":4.94066e-324,\"n\":7,\"s\":\"0.47588791959999999\",\"l\":[0.1,1e+300]}");
	json_decref(v);
}

/* every text reads back to the very same double */
static void
test_round_trip(void **state)
{
	static const double xs[] = {0.1, 0.2 + 0.1, 1.0 / 3, 2.0 / 3, 123456789.123456789,
				    9007199254740993.0, 1e-310, 1.7976931348623157e308, -0.0};
	(void)state;
	for (size_t i = 0; i < sizeof(xs) / sizeof(xs[0]); i++) {
		json_t *a = json_pack("[f]", xs[i]), *b;
		char *s = hpo_json_text(a, JSON_COMPACT, 0);
		assert_non_null(s);
		b = json_loads(s, 0, NULL);
		assert_non_null(b);
		assert_true(json_is_real(json_array_get(b, 0)));
		assert_true(json_real_value(json_array_get(b, 0)) == xs[i]);
		free(s);
		json_decref(a);
		json_decref(b);
	}
}

/* numbers inside strings and escaped quotes are left alone */
static void
test_strings(void **state)
{
	json_t *v = json_pack("{s:s, s:f}", "a\"1.50000000000000000", "x \\\" 2.0000000000000000", "b",
			      0.30000000000000004);

	(void)state;
	text_is(v, 0, "{\"a\\\"1.50000000000000000\":\"x \\\\\\\" 2.0000000000000000\","
		      "\"b\":0.30000000000000004}");
	json_decref(v);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shortest),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_strings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
