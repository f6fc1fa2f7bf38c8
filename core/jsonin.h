/* jsonin.h - the fast path for a batch input line: {"id","title","text"} with string values */
#ifndef NT_JSONIN_H
#define NT_JSONIN_H

#include <stddef.h>

/* The members of an article line, decoded (NUL-terminated, pointing into the caller's
 * buffer); a member absent from the line is NULL. */
struct nt_jsonin {
	const char *id, *title, *text;
	size_t text_len;
};

/* Decode line[0, n) when it is the common kind of article line: one JSON object whose
 * members are only "id", "title" and "text", each at most once, each a string without
 * raw control bytes, around it only spaces, tabs, CR or LF. The strings are decoded
 * exactly as cJSON decodes them (the escapes \" \\ \/ \b \f \n \r \t and \uXXXX with
 * surrogate pairs) into buf, which must have room for n + 3 bytes. Returns 1 and fills
 * *out, or 0 for anything else (other members or value types, repeated members, a
 * malformed line, a lone surrogate, \u0000): the caller then uses the general parser,
 * which also reports errors. Never reads past line[n - 1]. */
int nt_jsonin_article(const char *line, size_t n, char *buf, struct nt_jsonin *out);

#endif /* NT_JSONIN_H */
