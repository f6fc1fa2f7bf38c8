/* jsonout.c - compact JSON printing of record trees, faster than cJSON's for numbers */
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

static int put_number(struct nt_buf *b, double v)
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

static int put_string(struct nt_buf *b, const char *s)
{
	if (nt_buf_append(b, "\"", 1) != NT_OK)
		return NT_ENOMEM;
	const char *run = s;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		const char *esc = NULL;
		char u[8];
		switch (*p) {
		case '"': esc = "\\\""; break;
		case '\\': esc = "\\\\"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		case '\t': esc = "\\t"; break;
		case '\b': esc = "\\b"; break;
		case '\f': esc = "\\f"; break;
		default:
			if (*p < 0x20) {
				snprintf(u, sizeof u, "\\u%04x", *p);
				esc = u;
			}
		}
		if (!esc)
			continue;
		if (nt_buf_append(b, run, (size_t)((const char *)p - run)) != NT_OK ||
		    nt_buf_append(b, esc, strlen(esc)) != NT_OK)
			return NT_ENOMEM;
		run = (const char *)p + 1;
	}
	if (nt_buf_append(b, run, strlen(run)) != NT_OK)
		return NT_ENOMEM;
	return nt_buf_append(b, "\"", 1);
}

static int put_item(struct nt_buf *b, const cJSON *it)
{
	switch (it->type & 0xFF) {
	case cJSON_False: return nt_buf_append(b, "false", 5);
	case cJSON_True: return nt_buf_append(b, "true", 4);
	case cJSON_NULL: return nt_buf_append(b, "null", 4);
	case cJSON_Number: return put_number(b, it->valuedouble);
	case cJSON_String: return put_string(b, it->valuestring ? it->valuestring : "");
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
			if (obj && (put_string(b, c->string ? c->string : "") != NT_OK ||
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

char *nt_json_print(const cJSON *item)
{
	struct nt_buf b = {0};
	if (nt_buf_reserve(&b, 1024) != NT_OK || put_item(&b, item) != NT_OK) {
		nt_buf_free(&b);
		return NULL;
	}
	return b.data;
}
