/* test_secret.c - credentials in a file's text */
#include "autoconf.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "secret.h"

/* what hpo_secret_find says of text in a file called name, "" for nothing;
 * line gets the line */
static const char *
found(const char *name, const char *text, size_t *line)
{
	const char *what = NULL;
	size_t l = 0;

	if (!hpo_secret_find(text, strlen(text), name, &what, &l))
		return "";
	if (line != NULL)
		*line = l;
	return what;
}

static void
test_private_keys(void **state)
{
	size_t line = 0;

	(void)state;
	assert_string_equal(found("k.py", "x = 1\nKEY = '''\n-----BEGIN RSA PRIVATE KEY-----\nMIIE\n", &line),
			    "a private key");
	assert_int_equal(line, 3);
	assert_string_equal(found("p.json", "{\"private_key\": \"-----BEGIN PRIVATE KEY-----\\nMII\"}", NULL),
			    "a private key");
	assert_string_equal(found("a.sh", "-----BEGIN OPENSSH PRIVATE KEY-----", NULL), "a private key");
	assert_string_equal(found("a.sh", "-----BEGIN ENCRYPTED PRIVATE KEY-----", NULL), "a private key");
	/* a grid proxy: certificates and the key */
	assert_string_equal(found("x.yaml", "-----BEGIN CERTIFICATE-----\nMII\n-----END CERTIFICATE-----\n"
					    "-----BEGIN PRIVATE KEY-----\n", &line), "a private key");
	assert_int_equal(line, 4);
	/* certificates and public keys are no secret */
	assert_string_equal(found("c.yaml", "-----BEGIN CERTIFICATE-----\n-----BEGIN PUBLIC KEY-----\n", NULL), "");
	assert_string_equal(found("c.py", "# the PRIVATE KEY goes in ~/.ssh\n", NULL), "");
}

static void
test_tokens(void **state)
{
	size_t line = 0;

	(void)state;
	assert_string_equal(found("t.sh", "curl -H 'Authorization: Bearer "
					  "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ0ZXN0ZXIifQ.c2ln'\n", &line),
			    "a bearer token (a JSON Web Token)");
	assert_int_equal(line, 1);
	/* an unsigned one, its third part empty */
	assert_string_equal(found("t.json", "{\"t\": \"eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.\"}", NULL),
			    "a bearer token (a JSON Web Token)");
	/* not a token: one part, or short ones, or inside a longer word */
	assert_string_equal(found("t.py", "s = 'eyJhbGciOiJub25lIn0'\n", NULL), "");
	assert_string_equal(found("t.py", "eyJa.eyJb.c\n", NULL), "");
	assert_string_equal(found("t.py", "xeyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.\n", NULL), "");
	assert_string_equal(found("k.yaml", "aws_access_key_id: AKIAIOSFODNN7EXAMPLE\n", NULL),
			    "an AWS access key");
	assert_string_equal(found("k.yaml", "id: AKIAIOSFODNN7EXAMPL\n", NULL), "");
}

static void
test_passwords(void **state)
{
	size_t line = 0;

	(void)state;
	/* .netrc lines */
	assert_string_equal(found("n.sh", "machine example.org login me password hunter2\n", NULL),
			    "a password (.netrc)");
	assert_string_equal(found("n.sh", "machine example.org\n  login me\n  password hunter2\n", &line),
			    "a password (.netrc)");
	assert_int_equal(line, 3);
	/* key and literal value, in YAML, JSON, shell, Python */
	assert_string_equal(found("c.yaml", "db:\n  password: hunter2\n", &line), "a password");
	assert_int_equal(line, 2);
	assert_string_equal(found("c.yaml", "db_password: 'hunter2'\n", NULL), "a password");
	assert_string_equal(found("c.json", "{\"user\": \"me\", \"password\": \"hunter2\"}", NULL), "a password");
	assert_string_equal(found("s.sh", "export DB_PASSWD=hunter2\n", NULL), "a password");
	assert_string_equal(found("s.py", "connect(user='me', password='hunter2')\n", NULL), "a password");
	assert_string_equal(found("s.py", "PASSPHRASE = \"correct horse\"\n", NULL), "a password");
	/* no literal: variables, expressions, placeholders, empty, null, tags,
	 * comparisons, options */
	assert_string_equal(found("s.sh", "PASSWORD=$DB_PASSWORD\nPASSWORD=\"${X}\"\n", NULL), "");
	assert_string_equal(found("s.py", "password = os.environ['DB_PASSWORD']\n"
					  "password = getpass()\nif password == 'x': pass\n"
					  "p.add_argument('--password', help='the password')\n", NULL), "");
	assert_string_equal(found("c.yaml", "password: ${DB_PASSWORD}\npassword: <your password>\n"
					    "password: ''\npassword: null\npassword: !ENV X\npassword:\n", NULL), "");
	assert_string_equal(found("c.json", "{\"password\": null, \"passwd\": {\"type\": \"string\"}}", NULL), "");
	assert_string_equal(found("r.py", "# enter your password when asked\nprint('password: ')\n", NULL), "");
	assert_string_equal(found("e.yaml", "", NULL), "");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_private_keys),
		cmocka_unit_test(test_tokens),
		cmocka_unit_test(test_passwords),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
