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
