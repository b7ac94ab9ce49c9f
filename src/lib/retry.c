/* retry.c - how long to wait before trying again (retry.h) */
#include "autoconf.h"

#include <math.h>

#include "retry.h"

double
hpo_retry_delay(double base, int n, double retry_after, double u)
{
	double cap;

	if (retry_after >= 0)
		return retry_after < HPO_RETRY_MAX_AFTER ? retry_after : HPO_RETRY_MAX_AFTER;
	cap = base * ldexp(1.0, n < 62 ? n : 62);
	if (!(cap < HPO_RETRY_MAX_DELAY))
		cap = HPO_RETRY_MAX_DELAY;
	return u * cap;
}
