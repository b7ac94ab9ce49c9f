/* tarstream.h - checkpoint archives as byte streams
 *
 * Packing walks PATHs (relative to the working directory) into a
 * compressed tar (pax) that leaves through a byte sink, block by block:
 * no temporary file, memory bounded by libarchive's and the compressor's
 * buffers whatever the size of the files.  The adler32 and the size of the
 * compressed bytes are computed on the way, so the store can be asked to
 * confirm them.
 *
 * Unpacking pulls bytes from a source, verifies their adler32 and size,
 * and extracts into a fresh temporary directory inside the target
 * directory (same file system, so entries can be renamed into place; the
 * target's parent may not be writable in a job).  Only when the whole
 * archive extracted and verified are its entries moved into the target:
 * directories are merged, other entries replace what is there, one rename
 * each.  A damaged, truncated or hostile archive leaves the target as it
 * was.
 *
 * Refused entries (the whole archive is refused): absolute names, '..'
 * components, symbolic links whose target is absolute or climbs above
 * the target (only leading '..' components are allowed, no more than the
 * link's depth: so no chain of links can lead outside either), hard links
 * to names refused by the same rules, devices, FIFOs and sockets.  On top,
 * libarchive extracts with ARCHIVE_EXTRACT_SECURE_SYMLINKS and
 * ARCHIVE_EXTRACT_SECURE_NODOTDOT; set-user/group-id bits are dropped and
 * owners are not restored.
 */
#ifndef HPO_TARSTREAM_H
#define HPO_TARSTREAM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "err.h"

enum hpo_tar_comp { HPO_TAR_ZSTD, HPO_TAR_GZIP };

/* ".tar.zst" or ".tar.gz" */
const char *hpo_tar_suffix(enum hpo_tar_comp comp);

struct hpo_tar_sum {
	uint32_t adler32;	/* of the compressed bytes, zlib's adler32 */
	uint64_t size;		/* number of compressed bytes */
};

/* Consume len bytes; 0 or -1 with err set (the error is then the pack's). */
typedef int (*hpo_sink_fn)(void *ctx, const void *buf, size_t len, struct hpo_err *err);
/* Produce up to len bytes: their number, 0 at the end, -1 with err set. */
typedef ssize_t (*hpo_source_fn)(void *ctx, void *buf, size_t len, struct hpo_err *err);

/* Pack paths (relative, no '..': HPO_E_INPUT otherwise) into sink.
 * Directories recursively (names sorted), regular files, symbolic links as
 * links, empty files and directories.  FIFOs, sockets and devices are
 * skipped with a warning.  The paths are checked first as
 * hpo_tar_check_paths does.  sum gets the adler32 and size of what went
 * into the sink. */
int hpo_tar_pack(const char *const *paths, size_t npaths, enum hpo_tar_comp comp,
		 hpo_sink_fn sink, void *ctx, struct hpo_tar_sum *sum, struct hpo_err *err);

/* 0 when every path is a name pack takes (relative, no '..': HPO_E_INPUT
 * otherwise) and is there ("NAME: no such file or directory", HPO_E_SYS,
 * otherwise): a caller checks before it makes anything to pack into. */
int hpo_tar_check_paths(const char *const *paths, size_t npaths, struct hpo_err *err);

/* Unpack from src into dir (which must exist).  When want is not NULL the
 * bytes must have that adler32 and size.  got, if not NULL, gets what was
 * read.  Errors: HPO_E_INPUT for a damaged, truncated or refused archive
 * (message starts "damaged" or "refused"), the source's own error, or
 * HPO_E_SYS, whose message names the entry relative to dir, or nothing
 * when it is about dir itself: the caller names dir ("ckpt/w.bin: disk
 * full" for ENOSPC and EDQUOT, "permission denied" for EACCES, EPERM). */
int hpo_tar_unpack(hpo_source_fn src, void *ctx, const char *dir,
		   const struct hpo_tar_sum *want, struct hpo_tar_sum *got, struct hpo_err *err);

/* An archive entry's name made safe: "./a//b/./c" -> "a/b/c" in out
 * (size outlen); 1 when the name is the top directory itself ("." or
 * "./"), 0 when usable, -1 when refused (absolute, '..', too long). */
int hpo_tar_clean_name(const char *name, char *out, size_t outlen);
/* 0 when a symbolic link at name (clean) with target stays inside. */
int hpo_tar_link_ok(const char *name, const char *target);

/* A fingerprint of what pack would read: names, types, sizes,
 * modification times, inodes and link targets.  Missing paths count as
 * missing, not as errors. */
int hpo_tar_fingerprint(const char *const *paths, size_t npaths, uint64_t *fp,
			struct hpo_err *err);

#endif
