/* ckpt_url.c - a checkpoint location from its URL: the scheme picks its kind */
#include "autoconf.h"

#include <string.h>

#include "ckpt.h"

int
hpo_ckpt_open(const char *url, struct hpo_ckpt_loc **out, struct hpo_err *err)
{
	const char *sep = strstr(url, "://");

	if (sep == NULL)
		return hpo_ckpt_loc_file(url, out, err);
	if (strncmp(url, "file://", 7) == 0) {
		const char *p = url + 7;
		if (strncmp(p, "localhost/", 10) == 0)
			p += 9;
		if (*p != '/')
			return hpo_err_set(err, HPO_E_INPUT,
					   "%s: a file URL names a local path: file:///path", url);
		return hpo_ckpt_loc_file(p, out, err);
	}
	if (strncmp(url, "davs://", 7) == 0 || strncmp(url, "https://", 8) == 0)
		return hpo_ckpt_loc_davs(url, out, err);
	if (strncmp(url, "panda://", 8) == 0)
		return hpo_ckpt_loc_panda(url, out, err);
	if (strncmp(url, "http://", 7) == 0 || strncmp(url, "dav://", 6) == 0)
		return hpo_err_set(err, HPO_E_INPUT, "%s: plain http is not allowed: use davs://",
				   url);
	return hpo_err_set(err, HPO_E_INPUT, "%s: unknown scheme '%.*s'", url,
			   (int)(sep - url), url);
}
