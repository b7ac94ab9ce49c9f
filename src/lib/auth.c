/* auth.c - credentials for PanDA: a grid proxy or an OIDC token */
#include "autoconf.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "auth.h"
#include "config.h"
#include "voms.h"
#include "file.h"
#include "log.h"
#include "xmalloc.h"

#define RENEW_PROXY "voms-proxy-init -voms atlas"
#define REFRESH_TOKEN "run a panda-client command (e.g. pbook) to refresh it"
#define MAX_CRED_FILE (1024 * 1024)
/* RFC 3820 policy language of a limited proxy (Globus id-ppl-limited) */
#define OID_PPL_LIMITED "1.3.6.1.4.1.3536.1.1.1.9"

/* Warn about a credential running out once per process, not at every load. */
static int warned_proxy, warned_token;

void
hpo_auth_secret_free(char *secret)
{
	if (secret == NULL)
		return;
	OPENSSL_cleanse(secret, strlen(secret));
	free(secret);
}

void
hpo_auth_free(struct hpo_auth *auth)
{
	if (auth == NULL)
		return;
	free(auth->proxy);
	free(auth->ca_dir);
	hpo_auth_secret_free(auth->token);
	free(auth->vo);
	free(auth->subject);
	free(auth->nickname);
	free(auth);
}

/* A setting: the environment, else the configuration file */
static const char *
env(const char *name)
{
	const char *v = hpo_config_get(name);

	if (v == NULL && (v = getenv(name)) != NULL && *v == '\0')
		v = NULL;
	return v;
}

/* "2024-05-01 12:00:00 UTC" */
static void
utc_text(double t, char *buf, size_t size)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(buf, size, "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		snprintf(buf, size, "%.0f (Unix time)", t);
}

/* "42 minutes", "3 hours" */
static void
left_text(double secs, char *buf, size_t size)
{
	long min = secs > 0 ? (long)(secs / 60) : 0;

	if (min < 1)
		snprintf(buf, size, "less than a minute");
	else if (min < 120)
		snprintf(buf, size, "%ld minute%s", min, min == 1 ? "" : "s");
	else
		snprintf(buf, size, "%ld hours", min / 60);
}

/* Remove white space at both ends, in place. */
static char *
trim(char *s)
{
	size_t n;

	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* ---- X.509 ------------------------------------------------------------------ */

static int
asn1_unix(const ASN1_TIME *t, double *out)
{
	struct tm tm;

	if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1)
		return -1;
	*out = (double)timegm(&tm);
	return 0;
}

/* The last entry of a name, if it is a CN: its value, else NULL. */
static const ASN1_STRING *
last_cn(const X509_NAME *name)
{
	int n = X509_NAME_entry_count(name);
	const X509_NAME_ENTRY *e;

	if (n <= 0)
		return NULL;
	e = X509_NAME_get_entry(name, n - 1);
	if (OBJ_obj2nid(X509_NAME_ENTRY_get_object(e)) != NID_commonName)
		return NULL;
	return X509_NAME_ENTRY_get_data(e);
}

static int
asn1_is(const ASN1_STRING *s, const char *text)
{
	size_t n = strlen(text);

	return s != NULL && (size_t)ASN1_STRING_length(s) == n &&
	       memcmp(ASN1_STRING_get0_data(s), text, n) == 0;
}

/* A legacy (Globus GT2) proxy: subject = issuer + CN=proxy or CN=limited proxy. */
static int
legacy_proxy(X509 *c, int *limited)
{
	const X509_NAME *subj = X509_get_subject_name(c), *iss = X509_get_issuer_name(c);
	const ASN1_STRING *cn = last_cn(subj);
	int n = X509_NAME_entry_count(subj);
	X509_NAME *parent;
	int same;

	if (!asn1_is(cn, "proxy") && !asn1_is(cn, "limited proxy"))
		return 0;
	parent = X509_NAME_dup(subj);
	if (parent == NULL)
		return 0;
	X509_NAME_ENTRY_free(X509_NAME_delete_entry(parent, n - 1));
	same = X509_NAME_cmp(parent, iss) == 0;
	X509_NAME_free(parent);
	if (same && limited != NULL)
		*limited = asn1_is(cn, "limited proxy");
	return same;
}

/* Is c a proxy certificate (RFC 3820 or legacy)?  *limited says whether it
 * is a limited one. */
static int
is_proxy(X509 *c, int *limited)
{
	PROXY_CERT_INFO_EXTENSION *pci;
	ASN1_OBJECT *lim;
	int crit = 0;

	*limited = 0;
	pci = X509_get_ext_d2i(c, NID_proxyCertInfo, &crit, NULL);
	if (pci != NULL) {
		lim = OBJ_txt2obj(OID_PPL_LIMITED, 1);
		if (lim != NULL && pci->proxyPolicy != NULL &&
		    OBJ_cmp(pci->proxyPolicy->policyLanguage, lim) == 0)
			*limited = 1;
		ASN1_OBJECT_free(lim);
		PROXY_CERT_INFO_EXTENSION_free(pci);
		return 1;
	}
	return legacy_proxy(c, limited);
}

/* "/DC=ch/DC=cern/OU=Users/CN=someone" */
static char *
name_text(const X509_NAME *name)
{
	char *s = X509_NAME_oneline(name, NULL, 0), *copy;

	if (s == NULL)	/* OpenSSL's only failure here: no memory */
		hpo_oom();
	copy = xstrdup(s);
	OPENSSL_free(s);
	return copy;
}

/* The user's DN: the subject of the first certificate of the chain that is
 * not a proxy; when the file lacks it, the proxy's subject without one CN
 * per proxy level. */
static char *
user_subject(STACK_OF(X509) *chain)
{
	int levels = 0, limited, n = sk_X509_num(chain);
	X509_NAME *name;
	char *s;

	for (int i = 0; i < n; i++) {
		X509 *c = sk_X509_value(chain, i);

		if (!is_proxy(c, &limited))
			return name_text(X509_get_subject_name(c));
		levels++;
	}
	name = X509_NAME_dup(X509_get_subject_name(sk_X509_value(chain, 0)));
	if (name == NULL)
		hpo_oom();
	for (int i = 0; i < levels && X509_NAME_entry_count(name) > 1; i++)
		X509_NAME_ENTRY_free(X509_NAME_delete_entry(name, X509_NAME_entry_count(name) - 1));
	s = name_text(name);
	X509_NAME_free(name);
	return s;
}

/* No pass phrase prompt: a grid proxy's key is never encrypted. */
static int
no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf;
	(void)size;
	(void)rwflag;
	(void)u;
	return 0;
}

/* Open the proxy and check where it is and who may read it; read it. */
static int
read_proxy(const char *path, char **buf, size_t *len, struct hpo_err *err)
{
	struct stat sb;
	ssize_t got;
	size_t cap = 16384;
	char *p;
	int fd;

	*buf = NULL;
	fd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0 && errno == ENOENT)
		return hpo_err_set(err, HPO_E_AUTH, "no grid proxy at %s: run " RENEW_PROXY, path);
	if (fd < 0)
		return hpo_err_sys(err, "grid proxy %s", path);
	if (fstat(fd, &sb) < 0) {
		hpo_err_sys(err, "grid proxy %s", path);
		close(fd);
		return -1;
	}
	if (!S_ISREG(sb.st_mode)) {
		close(fd);
		return hpo_err_set(err, HPO_E_AUTH, "grid proxy %s is not a regular file", path);
	}
	if (sb.st_uid != geteuid()) {
		close(fd);
		return hpo_err_set(err, HPO_E_AUTH,
				   "grid proxy %s is owned by uid %lu, not by you (uid %lu): make "
				   "your own with " RENEW_PROXY,
				   path, (unsigned long)sb.st_uid, (unsigned long)geteuid());
	}
	if ((sb.st_mode & 077) != 0) {
		close(fd);
		return hpo_err_set(err, HPO_E_AUTH,
				   "grid proxy %s has mode %04o, open to %s: run chmod 600 %s", path,
				   (unsigned)(sb.st_mode & 07777),
				   (sb.st_mode & 007) ? "everyone" : "your group", path);
	}
	p = xmalloc(cap);
	*len = 0;
	for (;;) {
		if (*len + 1 >= cap) {
			char *bigger;

			if (cap >= MAX_CRED_FILE) {
				OPENSSL_cleanse(p, *len);
				free(p);
				close(fd);
				return hpo_err_set(err, HPO_E_AUTH,
						   "grid proxy %s is larger than 1 MB: not a proxy", path);
			}
			bigger = xmalloc(cap * 2);
			memcpy(bigger, p, *len);
			OPENSSL_cleanse(p, *len);
			free(p);
			p = bigger;
			cap *= 2;
		}
		got = read(fd, p + *len, cap - 1 - *len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			hpo_err_sys(err, "grid proxy %s", path);
			OPENSSL_cleanse(p, *len);
			free(p);
			close(fd);
			return -1;
		}
		if (got == 0)
			break;
		*len += (size_t)got;
	}
	close(fd);
	p[*len] = '\0';
	*buf = p;
	return 0;
}

/* Parse the PEM: every certificate in order, and the private key. */
static int
parse_proxy(const char *path, const char *buf, size_t len, STACK_OF(X509) **chain,
	    struct hpo_err *err)
{
	BIO *bio = BIO_new_mem_buf(buf, (int)len);
	STACK_OF(X509_INFO) *infos = NULL;
	EVP_PKEY *key = NULL;
	int rc = -1, nkeys = 0;

	*chain = sk_X509_new_null();
	if (bio == NULL || *chain == NULL)
		hpo_oom();
	infos = PEM_X509_INFO_read_bio(bio, NULL, no_passphrase, NULL);
	if (infos == NULL) {
		hpo_err_set(err, HPO_E_AUTH, "grid proxy %s is not a PEM certificate file: make a "
			    "new one with " RENEW_PROXY, path);
		goto out;
	}
	for (int i = 0; i < sk_X509_INFO_num(infos); i++) {
		X509_INFO *xi = sk_X509_INFO_value(infos, i);

		if (xi->x509 != NULL) {
			if (!sk_X509_push(*chain, xi->x509))
				hpo_oom();
			xi->x509 = NULL;
		}
		if (xi->x_pkey != NULL || xi->enc_data != NULL) {
			nkeys++;
			if (key == NULL && xi->x_pkey != NULL && xi->x_pkey->dec_pkey != NULL) {
				key = xi->x_pkey->dec_pkey;
				EVP_PKEY_up_ref(key);
			}
		}
	}
	if (sk_X509_num(*chain) == 0) {
		hpo_err_set(err, HPO_E_AUTH, "grid proxy %s holds no certificate: make a new one "
			    "with " RENEW_PROXY, path);
		goto out;
	}
	if (nkeys == 0) {
		hpo_err_set(err, HPO_E_AUTH, "grid proxy %s holds no private key: make a new one "
			    "with " RENEW_PROXY, path);
		goto out;
	}
	if (key == NULL) {
		hpo_err_set(err, HPO_E_AUTH, "grid proxy %s: its private key is encrypted or "
			    "unreadable: make a new one with " RENEW_PROXY, path);
		goto out;
	}
	if (X509_check_private_key(sk_X509_value(*chain, 0), key) != 1) {
		hpo_err_set(err, HPO_E_AUTH, "grid proxy %s: its private key does not belong to "
			    "its first certificate: make a new one with " RENEW_PROXY, path);
		goto out;
	}
	rc = 0;
out:
	ERR_clear_error();
	EVP_PKEY_free(key);
	sk_X509_INFO_pop_free(infos, X509_INFO_free);
	BIO_free(bio);
	if (rc < 0) {
		sk_X509_pop_free(*chain, X509_free);
		*chain = NULL;
	}
	return rc;
}

/* Validity of every certificate, limited proxies; the earliest end. */
static int
check_chain(const char *path, STACK_OF(X509) *chain, double *not_after, struct hpo_err *err)
{
	double now = (double)time(NULL), nb, na;
	char when[64], *who;
	int limited;

	*not_after = 0;
	for (int i = 0; i < sk_X509_num(chain); i++) {
		X509 *c = sk_X509_value(chain, i);

		if (asn1_unix(X509_get0_notBefore(c), &nb) < 0 ||
		    asn1_unix(X509_get0_notAfter(c), &na) < 0)
			return hpo_err_set(err, HPO_E_AUTH, "grid proxy %s: certificate %d has a bad "
					   "validity period", path, i + 1);
		if (i == 0 || na < *not_after)
			*not_after = na;
		if (nb > now + 300) {	/* tolerate a little clock skew */
			utc_text(nb, when, sizeof(when));
			return hpo_err_set(err, HPO_E_AUTH, "grid proxy %s is not valid before %s: "
					   "check this computer's clock", path, when);
		}
		if (na <= now) {
			utc_text(na, when, sizeof(when));
			if (i == 0 || is_proxy(c, &limited))
				return hpo_err_set(err, HPO_E_AUTH, "grid proxy %s expired on %s: "
						   "run " RENEW_PROXY, path, when);
			who = name_text(X509_get_subject_name(c));
			hpo_err_set(err, HPO_E_AUTH, "grid proxy %s: the certificate of %s in it "
				    "expired on %s: renew your grid certificate, then run "
				    RENEW_PROXY, path, who != NULL ? who : "?", when);
			free(who);
			return -1;
		}
		if (is_proxy(c, &limited) && limited)
			return hpo_err_set(err, HPO_E_AUTH, "grid proxy %s is a limited proxy, which "
					   "the PanDA server refuses: make a full one with "
					   RENEW_PROXY, path);
	}
	return 0;
}

static int
load_x509(double min_left, struct hpo_auth *a, struct hpo_err *err)
{
	const char *p = env("X509_USER_PROXY"), *ca = env("X509_CERT_DIR");
	STACK_OF(X509) *chain = NULL;
	char *buf = NULL, left[64];
	size_t len = 0;
	struct stat sb;
	int rc;

	a->kind = HPO_AUTH_X509;
	a->proxy = p != NULL ? xstrdup(p) : hpo_strf("/tmp/x509up_u%lu", (unsigned long)geteuid());
	a->ca_dir = xstrdup(ca != NULL ? ca : "/etc/grid-security/certificates");
	if (read_proxy(a->proxy, &buf, &len, err) < 0)
		return -1;
	rc = parse_proxy(a->proxy, buf, len, &chain, err);
	OPENSSL_cleanse(buf, len);
	free(buf);
	if (rc < 0)
		return -1;
	rc = check_chain(a->proxy, chain, &a->not_after, err);
	if (rc == 0)
		a->subject = user_subject(chain);
	if (rc == 0 && hpo_voms_nickname(a->proxy, &a->nickname, NULL) < 0)
		a->nickname = NULL;	/* read once already: not worth an error */
	sk_X509_pop_free(chain, X509_free);
	if (rc < 0)
		return -1;
	if (stat(a->ca_dir, &sb) < 0 || !S_ISDIR(sb.st_mode))
		return hpo_err_set(err, HPO_E_AUTH, "no CA certificate directory at %s: set "
				   "X509_CERT_DIR to the directory of the grid CA certificates",
				   a->ca_dir);
	if (a->not_after - (double)time(NULL) < min_left && !warned_proxy) {
		warned_proxy = 1;
		left_text(a->not_after - (double)time(NULL), left, sizeof(left));
		hpo_warn("grid proxy expires in %s; renew it with " RENEW_PROXY, left);
	}
	return 0;
}

/* ---- tokens ----------------------------------------------------------------- */

/* Decode base64url (no padding needed) into a malloc'ed, NUL-terminated buffer. */
static unsigned char *
b64url_decode(const char *in, size_t n, size_t *outlen)
{
	size_t padded = (n + 3) / 4 * 4, pad = padded - n;
	unsigned char *b, *out;
	int got;

	if (n % 4 == 1 || padded > 1024 * 1024)
		return NULL;
	b = malloc(padded + 1);
	out = malloc(padded / 4 * 3 + 1);
	if (b == NULL || out == NULL) {
		free(b);
		free(out);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		char c = in[i];

		if (c == '-')
			c = '+';
		else if (c == '_')
			c = '/';
		else if (!isalnum((unsigned char)c)) {
			free(b);
			free(out);
			return NULL;
		}
		b[i] = (unsigned char)c;
	}
	memset(b + n, '=', pad);
	got = EVP_DecodeBlock(out, b, (int)padded);
	free(b);
	if (got < 0 || (size_t)got < pad) {
		free(out);
		return NULL;
	}
	*outlen = (size_t)got - pad;
	out[*outlen] = '\0';
	return out;
}

/* The claims of a JWT (header.payload.signature): exp, sub and
 * preferred_username (the nickname, as panda-client takes it). */
static int
jwt_claims(const char *token, const char *source, double *exp, char **sub, char **nick,
	   struct hpo_err *err)
{
	const char *p1 = strchr(token, '.'), *p2 = p1 != NULL ? strchr(p1 + 1, '.') : NULL;
	unsigned char *payload;
	json_t *claims, *v;
	size_t n = 0;

	*sub = *nick = NULL;
	if (p2 == NULL || (payload = b64url_decode(p1 + 1, (size_t)(p2 - p1 - 1), &n)) == NULL)
		return hpo_err_set(err, HPO_E_AUTH, "the ID token from %s is not a JWT "
				   "(header.payload.signature in base64url)", source);
	claims = json_loadb((const char *)payload, n, 0, NULL);
	free(payload);
	if (!json_is_object(claims)) {
		json_decref(claims);
		return hpo_err_set(err, HPO_E_AUTH, "the ID token from %s is not a JWT (its "
				   "payload is not a JSON object)", source);
	}
	v = json_object_get(claims, "exp");
	if (!json_is_number(v)) {
		json_decref(claims);
		return hpo_err_set(err, HPO_E_AUTH, "the ID token from %s has no expiry time "
				   "(exp claim)", source);
	}
	*exp = json_number_value(v);
	v = json_object_get(claims, "sub");
	if (json_is_string(v))
		*sub = xstrdup(json_string_value(v));
	v = json_object_get(claims, "preferred_username");
	if (json_is_string(v))
		*nick = xstrdup(json_string_value(v));
	json_decref(claims);
	return 0;
}

/* panda-client's cache, $PANDA_CONFIG_ROOT/.token */
static char *
cache_path(void)
{
	const char *root = env("PANDA_CONFIG_ROOT"), *home = env("HOME");

	if (root == NULL)
		root = "~/.pathena";
	if (root[0] == '~' && (root[1] == '/' || root[1] == '\0'))
		return home != NULL ? hpo_strf("%s%s/.token", home, root + 1) : NULL;
	return hpo_strf("%s/.token", root);
}

/* Read a small file holding a secret; *buf malloc'ed. Missing: 1. */
static int
read_secret_file(const char *path, const char *what, char **buf, size_t *len, struct hpo_err *err)
{
	struct stat sb;

	if (stat(path, &sb) < 0 && errno == ENOENT)
		return 1;
	if (hpo_file_read(path, MAX_CRED_FILE, buf, len, err) < 0)
		return hpo_err_prefix(err, "%s", what);
	/* a token is a key: say when others can read it (htgettoken and
	 * panda-client write 600; a refusal would strand a job whose token
	 * was mounted so) */
	if (S_ISREG(sb.st_mode) && (sb.st_mode & 077) != 0)
		hpo_warn("%s %s can be read or written by others (mode %04o): chmod 600 %s",
			 what, path, (unsigned)(sb.st_mode & 07777), path);
	return 0;
}

static int
token_from_cache(const char *path, char **token, struct hpo_err *err)
{
	char *buf = NULL;
	size_t len = 0;
	json_t *doc, *id;
	int rc;

	rc = read_secret_file(path, "panda-client token cache", &buf, &len, err);
	if (rc < 0)
		return -1;
	if (rc > 0)
		return hpo_err_set(err, HPO_E_AUTH, "no ID token: PANDA_AUTH=oidc but "
				   "PANDA_AUTH_ID_TOKEN is not set and there is no panda-client "
				   "token cache at %s: run a panda-client command (e.g. pbook) to "
				   "log in", path);
	/* no jansson error text: it quotes the input */
	doc = json_loadb(buf, len, 0, NULL);
	OPENSSL_cleanse(buf, len);
	free(buf);
	id = json_object_get(doc, "id_token");
	if (!json_is_string(id) || json_string_length(id) == 0) {
		json_decref(doc);
		return hpo_err_set(err, HPO_E_AUTH, "panda-client token cache %s holds no ID "
				   "token: " REFRESH_TOKEN, path);
	}
	*token = xstrdup(json_string_value(id));
	json_decref(doc);
	return 0;
}

static int
load_token(double min_left, struct hpo_auth *a, struct hpo_err *err)
{
	const char *t = env("PANDA_AUTH_ID_TOKEN"), *file = env("OIDC_AUTH_TOKEN_FILE");
	const char *vo = env("PANDA_AUTH_VO"), *ca = env("X509_CERT_DIR");
	const char *def_ca = "/etc/grid-security/certificates";
	char *path = NULL, *buf = NULL, source[1100], when[64];
	size_t len = 0;
	struct stat sb;
	double now;
	int rc;

	a->kind = HPO_AUTH_TOKEN;
	if (vo == NULL)
		vo = env("OIDC_AUTH_VO");
	if (vo == NULL)
		return hpo_err_set(err, HPO_E_AUTH, "PANDA_AUTH=oidc needs PANDA_AUTH_VO, the "
				   "virtual organisation to log in to (e.g. atlas)");
	a->vo = xstrdup(vo);
	if (t == NULL && file == NULL)
		t = env("OIDC_AUTH_ID_TOKEN");
	if (t != NULL) {
		snprintf(source, sizeof(source), "%s", env("PANDA_AUTH_ID_TOKEN") != NULL
			 ? "PANDA_AUTH_ID_TOKEN" : "OIDC_AUTH_ID_TOKEN");
		a->token = xstrdup(t);
	} else if (file != NULL) {
		snprintf(source, sizeof(source), "%s (OIDC_AUTH_TOKEN_FILE)", file);
		rc = read_secret_file(file, "OIDC_AUTH_TOKEN_FILE", &buf, &len, err);
		if (rc < 0)
			return -1;
		if (rc > 0)
			return hpo_err_set(err, HPO_E_AUTH, "no ID token at %s (OIDC_AUTH_TOKEN_FILE)",
					   file);
		a->token = xstrdup(trim(buf));
		OPENSSL_cleanse(buf, len);
		free(buf);
	} else {
		if ((path = cache_path()) == NULL)
			return hpo_err_set(err, HPO_E_AUTH, "no ID token: set PANDA_AUTH_ID_TOKEN "
					   "or PANDA_CONFIG_ROOT");
		snprintf(source, sizeof(source), "%s", path);
		rc = token_from_cache(path, &a->token, err);
		free(path);
		if (rc < 0)
			return -1;
	}
	if (jwt_claims(a->token, source, &a->not_after, &a->subject, &a->nickname, err) < 0)
		return -1;
	now = (double)time(NULL);
	if (a->not_after <= now) {
		utc_text(a->not_after, when, sizeof(when));
		if (strchr(source, '/') == NULL)	/* from the environment */
			return hpo_err_set(err, HPO_E_AUTH, "the ID token in %s expired on %s: set a "
					   "new one, or unset it and " REFRESH_TOKEN " from "
					   "panda-client's cache", source, when);
		return hpo_err_set(err, HPO_E_AUTH, "the ID token from %s expired on %s: "
				   REFRESH_TOKEN, source, when);
	}
	if (ca != NULL) {
		if (stat(ca, &sb) < 0 || !S_ISDIR(sb.st_mode))
			return hpo_err_set(err, HPO_E_AUTH, "no CA certificate directory at %s: set "
					   "X509_CERT_DIR to the directory of the grid CA "
					   "certificates", ca);
	} else if (stat(def_ca, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		ca = def_ca;
	}
	if (ca != NULL)
		a->ca_dir = xstrdup(ca);
	if (a->not_after - now < min_left && !warned_token) {
		warned_token = 1;
		left_text(a->not_after - now, when, sizeof(when));
		hpo_warn("the ID token expires in %s; " REFRESH_TOKEN, when);
	}
	return 0;
}

int
hpo_auth_load(double min_left_seconds, struct hpo_auth **out, struct hpo_err *err)
{
	const char *mode = env("PANDA_AUTH");
	struct hpo_auth *a = xcalloc(1, sizeof(*a));
	int rc;

	*out = NULL;
	if (mode != NULL && strcmp(mode, "oidc") == 0)
		rc = load_token(min_left_seconds, a, err);
	else
		rc = load_x509(min_left_seconds, a, err);
	if (rc < 0) {
		hpo_auth_free(a);
		return -1;
	}
	*out = a;
	return 0;
}

/* ---- WLCG bearer tokens ----------------------------------------------------- */

/* "2026-11-27T18:03:03Z", also with fractions of a second (dCache) */
static int
iso_utc(const char *s, size_t n, double *out)
{
	char buf[64], *p;
	struct tm tm = {0};
	int len = 0;

	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (sscanf(buf, "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
		   &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &len) != 6 || len != 19)
		return -1;
	p = buf + len;
	if (*p == '.')
		for (p++; isdigit((unsigned char)*p); p++)
			;
	if (strcmp(p, "Z") != 0 || tm.tm_mon < 1 || tm.tm_mon > 12 || tm.tm_mday < 1 ||
	    tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
		return -1;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*out = (double)timegm(&tm);
	return 0;
}

/* A macaroon in the V1 serialization: base64url (or base64) of packets
 * "<4 hex digits: the packet's length>key value\n", the first "location".
 * 1: *not_after is its earliest "cid before:<time>" caveat; 0: none, or
 * not such a macaroon. */
static int
macaroon_before(const char *token, double *not_after)
{
	size_t n = strlen(token), len = 0, pos = 0;
	unsigned char *b;
	char *copy;
	int found = 0, bad = 0;

	while (n > 0 && token[n - 1] == '=')
		n--;
	if ((copy = strndup(token, n)) == NULL)
		return 0;
	for (char *p = copy; *p != '\0'; p++)
		if (*p == '+')
			*p = '-';
		else if (*p == '/')
			*p = '_';
	b = b64url_decode(copy, n, &len);
	hpo_auth_secret_free(copy);
	if (b == NULL)
		return 0;
	if (len < 14 || memcmp(b + 4, "location ", 9) != 0)
		bad = 1;
	while (!bad && pos < len) {
		char hex[5];
		unsigned long plen;
		const char *kv, *sp;
		size_t kvlen;

		if (len - pos < 4) {
			bad = 1;
			break;
		}
		memcpy(hex, b + pos, 4);
		hex[4] = '\0';
		if (!isxdigit((unsigned char)hex[0]) || !isxdigit((unsigned char)hex[1]) ||
		    !isxdigit((unsigned char)hex[2]) || !isxdigit((unsigned char)hex[3])) {
			bad = 1;
			break;
		}
		plen = strtoul(hex, NULL, 16);
		if (plen < 6 || plen > len - pos || b[pos + plen - 1] != '\n') {
			bad = 1;
			break;
		}
		kv = (const char *)b + pos + 4;
		kvlen = plen - 5;
		sp = memchr(kv, ' ', kvlen);
		if (sp != NULL && sp - kv == 3 && memcmp(kv, "cid", 3) == 0 &&
		    kvlen - 4 > 7 && memcmp(sp + 1, "before:", 7) == 0) {
			double t;

			if (iso_utc(sp + 8, kvlen - 11, &t) == 0 && (!found || t < *not_after)) {
				*not_after = t;
				found = 1;
			}
		}
		pos += plen;
	}
	OPENSSL_cleanse(b, len);
	free(b);
	return bad ? 0 : found;
}

/* A JWT's exp claim: 1 when there is one */
static int
jwt_exp(const char *token, double *not_after)
{
	const char *p1 = strchr(token, '.'), *p2 = p1 != NULL ? strchr(p1 + 1, '.') : NULL;
	unsigned char *payload;
	json_t *claims, *v;
	size_t n = 0;
	int found = 0;

	if (p2 == NULL || (payload = b64url_decode(p1 + 1, (size_t)(p2 - p1 - 1), &n)) == NULL)
		return 0;
	claims = json_loadb((const char *)payload, n, 0, NULL);
	free(payload);
	v = json_object_get(claims, "exp");
	if (json_is_number(v)) {
		*not_after = json_number_value(v);
		found = 1;
	}
	json_decref(claims);
	return found;
}

int
hpo_auth_bearer_expiry(const char *token, double *not_after)
{
	return jwt_exp(token, not_after) || macaroon_before(token, not_after);
}

/* 0: found, 1: no such file, -1: error */
static int
bearer_from_file(const char *path, int must, char **token, struct hpo_err *err)
{
	char *buf = NULL, *t;
	size_t len = 0;
	int rc;

	rc = read_secret_file(path, "bearer token", &buf, &len, err);
	if (rc != 0)
		return rc;
	t = trim(buf);
	if (*t == '\0') {
		free(buf);
		return must ? hpo_err_set(err, HPO_E_AUTH, "bearer token file %s is empty", path) : 1;
	}
	*token = xstrdup(t);
	OPENSSL_cleanse(buf, len);
	free(buf);
	return 0;
}

/* Where the last-resort bt_u<uid> file is looked for (tests point it
 * elsewhere so that they never touch the machine's /tmp). */
static const char *bt_tmp_dir = "/tmp";

void
hpo_auth_set_bearer_tmp_dir(const char *dir)
{
	bt_tmp_dir = dir != NULL ? dir : "/tmp";
}


/* The token found (0), none in this place (1), or an error (-1); *source
 * names the place. */
static int
bearer_find(char **token, char **source, struct hpo_err *err)
{
	const char *t = env("BEARER_TOKEN"), *file = env("BEARER_TOKEN_FILE");
	const char *xdg = env("XDG_RUNTIME_DIR");
	char *path, *copy;
	int rc;

	if (t != NULL) {
		copy = xstrdup(t);
		if (*trim(copy) != '\0') {
			*token = xstrdup(trim(copy));
			hpo_auth_secret_free(copy);
			*source = xstrdup("BEARER_TOKEN");
			return 0;
		}
		free(copy);
	}
	if (file != NULL) {
		rc = bearer_from_file(file, 1, token, err);
		if (rc > 0)
			return hpo_err_set(err, HPO_E_AUTH, "no bearer token at %s (BEARER_TOKEN_FILE)",
					   file);
		if (rc == 0)
			*source = hpo_strf("%s (BEARER_TOKEN_FILE)", file);
		return rc;
	}
	if (xdg != NULL) {
		path = hpo_strf("%s/bt_u%lu", xdg, (unsigned long)geteuid());
		rc = bearer_from_file(path, 0, token, err);
		if (rc == 0) {
			*source = path;
			return 0;
		}
		free(path);
		if (rc < 0)
			return rc;
	}
	path = hpo_strf("%s/bt_u%lu", bt_tmp_dir, (unsigned long)geteuid());
	rc = bearer_from_file(path, 0, token, err);
	if (rc == 0) {
		*source = path;
		return 0;
	}
	free(path);
	if (rc < 0)
		return rc;
	return hpo_err_set(err, HPO_E_AUTH, "no bearer token: set BEARER_TOKEN or "
			   "BEARER_TOKEN_FILE, or put one in $XDG_RUNTIME_DIR/bt_u%lu or "
			   "/tmp/bt_u%lu", (unsigned long)geteuid(), (unsigned long)geteuid());
}

int
hpo_auth_bearer_token(char **token, char **source, struct hpo_err *err)
{
	char *src = NULL, when[64];
	double not_after;

	*token = NULL;
	if (source != NULL)
		*source = NULL;
	if (bearer_find(token, &src, err) < 0) {
		hpo_auth_secret_free(*token);
		*token = NULL;
		free(src);
		return -1;
	}
	if (hpo_auth_bearer_expiry(*token, &not_after) && not_after <= (double)time(NULL)) {
		utc_text(not_after, when, sizeof(when));
		hpo_auth_secret_free(*token);
		*token = NULL;
		hpo_err_set(err, HPO_E_AUTH, "the bearer token from %s expired on %s: get a new one",
			    src, when);
		free(src);
		return -1;
	}
	if (source != NULL)
		*source = src;
	else
		free(src);
	return 0;
}
