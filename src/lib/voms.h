/* voms.h - what an ATLAS grid proxy says about its owner
 *
 * The VOMS attribute certificate in a proxy carries generic attributes;
 * ATLAS puts the user's nickname there ("nickname = jdoe (atlas)" in
 * voms-proxy-info), and output dataset names start with user.<nickname>.
 */
#ifndef HPO_VOMS_H
#define HPO_VOMS_H

#include "err.h"

/* The nickname from the proxy's VOMS attributes: 0 with *nick set, or 0
 * with *nick NULL when the proxy has none; -1 when the file cannot be read. */
int hpo_voms_nickname(const char *proxy, char **nick, struct hpo_err *err);

#endif
