/* test_schema.c - the --json documents' names: the table, the documents
 * built from it, and hpo-tools(7) listing every one with its version */
#include "autoconf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "schema.h"

static void
test_doc_starts_with_schema(void **state)
{
	json_t *doc = hpo_schema_doc(HPO_SCHEMA_CHECKPOINTS,
				     json_pack("{s:s, s:i}", "location", "x", "temporaries", 0));
	char *text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);

	(void)state;
	assert_string_equal(text, "{\"schema\":\"hpo-tools/checkpoints\",\"version\":1,"
			    "\"location\":\"x\",\"temporaries\":0}");
	free(text);
	json_decref(doc);
}

static void
test_names_unique(void **state)
{
	(void)state;
	for (int i = 0; i < HPO_SCHEMA_COUNT; i++) {
		assert_non_null(hpo_schemas[i].name);
		assert_true(strncmp(hpo_schemas[i].name, "hpo-tools/", 10) == 0);
		assert_true(hpo_schemas[i].version >= 1);
		for (int k = 0; k < i; k++)
			assert_string_not_equal(hpo_schemas[i].name, hpo_schemas[k].name);
	}
}

/* man/hpo-tools.7 has a line ".TP" then "\fBNAME\fR, version N" for each */
static void
test_manual_lists_each(void **state)
{
	const char *top = getenv("top_srcdir");
	char path[4096], line[512], want[256];
	FILE *f;
	int found[HPO_SCHEMA_COUNT] = {0}, listed = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/man/hpo-tools.7", top ? top : ".");
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		if (strncmp(line, "\\fBhpo\\-tools/", 14) != 0)
			continue;
		listed++;
		for (int i = 0; i < HPO_SCHEMA_COUNT; i++) {
			char esc[128];
			size_t o = 0;

			/* groff writes a hyphen as \- */
			for (const char *p = hpo_schemas[i].name; *p != '\0' && o + 2 < sizeof(esc);
			     p++) {
				if (*p == '-')
					esc[o++] = '\\';
				esc[o++] = *p;
			}
			esc[o] = '\0';
			snprintf(want, sizeof(want), "\\fB%s\\fR, version %d (", esc,
				 hpo_schemas[i].version);
			if (strncmp(line, want, strlen(want)) == 0)
				found[i]++;
		}
	}
	fclose(f);
	for (int i = 0; i < HPO_SCHEMA_COUNT; i++)
		if (found[i] != 1)
			fail_msg("hpo-tools(7) lists %s version %d %d times", hpo_schemas[i].name,
				 hpo_schemas[i].version, found[i]);
	assert_int_equal(listed, HPO_SCHEMA_COUNT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_doc_starts_with_schema),
		cmocka_unit_test(test_names_unique),
		cmocka_unit_test(test_manual_lists_each),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
