/* secret.h - credentials in a file's text
 *
 * The sandbox goes to PanDA's cache server, whose web server hands its
 * files to anyone who asks (/cache/<name>), so a file that holds a
 * credential must not go in by accident.  What counts:
 *
 *   a private key      a "-----BEGIN ... PRIVATE KEY-----" line (PEM, OpenSSH,
 *                      PGP; a grid proxy holds one)
 *   a bearer token     a JSON Web Token: two base64url parts starting "eyJ"
 *                      (the encoding of '{"') and a third, joined by dots
 *   an AWS access key  "AKIA" and 16 capitals or digits
 *   a password         a .netrc line (machine ... password X, or a line
 *                      "password X"), or a key holding "password", "passwd"
 *                      or "passphrase" given a literal value: quoted, or in
 *                      files other than *.py and *.json unquoted
 *                      (password: x, PASSWORD=x); a value that is empty,
 *                      null, a variable ($X, ${X}), a placeholder (<...>) or
 *                      a YAML tag is not one
 */
#ifndef HPO_SECRET_H
#define HPO_SECRET_H

#include <stddef.h>

/* The first credential in buf (len bytes, the text of the file called
 * name, which decides whether unquoted values count): 1 with *what (a
 * static phrase such as "a private key") and *line (from 1), 0 if none. */
int hpo_secret_find(const char *buf, size_t len, const char *name, const char **what,
		    size_t *line);

#endif
