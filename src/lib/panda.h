/* panda.h - the PanDA server's /api/v1 calls for HPO tasks
 *
 * Base URLs as panda-client takes them: PANDA_URL_SSL (default
 * https://pandaserver.cern.ch/server/panda; the v1 API is scheme://host/api/v1
 * of it, the legacy relay_idds_command sits under the URL itself) and
 * PANDACACHE_URL (default https://pandacache.cern.ch/server/panda).
 * Every answer is {"success", "message", "data"}; success false is an
 * HPO_E_SERVER error carrying the server's message.
 */
#ifndef HPO_PANDA_H
#define HPO_PANDA_H

#include <stdint.h>

#include <jansson.h>

#include "auth.h"
#include "err.h"

struct hpo_panda;

int hpo_panda_new(const struct hpo_auth *auth, struct hpo_panda **out, struct hpo_err *err);
void hpo_panda_free(struct hpo_panda *p);

/* scheme://host[:port] of the cache server, for the jobs' --sourceURL:
 * PANDACACHE_URL's, until hpo_panda_sandbox has learnt which cache host
 * holds the sandbox. */
const char *hpo_panda_source_url(const struct hpo_panda *p);
/* Use the cache server at root (scheme://host[:port], a path is dropped)
 * for the cache calls and hpo_panda_source_url: a job's --sourceURL. */
int hpo_panda_set_cache_root(struct hpo_panda *p, const char *root, struct hpo_err *err);
/* The task's page on the monitor (PANDAMON_URL, default bigpanda). */
char *hpo_panda_monitor_link(int64_t task_id);

/* Submit task parameters.  A submission whose answer was lost is not sent
 * twice: before sending again the task name is looked up on the server,
 * and a task found there is the answer. */
int hpo_panda_submit(struct hpo_panda *p, const json_t *params, int64_t *task_id,
		     struct hpo_err *err);

/* What a task view needs of many tasks, all asked at once over a few
 * reused connections: task/get_detailed_info (the task's fields: status,
 * dates, error dialog, raw_task_params) unless info[i] already holds it,
 * and the points from iDDS (get_hyperparameters through
 * relay_idds_command: [{"id", "parameters", "loss"}]) of each id.  info[i]
 * with points[i], or with points_err[i] (malloc'ed) saying why iDDS gave
 * none; or errs[i] with all three NULL. */
int hpo_panda_task_info_many(struct hpo_panda *p, const int64_t *ids, size_t n, json_t **info,
			     json_t **points, char **points_err, struct hpo_err *errs);
/* The user's tasks modified since `since` (%Y-%m-%d %H:%M:%S, UTC) matching
 * filters (an object of equality conditions, may be NULL). */
int hpo_panda_tasks_since(struct hpo_panda *p, const char *since, const json_t *filters,
			  int n_tasks, json_t **tasks, struct hpo_err *err);

enum hpo_panda_op { HPO_PANDA_KILL, HPO_PANDA_FINISH, HPO_PANDA_RETRY, HPO_PANDA_PAUSE, HPO_PANDA_RESUME };
/* Kill, finish (soft: let running jobs end), retry (new_params may be
 * NULL), pause or resume a task; the server's code is turned into a
 * message.  The server takes pause and resume from production roles only
 * (task_api.py: request_validation(production=True)). */
int hpo_panda_control(struct hpo_panda *p, enum hpo_panda_op op, int64_t task_id, int soft,
		      const json_t *new_params, char **message, struct hpo_err *err);

/* Put the sandbox at path on the cache server, named base: reuse an
 * identical one already there (validate_cache_file with the size and the
 * gzip trailer's CRC32), else upload it.  *name is the file name the jobs
 * must fetch, and hpo_panda_source_url then gives the cache host that has
 * it: the one validate_cache_file names (FOUND:<host>:<file>, with
 * PANDACACHE_URL's scheme and port, as panda-client's setCacheServer),
 * asked again after an upload, since the server records the cache host
 * that took the file, not a load-balanced alias.  An upload answered
 * "cannot overwrite file" (the same contents give the same name: a retried
 * upload whose first answer was lost) goes on with the sandbox PanDA then
 * finds. */
int hpo_panda_sandbox(struct hpo_panda *p, const char *path, const char *base, uint64_t size,
		      uint32_t crc, char **name, int *reused, struct hpo_err *err);

/* HPO checkpoints on the cache server (PANDACACHE_URL), one file per task
 * and sub ID (a point): upload_hpo_checkpoint stores the file at path as
 * hpo_cp_<task>_<sub> in the server's cache directory, which the server's
 * web server publishes as <cache root>/cache/hpo_cp_<task>_<sub>
 * (hpo_panda_source_url gives the root); an upload replaces the file.
 * The server refuses bodies over 500 MB (HPO_PANDA_CKPT_LIMIT). */
#define HPO_PANDA_CKPT_LIMIT (500LL * 1024 * 1024)
int hpo_panda_ckpt_upload(struct hpo_panda *p, const char *path, const char *task, const char *sub,
			  struct hpo_err *err);
/* delete_hpo_checkpoint; the server fails when there is no such file. */
int hpo_panda_ckpt_delete(struct hpo_panda *p, const char *task, const char *sub,
			  struct hpo_err *err);

#endif
