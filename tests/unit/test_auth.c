/* test_auth.c - grid proxies and tokens, with credentials made by the
 * openssl command at test time */
#include "autoconf.h"

#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <openssl/evp.h>

#include "auth.h"
#include "file.h"

/* All credentials live in one temporary directory made once. */
static char *dir;

static const char script[] =
	"set -e\n"
	"cd \"$1\"\n"
	"mkdir certs newcerts\n"
	": > index.txt\n"
	"echo 1000 > serial\n"
	"cat > x.cnf <<'EOF'\n"
	"[req]\n"
	"distinguished_name = dn\n"
	"[dn]\n"
	"[ca_ext]\n"
	"basicConstraints = critical,CA:TRUE\n"
	"keyUsage = critical,keyCertSign,cRLSign\n"
	"[user_ext]\n"
	"basicConstraints = critical,CA:FALSE\n"
	"keyUsage = critical,digitalSignature,keyEncipherment\n"
	"[proxy_ext]\n"
	"basicConstraints = critical,CA:FALSE\n"
	"keyUsage = critical,digitalSignature,keyEncipherment\n"
	"proxyCertInfo = critical,language:id-ppl-inheritAll\n"
	"[limited_ext]\n"
	"basicConstraints = critical,CA:FALSE\n"
	"keyUsage = critical,digitalSignature,keyEncipherment\n"
	"proxyCertInfo = critical,language:1.3.6.1.4.1.3536.1.1.1.9\n"
	"[legacy_ext]\n"
	"basicConstraints = critical,CA:FALSE\n"
	"keyUsage = critical,digitalSignature,keyEncipherment\n"
	"[ca]\n"
	"default_ca = sign\n"
	"[sign]\n"
	"dir = .\n"
	"database = ./index.txt\n"
	"new_certs_dir = ./newcerts\n"
	"serial = ./serial\n"
	"default_md = sha256\n"
	"policy = any\n"
	"unique_subject = no\n"
	"[any]\n"
	"DC = optional\n"
	"CN = optional\n"
	"EOF\n"
	"U='/DC=org/DC=test/CN=Test User'\n"
	"key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out \"$1\" 2>/dev/null; }\n"
	"csr() { openssl req -new -config x.cnf -key \"$1\" -subj \"$2\" -out \"$3\"; }\n"
	/* the CA and the user */
	"key ca.key\n"
	"openssl req -x509 -new -config x.cnf -extensions ca_ext -key ca.key "
	"  -subj '/DC=org/DC=test/CN=Test CA' -days 30 -out ca.pem\n"
	"cp ca.pem certs/$(openssl x509 -hash -noout -in ca.pem).0\n"
	"key user.key\n"
	"csr user.key \"$U\" user.csr\n"
	"openssl x509 -req -in user.csr -CA ca.pem -CAkey ca.key -set_serial 7 -days 30 "
	"  -extfile x.cnf -extensions user_ext -out user.pem 2>/dev/null\n"
	/* proxy NAME SUBJECT-SUFFIX EXTENSIONS: signed by the user, 1 day */
	"proxy() {\n"
	"  key $1.key; csr $1.key \"$U/CN=$2\" $1.csr\n"
	"  openssl x509 -req -in $1.csr -CA user.pem -CAkey user.key -set_serial $3 -days 1 "
	"    -extfile x.cnf -extensions $4 -out $1.pem 2>/dev/null\n"
	"  cat $1.pem $1.key user.pem > $1.proxy; chmod 600 $1.proxy\n"
	"}\n"
	/* an RFC 3820 proxy with an RSA key in the traditional format, as
	 * voms-proxy-init writes it */
	"openssl genrsa -traditional -out good.key 2048 2>/dev/null\n"
	"csr good.key \"$U/CN=123456789\" good.csr\n"
	"openssl x509 -req -in good.csr -CA user.pem -CAkey user.key -set_serial 123456789 "
	"  -days 1 -extfile x.cnf -extensions proxy_ext -out good.pem 2>/dev/null\n"
	"cat good.pem good.key user.pem > good.proxy; chmod 600 good.proxy\n"
	"cat good.pem good.key > alone.proxy; chmod 600 alone.proxy\n"
	"proxy limited 4242 4242 limited_ext\n"
	"proxy legacy proxy 11 legacy_ext\n"
	"proxy legacylim 'limited proxy' 12 legacy_ext\n"
	/* a proxy of a proxy: two levels */
	"key deep.key; csr deep.key \"$U/CN=123456789/CN=987\" deep.csr\n"
	"openssl x509 -req -in deep.csr -CA good.pem -CAkey good.key -set_serial 987 -days 1 "
	"  -extfile x.cnf -extensions proxy_ext -out deep.pem 2>/dev/null\n"
	"cat deep.pem deep.key good.pem > deep.proxy; chmod 600 deep.proxy\n"
	/* dated ones through openssl ca (openssl x509 cannot backdate) */
	"dated() {\n"
	"  key $1.key; csr $1.key \"$U/CN=$2\" $1.csr\n"
	"  openssl ca -config x.cnf -batch -notext -preserveDN -cert user.pem -keyfile user.key "
	"    -in $1.csr -out $1.pem -extensions proxy_ext -startdate $3 -enddate $4 2>/dev/null\n"
	"  cat $1.pem $1.key user.pem > $1.proxy; chmod 600 $1.proxy\n"
	"}\n"
	"dated expired 555 20200101000000Z 20200102030405Z\n"
	"dated short 556 $(date -u -d '-1 hour' +%Y%m%d%H%M%SZ) "
	"  $(date -u -d '+30 minutes' +%Y%m%d%H%M%SZ)\n"
	"dated future 557 $(date -u -d '+2 days' +%Y%m%d%H%M%SZ) "
	"  $(date -u -d '+3 days' +%Y%m%d%H%M%SZ)\n"
	/* a user certificate that expired, and a valid proxy it signed */
	"key old.key; csr old.key '/DC=org/DC=test/CN=Old User' old.csr\n"
	"openssl ca -config x.cnf -batch -notext -preserveDN -cert ca.pem -keyfile ca.key "
	"  -in old.csr -out old.pem -extensions user_ext -startdate 20200101000000Z "
	"  -enddate 20200202000000Z 2>/dev/null\n"
	"key op.key; csr op.key '/DC=org/DC=test/CN=Old User/CN=99' op.csr\n"
	"openssl x509 -req -in op.csr -CA old.pem -CAkey old.key -set_serial 99 -days 1 "
	"  -extfile x.cnf -extensions proxy_ext -out op.pem 2>/dev/null\n"
	"cat op.pem op.key old.pem > oldissuer.proxy; chmod 600 oldissuer.proxy\n"
	/* broken files */
	"cat good.pem user.pem > nokey.proxy\n"
	"cat good.key > nocert.proxy\n"
	"cat good.pem limited.key user.pem > wrongkey.proxy\n"
	"echo 'not a certificate' > garbage.proxy\n"
	/* keys with a pass phrase, traditional and PKCS#8: no prompt */
	"openssl rsa -in good.key -aes128 -passout pass:x -traditional -out enc1.key 2>/dev/null\n"
	"openssl pkcs8 -topk8 -v2 aes128 -passout pass:x -in good.key -out enc2.key\n"
	"cat good.pem enc1.key user.pem > enc1.proxy\n"
	"cat good.pem enc2.key user.pem > enc2.proxy\n"
	"chmod 600 nokey.proxy nocert.proxy wrongkey.proxy garbage.proxy enc1.proxy enc2.proxy\n";

static char *
in_dir(const char *name)
{
	char *p = hpo_path_join(dir, name);

	assert_non_null(p);
	return p;
}

static int
group_setup(void **state)
{
	char cmd[PATH_MAX + 64], *sh;
	FILE *f;

	(void)state;
	dir = strdup("/tmp/test_auth.XXXXXX");
	if (dir == NULL || mkdtemp(dir) == NULL)
		return -1;
	sh = hpo_path_join(dir, "make.sh");
	f = fopen(sh, "w");
	if (f == NULL)
		return -1;
	fputs(script, f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "sh %s %s", sh, dir);
	free(sh);
	if (system(cmd) != 0) {
		fprintf(stderr, "making the test credentials failed\n");
		return -1;
	}
	return 0;
}

static int
group_teardown(void **state)
{
	struct hpo_err err = {0};
	int rc;

	(void)state;
	rc = hpo_rmtree(dir, &err);
	free(dir);
	return rc;
}

/* Each test starts from a clean environment. */
static int
setup(void **state)
{
	static const char *const vars[] = {
		"PANDA_AUTH", "PANDA_AUTH_ID_TOKEN", "PANDA_AUTH_VO", "PANDA_CONFIG_ROOT",
		"OIDC_AUTH_TOKEN_FILE", "OIDC_AUTH_ID_TOKEN", "OIDC_AUTH_VO", "X509_USER_PROXY",
		"X509_CERT_DIR", "BEARER_TOKEN", "BEARER_TOKEN_FILE", "XDG_RUNTIME_DIR", NULL,
	};
	static char *bt_tmp;	/* the last-resort bt_u<uid>: never the machine's /tmp */
	char *certs = in_dir("certs");
	struct hpo_err err = {0};

	(void)state;
	for (size_t i = 0; vars[i] != NULL; i++)
		unsetenv(vars[i]);
	setenv("X509_CERT_DIR", certs, 1);
	free(certs);
	if (bt_tmp == NULL && ((bt_tmp = in_dir("bt-tmp")) == NULL ||
			       hpo_mkdirs(bt_tmp, 0700, &err) < 0))
		return -1;
	hpo_auth_set_bearer_tmp_dir(bt_tmp);
	return 0;
}

/* Use dir/name as the proxy. */
static char *
use_proxy(const char *name)
{
	char *p = in_dir(name);

	setenv("X509_USER_PROXY", p, 1);
	return p;
}

static struct hpo_auth *
load_ok(double min_left)
{
	struct hpo_err err = {0};
	struct hpo_auth *a = NULL;

	if (hpo_auth_load(min_left, &a, &err) < 0)
		fail_msg("unexpected error: %s", err.msg);
	assert_non_null(a);
	return a;
}

/* Load fails with kind and exactly the message expect (printf format). */
static void
load_fails(enum hpo_errkind kind, const char *expect, ...) HPO_PRINTF(2, 3);
static void
load_fails(enum hpo_errkind kind, const char *expect, ...)
{
	struct hpo_err err = {0};
	struct hpo_auth *a = (struct hpo_auth *)1;
	char want[2048];
	va_list ap;

	va_start(ap, expect);
	vsnprintf(want, sizeof(want), expect, ap);
	va_end(ap);
	assert_int_equal(hpo_auth_load(0, &a, &err), -1);
	assert_null(a);
	assert_string_equal(err.msg, want);
	assert_int_equal(err.kind, kind);
}

/* hpo_auth_load with stderr going to a file: what it wrote (malloc'ed) */
static char *
capture_stderr(struct hpo_auth **a, double min_left)
{
	char *path = in_dir("stderr.txt"), *text = NULL;
	struct hpo_err err = {0};
	size_t len;
	int saved, fd;

	fflush(stderr);
	saved = dup(2);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	assert_true(saved >= 0 && fd >= 0);
	dup2(fd, 2);
	close(fd);
	if (hpo_auth_load(min_left, a, &err) < 0) {
		fflush(stderr);
		dup2(saved, 2);
		fail_msg("unexpected error: %s", err.msg);
	}
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	assert_int_equal(hpo_file_read(path, 65536, &text, &len, &err), 0);
	free(path);
	return text;
}

/* text is head N tail with N 29 or 30 (half an hour left, give or take the
 * seconds the test took) */
static void
warned_minutes(const char *text, const char *head, const char *tail)
{
	char want[512];

	snprintf(want, sizeof(want), "%s29%s", head, tail);
	if (strcmp(text, want) != 0) {
		snprintf(want, sizeof(want), "%s30%s", head, tail);
		assert_string_equal(text, want);
	}
}

/* ---- X.509 ------------------------------------------------------------------- */

static void
test_proxy_good(void **state)
{
	char *p = use_proxy("good.proxy"), *certs = in_dir("certs");
	struct hpo_auth *a;
	double now = (double)time(NULL);

	(void)state;
	a = load_ok(3600);
	assert_int_equal(a->kind, HPO_AUTH_X509);
	assert_string_equal(a->proxy, p);
	assert_string_equal(a->ca_dir, certs);
	assert_string_equal(a->subject, "/DC=org/DC=test/CN=Test User");
	assert_null(a->token);
	assert_null(a->vo);
	/* one day from now, within a minute */
	assert_true(a->not_after > now + 86400 - 120 && a->not_after < now + 86400 + 60);
	hpo_auth_free(a);
	free(p);
	free(certs);
}

static void
test_proxy_subject(void **state)
{
	char *p;
	struct hpo_auth *a;

	(void)state;
	/* without the user certificate in the file: the proxy CN is dropped */
	p = use_proxy("alone.proxy");
	a = load_ok(0);
	assert_string_equal(a->subject, "/DC=org/DC=test/CN=Test User");
	hpo_auth_free(a);
	free(p);
	/* a proxy of a proxy, without the user certificate: both CNs go */
	p = use_proxy("deep.proxy");
	a = load_ok(0);
	assert_string_equal(a->subject, "/DC=org/DC=test/CN=Test User");
	hpo_auth_free(a);
	free(p);
	/* a legacy (CN=proxy) one */
	p = use_proxy("legacy.proxy");
	a = load_ok(0);
	assert_string_equal(a->subject, "/DC=org/DC=test/CN=Test User");
	hpo_auth_free(a);
	free(p);
}

static void
test_proxy_missing(void **state)
{
	char *p = use_proxy("nothing-here"), def[64];
	struct stat sb;

	(void)state;
	load_fails(HPO_E_AUTH, "no grid proxy at %s: run voms-proxy-init -voms atlas", p);
	free(p);
	/* the default place, when there is nothing there on this machine */
	unsetenv("X509_USER_PROXY");
	snprintf(def, sizeof(def), "/tmp/x509up_u%lu", (unsigned long)geteuid());
	if (stat(def, &sb) < 0)
		load_fails(HPO_E_AUTH, "no grid proxy at %s: run voms-proxy-init -voms atlas", def);
	/* an empty X509_USER_PROXY counts as unset */
	setenv("X509_USER_PROXY", "", 1);
	if (stat(def, &sb) < 0)
		load_fails(HPO_E_AUTH, "no grid proxy at %s: run voms-proxy-init -voms atlas", def);
}

static void
test_proxy_mode(void **state)
{
	char *p = use_proxy("good.proxy");

	(void)state;
	assert_int_equal(chmod(p, 0644), 0);
	load_fails(HPO_E_AUTH, "grid proxy %s has mode 0644, open to everyone: run chmod 600 %s",
		   p, p);
	assert_int_equal(chmod(p, 0640), 0);
	load_fails(HPO_E_AUTH, "grid proxy %s has mode 0640, open to your group: run chmod 600 %s",
		   p, p);
	assert_int_equal(chmod(p, 0604), 0);
	load_fails(HPO_E_AUTH, "grid proxy %s has mode 0604, open to everyone: run chmod 600 %s",
		   p, p);
	/* 400 is fine too */
	assert_int_equal(chmod(p, 0400), 0);
	hpo_auth_free(load_ok(0));
	assert_int_equal(chmod(p, 0600), 0);
	free(p);
}

static void
test_proxy_owner(void **state)
{
	char *src = in_dir("good.proxy"), *p = use_proxy("other.proxy");
	struct hpo_err err = {0};

	(void)state;
	if (geteuid() != 0) {
		free(src);
		free(p);
		skip();	/* only root can give a file away */
	}
	assert_int_equal(hpo_copy_file(src, p, &err), 0);
	assert_int_equal(chown(p, 65534, 65534), 0);
	load_fails(HPO_E_AUTH, "grid proxy %s is owned by uid 65534, not by you (uid 0): make your "
		   "own with voms-proxy-init -voms atlas", p);
	free(src);
	free(p);
}

static void
test_proxy_not_a_file(void **state)
{
	char *p = use_proxy("certs");

	(void)state;
	load_fails(HPO_E_AUTH, "grid proxy %s is not a regular file", p);
	free(p);
}

static void
test_proxy_broken(void **state)
{
	char *p;

	(void)state;
	p = use_proxy("garbage.proxy");
	load_fails(HPO_E_AUTH, "grid proxy %s holds no certificate: make a new one with "
		   "voms-proxy-init -voms atlas", p);
	free(p);
	p = use_proxy("nokey.proxy");
	load_fails(HPO_E_AUTH, "grid proxy %s holds no private key: make a new one with "
		   "voms-proxy-init -voms atlas", p);
	free(p);
	p = use_proxy("nocert.proxy");
	load_fails(HPO_E_AUTH, "grid proxy %s holds no certificate: make a new one with "
		   "voms-proxy-init -voms atlas", p);
	free(p);
	p = use_proxy("enc1.proxy");
	load_fails(HPO_E_AUTH, "grid proxy %s: its private key is encrypted or unreadable: make a "
		   "new one with voms-proxy-init -voms atlas", p);
	free(p);
	p = use_proxy("enc2.proxy");
	load_fails(HPO_E_AUTH, "grid proxy %s: its private key is encrypted or unreadable: make a "
		   "new one with voms-proxy-init -voms atlas", p);
	free(p);
	p = use_proxy("wrongkey.proxy");
	load_fails(HPO_E_AUTH, "grid proxy %s: its private key does not belong to its first "
		   "certificate: make a new one with voms-proxy-init -voms atlas", p);
	free(p);
}

static void
test_proxy_expired(void **state)
{
	char *p;

	(void)state;
	p = use_proxy("expired.proxy");
	load_fails(HPO_E_AUTH, "grid proxy %s expired on 2020-01-02 03:04:05 UTC: run "
		   "voms-proxy-init -voms atlas", p);
	free(p);
	/* the user certificate behind a valid proxy */
	p = use_proxy("oldissuer.proxy");
	load_fails(HPO_E_AUTH, "grid proxy %s: the certificate of /DC=org/DC=test/CN=Old User in it "
		   "expired on 2020-02-02 00:00:00 UTC: renew your grid certificate, then run "
		   "voms-proxy-init -voms atlas", p);
	free(p);
}

static void
test_proxy_not_yet_valid(void **state)
{
	char *p = use_proxy("future.proxy");
	struct hpo_err err = {0};
	struct hpo_auth *a = NULL;
	char want[PATH_MAX + 64];

	(void)state;
	assert_int_equal(hpo_auth_load(0, &a, &err), -1);
	assert_int_equal(err.kind, HPO_E_AUTH);
	snprintf(want, sizeof(want), "grid proxy %s is not valid before ", p);
	assert_memory_equal(err.msg, want, strlen(want));
	assert_non_null(strstr(err.msg, " UTC: check this computer's clock"));
	free(p);
}

static void
test_proxy_limited(void **state)
{
	char *p;

	(void)state;
	p = use_proxy("limited.proxy");
	load_fails(HPO_E_AUTH, "grid proxy %s is a limited proxy, which the PanDA server refuses: "
		   "make a full one with voms-proxy-init -voms atlas", p);
	free(p);
	p = use_proxy("legacylim.proxy");
	load_fails(HPO_E_AUTH, "grid proxy %s is a limited proxy, which the PanDA server refuses: "
		   "make a full one with voms-proxy-init -voms atlas", p);
	free(p);
}

static void
test_proxy_short_lived(void **state)
{
	char *p = use_proxy("short.proxy"), *text;
	struct hpo_auth *a = NULL;
	double left;

	(void)state;
	/* 30 minutes left: enough for 10 minutes, no warning */
	text = capture_stderr(&a, 600);
	assert_string_equal(text, "");
	left = a->not_after - (double)time(NULL);
	assert_true(left > 25 * 60 && left <= 30 * 60);
	hpo_auth_free(a);
	free(text);
	/* not enough for an hour: it still loads, with a warning */
	text = capture_stderr(&a, 3600);
	assert_non_null(a);
	warned_minutes(text, "hpo: warning: grid proxy expires in ",
		       " minutes; renew it with voms-proxy-init -voms atlas\n");
	hpo_auth_free(a);
	free(text);
	/* once */
	text = capture_stderr(&a, 3600);
	assert_string_equal(text, "");
	hpo_auth_free(a);
	free(text);
	free(p);
}

static void
test_ca_dir_missing(void **state)
{
	char *p = use_proxy("good.proxy"), *ca = in_dir("no-such-dir");

	(void)state;
	setenv("X509_CERT_DIR", ca, 1);
	load_fails(HPO_E_AUTH, "no CA certificate directory at %s: set X509_CERT_DIR to the "
		   "directory of the grid CA certificates", ca);
	/* a file is not a directory */
	setenv("X509_CERT_DIR", p, 1);
	load_fails(HPO_E_AUTH, "no CA certificate directory at %s: set X509_CERT_DIR to the "
		   "directory of the grid CA certificates", p);
	free(p);
	free(ca);
}

/* ---- tokens ------------------------------------------------------------------- */

static char *
b64url(const char *s)
{
	size_t n = strlen(s);
	char *out = malloc(n * 2 + 8);
	int len;

	assert_non_null(out);
	len = EVP_EncodeBlock((unsigned char *)out, (const unsigned char *)s, (int)n);
	while (len > 0 && out[len - 1] == '=')
		len--;
	out[len] = '\0';
	for (char *c = out; *c != '\0'; c++)
		*c = *c == '+' ? '-' : *c == '/' ? '_' : *c;
	return out;
}

/* A JWT-shaped token expiring at exp; the payload also has a '?' that
 * base64url encodes with '_' or '-'. */
static char *
jwt(double exp)
{
	char payload[256], *h, *p, *t;

	snprintf(payload, sizeof(payload), "{\"sub\":\"a1b2c3-user\",\"iss\":\"https://x/?>?\","
		 "\"exp\":%.0f}", exp);
	h = b64url("{\"alg\":\"RS256\",\"typ\":\"JWT\"}");
	p = b64url(payload);
	t = hpo_strf("%s.%s.c2lnbmF0dXJl", h, p);
	free(h);
	free(p);
	assert_non_null(t);
	return t;
}

static void
test_token_env(void **state)
{
	double exp = (double)time(NULL) + 7200;
	char *t = jwt(exp), *certs = in_dir("certs");
	struct hpo_auth *a;

	(void)state;
	setenv("PANDA_AUTH", "oidc", 1);
	setenv("PANDA_AUTH_VO", "atlas", 1);
	setenv("PANDA_AUTH_ID_TOKEN", t, 1);
	/* the X.509 settings do not matter */
	setenv("X509_USER_PROXY", "/nonexistent", 1);
	a = load_ok(600);
	assert_int_equal(a->kind, HPO_AUTH_TOKEN);
	assert_string_equal(a->token, t);
	assert_string_equal(a->vo, "atlas");
	assert_string_equal(a->subject, "a1b2c3-user");
	assert_null(a->proxy);
	assert_string_equal(a->ca_dir, certs);
	assert_true(a->not_after == exp);
	hpo_auth_free(a);
	free(t);
	free(certs);
}

static void
test_token_env_expired(void **state)
{
	char *t = jwt(1577934245);	/* 2020-01-02 03:04:05 UTC */
	struct hpo_err err = {0};
	struct hpo_auth *a = NULL;

	(void)state;
	setenv("PANDA_AUTH", "oidc", 1);
	setenv("PANDA_AUTH_VO", "atlas", 1);
	setenv("PANDA_AUTH_ID_TOKEN", t, 1);
	load_fails(HPO_E_AUTH, "the ID token in PANDA_AUTH_ID_TOKEN expired on 2020-01-02 03:04:05 "
		   "UTC: set a new one, or unset it and run a panda-client command (e.g. pbook) to "
		   "refresh it from panda-client's cache");
	/* not a JWT; the message does not show it */
	setenv("PANDA_AUTH_ID_TOKEN", "secret-not-a-jwt", 1);
	assert_int_equal(hpo_auth_load(0, &a, &err), -1);
	assert_string_equal(err.msg, "the ID token from PANDA_AUTH_ID_TOKEN is not a JWT "
			    "(header.payload.signature in base64url)");
	setenv("PANDA_AUTH_ID_TOKEN", "aaa.!!!.ccc", 1);
	load_fails(HPO_E_AUTH, "the ID token from PANDA_AUTH_ID_TOKEN is not a JWT "
		   "(header.payload.signature in base64url)");
	/* a payload without exp */
	free(t);
	{
		char *p = b64url("{\"sub\":\"x\"}");

		t = hpo_strf("eyJhbGciOiJub25lIn0.%s.", p);
		free(p);
	}
	setenv("PANDA_AUTH_ID_TOKEN", t, 1);
	load_fails(HPO_E_AUTH, "the ID token from PANDA_AUTH_ID_TOKEN has no expiry time (exp "
		   "claim)");
	free(t);
}

static void
test_token_no_vo(void **state)
{
	char *t = jwt((double)time(NULL) + 7200);
	struct hpo_auth *a;

	(void)state;
	setenv("PANDA_AUTH", "oidc", 1);
	setenv("PANDA_AUTH_ID_TOKEN", t, 1);
	load_fails(HPO_E_AUTH, "PANDA_AUTH=oidc needs PANDA_AUTH_VO, the virtual organisation to "
		   "log in to (e.g. atlas)");
	/* panda-client's other name for it */
	setenv("OIDC_AUTH_VO", "atlas", 1);
	a = load_ok(0);
	assert_string_equal(a->vo, "atlas");
	hpo_auth_free(a);
	free(t);
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	struct hpo_err err = {0};

	if (hpo_file_write_atomic(path, text, strlen(text), mode, &err) < 0)
		fail_msg("%s", err.msg);
}

static void
test_token_cache(void **state)
{
	double exp = (double)time(NULL) + 1800;
	char *t = jwt(exp), *old = jwt(1577934245), *root = in_dir("pathena");
	char *cache = in_dir("pathena/.token"), *text, *json;
	struct hpo_err err = {0};
	struct hpo_auth *a = NULL;

	(void)state;
	setenv("PANDA_AUTH", "oidc", 1);
	setenv("PANDA_AUTH_VO", "atlas", 1);
	setenv("PANDA_CONFIG_ROOT", root, 1);
	/* no cache yet */
	load_fails(HPO_E_AUTH, "no ID token: PANDA_AUTH=oidc but PANDA_AUTH_ID_TOKEN is not set and "
		   "there is no panda-client token cache at %s: run a panda-client command (e.g. "
		   "pbook) to log in", cache);
	assert_int_equal(hpo_mkdirs(root, 0700, &err), 0);
	/* the token endpoint's answer, as panda-client saves it */
	json = hpo_strf("{\"access_token\": \"acc\", \"id_token\": \"%s\", \"refresh_token\": "
			"\"ref\", \"expires_in\": 1800}", t);
	write_file(cache, json, 0600);
	free(json);
	text = capture_stderr(&a, 3600);
	assert_int_equal(a->kind, HPO_AUTH_TOKEN);
	assert_string_equal(a->token, t);
	assert_true(a->not_after == exp);
	/* short of the hour asked for: a warning, once */
	warned_minutes(text, "hpo: warning: the ID token expires in ",
		       " minutes; run a panda-client command (e.g. pbook) to refresh it\n");
	assert_null(strstr(text, t));
	hpo_auth_free(a);
	free(text);
	text = capture_stderr(&a, 3600);
	assert_string_equal(text, "");
	hpo_auth_free(a);
	free(text);

	/* expired */
	json = hpo_strf("{\"id_token\": \"%s\", \"refresh_token\": \"ref\"}", old);
	write_file(cache, json, 0600);
	free(json);
	load_fails(HPO_E_AUTH, "the ID token from %s expired on 2020-01-02 03:04:05 UTC: run a "
		   "panda-client command (e.g. pbook) to refresh it", cache);
	/* not the cache panda-client writes */
	write_file(cache, "{\"something\": 1}", 0600);
	load_fails(HPO_E_AUTH, "panda-client token cache %s holds no ID token: run a panda-client "
		   "command (e.g. pbook) to refresh it", cache);
	write_file(cache, old, 0600);	/* a bare token, not JSON */
	assert_int_equal(hpo_auth_load(0, &a, &err), -1);
	assert_null(strstr(err.msg, old));
	/* PANDA_AUTH_ID_TOKEN wins over the cache */
	setenv("PANDA_AUTH_ID_TOKEN", t, 1);
	a = load_ok(0);
	assert_string_equal(a->token, t);
	hpo_auth_free(a);
	/* ~ in PANDA_CONFIG_ROOT is the home directory */
	unsetenv("PANDA_AUTH_ID_TOKEN");
	json = hpo_strf("{\"id_token\": \"%s\"}", t);
	write_file(cache, json, 0600);
	free(json);
	setenv("HOME", dir, 1);
	setenv("PANDA_CONFIG_ROOT", "~/pathena", 1);
	a = load_ok(0);
	assert_string_equal(a->token, t);
	hpo_auth_free(a);
	free(t);
	free(old);
	free(root);
	free(cache);
}

static void
test_token_file_env(void **state)
{
	char *t = jwt((double)time(NULL) + 7200), *path = in_dir("oidc-token"), *text;
	struct hpo_auth *a;

	(void)state;
	setenv("PANDA_AUTH", "oidc", 1);
	setenv("PANDA_AUTH_VO", "atlas", 1);
	text = hpo_strf("%s\n", t);
	write_file(path, text, 0600);
	free(text);
	setenv("OIDC_AUTH_TOKEN_FILE", path, 1);
	a = load_ok(0);
	assert_string_equal(a->token, t);
	hpo_auth_free(a);
	free(t);
	free(path);
}

static void
test_token_ca_dir(void **state)
{
	char *t = jwt((double)time(NULL) + 7200), *ca = in_dir("no-such-dir");

	(void)state;
	setenv("PANDA_AUTH", "oidc", 1);
	setenv("PANDA_AUTH_VO", "atlas", 1);
	setenv("PANDA_AUTH_ID_TOKEN", t, 1);
	setenv("X509_CERT_DIR", ca, 1);
	load_fails(HPO_E_AUTH, "no CA certificate directory at %s: set X509_CERT_DIR to the "
		   "directory of the grid CA certificates", ca);
	free(t);
	free(ca);
}

/* ---- WLCG bearer tokens ---------------------------------------------------------- */

static void
bearer_is(const char *want)
{
	struct hpo_err err = {0};
	char *t = NULL;

	if (hpo_auth_bearer_token(&t, NULL, &err) < 0)
		fail_msg("unexpected error: %s", err.msg);
	assert_string_equal(t, want);
	hpo_auth_secret_free(t);
}

static void
test_bearer_order(void **state)
{
	char *file = in_dir("bt-file"), *xdg = in_dir("xdg"), *tmp = in_dir("bt-tmp"), *xdgfile,
	     *tmpfile, msg[512];
	struct hpo_err err = {0};
	char *t = NULL;

	(void)state;
	/* setup() put the last-resort place in tmp: the machine's /tmp/bt_u<uid>
	 * is never touched (tests run beside others) */
	assert_int_equal(hpo_mkdirs(xdg, 0700, &err), 0);
	tmpfile = hpo_strf("%s/bt_u%lu", tmp, (unsigned long)geteuid());
	xdgfile = hpo_strf("%s/bt_u%lu", xdg, (unsigned long)geteuid());
	write_file(file, "  from-file\n", 0600);
	write_file(xdgfile, "from-xdg\n", 0600);
	write_file(tmpfile, "from-tmp\n", 0600);

	setenv("BEARER_TOKEN", " from-env \n", 1);
	setenv("BEARER_TOKEN_FILE", file, 1);
	setenv("XDG_RUNTIME_DIR", xdg, 1);
	bearer_is("from-env");
	unsetenv("BEARER_TOKEN");
	bearer_is("from-file");
	unsetenv("BEARER_TOKEN_FILE");
	bearer_is("from-xdg");
	unlink(xdgfile);
	bearer_is("from-tmp");
	unsetenv("XDG_RUNTIME_DIR");
	bearer_is("from-tmp");
	unlink(tmpfile);
	assert_int_equal(hpo_auth_bearer_token(&t, NULL, &err), -1);
	assert_null(t);
	assert_int_equal(err.kind, HPO_E_AUTH);
	snprintf(msg, sizeof(msg), "no bearer token: set BEARER_TOKEN or BEARER_TOKEN_FILE, or "
		 "put one in $XDG_RUNTIME_DIR/bt_u%lu or /tmp/bt_u%lu",
		 (unsigned long)geteuid(), (unsigned long)geteuid());
	assert_string_equal(err.msg, msg);
	/* a named file that is not there is an error, not a reason to look further */
	setenv("BEARER_TOKEN_FILE", xdgfile, 1);
	write_file(file, "", 0600);
	assert_int_equal(hpo_auth_bearer_token(&t, NULL, &err), -1);
	snprintf(msg, sizeof(msg), "no bearer token at %s (BEARER_TOKEN_FILE)", xdgfile);
	assert_string_equal(err.msg, msg);
	setenv("BEARER_TOKEN_FILE", file, 1);
	assert_int_equal(hpo_auth_bearer_token(&t, NULL, &err), -1);
	snprintf(msg, sizeof(msg), "bearer token file %s is empty", file);
	assert_string_equal(err.msg, msg);
	assert_int_equal(err.kind, HPO_E_AUTH);
	free(file);
	free(xdg);
	free(xdgfile);
	free(tmpfile);
	free(tmp);
}

/* A macaroon in the V1 serialization with these caveats (NULL-terminated) */
static char *
macaroon(const char *const *caveats)
{
	char raw[2048], *out;
	size_t n = 0;

	n += (size_t)snprintf(raw + n, sizeof(raw) - n, "%04zxlocation hpo-tools-test\n",
			      strlen("location hpo-tools-test") + 5);
	n += (size_t)snprintf(raw + n, sizeof(raw) - n, "%04zxidentifier 4de8f4cf-f4e1\n",
			      strlen("identifier 4de8f4cf-f4e1") + 5);
	for (size_t i = 0; caveats[i] != NULL; i++)
		n += (size_t)snprintf(raw + n, sizeof(raw) - n, "%04zxcid %s\n",
				      strlen(caveats[i]) + 9, caveats[i]);
	/* a signature of 32 bytes (text here: b64url takes a string) */
	snprintf(raw + n, sizeof(raw) - n, "002fsignature 0123456789abcdef0123456789abcdef\n");
	out = b64url(raw);
	return out;
}

static void
expiry_is(const char *token, int known, double want)
{
	double t = -1;

	assert_int_equal(hpo_auth_bearer_expiry(token, &t), known);
	if (known)
		assert_true(t == want);
}

static void
test_bearer_expiry(void **state)
{
	const char *one[] = {"name:testuser", "path:/data/testuser/", "before:2020-01-02T03:04:05Z",
			     NULL};
	const char *two[] = {"before:2031-01-01T00:00:00Z", "activity:DOWNLOAD",
			     "before:2020-01-02T03:04:05.372Z", NULL};
	const char *none[] = {"name:testuser", "activity:DOWNLOAD", NULL};
	const char *bad_time[] = {"before:yesterday", "before:2020-13-02T03:04:05Z",
				  "before:2020-01-02T03:04:05", NULL};
	char *t, *u, *p;

	(void)state;
	t = jwt(1577934245);
	expiry_is(t, 1, 1577934245);
	free(t);
	p = b64url("{\"sub\":\"x\"}");
	t = hpo_strf("eyJhbGciOiJSUzI1NiJ9.%s.c2ln", p);
	expiry_is(t, 0, 0);	/* a JWT without exp */
	free(t);
	free(p);
	t = macaroon(one);
	expiry_is(t, 1, 1577934245);
	/* base64 with padding and + / is read too */
	u = hpo_strf("%s==", t);
	for (char *c = u; *c != '\0'; c++)
		*c = *c == '-' ? '+' : *c == '_' ? '/' : *c;
	expiry_is(u, 1, 1577934245);
	free(u);
	/* a packet length that does not fit: not a macaroon, no judgement */
	u = strdup(t);
	u[0] = u[0] == 'M' ? 'N' : 'M';
	expiry_is(u, 0, 0);
	free(u);
	free(t);
	t = macaroon(two);
	expiry_is(t, 1, 1577934245);	/* the earliest, fractions of a second ignored */
	free(t);
	t = macaroon(none);
	expiry_is(t, 0, 0);
	free(t);
	t = macaroon(bad_time);
	expiry_is(t, 0, 0);
	free(t);
	expiry_is("", 0, 0);
	expiry_is("an-opaque-token", 0, 0);
	expiry_is("MDAx", 0, 0);
	expiry_is("a.b.c", 0, 0);
}

static void
test_bearer_expired(void **state)
{
	const char *old[] = {"name:testuser", "before:2020-01-02T03:04:05Z", NULL};
	const char *good[] = {"name:testuser", "before:2999-01-02T03:04:05Z", NULL};
	char *xdg = in_dir("xdg2"), *file = in_dir("bt-old"), *xdgfile, *src = NULL, *t = NULL;
	char *expired = macaroon(old), *valid = macaroon(good), *ejwt = jwt(1577934245), msg[512];
	struct hpo_err err = {0};

	(void)state;
	assert_int_equal(hpo_mkdirs(xdg, 0700, &err), 0);
	xdgfile = hpo_strf("%s/bt_u%lu", xdg, (unsigned long)geteuid());
	setenv("XDG_RUNTIME_DIR", xdg, 1);
	unsetenv("BEARER_TOKEN_FILE");

	setenv("BEARER_TOKEN", valid, 1);
	assert_int_equal(hpo_auth_bearer_token(&t, &src, &err), 0);
	assert_string_equal(t, valid);
	assert_string_equal(src, "BEARER_TOKEN");
	hpo_auth_secret_free(t);
	free(src);

	setenv("BEARER_TOKEN", expired, 1);
	assert_int_equal(hpo_auth_bearer_token(&t, &src, &err), -1);
	assert_null(t);
	assert_null(src);
	assert_int_equal(err.kind, HPO_E_AUTH);
	assert_string_equal(err.msg, "the bearer token from BEARER_TOKEN expired on "
			    "2020-01-02 03:04:05 UTC: get a new one");
	setenv("BEARER_TOKEN", ejwt, 1);
	assert_int_equal(hpo_auth_bearer_token(&t, NULL, &err), -1);
	assert_string_equal(err.msg, "the bearer token from BEARER_TOKEN expired on "
			    "2020-01-02 03:04:05 UTC: get a new one");
	unsetenv("BEARER_TOKEN");

	write_file(file, expired, 0600);
	setenv("BEARER_TOKEN_FILE", file, 1);
	assert_int_equal(hpo_auth_bearer_token(&t, &src, &err), -1);
	snprintf(msg, sizeof(msg), "the bearer token from %s (BEARER_TOKEN_FILE) expired on "
		 "2020-01-02 03:04:05 UTC: get a new one", file);
	assert_string_equal(err.msg, msg);
	assert_null(strstr(err.msg, expired));
	unsetenv("BEARER_TOKEN_FILE");

	/* an expired bt_u file is an error too, not a reason to look further */
	write_file(xdgfile, valid, 0600);
	assert_int_equal(hpo_auth_bearer_token(&t, &src, &err), 0);
	assert_string_equal(src, xdgfile);
	hpo_auth_secret_free(t);
	free(src);
	write_file(xdgfile, expired, 0600);
	assert_int_equal(hpo_auth_bearer_token(&t, &src, &err), -1);
	snprintf(msg, sizeof(msg), "the bearer token from %s expired on 2020-01-02 03:04:05 UTC: "
		 "get a new one", xdgfile);
	assert_string_equal(err.msg, msg);
	unlink(xdgfile);
	free(xdg);
	free(xdgfile);
	free(file);
	free(expired);
	free(valid);
	free(ejwt);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_proxy_good, setup),
		cmocka_unit_test_setup(test_proxy_subject, setup),
		cmocka_unit_test_setup(test_proxy_missing, setup),
		cmocka_unit_test_setup(test_proxy_mode, setup),
		cmocka_unit_test_setup(test_proxy_owner, setup),
		cmocka_unit_test_setup(test_proxy_not_a_file, setup),
		cmocka_unit_test_setup(test_proxy_broken, setup),
		cmocka_unit_test_setup(test_proxy_expired, setup),
		cmocka_unit_test_setup(test_proxy_not_yet_valid, setup),
		cmocka_unit_test_setup(test_proxy_limited, setup),
		cmocka_unit_test_setup(test_proxy_short_lived, setup),
		cmocka_unit_test_setup(test_ca_dir_missing, setup),
		cmocka_unit_test_setup(test_token_env, setup),
		cmocka_unit_test_setup(test_token_env_expired, setup),
		cmocka_unit_test_setup(test_token_no_vo, setup),
		cmocka_unit_test_setup(test_token_cache, setup),
		cmocka_unit_test_setup(test_token_file_env, setup),
		cmocka_unit_test_setup(test_token_ca_dir, setup),
		cmocka_unit_test_setup(test_bearer_order, setup),
		cmocka_unit_test_setup(test_bearer_expiry, setup),
		cmocka_unit_test_setup(test_bearer_expired, setup),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
