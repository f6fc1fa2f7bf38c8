/* jsonout.c - compact JSON writing: strings, numbers and whole cJSON trees into a buffer */
#include "config.h"
#include "jsonout.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Write the decimal digits of u into end-backwards; returns the start. */
static char *utoa_rev(unsigned long long u, char *end)
{
	do {
		*--end = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	return end;
}

int nt_json_put_number(struct nt_buf *b, double v)
{
	char tmp[40];
	if (!isfinite(v))
		return nt_buf_append(b, "null", 4);
	double a = fabs(v);
	if (a < 9e15 && v == floor(v)) {
		char *e = tmp + sizeof tmp;
		char *p = utoa_rev((unsigned long long)a, e);
		if (v < 0)
			*--p = '-';
		return nt_buf_append(b, p, (size_t)(e - p));
	}
	double k = floor(a * 10000.0 + 0.5);
	if (a < 9e11 && k / 10000.0 == a) {
		unsigned long long ik = (unsigned long long)k;
		unsigned long long ip = ik / 10000, fp = ik % 10000;
		char *e = tmp + sizeof tmp;
		char frac[5];
		int nd = 4;
		for (int i = 3; i >= 0; i--) {
			frac[i] = (char)('0' + fp % 10);
			fp /= 10;
		}
		while (nd > 0 && frac[nd - 1] == '0')
			nd--;
		char *p = e;
		p -= nd;
		memcpy(p, frac, (size_t)nd);
		*--p = '.';
		p = utoa_rev(ip, p);
		if (v < 0)
			*--p = '-';
		return nt_buf_append(b, p, (size_t)(e - p));
	}
	int n = snprintf(tmp, sizeof tmp, "%.17g", v);
	return nt_buf_append(b, tmp, (size_t)n);
}

/* Escape of each byte: 0 = as is, 1 = \uXXXX, else the character after the backslash. */
static const unsigned char esc_of[256] = {
	1, 1, 1, 1, 1, 1, 1, 1, 'b', 't', 'n', 1, 'f', 'r', 1, 1,
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
	0, 0, '"', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, '\\', 0, 0, 0,
};

int nt_json_put_string(struct nt_buf *b, const char *s)
{
	size_t n = strlen(s), extra = 0;
	const char *end = s + n;
	for (const char *q = nt_json_special(s, end); q < end; q = nt_json_special(q + 1, end))
		extra += esc_of[(unsigned char)*q] == 1 ? 5 : 1;
	if (nt_buf_reserve(b, n + extra + 2) != NT_OK)
		return NT_ENOMEM;
	char *o = b->data + b->len;
	*o++ = '"';
	const char *run = s;
	for (const char *p = extra ? nt_json_special(s, end) : end; p < end; p = nt_json_special(run, end)) {
		unsigned char e = esc_of[(unsigned char)*p];
		memcpy(o, run, (size_t)(p - run));
		o += p - run;
		*o++ = '\\';
		if (e == 1) {
			static const char hex[] = "0123456789abcdef";
			memcpy(o, "u00", 3);
			o[3] = hex[(unsigned char)*p >> 4];
			o[4] = hex[*p & 15];
			o += 5;
		} else {
			*o++ = (char)e;
		}
		run = p + 1;
	}
	memcpy(o, run, (size_t)(end - run));
	o += end - run;
	*o++ = '"';
	*o = '\0';
	b->len = (size_t)(o - b->data);
	return NT_OK;
}

static int put_item(struct nt_buf *b, const cJSON *it)
{
	switch (it->type & 0xFF) {
	case cJSON_False: return nt_buf_append(b, "false", 5);
	case cJSON_True: return nt_buf_append(b, "true", 4);
	case cJSON_NULL: return nt_buf_append(b, "null", 4);
	case cJSON_Number: return nt_json_put_number(b, it->valuedouble);
	case cJSON_String: return nt_json_put_string(b, it->valuestring ? it->valuestring : "");
	case cJSON_Raw: return it->valuestring ? nt_buf_append(b, it->valuestring, strlen(it->valuestring))
	                                       : nt_buf_append(b, "null", 4);
	case cJSON_Array:
	case cJSON_Object: {
		int obj = (it->type & 0xFF) == cJSON_Object;
		if (nt_buf_append(b, obj ? "{" : "[", 1) != NT_OK)
			return NT_ENOMEM;
		for (const cJSON *c = it->child; c; c = c->next) {
			if (c != it->child && nt_buf_append(b, ",", 1) != NT_OK)
				return NT_ENOMEM;
			if (obj && (nt_json_put_string(b, c->string ? c->string : "") != NT_OK ||
			            nt_buf_append(b, ":", 1) != NT_OK))
				return NT_ENOMEM;
			if (put_item(b, c) != NT_OK)
				return NT_ENOMEM;
		}
		return nt_buf_append(b, obj ? "}" : "]", 1);
	}
	default:
		return nt_buf_append(b, "null", 4);
	}
}

int nt_json_put(struct nt_buf *b, const cJSON *item)
{
	return put_item(b, item);
}

char *nt_json_print(const cJSON *item)
{
	struct nt_buf b = {0};
	if (nt_buf_reserve(&b, 1024) != NT_OK || put_item(&b, item) != NT_OK) {
		nt_buf_free(&b);
		return NULL;
	}
	return b.data;
}
