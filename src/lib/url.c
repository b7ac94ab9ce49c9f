/* url.c - text for URLs (url.h) */
#include "autoconf.h"

#include <ctype.h>

#include "buf.h"
#include "url.h"

char *
hpo_url_quote(const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	struct hpo_buf b = {0};

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (isalnum(*p) && *p < 0x80)
			hpo_buf_add(&b, (const char *)p, 1);
		else if (*p == '_' || *p == '.' || *p == '-' || *p == '~' || *p == '/')
			hpo_buf_add(&b, (const char *)p, 1);
		else {
			char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
			hpo_buf_add(&b, e, 3);
		}
	}
	return hpo_buf_take(&b);
}
