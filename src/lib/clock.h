/* clock.h - wall-clock time and sleeping */
#ifndef HPO_CLOCK_H
#define HPO_CLOCK_H

/* Seconds since the epoch, with sub-second precision. */
double hpo_now(void);
/* Seconds on a clock that never jumps (durations, deadlines). */
double hpo_mono(void);
/* Sleep for this many seconds (nothing when <= 0), through signals that
 * interrupt nanosleep. */
void hpo_sleep(double seconds);

#endif
