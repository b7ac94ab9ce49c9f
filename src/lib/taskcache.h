/* taskcache.h - what never changes of a PanDA task, kept between runs
 *
 * A task's parameters, name and creation date never change once it is
 * submitted.  hpo-status keeps them in
 * $XDG_CACHE_HOME/hpo-tools/panda-<hash of the server's URL>/<task ID>.json
 * (default ~/.cache): a task found there is one the user has looked at, so
 * a later look may ask for it among the user's tasks in one listing call
 * rather than in a call of its own (panda.c).
 *
 * The directories are the user's alone (0700), a file is 0600, written to a
 * temporary beside it and renamed.  A file that is not a regular file of
 * the user's with no permission for others, is too large, is not JSON of
 * this format, or names another server or task, is ignored as absent (and
 * replaced at the next write): the cache can be damaged or deleted at any
 * time and costs requests, never a wrong answer or a failure.  Nothing here
 * fails: a cache that cannot be used (no home, a directory that is not the
 * user's, a full disk) is said once on stderr and left alone.
 */
#ifndef HPO_TASKCACHE_H
#define HPO_TASKCACHE_H

#include <stdint.h>

#include <jansson.h>

struct hpo_taskcache;

/* The cache of the server at url (NULL when no place for it is found:
 * every call below takes NULL and does nothing). */
struct hpo_taskcache *hpo_taskcache_open(const char *url);
void hpo_taskcache_free(struct hpo_taskcache *c);

/* The entry of task id, a new reference or NULL:
 * {"format", "server", "jediTaskID", "taskName", "creationDate",
 *  "raw_task_params", "listed"} (listed: false when a listing of the
 * user's tasks that should have held it did not: another user's task). */
json_t *hpo_taskcache_get(struct hpo_taskcache *c, int64_t id);

/* Keep what never changes of info (a task as task/get_detailed_info or the
 * listing give it) under id, with listed as above.  Not kept: a task
 * without its parameters, name or creation date. */
void hpo_taskcache_put(struct hpo_taskcache *c, int64_t id, const json_t *info, int listed);

/* Fill what info lacks of an entry's fields (a server that could not read
 * the task's parameters gives a task without raw_task_params). */
void hpo_taskcache_fill(const json_t *entry, json_t *info);

#endif
