/* fuzz_davs.c - what a WebDAV server answers: the PROPFIND listing of a
 * checkpoint location, and every line of the input as a Digest header.
 * Invariants: every listed name is a plain, non-empty file name (no '/',
 * not "." or ".."). */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "davs_parse.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *nl;
	struct hpo_ckpt_entry *e;
	size_t n, off;
	uint32_t a;

	hpo_davs_listing("/data/ckpt/", s, size, &e, &n);
	for (size_t i = 0; i < n; i++)
		if (e[i].name[0] == '\0' || strchr(e[i].name, '/') != NULL ||
		    strcmp(e[i].name, ".") == 0 || strcmp(e[i].name, "..") == 0)
			abort();
	hpo_ckpt_entries_free(e, n);
	for (off = 0; off < size; off = (size_t)(nl - s) + 1) {
		nl = memchr(s + off, '\n', size - off);
		if (nl == NULL)
			nl = s + size;
		(void)hpo_davs_digest_adler32(s + off, (size_t)(nl - s) - off, &a);
	}
	return 0;
}
