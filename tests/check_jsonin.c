/* check_jsonin.c - unit tests of the batch input fast path, against cJSON's own reading */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "jsonin.h"

/* Parse line with the fast path; expect it to take the line (want = 1) or leave it to
 * the general parser (want = 0). When taken, cJSON must read the same three strings. */
static void check_line(const char *line, int want)
{
	size_t n = strlen(line);
	char *buf = malloc(n + 4);
	/* a copy without a NUL after it: the fast path must not read past n */
	char *exact = malloc(n ? n : 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_ptr_nonnull(exact);
	memcpy(exact, line, n);
	struct nt_jsonin in;
	int got = nt_jsonin_article(exact, n, buf, &in);
	ck_assert_msg(got == want, "%s: fast path %s", line, got ? "took it" : "left it");
	if (got) {
		cJSON *o = cJSON_ParseWithLength(line, n);
		ck_assert_msg(o != NULL, "%s: taken by the fast path but not JSON", line);
		static const char *const keys[] = {"id", "title", "text"};
		const char *mine[] = {in.id, in.title, in.text};
		for (int k = 0; k < 3; k++) {
			const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, keys[k]);
			if (!v) {
				ck_assert_ptr_null(mine[k]);
				continue;
			}
			ck_assert_ptr_nonnull(mine[k]);
			ck_assert_str_eq(mine[k], v->valuestring);
		}
		if (in.text)
			ck_assert_uint_eq(in.text_len, strlen(in.text));
		cJSON_Delete(o);
	}
	free(exact);
	free(buf);
}

START_TEST(test_common_lines)
{
	check_line("{\"id\":\"a1\",\"title\":\"T\",\"text\":\"Body text.\"}", 1);
	check_line("  {\"text\" : \"x\" , \"id\" : \"b\"}\r", 1);
	check_line("{\"title\":\"\",\"text\":\"\"}", 1);
	check_line("{\"text\":\"no id\"}", 1);
	check_line("{}", 1);
	check_line("{\"text\":\"caf\xc3\xa9 \xe2\x80\x99 raw UTF-8\"}", 1);
}
END_TEST

START_TEST(test_escapes_like_cjson)
{
	check_line("{\"text\":\"q\\\"b\\\\s\\/ \\b\\f\\n\\r\\t end\"}", 1);
	check_line("{\"text\":\"\\u00e9\\u2019\\u0041\\u007f\\u0001\"}", 1);
	check_line("{\"text\":\"\\uD83D\\uDE00 emoji, \\ud834\\udd1e clef\"}", 1);
	check_line("{\"text\":\"\\uFFFD replaced NUL\"}", 1);
	/* what cJSON refuses (or would cut short) is left to it */
	check_line("{\"text\":\"lone \\uD83D high\"}", 0);
	check_line("{\"text\":\"lone \\uDE00 low\"}", 0);
	check_line("{\"text\":\"bad \\uZZZZ hex\"}", 0);
	check_line("{\"text\":\"short \\u12\"}", 0);
	check_line("{\"text\":\"nul \\u0000 here\"}", 0);
	check_line("{\"text\":\"bad \\x escape\"}", 0);
	check_line("{\"text\":\"raw\ttab\"}", 0);
}
END_TEST

START_TEST(test_other_lines_left_to_cjson)
{
	check_line("{\"id\":7,\"text\":\"x\"}", 0);
	check_line("{\"text\":\"x\",\"source\":\"meta\"}", 0);
	check_line("{\"text\":\"x\",\"title\":null}", 0);
	check_line("{\"text\":\"x\",\"text\":\"y\"}", 0);
	check_line("{\"te\\u0078t\":\"x\"}", 0);
	check_line("{\"text\":\"x\",}", 0);
	check_line("{\"text\":\"x\"} trailing", 0);
	check_line("{\"text\":\"x\"", 0);
	check_line("{\"text\":\"unterminated}", 0);
	check_line("[\"text\"]", 0);
	check_line("", 0);
	check_line("   ", 0);
	check_line("{\"text\" \"x\"}", 0);
}
END_TEST

START_TEST(test_every_truncation)
{
	/* every prefix of a line with escapes: never taken unless complete, never a crash */
	const char *line = "{\"id\":\"x\\u00e9\",\"title\":\"t\\\"q\",\"text\":\"a\\uD83D\\uDE00b\\n\"}";
	size_t n = strlen(line);
	for (size_t k = 0; k < n; k++) {
		char *cut = strndup(line, k);
		check_line(cut, 0);
		free(cut);
	}
	check_line(line, 1);
}
END_TEST

static Suite *jsonin_suite(void)
{
	Suite *s = suite_create("jsonin");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_common_lines);
	tcase_add_test(tc, test_escapes_like_cjson);
	tcase_add_test(tc, test_other_lines_left_to_cjson);
	tcase_add_test(tc, test_every_truncation);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(jsonin_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
