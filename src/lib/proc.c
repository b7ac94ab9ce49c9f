/* proc.c - running evaluation and steering commands */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "doc.h"
#include "file.h"
#include "proc.h"
#include "xmalloc.h"

static const struct {
	const char *name;
	enum hpo_rt_kind kind;
	const char *probe;	/* argument that asks the engine, not just the client */
} runtimes[] = {
	{"apptainer", HPO_RT_APPTAINER, "version"},
	{"singularity", HPO_RT_SINGULARITY, "version"},
	{"podman", HPO_RT_PODMAN, "info"},
	{"docker", HPO_RT_DOCKER, "info"},
};
#define NRUNTIMES (sizeof(runtimes) / sizeof(runtimes[0]))

/* The index of runtime name in runtimes, NRUNTIMES when unknown. */
static size_t
runtime_index(const char *name)
{
	size_t i;

	for (i = 0; i < NRUNTIMES && strcmp(name, runtimes[i].name) != 0; i++)
		;
	return i;
}

static char *
find_in_path(const char *prog)
{
	const char *path = getenv("PATH");
	char *copy, *save = NULL, *found = NULL;

	if (strchr(prog, '/') != NULL)
		return access(prog, X_OK) == 0 ? strdup(prog) : NULL;
	if (path == NULL || (copy = strdup(path)) == NULL)
		return NULL;
	for (char *d = strtok_r(copy, ":", &save); d != NULL; d = strtok_r(NULL, ":", &save)) {
		char *full = hpo_path_join(*d ? d : ".", prog);
		if (full != NULL && access(full, X_OK) == 0) {
			found = full;
			break;
		}
		free(full);
	}
	free(copy);
	return found;
}

/* Run argv with its standard error captured (the first line kept: why it
 * failed; standard output, docker's client section, is dropped); wait at
 * most timeout s. */
static int
probe(char *const argv[], int timeout, char *line, size_t len)
{
	int fds[2], status = 0;
	pid_t pid;
	size_t n = 0;
	time_t end = time(NULL) + timeout;

	line[0] = '\0';
	if (pipe2(fds, O_CLOEXEC) < 0)
		return -1;
	if ((pid = fork()) < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDWR);
		if (devnull >= 0) {
			dup2(devnull, 0);
			dup2(devnull, 1);
		}
		dup2(fds[1], 2);
		execv(argv[0], argv);
		_exit(127);
	}
	close(fds[1]);
	for (;;) {
		struct pollfd p = {fds[0], POLLIN, 0};
		int left = (int)(end - time(NULL));
		if (left <= 0) {
			kill(pid, SIGKILL);
			break;
		}
		if (poll(&p, 1, left * 1000) <= 0)
			continue;
		char buf[512];
		ssize_t r = read(fds[0], buf, sizeof(buf));
		if (r <= 0)
			break;
		for (ssize_t i = 0; i < r && n + 1 < len; i++)
			line[n++] = buf[i];
		line[n] = '\0';
	}
	close(fds[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	/* the first line that says something */
	char *nl = strchr(line, '\n');
	if (nl != NULL)
		*nl = '\0';
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

int
hpo_runtime_known(const char *name, struct hpo_err *err)
{
	const char *names[NRUNTIMES + 1] = {NULL}, *near;

	if (runtime_index(name) < NRUNTIMES)
		return 0;
	for (size_t i = 0; i < NRUNTIMES; i++)
		names[i] = runtimes[i].name;
	near = hpo_nearest(name, names);
	if (near != NULL)
		return hpo_err_set(err, HPO_E_INPUT,
				   "unknown container runtime '%s' (did you mean '%s'?)", name, near);
	return hpo_err_set(err, HPO_E_INPUT,
			   "unknown container runtime '%s' (apptainer, singularity, podman or docker)",
			   name);
}

int
hpo_runtime_open(const char *name, struct hpo_runtime **out, struct hpo_err *err)
{
	struct hpo_runtime *rt;
	char line[512];
	size_t i;

	*out = NULL;
	if (hpo_runtime_known(name, err) < 0)
		return -1;
	i = runtime_index(name);
	rt = xcalloc(1, sizeof(*rt));
	rt->kind = runtimes[i].kind;
	if ((rt->path = find_in_path(name)) == NULL) {
		free(rt);
		return hpo_err_set(err, HPO_E_RUNTIME, "container runtime %s: not found in PATH",
				   name);
	}
	char *argv[] = {rt->path, (char *)runtimes[i].probe, NULL};
	int rc = probe(argv, 30, line, sizeof(line));
	if (rc != 0) {
		hpo_err_set(err, HPO_E_RUNTIME, "container runtime %s: not working ('%s %s' failed%s%s)",
			    name, name, runtimes[i].probe, line[0] ? ": " : "", line);
		hpo_runtime_free(rt);
		return -1;
	}
	*out = rt;
	return 0;
}

void
hpo_runtime_free(struct hpo_runtime *rt)
{
	if (rt == NULL)
		return;
	free(rt->path);
	free(rt);
}

const char *
hpo_runtime_name(const struct hpo_runtime *rt)
{
	for (size_t i = 0; i < NRUNTIMES; i++)
		if (rt != NULL && runtimes[i].kind == rt->kind)
			return runtimes[i].name;
	return "host";
}

/* The image as the runtime wants it. */
static const char *
image_for(const struct hpo_runtime *rt, const char *image, char *buf, size_t len)
{
	int has_scheme = strstr(image, "://") != NULL;

	if (rt->kind == HPO_RT_APPTAINER || rt->kind == HPO_RT_SINGULARITY) {
		if (has_scheme || image[0] == '/' || image[0] == '.')
			return image;
		snprintf(buf, len, "docker://%s", image);
		return buf;
	}
	if (strncmp(image, "docker://", 9) == 0)
		return image + 9;
	return image;
}

#define MAX_ARGS 64

extern char **environ;

/* The environment of a command: ours with the command's NAME=value strings
 * over it. */
static char **
command_env(const char *const *extra)
{
	size_t n = 0, k = 0, m = 0;
	char **out;

	for (char **e = environ; *e != NULL; e++)
		n++;
	while (extra != NULL && extra[k] != NULL)
		k++;
	out = xreallocarray(NULL, n + k + 1, sizeof(*out));
	for (char **e = environ; *e != NULL; e++) {
		size_t i;
		for (i = 0; i < k; i++)
			if (strncmp(*e, extra[i], strcspn(extra[i], "=") + 1) == 0)
				break;
		if (i == k)
			out[m++] = *e;
	}
	for (size_t i = 0; i < k; i++)
		out[m++] = (char *)extra[i];
	out[m] = NULL;
	return out;
}

/* Start argv as hpo_spawn says with posix_spawn; -1 with errno when it
 * could not (then spawn_fork starts it and says why in the log). */
static int
spawn_fast(const struct hpo_command *cmd, const char *const argv[], int logfd, pid_t *child)
{
#ifdef HAVE_POSIX_SPAWN_FILE_ACTIONS_ADDCHDIR_NP
	posix_spawnattr_t attr;
	posix_spawn_file_actions_t fa;
	sigset_t none, dfl;
	char **envp;
	int rc;

	if ((rc = posix_spawnattr_init(&attr)) != 0) {
		errno = rc;
		return -1;
	}
	if ((rc = posix_spawn_file_actions_init(&fa)) != 0) {
		posix_spawnattr_destroy(&attr);
		errno = rc;
		return -1;
	}
	sigemptyset(&none);
	sigemptyset(&dfl);
	sigaddset(&dfl, SIGINT);
	sigaddset(&dfl, SIGTERM);
	sigaddset(&dfl, SIGHUP);
	sigaddset(&dfl, SIGCHLD);
	sigaddset(&dfl, SIGPIPE);
	envp = command_env(cmd->env);
	if ((rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK |
					   POSIX_SPAWN_SETSIGDEF)) == 0 &&
	    (rc = posix_spawnattr_setpgroup(&attr, 0)) == 0 &&
	    (rc = posix_spawnattr_setsigmask(&attr, &none)) == 0 &&
	    (rc = posix_spawnattr_setsigdefault(&attr, &dfl)) == 0 &&
	    (rc = posix_spawn_file_actions_addchdir_np(&fa, cmd->dir)) == 0 &&
	    (rc = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0)) == 0 &&
	    (rc = posix_spawn_file_actions_adddup2(&fa, logfd, 1)) == 0 &&
	    (rc = posix_spawn_file_actions_adddup2(&fa, logfd, 2)) == 0)
		rc = posix_spawn(child, argv[0], &fa, &attr, (char *const *)argv, envp);
	free(envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	return 0;
#else
	(void)cmd;
	(void)argv;
	(void)logfd;
	(void)child;
	errno = ENOSYS;
	return -1;
#endif
}

/* Start argv with fork: the child says in the log why it cannot enter the
 * directory or run the program.  The pid, or -1 with errno. */
static pid_t
spawn_fork(const struct hpo_command *cmd, const char *const argv[], int logfd)
{
	pid_t child = fork();

	if (child < 0)
		return -1;
	if (child == 0) {
		sigset_t none;
		int devnull;

		setpgid(0, 0);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		signal(SIGCHLD, SIG_DFL);
		signal(SIGPIPE, SIG_DFL);
		if (chdir(cmd->dir) < 0) {
			dprintf(logfd, "hpo: cannot enter %s: %s\n", cmd->dir, strerror(errno));
			_exit(126);
		}
		devnull = open("/dev/null", O_RDONLY);
		if (devnull >= 0 && devnull != 0) {
			dup2(devnull, 0);
			close(devnull);
		}
		dup2(logfd, 1);
		dup2(logfd, 2);
		for (size_t i = 0; cmd->env != NULL && cmd->env[i] != NULL; i++)
			putenv((char *)cmd->env[i]);
		execv(argv[0], (char *const *)argv);
		dprintf(2, "hpo: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	setpgid(child, child);
	return child;
}

int
hpo_spawn(const struct hpo_command *cmd, pid_t *pid, struct hpo_err *err)
{
	const char *argv[MAX_ARGS];
	char imgbuf[1024], user[64], bind[8400], bind2[4200];
	size_t n = 0;
	int logfd;
	pid_t child;

	if (cmd->rt == NULL) {
		argv[n++] = "/bin/sh";
	} else if (cmd->rt->kind == HPO_RT_APPTAINER || cmd->rt->kind == HPO_RT_SINGULARITY) {
		if (cmd->state != NULL)
			snprintf(bind, sizeof(bind), "%s:%s,%s:%s", cmd->dir, cmd->dir, cmd->state,
				 cmd->state);
		else
			snprintf(bind, sizeof(bind), "%s:%s", cmd->dir, cmd->dir);
		argv[n++] = cmd->rt->path;
		argv[n++] = "exec";
		argv[n++] = "--bind";
		argv[n++] = bind;
		argv[n++] = "--pwd";
		argv[n++] = cmd->dir;
		argv[n++] = image_for(cmd->rt, cmd->image, imgbuf, sizeof(imgbuf));
		argv[n++] = "/bin/sh";
	} else {
		snprintf(bind, sizeof(bind), "%s:%s", cmd->dir, cmd->dir);
		snprintf(user, sizeof(user), "%ld:%ld", (long)getuid(), (long)getgid());
		argv[n++] = cmd->rt->path;
		argv[n++] = "run";
		argv[n++] = "--rm";
		argv[n++] = "--init";
		if (cmd->name != NULL) {
			argv[n++] = "--name";
			argv[n++] = cmd->name;
		}
		argv[n++] = "--user";
		argv[n++] = user;
		argv[n++] = "-v";
		argv[n++] = bind;
		if (cmd->state != NULL) {
			snprintf(bind2, sizeof(bind2), "%s:%s", cmd->state, cmd->state);
			argv[n++] = "-v";
			argv[n++] = bind2;
		}
		argv[n++] = "-w";
		argv[n++] = cmd->dir;
		/* -e NAME passes the value from our environment, set in the child */
		for (size_t i = 0; cmd->env != NULL && cmd->env[i] != NULL && n < MAX_ARGS - 8; i++) {
			argv[n++] = "-e";
			argv[n++] = cmd->env[i];
		}
		argv[n++] = image_for(cmd->rt, cmd->image, imgbuf, sizeof(imgbuf));
		argv[n++] = "/bin/sh";
	}
	argv[n++] = "-c";
	argv[n++] = cmd->shell;
	argv[n] = NULL;

	logfd = open(cmd->log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (logfd < 0)
		return hpo_err_sys(err, "%s", cmd->log);
	/* posix_spawn: glibc's does not copy the engine's page tables (a
	 * fork did, and the engine then paid a copy-on-write fault for each
	 * page it wrote while the child lived) */
	if (spawn_fast(cmd, argv, logfd, &child) < 0)
		child = spawn_fork(cmd, argv, logfd);
	if (child < 0) {
		hpo_err_sys(err, "fork");
		close(logfd);
		return -1;
	}
	close(logfd);
	*pid = child;
	return 0;
}

void
hpo_container_cleanup(const struct hpo_command *cmd)
{
	char line[256];

	if (cmd->rt == NULL || cmd->name == NULL ||
	    (cmd->rt->kind != HPO_RT_DOCKER && cmd->rt->kind != HPO_RT_PODMAN))
		return;
	char *argv[] = {cmd->rt->path, "rm", "-f", (char *)cmd->name, NULL};
	probe(argv, 30, line, sizeof(line));
}

long long
hpo_proc_starttime(pid_t pid)
{
	char path[64], buf[1024];
	long long start = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	if ((f = fopen(path, "re")) == NULL)
		return 0;
	if (fgets(buf, sizeof(buf), f) != NULL) {
		/* fields after the command name, which may hold spaces */
		char *p = strrchr(buf, ')');
		if (p != NULL) {
			int field = 2;
			for (char *s = p + 1; *s && field < 22; s++)
				if (*s == ' ' && ++field == 22)
					start = atoll(s + 1);
		}
	}
	fclose(f);
	return start;
}

void
hpo_wait_describe(int status, char *buf, size_t len)
{
	if (WIFEXITED(status))
		snprintf(buf, len, "exited with status %d", WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		snprintf(buf, len, "killed by signal %d (%s)", WTERMSIG(status),
			 strsignal(WTERMSIG(status)));
	else
		snprintf(buf, len, "ended with wait status %d", status);
}
