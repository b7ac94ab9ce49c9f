/* test_text.c - strings made safe for a terminal */
#include "autoconf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "text.h"

static void
sanitized(const char *in, const char *want)
{
	char buf[128];

	snprintf(buf, sizeof(buf), "%s", in);
	hpo_text_sanitize(buf, 0);
	assert_string_equal(buf, want);
}

static void
test_controls(void **state)
{
	(void)state;
	sanitized("plain text, 1.5e-3", "plain text, 1.5e-3");
	/* an escape sequence that would colour the terminal, a title change */
	sanitized("a\033[31mred", "a?[31mred");
	sanitized("\033]0;title\007x", "?]0;title?x");
	sanitized("tab\there\nnew\rcr\x7f", "tab?here?new?cr?");
	/* the C1 CSI (U+009B) in UTF-8 is two bytes, both replaced */
	sanitized("x\xc2\x9b" "31m", "x??31m");
	/* other UTF-8 stays: e acute, U+00A0, a CJK character, a braille cell */
	sanitized("caf\xc3\xa9 \xc2\xa0 \xe4\xb8\xad \xe2\xa3\xbf", "caf\xc3\xa9 \xc2\xa0 \xe4\xb8\xad \xe2\xa3\xbf");
	sanitized("", "");
	hpo_text_sanitize(NULL, 0);
	/* messages of several lines keep their lines and tabs, nothing else */
	char buf[64] = "line 1\n\tline 2\033[2J\r";
	hpo_text_sanitize(buf, 1);
	assert_string_equal(buf, "line 1\n\tline 2?[2J?");
}

static void
test_is_control(void **state)
{
	int len = 0;

	(void)state;
	assert_true(hpo_text_is_control("\033x", &len));
	assert_int_equal(len, 1);
	assert_true(hpo_text_is_control("\xc2\x85", &len));
	assert_int_equal(len, 2);
	assert_false(hpo_text_is_control("\xc2\xa0", &len));
	assert_false(hpo_text_is_control("a", &len));
	assert_false(hpo_text_is_control("", &len));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_controls),
		cmocka_unit_test(test_is_control),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
