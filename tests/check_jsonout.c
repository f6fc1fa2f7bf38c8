/* check_jsonout.c - unit tests of the compact JSON writer */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "jsonout.h"

static void expect(cJSON *item, const char *want)
{
	char *s = nt_json_print(item);
	ck_assert_ptr_nonnull(s);
	ck_assert_str_eq(s, want);
	/* and it parses back to an equal tree */
	cJSON *back = cJSON_Parse(s);
	ck_assert_ptr_nonnull(back);
	free(s);
	cJSON_Delete(back);
	cJSON_Delete(item);
}

START_TEST(test_numbers)
{
	expect(cJSON_CreateNumber(0), "0");
	expect(cJSON_CreateNumber(42), "42");
	expect(cJSON_CreateNumber(-7), "-7");
	expect(cJSON_CreateNumber(0.8712), "0.8712");
	expect(cJSON_CreateNumber(0.5), "0.5");
	expect(cJSON_CreateNumber(-0.25), "-0.25");
	expect(cJSON_CreateNumber(9.6774), "9.6774");
	expect(cJSON_CreateNumber(1e300), "1.0000000000000001e+300");
	expect(cJSON_CreateNumber(0.1 + 0.2), "0.30000000000000004");
	expect(cJSON_CreateNumber(NAN), "null");
	expect(cJSON_CreateNumber(4294967296.0), "4294967296");
}
END_TEST

START_TEST(test_strings_and_nesting)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "a", "q\"b\\s\n\t\x01 é");
	cJSON *arr = cJSON_AddArrayToObject(o, "e");
	cJSON_AddItemToArray(arr, cJSON_CreateNumber(1));
	cJSON_AddItemToArray(arr, cJSON_CreateTrue());
	cJSON_AddItemToArray(arr, cJSON_CreateNull());
	cJSON_AddItemToObject(o, "o", cJSON_CreateObject());
	cJSON_AddItemToObject(o, "z", cJSON_CreateArray());
	expect(o, "{\"a\":\"q\\\"b\\\\s\\n\\t\\u0001 é\",\"e\":[1,true,null],\"o\":{},\"z\":[]}");
}
END_TEST

START_TEST(test_same_as_cjson_for_records)
{
	const char *rec = "{\"id\":\"x\",\"facets\":{\"country\":{\"labels\":[{\"label\":\"IR\",\"score\":0.97,"
	                  "\"evidence\":[[12,19],[3,4,\"title\"]]}]}},\"meta\":{\"n\":3,\"ok\":false}}";
	cJSON *t = cJSON_Parse(rec);
	char *a = nt_json_print(t);
	char *b = cJSON_PrintUnformatted(t);
	ck_assert_str_eq(a, b);
	free(a);
	cJSON_free(b);
	cJSON_Delete(t);
}
END_TEST

START_TEST(test_put_string_every_byte)
{
	/* every byte 0x01..0xff alone: what cJSON's own printer would write, and it parses back */
	for (int c = 1; c < 256; c++) {
		char in[2] = {(char)c, 0};
		struct nt_buf b = {0};
		ck_assert_int_eq(nt_buf_append(&b, "x", 1), NT_OK);
		ck_assert_int_eq(nt_json_put_string(&b, in), NT_OK);
		cJSON *str = cJSON_CreateString(in);
		char *want = cJSON_PrintUnformatted(str);
		ck_assert_msg(strcmp(b.data + 1, want) == 0, "byte %d: %s vs %s", c, b.data + 1, want);
		ck_assert_uint_eq(b.len, strlen(b.data));
		cJSON_free(want);
		cJSON_Delete(str);
		nt_buf_free(&b);
	}
	/* one byte to escape at every position of a 40-byte string (the 16-byte scan and its
	 * tail), and two at once */
	for (int at = 0; at < 40; at++)
		for (int c2 = 0; c2 < 2; c2++) {
			char in[41];
			memset(in, 'a', 40);
			in[40] = 0;
			in[at] = c2 ? '"' : '\n';
			if (c2)
				in[(at * 7) % 40] = '\x01';
			struct nt_buf bb = {0};
			ck_assert_int_eq(nt_json_put_string(&bb, in), NT_OK);
			cJSON *str = cJSON_CreateString(in);
			char *want = cJSON_PrintUnformatted(str);
			ck_assert_str_eq(bb.data, want);
			cJSON_free(want);
			cJSON_Delete(str);
			nt_buf_free(&bb);
		}
	/* runs between escapes, appended after what the buffer holds */
	struct nt_buf b = {0};
	ck_assert_int_eq(nt_json_put_string(&b, "ab\"cd\\\\e\x1f"), NT_OK);
	ck_assert_int_eq(nt_json_put_string(&b, ""), NT_OK);
	ck_assert_str_eq(b.data, "\"ab\\\"cd\\\\\\\\e\\u001f\"\"\"");
	nt_buf_free(&b);
}
END_TEST

START_TEST(test_put_number_appends)
{
	struct nt_buf b = {0};
	ck_assert_int_eq(nt_json_put_number(&b, 0.8712), NT_OK);
	ck_assert_int_eq(nt_buf_append(&b, ",", 1), NT_OK);
	ck_assert_int_eq(nt_json_put_number(&b, -3), NT_OK);
	ck_assert_str_eq(b.data, "0.8712,-3");
	nt_buf_free(&b);
}
END_TEST

static Suite *jsonout_suite(void)
{
	Suite *s = suite_create("jsonout");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_numbers);
	tcase_add_test(tc, test_strings_and_nesting);
	tcase_add_test(tc, test_same_as_cjson_for_records);
	tcase_add_test(tc, test_put_string_every_byte);
	tcase_add_test(tc, test_put_number_appends);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(jsonout_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
