/* fuzz_pandaanswer.c - every answer of the PanDA server and iDDS the client
 * reads (panda_answer.c).  The first byte picks the answer (its value
 * modulo 8; the corpus uses '0' to '7'), the rest is its body as the server
 * sends it:
 *   0 any call's envelope {"success", "message", "data"}
 *   1 task/submit
 *   2 task/kill, finish, pause, resume, retry
 *   3 task/retry with new parameters
 *   4 task/get_detailed_info
 *   5 task/get_tasks_detailed_info_since, then the listing's HPO tasks by id
 *   6 file_server/validate_cache_file (a body that is no JSON: the text of
 *     its message), then the cache root on the host it names
 *   7 relay_idds_command get_hyperparameters
 * Invariants: a parser succeeds with its output or fails with a message,
 * never both; task ids are positive; a listing's tasks are objects under
 * their own id; the points are a list of objects; a cache root is the
 * cache URL's scheme and port around a host of printable characters with
 * no '/', '?', '#', '@' or space. */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "panda_answer.h"

#define SERVER "https://pandaserver.example/api/v1"

/* err is a failure's: a non-empty message of a kind */
static void
failed(const struct hpo_err *err)
{
	if (err->kind == HPO_E_OK || err->msg[0] == '\0')
		abort();
}

static void
check_root(const char *cache, const char *host, const char *root)
{
	const char *s = strstr(cache, "://"), *h;
	size_t scheme = (size_t)(s - cache);

	if (strncmp(root, cache, scheme + 3) != 0)
		abort();
	h = root + scheme + 3;
	if (strstr(h, host) == NULL)
		abort();
	for (const char *c = h; *c != '\0'; c++)
		if (*c <= ' ' || *c >= 0x7f || strchr("/?#@", *c) != NULL)
			abort();
}

static void
sandbox(const json_t *resp)
{
	static const char *const caches[] = {
		"https://pandacache.example:25443/server/panda", "https://cache.example",
		"https://user@[2001:db8::1]:8443/p?q", "http://[::1]/x",
	};
	char *host, *name, *root;
	int rc = hpo_panda_sandbox_answer(resp, &host, &name);

	if (rc == 0) {
		if (host != NULL || name != NULL)
			abort();
		return;
	}
	if (rc != 1 || host == NULL || name == NULL || name[0] == '\0')
		abort();
	for (size_t i = 0; i < sizeof(caches) / sizeof(caches[0]); i++) {
		struct hpo_err e = {0};
		if (hpo_panda_cache_host_root(caches[i], host, &root, &e) < 0) {
			failed(&e);
			if (root != NULL)
				abort();
			continue;
		}
		if (root == NULL || e.kind != HPO_E_OK)
			abort();
		check_root(caches[i], host, root);
		free(root);
	}
	free(host);
	free(name);
}

static void
listing(const json_t *resp)
{
	struct hpo_err err = {0};
	json_t *tasks, *by_id, *t;
	const char *key;
	char buf[32];

	if (hpo_panda_tasks_answer(resp, &tasks, &err) < 0) {
		failed(&err);
		if (tasks != NULL)
			abort();
		return;
	}
	if (!json_is_array(tasks) || err.kind != HPO_E_OK)
		abort();
	if ((by_id = json_object()) == NULL)
		abort();
	hpo_panda_listing_add(by_id, tasks);
	json_object_foreach(by_id, key, t) {
		json_t *id = json_object_get(t, "jediTaskID");
		if (!json_is_object(t) || !json_is_integer(id) || json_integer_value(id) <= 0)
			abort();
		snprintf(buf, sizeof(buf), "%lld", (long long)json_integer_value(id));
		if (strcmp(buf, key) != 0)
			abort();
	}
	json_decref(by_id);
	json_decref(tasks);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hpo_err err = {0};
	json_error_t jerr;
	json_t *resp, *out = NULL;
	char *msg = NULL;
	int64_t id = -1;
	size_t i;
	int rc;

	if (size < 1)
		return 0;
	resp = json_loadb((const char *)data + 1, size - 1, JSON_DECODE_ANY, &jerr);
	if (data[0] % 8 == 6 && resp == NULL) {
		/* the cache answer's text, as the message of a success */
		char *text = strndup((const char *)data + 1, size - 1);
		if (text == NULL)
			return 0;
		resp = json_pack("{s:b, s:s, s:n}", "success", 1, "message", text, "data");
		free(text);
	}
	if (resp == NULL)
		return 0;
	switch (data[0] % 8) {
	case 0:
		rc = hpo_panda_envelope(resp, "call", &out, &err);
		if (rc < 0)
			failed(&err);
		else if (rc != 0 || err.kind != HPO_E_OK || out != json_object_get(resp, "data"))
			abort();
		if (rc < 0 && out != NULL)
			abort();
		break;
	case 1:
		rc = hpo_panda_submit_answer(resp, &id, &err);
		if (rc < 0) {
			failed(&err);
			if (id != 0)
				abort();
		} else if (rc != 0 || id <= 0 || err.kind != HPO_E_OK) {
			abort();
		}
		break;
	case 2:
	case 3:
		rc = hpo_panda_control_answer(resp, "kill task 12", data[0] % 8 == 3, &msg, &err);
		if (rc < 0) {
			failed(&err);
			if (msg != NULL)
				abort();
		} else if (rc != 0 || msg == NULL || err.kind != HPO_E_OK) {
			abort();
		}
		free(msg);
		break;
	case 4:
		rc = hpo_panda_task_answer(resp, 12, SERVER, &out, &err);
		if (rc < 0) {
			failed(&err);
			if (out != NULL)
				abort();
		} else if (rc != 0 || !json_is_object(out) || err.kind != HPO_E_OK) {
			abort();
		}
		break;
	case 5:
		listing(resp);
		break;
	case 6:
		sandbox(resp);
		break;
	case 7:
		rc = hpo_panda_points_answer(resp, &out, &err);
		if (rc < 0) {
			failed(&err);
			if (out != NULL)
				abort();
			break;
		}
		if (rc != 0 || !json_is_array(out) || err.kind != HPO_E_OK)
			abort();
		for (i = 0; i < json_array_size(out); i++)
			if (!json_is_object(json_array_get(out, i)))
				abort();
		json_decref(out);
		break;
	}
	json_decref(resp);
	return 0;
}
