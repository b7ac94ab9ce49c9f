/* url.h - text for URLs
 *
 * The task database opens SQLite with a "file:" URI of its path (store.c)
 * and phpo quotes job parameters as Python's urllib does (taskparams.c):
 * one quoting serves both.
 */
#ifndef HPO_URL_H
#define HPO_URL_H

/* Python's urllib.parse.quote(s) (safe "/"): every byte but letters,
 * digits, "_.-~/" as %XX (upper case).  Malloc'ed; NULL when out of memory. */
char *hpo_url_quote(const char *s);

#endif
