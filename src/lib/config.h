/* config.h - settings from the environment, in one precedence order:
 * command-line option, then environment variable, then built-in default
 */
#ifndef HPO_CONFIG_H
#define HPO_CONFIG_H

#include <stdint.h>

#include "err.h"

/* A setting by its environment variable's name: the variable when set and
 * not empty, else the value in the configuration file, else NULL.  The
 * file is $HPO_CONFIG, else $XDG_CONFIG_HOME/hpo-tools/config, else
 * ~/.config/hpo-tools/config: lines "NAME = value" with the same names as
 * the environment variables, '#' comments and blank lines.  It is read once
 * per process; a line that is not NAME = value, or a name that is not a
 * setting, gets one warning naming file:line and is ignored.  The names:
 * PANDA_URL_SSL PANDACACHE_URL PANDAMON_URL PANDA_VERIFY_HOST PANDA_AUTH
 * PANDA_AUTH_VO PANDA_CONFIG_ROOT X509_USER_PROXY X509_CERT_DIR HPO_DB
 * HPO_NICKNAME HPO_CONTAINER_RUNTIME HPO_HTTP_RETRIES HPO_HTTP_BACKOFF
 * HPO_HTTP_TIMEOUT. */
const char *hpo_config_get(const char *name);

/* The local task database: opt (from --db) when not NULL, else $HPO_DB,
 * else $XDG_DATA_HOME/hpo-tools/hpo.db, else ~/.local/share/hpo-tools/hpo.db.
 * Returns a malloc'ed path. */
int hpo_config_db_path(const char *opt, char **path, struct hpo_err *err);

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
