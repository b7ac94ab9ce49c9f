/* test_davs_parse.c - a PROPFIND listing and a Digest header, read */
#include "autoconf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "davs_parse.h"

static void
listn(const char *xml, size_t len, struct hpo_ckpt_entry **e, size_t *n)
{
	hpo_davs_listing("/data/ckpt/", xml, len, e, n);
}

static void
list(const char *xml, struct hpo_ckpt_entry **e, size_t *n)
{
	listn(xml, strlen(xml), e, n);
}

static void
test_listing(void **state)
{
	/* XRootD's shape: prefixes per element, the collection itself first */
	static const char xml[] =
		"<D:multistatus xmlns:D=\"DAV:\">"
		"<D:response><D:href>/data/ckpt/</D:href><D:propstat><D:prop>"
		"<lp1:getcontentlength>4096</lp1:getcontentlength>"
		"<lp1:resourcetype><D:collection/></lp1:resourcetype></D:prop></D:propstat></D:response>"
		"<D:response><D:href>/data/ckpt/gen-00000001-0a1b2c3d-1234.tar.zst</D:href><D:propstat>"
		"<D:prop><lp1:getcontentlength>1234</lp1:getcontentlength>"
		"<lp1:getlastmodified>Sun, 06 Dec 2026 04:51:00 GMT</lp1:getlastmodified>"
		"<lp1:resourcetype/></D:prop></D:propstat></D:response>"
		"<D:response><D:href>https://h:1094//data/ckpt/a%20b&amp;c</D:href>"
		"<D:getcontentlength>0</D:getcontentlength></D:response>"
		"<D:response><D:href>/data/ckpt/sub/</D:href><D:getcontentlength>0</D:getcontentlength>"
		"</D:response>"
		"<D:response><D:href>/elsewhere/x</D:href><D:getcontentlength>1</D:getcontentlength>"
		"</D:response>"
		"</D:multistatus>";
	struct hpo_ckpt_entry *e;
	size_t n;

	(void)state;
	list(xml, &e, &n);
	assert_int_equal(n, 2);
	assert_string_equal(e[0].name, "gen-00000001-0a1b2c3d-1234.tar.zst");
	assert_true(e[0].size == 1234);
	assert_true(e[0].mtime == 1796532660.0);	/* 2026-12-06 04:51:00 UTC */
	assert_string_equal(e[1].name, "a b&c");
	assert_true(e[1].size == 0 && e[1].mtime == 0);
	hpo_ckpt_entries_free(e, n);
}

/* what a broken or hostile server may send is left out, never misread */
static void
test_listing_hostile(void **state)
{
	struct hpo_ckpt_entry *e;
	size_t n;

	(void)state;
	/* a %00 must not cut the name short: "good" would name another file */
	list("<response><href>/data/ckpt/good%00/../x</href><getcontentlength>1</getcontentlength>"
	     "</response>", &e, &n);
	assert_int_equal(n, 0);
	hpo_ckpt_entries_free(e, n);
	/* a raw NUL, not only %00 (the davs fuzzer), and the names . and .. */
	static const char raw[] =
		"<response><href>/data/ckpt/.\0x</href><getcontentlength>1</getcontentlength></response>"
		"<response><href>/data/ckpt/..</href><getcontentlength>1</getcontentlength></response>"
		"<response><href>/data/ckpt/%2e</href><getcontentlength>1</getcontentlength></response>";
	listn(raw, sizeof(raw) - 1, &e, &n);
	assert_int_equal(n, 0);
	hpo_ckpt_entries_free(e, n);
	/* a size that is no number, negative or past 2^64 */
	list("<response><href>/data/ckpt/a</href><getcontentlength>-1</getcontentlength></response>"
	     "<response><href>/data/ckpt/b</href><getcontentlength>x</getcontentlength></response>"
	     "<response><href>/data/ckpt/c</href><getcontentlength>18446744073709551616"
	     "</getcontentlength></response>"
	     "<response><href>/data/ckpt/d</href><getcontentlength>18446744073709551615"
	     "</getcontentlength></response>", &e, &n);
	assert_int_equal(n, 1);
	assert_string_equal(e[0].name, "d");
	assert_true(e[0].size == UINT64_MAX);
	hpo_ckpt_entries_free(e, n);
	/* cut short anywhere */
	list("<response><href>/data/ckpt/a</href><getcontentlength>1</getcontentlength", &e, &n);
	assert_int_equal(n, 0);
	hpo_ckpt_entries_free(e, n);
	list("<response><href>/data/ckpt/a", &e, &n);
	assert_int_equal(n, 0);
	hpo_ckpt_entries_free(e, n);
	list("", &e, &n);
	assert_int_equal(n, 0);
	hpo_ckpt_entries_free(e, n);
}

static int
digest(const char *line, uint32_t *a)
{
	return hpo_davs_digest_adler32(line, strlen(line), a);
}

static void
test_digest(void **state)
{
	uint32_t a = 0;

	(void)state;
	assert_int_equal(digest("Digest: adler32=0a1b2c3d\r\n", &a), 1);
	assert_true(a == 0x0a1b2c3d);
	assert_int_equal(digest("digest: md5=abc==, ADLER32=FFFFFFFF", &a), 1);
	assert_true(a == 0xffffffff);
	assert_int_equal(digest("Digest: adler32=0a1b2c3\r\n", &a), 0);
	assert_int_equal(digest("Digest: adler32=0a1b2c3d9\r\n", &a), 0);
	assert_int_equal(digest("Digest: adler32=+a1b2c3d", &a), 0);
	assert_int_equal(digest("Digest: adler32=0x1b2c3d", &a), 0);
	assert_int_equal(digest("Digest: sha-256=adler32=0a1b2c3d", &a), 0);
	assert_int_equal(digest("Content-Length: 5", &a), 0);
	assert_int_equal(digest("Digest:", &a), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_listing),
		cmocka_unit_test(test_listing_hostile),
		cmocka_unit_test(test_digest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
