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

static void
utf8(const char *in, const char *want)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%s", in);
	hpo_text_utf8(buf);
	assert_string_equal(buf, want);
}

static void
test_utf8(void **state)
{
	(void)state;
	utf8("caf\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x98\x80", "caf\xc3\xa9 \xe4\xb8\xad \xf0\x9f\x98\x80");
	/* Latin-1, a character cut short (at the end, before ASCII) */
	utf8("caf\xe9", "caf?");
	utf8("x\xe2\x82", "x??");
	utf8("\xe2\x82z", "??z");
	/* overlong forms, a surrogate, past U+10FFFF, a lone continuation byte */
	utf8("\xc0\xaf\xe0\x80\xaf", "?????");
	utf8("\xed\xa0\x80", "???");
	utf8("\xf4\x90\x80\x80", "????");
	utf8("\x80" "a", "?a");
	utf8("", "");
	hpo_text_utf8(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_controls),
		cmocka_unit_test(test_is_control),
		cmocka_unit_test(test_utf8),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
