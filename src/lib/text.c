/* text.c - strings made safe to print on a terminal */
#include "autoconf.h"

#include <stddef.h>

#include "text.h"

int
hpo_text_is_control(const char *s, int *len)
{
	unsigned char c = (unsigned char)s[0];

	if ((c > 0 && c < 0x20) || c == 0x7f) {
		*len = 1;
		return 1;
	}
	if (c == 0xc2 && (unsigned char)s[1] >= 0x80 && (unsigned char)s[1] <= 0x9f) {
		*len = 2;
		return 1;
	}
	return 0;
}

void
hpo_text_sanitize(char *s, int keep_lines)
{
	int len;

	if (s == NULL)
		return;
	while (*s != '\0') {
		if (keep_lines && (*s == '\n' || *s == '\t')) {
			s++;
		} else if (hpo_text_is_control(s, &len)) {
			for (int i = 0; i < len; i++)
				*s++ = '?';
		} else {
			s++;
		}
	}
}

/* The length of the well-formed UTF-8 sequence at s (RFC 3629: no overlong
 * form, no surrogate, nothing past U+10FFFF), 0 when there is none. */
static int
utf8_len(const unsigned char *s)
{
	unsigned char c = s[0], lo, hi;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c >= 0xe0 && c <= 0xef) {
		lo = c == 0xe0 ? 0xa0 : 0x80;
		hi = c == 0xed ? 0x9f : 0xbf;
		return s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 ? 3 : 0;
	}
	if (c >= 0xf0 && c <= 0xf4) {
		lo = c == 0xf0 ? 0x90 : 0x80;
		hi = c == 0xf4 ? 0x8f : 0xbf;
		return s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 &&
		       (s[3] & 0xc0) == 0x80 ? 4 : 0;
	}
	return 0;
}

void
hpo_text_utf8(char *s)
{
	int n;

	while (s != NULL && *s != '\0') {
		if ((n = utf8_len((const unsigned char *)s)) == 0) {
			*s++ = '?';
			continue;
		}
		s += n;
	}
}
