/* util.c - small helpers shared by the core: errors, growable buffers, strings, files */
#include "config.h"
#include "util.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

int nt_seterr(struct nt_error *err, int code, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		err->code = code;
		va_start(ap, fmt);
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		va_end(ap);
	}
	return code;
}

int nt_buf_reserve(struct nt_buf *b, size_t n)
{
	if (b->cap - b->len > n)
		return NT_OK;
	size_t want = b->len + n + 1;
	if (want < b->len)
		return NT_ENOMEM;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < want) {
		if (cap > ((size_t)-1) / 2)
			return NT_ENOMEM;
		cap *= 2;
	}
	char *p = realloc(b->data, cap);
	if (!p)
		return NT_ENOMEM;
	b->data = p;
	b->cap = cap;
	return NT_OK;
}

int nt_buf_printf(struct nt_buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || nt_buf_reserve(b, (size_t)n + 1) != NT_OK)
		return NT_ENOMEM;
	va_start(ap, fmt);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return NT_OK;
}

int nt_buf_append_uint(struct nt_buf *b, unsigned long long u)
{
	char tmp[24], *p = tmp + sizeof tmp;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	return nt_buf_append(b, p, (size_t)(tmp + sizeof tmp - p));
}

void nt_buf_free(struct nt_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

const char *nt_json_special(const char *p, const char *end)
{
#ifdef __SSE2__
	const __m128i quote = _mm_set1_epi8('"'), bslash = _mm_set1_epi8('\\'), ctl = _mm_set1_epi8(0x1F);
	while (end - p >= 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(const void *)p);
		__m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, bslash)),
		                           _mm_cmpeq_epi8(_mm_max_epu8(x, ctl), ctl));
		int mask = _mm_movemask_epi8(hit);
		if (mask)
			return p + __builtin_ctz((unsigned)mask);
		p += 16;
	}
#endif
	for (; p < end; p++)
		if (*p == '"' || *p == '\\' || (unsigned char)*p < 0x20)
			return p;
	return end;
}

char *nt_strdup(const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s) + 1;
	char *p = malloc(n);
	if (p)
		memcpy(p, s, n);
	return p;
}

char *nt_path_join(const char *dir, const char *name)
{
	size_t a = strlen(dir), b = strlen(name);
	char *p = malloc(a + b + 2);
	if (!p)
		return NULL;
	memcpy(p, dir, a);
	size_t o = a;
	if (a && dir[a - 1] != '/')
		p[o++] = '/';
	memcpy(p + o, name, b + 1);
	return p;
}

int nt_is_dir(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int nt_is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int nt_read_file(const char *path, size_t max, char **data, size_t *len, struct nt_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return nt_seterr(err, errno == ENOENT ? NT_ENOTFOUND : NT_EIO, "%s: %s", path,
		                 strerror(errno));
	struct stat st;
	if (fstat(fd, &st) != 0) {
		int e = errno;
		close(fd);
		return nt_seterr(err, NT_EIO, "%s: %s", path, strerror(e));
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		return nt_seterr(err, NT_EINVAL, "%s: is a directory, not a file", path);
	}
	struct nt_buf b = {0};
	for (;;) {
		if (nt_buf_reserve(&b, 65536) != NT_OK) {
			close(fd);
			nt_buf_free(&b);
			return nt_seterr(err, NT_ENOMEM, "%s: out of memory", path);
		}
		ssize_t n = read(fd, b.data + b.len, 65536);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			int e = errno;
			close(fd);
			nt_buf_free(&b);
			return nt_seterr(err, NT_EIO, "%s: read failed: %s", path, strerror(e));
		}
		if (n == 0)
			break;
		b.len += (size_t)n;
		if (b.len > max) {
			close(fd);
			nt_buf_free(&b);
			return nt_seterr(err, NT_EINVAL, "%s: larger than the limit of %zu bytes", path, max);
		}
	}
	close(fd);
	if (nt_buf_reserve(&b, 1) != NT_OK) {
		nt_buf_free(&b);
		return nt_seterr(err, NT_ENOMEM, "%s: out of memory", path);
	}
	b.data[b.len] = '\0';
	*data = b.data;
	*len = b.len;
	return NT_OK;
}
