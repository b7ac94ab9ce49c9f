/* test_voms.c - the nickname in a real VOMS proxy made by voms-proxy-fake */
#include "autoconf.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "file.h"
#include "voms.h"

static char dir[] = "/tmp/test_voms.XXXXXX";

static int
run(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	return system(cmd);
}

/* a CA, a user, a VOMS server, and proxies with and without a nickname */
static int
setup(void **state)
{
	(void)state;
	if (mkdtemp(dir) == NULL)
		return -1;
	return run("cd %s && mkdir certs && exec >/dev/null 2>&1 &&"
		   " openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out certs/ca.pem"
		   "   -days 2 -subj '/DC=test/CN=Test CA' &&"
		   " openssl rehash certs &&"
		   " printf 'keyUsage=critical,digitalSignature,keyEncipherment\\n' > ext &&"
		   " for n in user voms; do"
		   "  openssl req -newkey rsa:2048 -nodes -keyout $n.key -out $n.csr"
		   "   -subj \"/DC=test/CN=$n\" &&"
		   "  openssl x509 -req -in $n.csr -CA certs/ca.pem -CAkey ca.key -CAcreateserial"
		   "   -out $n.pem -days 2 -extfile ext && chmod 600 $n.key || exit 1; done &&"
		   " X509_CERT_DIR=$PWD/certs voms-proxy-fake -cert user.pem -key user.key"
		   "   -hostcert voms.pem -hostkey voms.key -voms atlas -uri voms.test:15001"
		   "   -fqan /atlas/Role=NULL/Capability=NULL -ga nickname=jdoe -out nick.pem -rfc &&"
		   " X509_CERT_DIR=$PWD/certs voms-proxy-fake -cert user.pem -key user.key"
		   "   -hostcert voms.pem -hostkey voms.key -voms atlas -uri voms.test:15001"
		   "   -fqan /atlas/Role=NULL/Capability=NULL -ga group=higgs -out other.pem -rfc &&"
		   " cat user.pem user.key > plain.pem",
		   dir) == 0 ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	return hpo_rmtree(dir, NULL);
}

static void
test_nickname(void **state)
{
	(void)state;
	struct hpo_err err = {0};
	char path[256], *nick = NULL;

	snprintf(path, sizeof(path), "%s/nick.pem", dir);
	assert_int_equal(hpo_voms_nickname(path, &nick, &err), 0);
	assert_non_null(nick);
	assert_string_equal(nick, "jdoe");
	free(nick);
}

static void
test_no_nickname(void **state)
{
	(void)state;
	struct hpo_err err = {0};
	char path[256], *nick = (char *)1;

	snprintf(path, sizeof(path), "%s/other.pem", dir);
	assert_int_equal(hpo_voms_nickname(path, &nick, &err), 0);
	assert_null(nick);
	snprintf(path, sizeof(path), "%s/plain.pem", dir);
	assert_int_equal(hpo_voms_nickname(path, &nick, &err), 0);
	assert_null(nick);
}

static void
test_missing_file(void **state)
{
	(void)state;
	struct hpo_err err = {0};
	char path[256], expect[300], *nick = NULL;

	snprintf(path, sizeof(path), "%s/none.pem", dir);
	assert_int_equal(hpo_voms_nickname(path, &nick, &err), -1);
	snprintf(expect, sizeof(expect), "%s: No such file or directory", path);
	assert_string_equal(err.msg, expect);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nickname),
		cmocka_unit_test(test_no_nickname),
		cmocka_unit_test(test_missing_file),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
