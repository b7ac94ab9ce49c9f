/* panda_answer.h - what the PanDA server and iDDS answer, read
 *
 * The pure steps of panda.c's calls: each takes an answer as decoded from
 * the server's JSON and returns 0 with its output or -1 with a message,
 * never both; none talks to a server (tests/fuzz/fuzz_pandaanswer.c feeds
 * them any answer).
 */
#ifndef HPO_PANDA_ANSWER_H
#define HPO_PANDA_ANSWER_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "err.h"

/* request_validation's answer to a request without a client DN
 * (pandaserver/api/v1/common.py: MESSAGE_SSL) */
#define HPO_PANDA_MSG_SSL "SSL secure connection is required"

/* Unwrap {"success", "message", "data"}: *data borrowed from resp (NULL
 * when the answer has none).  what names the call in the message. */
int hpo_panda_envelope(const json_t *resp, const char *what, json_t **data, struct hpo_err *err);

/* The first sentence of a server's message: up to its first line's end,
 * or its first ". " before a capital letter; without the closing period. */
void hpo_panda_first_sentence(const char *msg, char *out, size_t size);

/* task/submit: the new task's id (> 0) from data, or from an older
 * server's message "succeeded. new jediTaskID=N"; a refusal is "submit
 * refused: " and the first sentence of the server's message. */
int hpo_panda_submit_answer(const json_t *resp, int64_t *task_id, struct hpo_err *err);

/* task/kill, finish, retry, pause, resume: the server's code (data, or
 * data[0]) worded; *message (malloc'ed) the server's message, or "done".
 * what names the call ("kill task 12"); new_task: a retry with new
 * parameters (insertTaskParamsPanda's codes). */
int hpo_panda_control_answer(const json_t *resp, const char *what, int new_task, char **message,
			     struct hpo_err *err);

/* task/get_detailed_info of task id asked of server (for the message): the
 * task, an object borrowed from resp; "not found" is HPO_E_NOTFOUND. */
int hpo_panda_task_answer(const json_t *resp, int64_t id, const char *server, json_t **task,
			  struct hpo_err *err);

/* task/get_tasks_detailed_info_since: the list of tasks (new ref). */
int hpo_panda_tasks_answer(const json_t *resp, json_t **tasks, struct hpo_err *err);
/* Add the HPO tasks of a listing to by_id (jediTaskID as text -> task),
 * each with its jediTaskID an integer. */
void hpo_panda_listing_add(json_t *by_id, const json_t *tasks);

/* file_server/validate_cache_file: 1 with *host and *name (malloc'ed) for
 * "FOUND:<host>:<file>" in the message, 0 for anything else. */
int hpo_panda_sandbox_answer(const json_t *resp, char **host, char **name);
/* The root (scheme://host[:port], malloc'ed) of the cache server on host,
 * with cache_url's scheme and port, as panda-client's setCacheServer. */
int hpo_panda_cache_host_root(const char *cache_url, const char *host, char **root,
			      struct hpo_err *err);

/* relay_idds_command's answer to get_hyperparameters: [true, points] or
 * [false, why]; *points a list (new ref). */
int hpo_panda_points_answer(const json_t *resp, json_t **points, struct hpo_err *err);

#endif
