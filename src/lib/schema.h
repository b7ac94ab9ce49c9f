/* schema.h - the JSON documents the tools print with --json, named once
 *
 * Every document names its schema and version in its first two keys
 * ("schema": "hpo-tools/...", "version": N), as hpo-tools(7) promises
 * under JSON OUTPUT; that page lists this table, and a unit test
 * (test_schema) fails when the two drift.  A change that would break a
 * reader (a key removed or renamed, a type changed) takes a new version. */
#ifndef HPO_SCHEMA_H
#define HPO_SCHEMA_H

#include <jansson.h>

enum hpo_schema {
	HPO_SCHEMA_TASK_VIEW,		/* hpo-status --json, hpo-submit --local --json */
	HPO_SCHEMA_SUBMISSION,		/* hpo-submit --json, a Grid submission */
	HPO_SCHEMA_TASK_COMMAND,	/* hpo-submit --kill/--retry/... --json */
	HPO_SCHEMA_SANDBOX,		/* hpo-submit --list-sandbox --json */
	HPO_SCHEMA_CHECKPOINTS,		/* hpo-ckpt ls --json */
	HPO_SCHEMA_COUNT
};

struct hpo_schema_info {
	const char *name;		/* "hpo-tools/task-view" */
	int version;
	const char *page;		/* the manual page that describes it */
};

extern const struct hpo_schema_info hpo_schemas[HPO_SCHEMA_COUNT];

/* The document of schema s: "schema" and "version", then the keys of body
 * (an object, whose reference this takes) in their order. */
json_t *hpo_schema_doc(enum hpo_schema s, json_t *body);

#endif
