/* ckpt_name.c - the names of generations and of a save's temporaries (ckpt.h) */
#include "autoconf.h"

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "ckpt.h"

/* A decimal number of digits only, within max; *end after it.  With
 * canonical, no leading zero (but "0" itself). */
static int
parse_dec(const char *s, unsigned long long max, int canonical, unsigned long long *v,
	  const char **end)
{
	unsigned long long x = 0;
	const char *p = s;

	for (; *p >= '0' && *p <= '9'; p++) {
		if (x > (max - (unsigned)(*p - '0')) / 10)
			return -1;
		x = x * 10 + (unsigned)(*p - '0');
	}
	if (p == s || (canonical && *s == '0' && p - s > 1))
		return -1;
	*v = x;
	*end = p;
	return 0;
}

int
hpo_ckpt_parse(const char *name, struct hpo_ckpt_gen *g)
{
	unsigned long long num, size;
	unsigned int adler = 0;
	const char *p, *q;

	/* exactly what hpo_ckpt_format writes, so that one generation has one
	 * name: gen-<at least 8 digits, zero-padded>-<8 lower-case hex
	 * digits>-<digits, no leading zero><suffix> */
	if (strncmp(name, "gen-", 4) != 0 || strlen(name) >= sizeof(g->name))
		return -1;
	p = name + 4;
	if (parse_dec(p, ULONG_MAX, 0, &num, &q) < 0 || q - p < 8 || (q - p > 8 && *p == '0') ||
	    *q != '-')
		return -1;
	for (p = q + 1; p < q + 9; p++) {
		if (*p >= '0' && *p <= '9')
			adler = adler << 4 | (unsigned)(*p - '0');
		else if (*p >= 'a' && *p <= 'f')
			adler = adler << 4 | (unsigned)(*p - 'a' + 10);
		else
			return -1;
	}
	if (*p != '-' || parse_dec(p + 1, UINT64_MAX, 1, &size, &q) < 0)
		return -1;
	memset(g, 0, sizeof(*g));
	if (strcmp(q, ".tar.zst") == 0)
		g->comp = HPO_TAR_ZSTD;
	else if (strcmp(q, ".tar.gz") == 0)
		g->comp = HPO_TAR_GZIP;
	else
		return -1;
	g->number = (unsigned long)num;
	g->sum.adler32 = adler;
	g->sum.size = size;
	snprintf(g->name, sizeof(g->name), "%s", name);
	return 0;
}

int
hpo_ckpt_is_temp(const char *name)
{
	size_t len = strlen(name);

	return strncmp(name, ".gen-", 5) == 0 && len > 10 && strcmp(name + len - 5, ".part") == 0;
}

void
hpo_ckpt_format(char *buf, size_t len, unsigned long number, const struct hpo_tar_sum *sum,
		enum hpo_tar_comp comp)
{
	snprintf(buf, len, "gen-%08lu-%08x-%llu%s", number, sum->adler32,
		 (unsigned long long)sum->size, hpo_tar_suffix(comp));
}
