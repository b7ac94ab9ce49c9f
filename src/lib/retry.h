/* retry.h - how long to wait before trying again: one rule for the suite
 *
 * Every retry of a failure that may pass (a PanDA request, a WebDAV
 * transfer, a whole checkpoint save, a read resumed at its byte) waits
 * hpo_retry_delay: exponential backoff with full jitter, so that the jobs
 * of one task that failed together do not come back together, capped so
 * that a long run of failures still tries every half minute; or what the
 * server asked for with Retry-After, within reason. */
#ifndef HPO_RETRY_H
#define HPO_RETRY_H

#define HPO_RETRY_MAX_DELAY 30.0	/* the longest backoff delay, s */
#define HPO_RETRY_MAX_AFTER 60.0	/* the longest wait a server may ask for, s */

/* The delay before retry n+1 (n from 0): min(retry_after, 60) when
 * retry_after >= 0, else u * min(30, base * 2^n) for u uniform in [0, 1]. */
double hpo_retry_delay(double base, int n, double retry_after, double u);

#endif
