/* test_source_url.c - the job's --sourceURL (and --inSampleFile) in a runner's command line */
#include "autoconf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ckpt.h"

/* cmdline: arguments separated by '|' (NUL in /proc/PID/cmdline) */
static void
finds_opt(const char *opt, const char *cmdline, const char *want)
{
	char buf[512], *got;
	size_t n = strlen(cmdline);

	assert_true(n < sizeof(buf));
	memcpy(buf, cmdline, n + 1);
	for (size_t i = 0; i < n; i++)
		if (buf[i] == '|')
			buf[i] = '\0';
	got = hpo_ckpt_panda_cmdline_arg(buf, n + 1, opt);
	if (want == NULL)
		assert_null(got);
	else
		assert_string_equal(got, want);
	free(got);
}

static void
finds(const char *cmdline, const char *want)
{
	finds_opt("--sourceURL", cmdline, want);
}

static void
test_source_arg(void **state)
{
	(void)state;
	/* runHPO's own arguments, as the pilot's command runs it */
	finds("python|-u|runHPO-00-00-01|-o|out.json|-j||--inSampleFile|input.json|-a|jobO.x.tar|"
	      "--sourceURL|https://aipanda048.cern.ch:25443|-p|python%20train.py|",
	      "https://aipanda048.cern.ch:25443");
	finds("runHPO|--sourceURL=https://h:25443|", "https://h:25443");
	/* the shell that runs a command line (container_script.sh, sh -c) */
	finds("/bin/sh|-c|cd /srv; ./runHPO -a jobO.x.tar --sourceURL https://h2:25443 -p \"x\"|",
	      "https://h2:25443");
	finds("sh|-c|runHPO --sourceURL 'https://h3' -a x|", "https://h3");
	/* the last one wins, as with getopt */
	finds("runHPO|--sourceURL|https://a|--sourceURL|https://b|", "https://b");
	/* none: other options, a longer name, no value */
	finds("python|train.py|--lr|0.1|", NULL);
	finds("runHPO|--sourceURLs|https://a|", NULL);
	finds("x--sourceURL https://a", NULL);
	finds("runHPO|--sourceURL|", NULL);
	finds("", NULL);
	/* the point file (phpo's evaluationInput) the same way */
	finds_opt("--inSampleFile",
		  "python|-u|runHPO-00-00-01|-o|out.json|-j||--inSampleFile|point.json|-a|jobO.x.tar|",
		  "point.json");
	finds_opt("--inSampleFile", "sh|-c|runHPO -o out.json --inSampleFile=p.json -a x|", "p.json");
	finds_opt("--inSampleFile", "runHPO|--sourceURL|https://a|", NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_source_arg),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
