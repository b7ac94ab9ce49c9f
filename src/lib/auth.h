/* auth.h - credentials for PanDA (and WebDAV storage): a grid proxy or a token
 *
 * hpo_auth_load finds and checks the credential the way panda-client does:
 *
 *   PANDA_AUTH=oidc   an OIDC ID token: $PANDA_AUTH_ID_TOKEN, else
 *                     $OIDC_AUTH_TOKEN_FILE (a file holding the token), else
 *                     $OIDC_AUTH_ID_TOKEN, else panda-client's cache
 *                     $PANDA_CONFIG_ROOT/.token (default ~/.pathena/.token,
 *                     the token endpoint's JSON answer: {"id_token": ...}).
 *                     The VO is $PANDA_AUTH_VO (else $OIDC_AUTH_VO).  The
 *                     expiry comes from the JWT's exp claim; the signature is
 *                     the server's business.
 *   otherwise         an X.509 grid proxy: $X509_USER_PROXY, else
 *                     /tmp/x509up_u<uid>; it must be a regular file of ours
 *                     with mode 600 or stricter, hold a certificate chain and
 *                     its private key, be within its validity and not be a
 *                     limited proxy.  CA directory: $X509_CERT_DIR, else
 *                     /etc/grid-security/certificates; it must exist.
 *
 * With a token, ca_dir is $X509_CERT_DIR (which must exist) or the default
 * directory when it exists, else NULL (the system's CA store).
 *
 * No message or log line ever holds a token or a key.
 */
#ifndef HPO_AUTH_H
#define HPO_AUTH_H

#include "err.h"

enum hpo_auth_kind { HPO_AUTH_X509, HPO_AUTH_TOKEN };

struct hpo_auth {
	enum hpo_auth_kind kind;
	char *proxy;		/* X.509: the proxy file (certificate chain and key) */
	char *ca_dir;		/* CA directory, or NULL (token only: system store) */
	char *token;		/* token: the ID token (a secret) */
	char *vo;		/* token: the VO, sent as Origin */
	char *subject;		/* X.509: the user's DN without proxy CNs ("/DC=ch/..");
				 * token: its sub claim */
	double not_after;	/* Unix time when the credential expires */
	char *nickname;		/* X.509: the VOMS nickname attribute; token: its
				 * preferred_username claim; NULL when absent */
};

/* Find and check the credential.  When less than min_left_seconds are left
 * it still succeeds, with a warning (once per process) saying when it
 * expires and how to renew it.  Errors are HPO_E_AUTH, or HPO_E_SYS for
 * I/O and memory. */
int hpo_auth_load(double min_left_seconds, struct hpo_auth **out, struct hpo_err *err);
void hpo_auth_free(struct hpo_auth *auth);

/* WLCG bearer token discovery: $BEARER_TOKEN, else the file
 * $BEARER_TOKEN_FILE, else $XDG_RUNTIME_DIR/bt_u<uid>, else /tmp/bt_u<uid>.
 * Surrounding white space is removed.  *token is malloc'ed; free it with
 * hpo_auth_secret_free.  *source (unless source is NULL; malloc'ed) names
 * where it was found, for messages: "BEARER_TOKEN", "FILE
 * (BEARER_TOKEN_FILE)" or the bt_u file.  No token anywhere: HPO_E_AUTH
 * "no bearer token: ...".  A token whose expiry time
 * (hpo_auth_bearer_expiry) has passed: HPO_E_AUTH "the bearer token from
 * SOURCE expired on TIME: get a new one", no token returned. */
int hpo_auth_bearer_token(char **token, char **source, struct hpo_err *err);

/* The expiry time of a bearer token when it tells one: a JWT's exp claim,
 * or the earliest "before:" caveat of a macaroon (V1 serialization, as
 * XRootD and dCache issue them).  1: *not_after set (Unix time); 0:
 * unknown (an opaque token, or no such claim or caveat). */
int hpo_auth_bearer_expiry(const char *token, double *not_after);

/* Wipe and free a secret string (NULL is fine). */
/* Tests only: look for the last-resort bt_u<uid> in dir instead of /tmp
 * (NULL: /tmp again). */
void hpo_auth_set_bearer_tmp_dir(const char *dir);
void hpo_auth_secret_free(char *secret);

#endif
