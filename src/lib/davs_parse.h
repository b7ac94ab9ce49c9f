/* davs_parse.h - what a WebDAV server answers, read: a PROPFIND listing
 * and a Digest header.  Apart from ckpt_davs.c's transfers so that the
 * fuzzers and unit tests reach them without a server. */
#ifndef HPO_DAVS_PARSE_H
#define HPO_DAVS_PARSE_H

#include <stddef.h>
#include <stdint.h>

#include "ckpt.h"
#include "err.h"

/* The plain files of a PROPFIND Depth: 1 answer (207 Multi-Status) for
 * the collection whose path (decoded, with its trailing slash) is
 * coll_path: each response whose href names a file directly inside it and
 * that has a getcontentlength of digits; the collection itself,
 * sub-collections, hrefs elsewhere and names holding a NUL, a slash or
 * nothing are left out.  *out (n entries) is malloc'ed; free with
 * hpo_ckpt_entries_free. */
void hpo_davs_listing(const char *coll_path, const char *xml, size_t len,
		      struct hpo_ckpt_entry **out, size_t *n);

/* A header line "Digest: adler32=0a1b2c3d[, md5=...]" (any case, len bytes,
 * not NUL-terminated): 1 and *adler set when it carries an adler32 of
 * exactly 8 hex digits, else 0. */
int hpo_davs_digest_adler32(const char *line, size_t len, uint32_t *adler);

#endif
