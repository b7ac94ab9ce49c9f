/* fuzz_ckptname.c - names a checkpoint store lists (a generation
 * `gen-<N>-<adler32>-<size>.tar.zst`, a save's temporary, anything else)
 * and archive entry names.  Invariants: a name parsed as a generation
 * formats back to itself; a cleaned entry name is relative and has no '..'
 * component. */
#include "autoconf.h"

#include <stdlib.h>
#include <string.h>

#include "ckpt.h"
#include "fuzz.h"
#include "tarstream.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char name[512], again[128], clean[256];
	struct hpo_ckpt_gen g;

	if (size >= sizeof name)
		return 0;
	memcpy(name, data, size);
	name[size] = '\0';
	if (hpo_ckpt_parse(name, &g) == 0) {
		hpo_ckpt_format(again, sizeof again, g.number, &g.sum, g.comp);
		if (strcmp(again, name) != 0 || strcmp(g.name, name) != 0)
			abort();
	}
	(void)hpo_ckpt_is_temp(name);
	if (hpo_tar_clean_name(name, clean, sizeof clean) == 0) {
		size_t n = strlen(clean);
		if (clean[0] == '/' || strcmp(clean, "..") == 0 || strncmp(clean, "../", 3) == 0 ||
		    (n >= 3 && strcmp(clean + n - 3, "/..") == 0) || strstr(clean, "/../") != NULL)
			abort();
	}
	return 0;
}
