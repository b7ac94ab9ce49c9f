/* fuzz.h - what every harness shares: the libFuzzer entry point and a few
 * helpers.  A harness is one file, fuzz_NAME.c, that defines
 * LLVMFuzzerTestOneInput; `make fuzz` links it with libFuzzer (clang,
 * tests/fuzz/run), `make check` links it with replay.c and feeds it the
 * corpus and the regress inputs, so what a campaign once found stays found.
 *
 * A harness must never crash, leak or hang on any input, and must leave
 * nothing behind (temporary directories are removed).
 */
#ifndef HPO_FUZZ_H
#define HPO_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
