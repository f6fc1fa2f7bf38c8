/* jsonin.c - the fast path for a batch input line: {"id","title","text"} with string values */
#include "config.h"
#include "jsonin.h"
#include "util.h"

#include <string.h>

static int is_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static int hex4(const unsigned char *p, unsigned *v)
{
	unsigned x = 0;
	for (int i = 0; i < 4; i++) {
		unsigned c = p[i], d;
		if (c >= '0' && c <= '9')
			d = c - '0';
		else if (c >= 'a' && c <= 'f')
			d = c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			d = c - 'A' + 10;
		else
			return 0;
		x = x << 4 | d;
	}
	*v = x;
	return 1;
}

/* Decode the string whose opening quote is at *pp (p < end); on success *pp is past the
 * closing quote and the NUL-terminated result is at *o, which advances. */
static int decode_string(const unsigned char **pp, const unsigned char *end, char **o)
{
	const unsigned char *p = *pp + 1;
	char *w = *o;
	for (;;) {
		const unsigned char *run = p;
		p = (const unsigned char *)nt_json_special((const char *)p, (const char *)end);
		memcpy(w, run, (size_t)(p - run));
		w += p - run;
		if (p >= end || *p < 0x20)
			return 0;
		if (*p == '"')
			break;
		/* an escape */
		if (p + 1 >= end)
			return 0;
		unsigned char c = p[1];
		p += 2;
		switch (c) {
		case '"': *w++ = '"'; continue;
		case '\\': *w++ = '\\'; continue;
		case '/': *w++ = '/'; continue;
		case 'b': *w++ = '\b'; continue;
		case 'f': *w++ = '\f'; continue;
		case 'n': *w++ = '\n'; continue;
		case 'r': *w++ = '\r'; continue;
		case 't': *w++ = '\t'; continue;
		case 'u': break;
		default: return 0;
		}
		unsigned cp, lo;
		if (end - p < 4 || !hex4(p, &cp))
			return 0;
		p += 4;
		if (cp == 0 || (cp >= 0xDC00 && cp <= 0xDFFF))
			return 0;
		if (cp >= 0xD800 && cp <= 0xDBFF) {
			if (end - p < 6 || p[0] != '\\' || p[1] != 'u' || !hex4(p + 2, &lo) || lo < 0xDC00 ||
			    lo > 0xDFFF)
				return 0;
			p += 6;
			cp = 0x10000 + (((cp & 0x3FF) << 10) | (lo & 0x3FF));
		}
		if (cp < 0x80) {
			*w++ = (char)cp;
		} else if (cp < 0x800) {
			*w++ = (char)(0xC0 | (cp >> 6));
			*w++ = (char)(0x80 | (cp & 0x3F));
		} else if (cp < 0x10000) {
			*w++ = (char)(0xE0 | (cp >> 12));
			*w++ = (char)(0x80 | ((cp >> 6) & 0x3F));
			*w++ = (char)(0x80 | (cp & 0x3F));
		} else {
			*w++ = (char)(0xF0 | (cp >> 18));
			*w++ = (char)(0x80 | ((cp >> 12) & 0x3F));
			*w++ = (char)(0x80 | ((cp >> 6) & 0x3F));
			*w++ = (char)(0x80 | (cp & 0x3F));
		}
	}
	*w++ = '\0';
	*pp = p + 1;
	*o = w;
	return 1;
}

int nt_jsonin_article(const char *line, size_t n, char *buf, struct nt_jsonin *out)
{
	const unsigned char *p = (const unsigned char *)line, *end = p + n;
	char *o = buf;
	memset(out, 0, sizeof *out);
	while (p < end && is_ws(*p))
		p++;
	if (p >= end || *p++ != '{')
		return 0;
	for (int first = 1;; first = 0) {
		while (p < end && is_ws(*p))
			p++;
		if (p >= end)
			return 0;
		if (*p == '}' && first)
			break;
		if (*p != '"')
			return 0;
		/* the key: one of three, without escapes */
		const unsigned char *k = p + 1, *q = k;
		while (q < end && *q != '"' && *q != '\\')
			q++;
		if (q >= end || *q != '"')
			return 0;
		const char **slot;
		size_t kl = (size_t)(q - k);
		if (kl == 2 && memcmp(k, "id", 2) == 0)
			slot = &out->id;
		else if (kl == 5 && memcmp(k, "title", 5) == 0)
			slot = &out->title;
		else if (kl == 4 && memcmp(k, "text", 4) == 0)
			slot = &out->text;
		else
			return 0;
		if (*slot)
			return 0;
		p = q + 1;
		while (p < end && is_ws(*p))
			p++;
		if (p >= end || *p++ != ':')
			return 0;
		while (p < end && is_ws(*p))
			p++;
		if (p >= end || *p != '"')
			return 0;
		char *start = o;
		if (!decode_string(&p, end, &o))
			return 0;
		*slot = start;
		if (slot == &out->text)
			out->text_len = (size_t)(o - 1 - start);
		while (p < end && is_ws(*p))
			p++;
		if (p >= end)
			return 0;
		if (*p == ',') {
			p++;
			continue;
		}
		if (*p != '}')
			return 0;
		break;
	}
	p++;
	while (p < end && is_ws(*p))
		p++;
	return p == end;
}
