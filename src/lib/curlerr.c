/* curlerr.c - what a failed libcurl transfer means */
#include "autoconf.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "curlerr.h"

enum hpo_curl_fail
hpo_curl_fail_kind(CURLcode cc)
{
	switch (cc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return HPO_CURL_TRANSIENT;
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_ENGINE_NOTFOUND:
	case CURLE_SSL_ENGINE_SETFAILED:
		return HPO_CURL_OUR_CERT;
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_INVALIDCERTSTATUS:
		return HPO_CURL_PEER_CERT;
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_CRL_BADFILE:
		return HPO_CURL_CA_FILES;
	case CURLE_URL_MALFORMAT:
	case CURLE_UNSUPPORTED_PROTOCOL:
		return HPO_CURL_BAD_URL;
	case CURLE_OUT_OF_MEMORY:
		return HPO_CURL_NO_MEMORY;
	case CURLE_WRITE_ERROR:
		return HPO_CURL_WRITE;
	case CURLE_READ_ERROR:
		return HPO_CURL_READ;
	default:
		return HPO_CURL_OTHER;
	}
}

void
hpo_curl_reason(CURLcode cc, const char *errbuf, char *buf, size_t size)
{
	size_t n;

	if (size == 0)
		return;
	snprintf(buf, size, "%s", errbuf != NULL && errbuf[0] != '\0' ? errbuf
								     : curl_easy_strerror(cc));
	n = strlen(buf);
	while (n > 0 && isspace((unsigned char)buf[n - 1]))
		buf[--n] = '\0';
	if (isupper((unsigned char)buf[0]) && !isupper((unsigned char)buf[1]))
		buf[0] = (char)tolower((unsigned char)buf[0]);
}

const char *
hpo_curl_cert_alert(CURLcode cc, const char *reason)
{
	/* OpenSSL words them "sslv3 alert bad certificate", "tlsv13 alert
	 * certificate required", ... */
	static const char *const alerts[] = {
		"bad certificate", "unknown ca", "certificate expired", "certificate revoked",
		"certificate unknown", "certificate required", "access denied",
		"unsupported certificate", "decrypt error", NULL,
	};
	const char *a;

	if (cc != CURLE_SSL_CONNECT_ERROR && cc != CURLE_RECV_ERROR && cc != CURLE_SEND_ERROR)
		return NULL;
	if (reason == NULL || (a = strstr(reason, "alert ")) == NULL)
		return NULL;
	for (size_t i = 0; alerts[i] != NULL; i++)
		if (strncmp(a + 6, alerts[i], strlen(alerts[i])) == 0)
			return alerts[i];
	return NULL;
}

void
hpo_curl_first_line(const char *body, char *buf, size_t size)
{
	const char *s = body != NULL ? body : "";
	size_t n;

	if (size == 0)
		return;
	while (isspace((unsigned char)*s))
		s++;
	n = strcspn(s, "\r\n");
	if (n > 200)
		n = 200;
	snprintf(buf, size, "%.*s", (int)n, s);
	for (char *p = buf; *p != '\0'; p++)
		if (iscntrl((unsigned char)*p))
			*p = ' ';
}

int
hpo_curl_multi_fail(CURLMcode mc, struct hpo_err *err)
{
	return hpo_err_set(err, HPO_E_SYS, "libcurl: %s", curl_multi_strerror(mc));
}
