/* jsontext.h - JSON text whose numbers people can read
 *
 * jansson writes every real with 17 significant digits (0.47588791959999999,
 * 1.0000000000000001e-05).  Here each real is written in the shortest form
 * that reads back to the same double (0.4758879196, 1e-05), or, for tables,
 * with a given number of significant digits.  Reals stay reals (1.0, not 1);
 * integers and strings are left as they are.
 */
#ifndef HPO_JSONTEXT_H
#define HPO_JSONTEXT_H

#include <stdio.h>

#include <jansson.h>

/* v (any JSON value) as json_dumps(v, flags) writes it, reals shortened;
 * digits 0: the shortest round trip, else that many significant digits.
 * Never NULL. */
char *hpo_json_text(const json_t *v, size_t flags, int digits);

/* Write v with the shortest round-trip reals to f; -1 when writing fails. */
int hpo_json_print(FILE *f, const json_t *v, size_t flags);

/* The shortest text (%.15g to %.17g) that strtod reads back as x. */
void hpo_real_text(double x, char *buf, size_t len);

#endif
