/* test_curlerr.c - what a failed libcurl transfer means */
#include "autoconf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "curlerr.h"

static void
test_kinds(void **state)
{
	(void)state;
	/* worth another try: what a restarting or overloaded server does */
	assert_int_equal(hpo_curl_fail_kind(CURLE_COULDNT_CONNECT), HPO_CURL_TRANSIENT);
	assert_int_equal(hpo_curl_fail_kind(CURLE_OPERATION_TIMEDOUT), HPO_CURL_TRANSIENT);
	assert_int_equal(hpo_curl_fail_kind(CURLE_RECV_ERROR), HPO_CURL_TRANSIENT);
	assert_int_equal(hpo_curl_fail_kind(CURLE_PARTIAL_FILE), HPO_CURL_TRANSIENT);
	assert_int_equal(hpo_curl_fail_kind(CURLE_GOT_NOTHING), HPO_CURL_TRANSIENT);
	assert_int_equal(hpo_curl_fail_kind(CURLE_SSL_CONNECT_ERROR), HPO_CURL_TRANSIENT);
	/* never: a retry cannot change them */
	assert_int_equal(hpo_curl_fail_kind(CURLE_SSL_CERTPROBLEM), HPO_CURL_OUR_CERT);
	assert_int_equal(hpo_curl_fail_kind(CURLE_PEER_FAILED_VERIFICATION), HPO_CURL_PEER_CERT);
	assert_int_equal(hpo_curl_fail_kind(CURLE_SSL_CACERT_BADFILE), HPO_CURL_CA_FILES);
	assert_int_equal(hpo_curl_fail_kind(CURLE_URL_MALFORMAT), HPO_CURL_BAD_URL);
	assert_int_equal(hpo_curl_fail_kind(CURLE_UNSUPPORTED_PROTOCOL), HPO_CURL_BAD_URL);
	assert_int_equal(hpo_curl_fail_kind(CURLE_OUT_OF_MEMORY), HPO_CURL_NO_MEMORY);
	assert_int_equal(hpo_curl_fail_kind(CURLE_WRITE_ERROR), HPO_CURL_WRITE);
	assert_int_equal(hpo_curl_fail_kind(CURLE_READ_ERROR), HPO_CURL_READ);
	assert_int_equal(hpo_curl_fail_kind(CURLE_TOO_MANY_REDIRECTS), HPO_CURL_OTHER);
}

static void
test_reason(void **state)
{
	char buf[256];

	(void)state;
	/* the error buffer when it says something, trailing space dropped */
	hpo_curl_reason(CURLE_COULDNT_CONNECT, "Failed to connect to 127.0.0.1 port 9: "
			"Connection refused \n", buf, sizeof(buf));
	assert_string_equal(buf, "failed to connect to 127.0.0.1 port 9: Connection refused");
	/* an acronym keeps its case */
	hpo_curl_reason(CURLE_SSL_CONNECT_ERROR, "SSL connection timeout", buf, sizeof(buf));
	assert_string_equal(buf, "SSL connection timeout");
	/* else curl's text for the code */
	hpo_curl_reason(CURLE_OPERATION_TIMEDOUT, "", buf, sizeof(buf));
	assert_string_equal(buf, "timeout was reached");
	hpo_curl_reason(CURLE_OPERATION_TIMEDOUT, NULL, buf, sizeof(buf));
	assert_string_equal(buf, "timeout was reached");
	/* cut to the buffer */
	hpo_curl_reason(CURLE_OPERATION_TIMEDOUT, NULL, buf, 5);
	assert_string_equal(buf, "time");
}

static void
test_cert_alert(void **state)
{
	(void)state;
	/* as OpenSSL 3 words a server's refusal of our certificate */
	assert_string_equal(hpo_curl_cert_alert(CURLE_SSL_CONNECT_ERROR,
			    "OpenSSL/3.0.17: error:0A000416:SSL routines::sslv3 alert certificate unknown"),
			    "certificate unknown");
	assert_string_equal(hpo_curl_cert_alert(CURLE_RECV_ERROR,
			    "OpenSSL SSL_read: error:0A00045C:SSL routines::tlsv13 alert certificate "
			    "required, errno 0"), "certificate required");
	assert_string_equal(hpo_curl_cert_alert(CURLE_SEND_ERROR, "tlsv1 alert unknown ca"),
			    "unknown ca");
	assert_string_equal(hpo_curl_cert_alert(CURLE_SSL_CONNECT_ERROR,
			    "sslv3 alert certificate expired"), "certificate expired");
	/* other alerts, other failures: not a refused certificate */
	assert_null(hpo_curl_cert_alert(CURLE_SSL_CONNECT_ERROR, "sslv3 alert handshake failure"));
	assert_null(hpo_curl_cert_alert(CURLE_SSL_CONNECT_ERROR, "SSL connection timeout"));
	assert_null(hpo_curl_cert_alert(CURLE_COULDNT_CONNECT, "tlsv1 alert unknown ca"));
	assert_null(hpo_curl_cert_alert(CURLE_SSL_CONNECT_ERROR, NULL));
}

static void
test_first_line(void **state)
{
	char buf[256], big[1000];

	(void)state;
	hpo_curl_first_line("\r\n  Unable to open /data/x; permission denied\r\nmore\n", buf,
			    sizeof(buf));
	assert_string_equal(buf, "Unable to open /data/x; permission denied");
	hpo_curl_first_line(NULL, buf, sizeof(buf));
	assert_string_equal(buf, "");
	hpo_curl_first_line("  \n\t", buf, sizeof(buf));
	assert_string_equal(buf, "");
	/* control characters become spaces: no escape reaches a terminal */
	hpo_curl_first_line("a\033[31mred\tx", buf, sizeof(buf));
	assert_string_equal(buf, "a [31mred x");
	/* at most 200 bytes of a long line */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	hpo_curl_first_line(big, buf, sizeof(buf));
	assert_int_equal(strlen(buf), 200);
	hpo_curl_first_line(big, buf, 8);
	assert_string_equal(buf, "xxxxxxx");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kinds),
		cmocka_unit_test(test_reason),
		cmocka_unit_test(test_cert_alert),
		cmocka_unit_test(test_first_line),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
