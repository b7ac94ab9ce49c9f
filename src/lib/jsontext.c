/* jsontext.c - JSON text with its reals as short as they can be */
#include "autoconf.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jsontext.h"
#include "xmalloc.h"

void
hpo_real_text(double x, char *buf, size_t len)
{
	for (int p = 15; p <= 17; p++) {
		snprintf(buf, len, "%.*g", p, x);
		if (p == 17 || !isfinite(x) || strtod(buf, NULL) == x)
			return;
	}
}

/* a real as JSON: a digit string gets ".0" so that it stays a real */
static size_t
real_token(double x, int digits, char *buf, size_t len)
{
	if (digits > 0)
		snprintf(buf, len, "%.*g", digits, x);
	else
		hpo_real_text(x, buf, len);
	if (strpbrk(buf, ".eEn") == NULL && strlen(buf) + 3 <= len)
		strcat(buf, ".0");
	return strlen(buf);
}

/* Rewrite the reals of JSON text (jansson's own output: well formed). */
static char *
shorten(const char *in, int digits)
{
	size_t n = strlen(in), o = 0;
	char *out = xmalloc(n + 1);	/* a shortened real is never longer */
	int in_string = 0;

	for (size_t i = 0; i < n;) {
		char c = in[i];
		if (in_string) {
			if (c == '\\' && i + 1 < n)
				out[o++] = in[i++];
			else if (c == '"')
				in_string = 0;
			out[o++] = in[i++];
			continue;
		}
		if (c == '"') {
			in_string = 1;
			out[o++] = in[i++];
			continue;
		}
		if (c != '-' && (c < '0' || c > '9')) {
			out[o++] = in[i++];
			continue;
		}
		size_t end = i;
		int real = 0;
		while (end < n && strchr("+-.0123456789eE", in[end]) != NULL) {
			real |= in[end] == '.' || in[end] == 'e' || in[end] == 'E';
			end++;
		}
		char tok[40];
		if (real && end - i < sizeof(tok)) {
			memcpy(tok, in + i, end - i);
			tok[end - i] = '\0';
			size_t len = real_token(strtod(tok, NULL), digits, tok, sizeof(tok));
			if (len <= end - i) {
				memcpy(out + o, tok, len);
				o += len;
				i = end;
				continue;
			}
		}
		memcpy(out + o, in + i, end - i);
		o += end - i;
		i = end;
	}
	out[o] = '\0';
	return out;
}

char *
hpo_json_text(const json_t *v, size_t flags, int digits)
{
	char *text = json_dumps(v, flags | JSON_ENCODE_ANY | JSON_REAL_PRECISION(17)), *s;

	/* with JSON_ENCODE_ANY, json_dumps fails only for want of memory (or
	 * a value that contains itself, which none of ours does) */
	if (text == NULL)
		hpo_oom();
	s = shorten(text, digits);
	free(text);
	return s;
}

int
hpo_json_print(FILE *f, const json_t *v, size_t flags)
{
	char *text = hpo_json_text(v, flags, 0);
	int rc;

	rc = fputs(text, f) < 0 || fputc('\n', f) == EOF ? -1 : 0;
	free(text);
	return rc;
}
