/* schema.c - the JSON documents the tools print, named once (schema.h) */
#include "autoconf.h"

#include "schema.h"
#include "view.h"

const struct hpo_schema_info hpo_schemas[HPO_SCHEMA_COUNT] = {
	[HPO_SCHEMA_TASK_VIEW] = {HPO_VIEW_SCHEMA, HPO_VIEW_VERSION, "hpo-status(1)"},
	[HPO_SCHEMA_SUBMISSION] = {"hpo-tools/submission", 1, "hpo-submit(1)"},
	[HPO_SCHEMA_TASK_COMMAND] = {"hpo-tools/task-command", 1, "hpo-submit(1)"},
	[HPO_SCHEMA_SANDBOX] = {"hpo-tools/sandbox", 1, "hpo-submit(1)"},
	[HPO_SCHEMA_CHECKPOINTS] = {"hpo-tools/checkpoints", 1, "hpo-ckpt(1)"},
};

json_t *
hpo_schema_doc(enum hpo_schema s, json_t *body)
{
	json_t *doc = json_pack("{s:s, s:i}", "schema", hpo_schemas[s].name, "version",
				hpo_schemas[s].version);

	json_object_update(doc, body);
	json_decref(body);
	return doc;
}
