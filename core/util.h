/* util.h - small helpers shared by the core: errors, growable buffers, strings, files */
#ifndef NT_UTIL_H
#define NT_UTIL_H

#include <stddef.h>
#include <stdarg.h>
#include <string.h>
#include "newstag/plugin.h"

#if defined(__GNUC__)
#define NT_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define NT_PRINTF(a, b)
#endif

/* Fill err (may be NULL) with code and a formatted message; returns code. */
int nt_seterr(struct nt_error *err, int code, const char *fmt, ...) NT_PRINTF(3, 4);

/* A growable byte buffer. Zero-initialise; free with nt_buf_free. */
struct nt_buf {
	char *data;
	size_t len;
	size_t cap;
};

/* Make room for at least n more bytes. NT_OK or NT_ENOMEM (buffer unchanged). */
int nt_buf_reserve(struct nt_buf *b, size_t n);
/* Append n bytes (NUL kept after len, not counted). NT_OK or NT_ENOMEM. Inline: the
 * record writer appends a few bytes at a time. */
static inline int nt_buf_append(struct nt_buf *b, const void *p, size_t n)
{
	if (b->cap - b->len <= n && nt_buf_reserve(b, n) != NT_OK)
		return NT_ENOMEM;
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
	return NT_OK;
}
/* Append a formatted string (NUL kept after len, not counted). NT_OK or NT_ENOMEM. */
int nt_buf_printf(struct nt_buf *b, const char *fmt, ...) NT_PRINTF(2, 3);
/* Append the decimal digits of u (no printf). NT_OK or NT_ENOMEM. */
int nt_buf_append_uint(struct nt_buf *b, unsigned long long u);
void nt_buf_free(struct nt_buf *b);

/* The first byte in [p, end) that a JSON string cannot hold as is: '"', '\\' or a
 * control byte (< 0x20); end if none. Sixteen bytes at a time where SSE2 exists. */
const char *nt_json_special(const char *p, const char *end);

/* strdup that returns NULL on NULL input or out of memory. */
char *nt_strdup(const char *s);
/* Join dir and name with '/', malloc'd; NULL when out of memory. */
char *nt_path_join(const char *dir, const char *name);

/* Read a whole regular file into a malloc'd buffer (NUL appended, not counted).
 * Errors name the path: not found, a directory, unreadable, over max bytes. */
int nt_read_file(const char *path, size_t max, char **data, size_t *len, struct nt_error *err);

/* Nonzero when path is an existing directory / regular file. */
int nt_is_dir(const char *path);
int nt_is_file(const char *path);

#endif /* NT_UTIL_H */
