/* replay.c - run a harness over files, without libFuzzer.  `make check`
 * runs replay-NAME with no argument: every input of tests/fuzz/corpus/NAME
 * and tests/fuzz/regress/NAME (under $top_srcdir) goes through the harness
 * in the normal build and in the sanitizer build, one TAP line each, so a
 * crash a campaign once found stays fixed.  With arguments, it runs the
 * files and directories named (to reproduce one input by hand).
 */
#include "autoconf.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "file.h"
#include "fuzz.h"

static int n;

static void
run_file(const char *path)
{
	char *buf;
	size_t len;
	struct hpo_err err;

	if (hpo_file_read(path, 16u << 20, &buf, &len, &err) < 0) {
		printf("not ok %d - %s\n", ++n, err.msg);
		return;
	}
	fflush(stdout);
	LLVMFuzzerTestOneInput((const uint8_t *)buf, len);
	free(buf);
	/* reached only when the harness neither crashed nor aborted */
	printf("ok %d - %s\n", ++n, path);
}

static int
run_path(const char *path, int missing_ok)
{
	struct stat st;
	struct dirent **list;
	int k;

	if (stat(path, &st) < 0) {
		if (missing_ok)
			return 0;
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		run_file(path);
		return 0;
	}
	if ((k = scandir(path, &list, NULL, alphasort)) < 0) {
		perror(path);
		return -1;
	}
	for (int j = 0; j < k; j++) {
		if (list[j]->d_name[0] != '.') {
			char *p = hpo_path_join(path, list[j]->d_name);
			if (p == NULL)
				return -1;
			run_file(p);
			free(p);
		}
		free(list[j]);
	}
	free(list);
	return 0;
}

int
main(int argc, char **argv)
{
	const char *top = getenv("top_srcdir"), *name = strrchr(argv[0], '/');
	char dir[4096];

	name = name ? name + 1 : argv[0];
	if (strncmp(name, "replay-", 7) == 0)
		name += 7;
	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			if (run_path(argv[i], 0) < 0)
				return 1;
	} else {
		snprintf(dir, sizeof dir, "%s/tests/fuzz/corpus/%s", top ? top : ".", name);
		if (run_path(dir, 0) < 0)
			return 1;
		snprintf(dir, sizeof dir, "%s/tests/fuzz/regress/%s", top ? top : ".", name);
		if (run_path(dir, 1) < 0)
			return 1;
	}
	printf("1..%d\n", n);
	return 0;
}
