/* proc.h - running a command for the engine: in a directory, in its own
 * process group, on the host or inside a container runtime
 */
#ifndef HPO_PROC_H
#define HPO_PROC_H

#include <sys/types.h>

#include "err.h"

enum hpo_rt_kind { HPO_RT_HOST, HPO_RT_APPTAINER, HPO_RT_SINGULARITY, HPO_RT_PODMAN, HPO_RT_DOCKER };

struct hpo_runtime {
	enum hpo_rt_kind kind;
	char *path;		/* the client's full path */
};

/* 0 if name is a runtime hpo_runtime_open knows; else -1 and err says so,
 * with the nearest name. */
int hpo_runtime_known(const char *name, struct hpo_err *err);
/* Find and probe a runtime by name ("apptainer", "singularity", "podman",
 * "docker"): HPO_E_INPUT when unknown, HPO_E_RUNTIME when missing from
 * PATH or when its engine does not answer (docker/podman `info`, apptainer
 * `version`). */
int hpo_runtime_open(const char *name, struct hpo_runtime **out, struct hpo_err *err);
void hpo_runtime_free(struct hpo_runtime *rt);
const char *hpo_runtime_name(const struct hpo_runtime *rt);

struct hpo_command {
	const char *dir;	/* working directory (absolute) */
	const char *state;	/* another directory bound into a container at its
				 * own path (checkpoints), or NULL */
	const char *shell;	/* the user's command, run by /bin/sh -c */
	const char *image;	/* container image, used when rt is set */
	const struct hpo_runtime *rt;	/* NULL: run on the host */
	const char *log;	/* stdout and stderr go here (appended) */
	const char *name;	/* container name (docker/podman), may be NULL */
	const char *const *env;	/* extra NAME=value strings, NULL-terminated */
};

/* Start the command; the child leads a new process group whose id is *pid. */
int hpo_spawn(const struct hpo_command *cmd, pid_t *pid, struct hpo_err *err);
/* After killing a containerised command: remove its container, if any. */
void hpo_container_cleanup(const struct hpo_command *cmd);

/* Start time of a process (clock ticks after boot), 0 when unknown; used
 * to tell a process from a later one that got the same pid. */
long long hpo_proc_starttime(pid_t pid);

/* Describe a wait status: "exited with status 3", "killed by signal 9". */
void hpo_wait_describe(int status, char *buf, size_t len);

#endif
