/* fuzz_doc.c - YAML and JSON text as every tool reads it (doc.c).
 * Invariant: when the fast reader (jansson, for JSON text) and the YAML
 * reader both take a text they give the same values and the same
 * positions; when hpo_doc_parse refuses one, the YAML reader refuses it
 * too, with the same message. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "doc.h"
#include "doc_same.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hpo_doc *fast = NULL, *yaml = NULL;
	struct hpo_err ef = {0}, ey = {0};
	char why[256];
	int rf, ry;

	rf = hpo_doc_parse("in", (const char *)data, size, &fast, &ef);
	ry = hpo_doc_parse_yaml("in", (const char *)data, size, &yaml, &ey);
	if (rf < 0 && (ry == 0 || strcmp(ef.msg, ey.msg) != 0))
		abort();
	if (rf == 0 && ry == 0 && doc_same(fast, yaml, why, sizeof(why)) != NULL)
		abort();
	hpo_doc_free(fast);
	hpo_doc_free(yaml);
	return 0;
}
