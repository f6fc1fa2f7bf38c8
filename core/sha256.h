/* sha256.h - SHA-256 digests of buffers and files (model provenance) */
#ifndef NT_SHA256_H
#define NT_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct nt_sha256 {
	uint32_t h[8];
	uint64_t len;
	unsigned char buf[64];
	size_t used;
};

/* Start, feed and finish a digest; out gets 32 bytes. */
void nt_sha256_init(struct nt_sha256 *c);
void nt_sha256_update(struct nt_sha256 *c, const void *data, size_t n);
void nt_sha256_final(struct nt_sha256 *c, unsigned char out[32]);

/* Write "sha256:<64 hex>" of path into out (>= 72 bytes). For a directory, the
 * digest covers the sorted names and contents of its regular files.
 * Returns NT_OK, NT_ENOTFOUND or NT_EIO. */
int nt_sha256_path(const char *path, char *out, size_t outlen);

#endif /* NT_SHA256_H */
