/* records.h - read the bench drivers' record files: id 0x1f title 0x1f text 0x1e, repeated */
#ifndef NT_BENCH_RECORDS_H
#define NT_BENCH_RECORDS_H

#include <string.h>

/* One record: pointers into the caller's buffer and lengths; the fields are followed by
 * their separator (0x1f, 0x1f, 0x1e), which a caller may overwrite with a NUL. */
struct bench_record {
	char *id, *title, *text;
	size_t id_len, title_len, text_len;
};

/* The next record at *p, before end: fills *r, advances *p past its 0x1e and returns 1;
 * skips records without both 0x1f separators; returns 0 when no record is left. */
static inline int bench_record_next(char **p, char *end, struct bench_record *r)
{
	while (*p < end) {
		char *start = *p, *e = memchr(start, 0x1e, (size_t)(end - start));
		if (e == NULL)
			return 0;
		*p = e + 1;
		char *a = memchr(start, 0x1f, (size_t)(e - start));
		char *b = a ? memchr(a + 1, 0x1f, (size_t)(e - a - 1)) : NULL;
		if (a && b) {
			r->id = start;
			r->id_len = (size_t)(a - start);
			r->title = a + 1;
			r->title_len = (size_t)(b - a - 1);
			r->text = b + 1;
			r->text_len = (size_t)(e - b - 1);
			return 1;
		}
	}
	return 0;
}

#endif /* NT_BENCH_RECORDS_H */
