/* fuzz_jsonout.c - libFuzzer target: the record printer nt_json_print round-trips any JSON tree */
#include "fuzz_common.h"
#include "jsonout.h"

#include <math.h>

/* What the printer may change, as documented: infinities (1e999 parses as one)
 * print as null, and -0 as 0. */
static void normalize(cJSON *c)
{
	if (cJSON_IsNumber(c) && !isfinite(c->valuedouble))
		c->type = cJSON_NULL | (c->type & cJSON_StringIsConst);
	else if (cJSON_IsNumber(c) && c->valuedouble == 0)
		cJSON_SetNumberValue(c, 0.0);
	for (cJSON *k = c->child; k; k = k->next)
		normalize(k);
}

/* Parse the input with cJSON, print it with nt_json_print and parse that again: the
 * output must be valid JSON equal to the tree (numbers exact), with no whitespace
 * outside strings and no raw control character. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size + 1);
	memcpy(in, data, size);
	in[size] = '\0';
	cJSON *a = cJSON_ParseWithLength(in, size);
	free(in);
	if (!a)
		return 0;
	char *s = nt_json_print(a);
	if (!s)
		abort();
	int in_str = 0;
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c < 0x20)
			abort(); /* a raw control character (a record line would break on \n) */
		if (in_str && c == '\\' && p[1])
			p++; /* the escaped character */
		else if (c == '"')
			in_str = !in_str;
		else if (!in_str && c == ' ')
			abort(); /* compact: no whitespace between tokens */
	}
	cJSON *b = cJSON_Parse(s);
	normalize(a);
	/* the same tree (order, duplicate keys and exact numbers included) prints the same */
	char *pa = cJSON_PrintUnformatted(a), *pb = b ? cJSON_PrintUnformatted(b) : NULL;
	if (!pa || !pb || strcmp(pa, pb) != 0) {
		fprintf(stderr, "fuzz_jsonout: printed JSON does not round-trip:\n in:  %s\n out: %s\n", pa ? pa : "?", s);
		abort();
	}
	cJSON_free(pa);
	cJSON_free(pb);
	cJSON_Delete(b);
	free(s);
	cJSON_Delete(a);
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	return 0;
}
