/* sandbox.h - the task's files, as phpo collects them
 *
 * phpo sends the files below the working directory that match *.json,
 * *.py, *.sh and *.yaml; evaluations and steering find them in their working
 * directory.  The local engine snapshots the same files when a task is
 * created and copies them into each working directory, so a task that works
 * here finds the same files on the Grid.
 */
#ifndef HPO_SANDBOX_H
#define HPO_SANDBOX_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "err.h"

/* PanDA's limit for a sandbox whose name does not start with "sources."
 * (panda-client Client.py NO_BUILD_LIMIT, panda-server file_server_api
 * SANDBOX_NO_BUILD_LIMIT: 10 MiB; larger is refused, equal is accepted).
 * phpo's jobO.*.tar sandboxes fall under it. */
#define HPO_SANDBOX_MAX (10u * 1024 * 1024)
/* The server checks that limit on the upload's Content-Length
 * (file_server_api.py: upload_cache_file, _get_content_length): the whole
 * multipart body, the archive and its envelope.  The envelope that
 * hpo_http_post_file (libcurl's MIME) puts around an archive named
 * jobO.<uuid>.tar, at most: "--" boundary CRLF (boundaries are at most 70
 * characters, RFC 2046; libcurl's are 40 to 46), the part's headers
 * Content-Disposition: form-data; name="file"; filename="<45 characters>"
 * CRLF and Content-Type: application/octet-stream CRLF, a blank line, the
 * archive, CRLF, "--" boundary "--" CRLF. */
#define HPO_SANDBOX_ENVELOPE (74 + 103 + 40 + 2 + 2 + 76)
#define HPO_SANDBOX_MAX_FILES 10000

struct hpo_sandbox {
	char **files;		/* paths relative to the root, sorted */
	size_t n;
	uint64_t bytes;
};

/* Collect the files below dir: those that match phpo's patterns *.json,
 * *.py, *.sh and *.yaml or a pattern of include, less those that match a
 * pattern of exclude (include and exclude: JSON lists of strings, the task
 * file's sandbox.include and sandbox.exclude, or NULL for none).  A pattern
 * is an fnmatch(3) pattern without flags, so '*' and '?' match '/' too; one
 * without '/' is matched against the file's name, one with '/' against its
 * path relative to dir (a leading "./" is ignored).  Hidden entries,
 * symbolic links and the directory skip, when not NULL, are always left
 * out.  Over HPO_SANDBOX_MAX bytes or HPO_SANDBOX_MAX_FILES files is an
 * HPO_E_INPUT error, since PanDA would refuse the same sandbox.  So is a
 * file that holds a credential (secret.h), since PanDA's cache server hands
 * the sandbox to anyone, unless include names it: a pattern without
 * wildcards that matches it. */
int hpo_sandbox_collect(const char *dir, const char *skip, const json_t *include,
			const json_t *exclude, struct hpo_sandbox *sb, struct hpo_err *err);
/* Whether a pattern of the form hpo_sandbox_collect takes matches the file
 * at rel (a path relative to the task directory). */
int hpo_sandbox_match(const char *pattern, const char *rel);
/* Copy the collected files from src into dest (created as needed). */
int hpo_sandbox_copy(const struct hpo_sandbox *sb, const char *src, const char *dest,
		     struct hpo_err *err);
void hpo_sandbox_free(struct hpo_sandbox *sb);

/* Pack the collected files (below root) into a gzipped tar written
 * through fd (an empty file, at offset 0; the caller's, left open: a file
 * of no name from hpo_file_anon, so that nothing is left behind), as
 * phpo's "find | tar cfz" does, but reproducibly: GNU tar format, entries
 * "./<path>" in sorted order, regular files only, modes kept, mtime 0,
 * uid/gid 0 with empty user and group names, and a gzip header without
 * name or time.  The same files give a byte-identical archive.  An archive
 * that, with HPO_SANDBOX_ENVELOPE, is over HPO_SANDBOX_MAX bytes is an
 * HPO_E_INPUT error, as the server would refuse its upload.  size gets the
 * archive's size; crc32_trailer the CRC32 from the gzip trailer (the CRC32
 * of the uncompressed tar), which panda-client sends as "checksum" to
 * file_server/validate_cache_file.  size and crc32_trailer may be NULL.
 * Messages name `what`. */
int hpo_sandbox_tar_fd(const struct hpo_sandbox *sb, const char *root, int fd, const char *what,
		       uint64_t *size, uint32_t *crc32_trailer, struct hpo_err *err);

/* The cache-server name of a sandbox archive: "jobO.<uuid>.tar" like phpo
 * (which gzips it but names it .tar, with a random uuid4).  Ours is derived
 * from the SHA-256 of the archive, the user (nickname) and the UTC day of
 * `when` (RFC 9562 version 8 layout), so the same archive gives the same
 * name for the same user on the same day.  The user and day are in because
 * the cache server refuses to overwrite an existing name ("cannot overwrite
 * file") while it finds reusable sandboxes only per user and for 3 days.
 * Malloc'ed; NULL with err set on failure. */
char *hpo_sandbox_name(const char *tar_path, const char *user, time_t when,
		       struct hpo_err *err);

#endif
