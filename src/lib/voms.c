/* voms.c - the nickname in a proxy's VOMS attributes */
#include "autoconf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "voms.h"
#include "xmalloc.h"

/* The VOMS AC extension of a proxy (VOMS's own OID arc) */
#define VOMS_AC_OID "1.3.6.1.4.1.8005.100.100.5"

/* A generic attribute is SEQUENCE { name, value, qualifier }, each an
 * OCTET STRING; find the one named "nickname" in the DER of the AC. */
static char *
scan(const unsigned char *p, size_t n)
{
	static const unsigned char name[] = {0x04, 0x08, 'n', 'i', 'c', 'k', 'n', 'a', 'm', 'e'};

	for (size_t i = 0; i + sizeof(name) + 2 <= n; i++) {
		if (memcmp(p + i, name, sizeof(name)) != 0)
			continue;
		size_t v = i + sizeof(name), len;
		if (p[v] != 0x04 || (p[v + 1] & 0x80) != 0)
			continue;	/* short form lengths only: nicknames are short */
		len = p[v + 1];
		if (len == 0 || v + 2 + len > n)
			continue;
		for (size_t k = 0; k < len; k++) {
			unsigned char c = p[v + 2 + k];
			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			      (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.'))
				return NULL;	/* not a name a dataset could carry */
		}
		char *s = malloc(len + 1);
		if (s != NULL) {
			memcpy(s, p + v + 2, len);
			s[len] = '\0';
		}
		return s;
	}
	return NULL;
}

int
hpo_voms_nickname(const char *proxy, char **nick, struct hpo_err *err)
{
	ASN1_OBJECT *oid = OBJ_txt2obj(VOMS_AC_OID, 1);
	FILE *f;
	X509 *x;

	*nick = NULL;
	if (oid == NULL)
		hpo_oom();
	if ((f = fopen(proxy, "re")) == NULL) {
		ASN1_OBJECT_free(oid);
		return hpo_err_sys(err, "%s", proxy);
	}
	while (*nick == NULL && (x = PEM_read_X509(f, NULL, NULL, NULL)) != NULL) {
		int i = X509_get_ext_by_OBJ(x, oid, -1);
		if (i >= 0) {
			ASN1_OCTET_STRING *d = X509_EXTENSION_get_data(X509_get_ext(x, i));
			*nick = scan(ASN1_STRING_get0_data(d), (size_t)ASN1_STRING_length(d));
		}
		X509_free(x);
	}
	ERR_clear_error();
	fclose(f);
	ASN1_OBJECT_free(oid);
	return 0;
}
