/* curlerr.h - what a failed libcurl transfer means: the kind of failure
 * (retry it, a credential, a certificate, a URL...) and curl's reason and
 * the server's first line worded for a message.  Shared by http.c (the
 * PanDA API) and ckpt_davs.c (WebDAV storage), which word the messages. */
#ifndef HPO_CURLERR_H
#define HPO_CURLERR_H

#include <stddef.h>

#include <curl/curl.h>

#include "err.h"

enum hpo_curl_fail {
	HPO_CURL_OTHER,		/* none of the below */
	HPO_CURL_TRANSIENT,	/* no connection, timeout, reset, cut short, TLS
				 * handshake: worth another try */
	HPO_CURL_OUR_CERT,	/* our client certificate cannot be loaded */
	HPO_CURL_PEER_CERT,	/* the server's certificate was refused */
	HPO_CURL_CA_FILES,	/* the CA certificates or CRLs cannot be used */
	HPO_CURL_BAD_URL,	/* malformed, or a scheme curl has not */
	HPO_CURL_NO_MEMORY,
	HPO_CURL_WRITE,		/* our write callback stopped the transfer */
	HPO_CURL_READ,		/* our read callback failed */
};

/* The kind of failure of a transfer that ended with cc (not CURLE_OK). */
enum hpo_curl_fail hpo_curl_fail_kind(CURLcode cc);

/* curl's reason for cc: errbuf (CURLOPT_ERRORBUFFER) when it says
 * something, else curl_easy_strerror; trailing space dropped, the first
 * letter lowercase unless the first word is an acronym ("SSL ..."). */
void hpo_curl_reason(CURLcode cc, const char *errbuf, char *buf, size_t size);

/* The TLS alert by which a server refused our client certificate ("bad
 * certificate", "unknown ca", "certificate expired", ...) when the transfer
 * ended with cc and reason that way, else NULL. */
const char *hpo_curl_cert_alert(CURLcode cc, const char *reason);

/* The first non-blank line of an answer's body (NULL: none), at most 200
 * bytes, with control characters as spaces: for "HTTP 500: <line>". */
void hpo_curl_first_line(const char *body, char *buf, size_t size);

/* A failed call of the multi interface (curl_multi_perform, _poll,
 * _add_handle): -1 with err "libcurl: <curl's reason>".  These fail for a
 * misuse or an internal error, not for a transfer's own failure. */
int hpo_curl_multi_fail(CURLMcode mc, struct hpo_err *err);

#endif
