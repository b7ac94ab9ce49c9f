/* config.h - settings from the environment, in one precedence order:
 * command-line option, then environment variable, then built-in default
 */
#ifndef HPO_CONFIG_H
#define HPO_CONFIG_H

#include <stdint.h>

#include "err.h"

/* The local task database: opt (from --db) when not NULL, else $HPO_DB,
 * else $XDG_DATA_HOME/hpo-tools/hpo.db, else ~/.local/share/hpo-tools/hpo.db.
 * Returns a malloc'ed path. */
int hpo_config_db_path(const char *opt, char **path, struct hpo_err *err);

/* The directory that holds a local task's files: tasks/<id> beside the
 * database (malloc'ed). */
char *hpo_config_task_dir(const char *db_path, int64_t id);

/* The container runtime: opt when not NULL, else $HPO_CONTAINER_RUNTIME,
 * else NULL (evaluations run on the host). */
const char *hpo_config_runtime(const char *opt);

/* HTTP client settings (hpo_http_opts): opt when not NULL, else the
 * environment variable, else the default.  A value that does not parse or
 * is out of range is an HPO_E_INPUT error naming where it came from.
 *   retries  HPO_HTTP_RETRIES  default 4, 0 to 20: tries after the first
 *   backoff  HPO_HTTP_BACKOFF  default 1 s, 0 to 300: delay before the first
 *            retry (then doubled each time, with jitter)
 *   timeout  HPO_HTTP_TIMEOUT  default 60 s, above 0 up to 86400: a whole
 *            request's time (a file upload's longest stall) */
int hpo_config_http_retries(const char *opt, int *retries, struct hpo_err *err);
int hpo_config_http_backoff(const char *opt, double *seconds, struct hpo_err *err);
int hpo_config_http_timeout(const char *opt, double *seconds, struct hpo_err *err);

/* Verify the server's host name against its certificate: 0 when
 * PANDA_VERIFY_HOST=off (as panda-client), else 1.  The caller warns. */
int hpo_config_verify_host(void);

#endif
