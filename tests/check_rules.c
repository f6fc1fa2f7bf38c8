/* check_rules.c - the rules plugin through real module loading: matching, scores, errors */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"

static char dir[64];

static void write_file(const char *name, const char *s)
{
	char p[128];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	FILE *f = fopen(p, "w");
	ck_assert_ptr_nonnull(f);
	fputs(s, f);
	fclose(f);
}

static void setup(void)
{
	strcpy(dir, "/tmp/nt-rules-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	write_file("pipeline.json",
	           "{\"pipeline\": [{\"plugin\": \"rules\", \"options\": {\"rules\": \"r.json\"}}],"
	           " \"facets\": {\"topic\": {\"threshold\": 0.3}}}");
}

static void teardown(void)
{
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static int open_engine(struct nt_engine **e, struct nt_error *err)
{
	struct nt_engine_options o = {0};
	o.models_dir = dir;
	return nt_engine_open(&o, e, err);
}

static const char rules_json[] =
	"{\"rules\": ["
	" {\"facet\": \"topic\", \"label\": \"missile-defense\","
	"  \"terms\": {\"missile defense\": 1.0, \"iron dome\": 1.5, \"oil price\": -2},"
	"  \"case_terms\": {\"THAAD\": 1.0}},"
	" {\"facet\": \"mood\", \"label\": \"calm\", \"terms\": {\"calm\": 0.3}}]}";

static const cJSON *first_label(const cJSON *r, const char *facet)
{
	return cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(r, "facets"), facet), "labels"), 0);
}

static cJSON *tag(struct nt_engine *e, const char *text)
{
	struct nt_article a = {.id = "r", .text = text, .text_len = strlen(text)};
	cJSON *r = NULL;
	ck_assert_int_eq(nt_engine_tag_json(e, &a, &r, NULL), NT_OK);
	return r;
}

START_TEST(test_phrases_hyphens_and_case)
{
	write_file("r.json", rules_json);
	struct nt_engine *e;
	struct nt_error err = {0};
	ck_assert_msg(open_engine(&e, &err) == NT_OK, "%s", err.msg);
	cJSON *r = tag(e, "Israel's Iron-Dome and new missile-defense radars.");
	const cJSON *l = first_label(r, "topic");
	ck_assert_ptr_nonnull(l);
	ck_assert_str_eq(cJSON_GetObjectItem(l, "label")->valuestring, "missile-defense");
	ck_assert_double_eq_tol(cJSON_GetObjectItem(l, "score")->valuedouble, 1 - exp(-1.5 * 2.5), 1e-4); /* lead zone weighs 1.5 */
	const cJSON *ev = cJSON_GetObjectItem(l, "evidence");
	ck_assert_int_eq(cJSON_GetArraySize(ev), 2);
	ck_assert_int_eq(cJSON_GetArrayItem(cJSON_GetArrayItem(ev, 0), 0)->valueint, 9);
	ck_assert_int_eq(cJSON_GetArrayItem(cJSON_GetArrayItem(ev, 0), 1)->valueint, 18);
	cJSON_Delete(r);
	/* case-sensitive term: "thaad" in lower case does not count */
	r = tag(e, "the thaad word");
	ck_assert_ptr_null(first_label(r, "topic"));
	cJSON_Delete(r);
	r = tag(e, "A THAAD battery.");
	ck_assert_ptr_nonnull(first_label(r, "topic"));
	cJSON_Delete(r);
	/* whole tokens only, no match across sentences, negative weights */
	r = tag(e, "Missiles defensed. Missile. Defense. Iron domes.");
	ck_assert_ptr_null(first_label(r, "topic"));
	cJSON_Delete(r);
	r = tag(e, "Missile defense talk, but the oil price fell.");
	ck_assert_ptr_null(first_label(r, "topic"));
	cJSON_Delete(r);
	/* default facet threshold 0.5 for mood: one "calm" in the lead = 1 - exp(-0.45) = 0.36 is dropped */
	r = tag(e, "All calm.");
	ck_assert_ptr_null(first_label(r, "mood"));
	cJSON_Delete(r);
	nt_engine_close(e);
}
END_TEST

#define EXPECT_OPEN_ERR(json, needle)                                                  \
	do {                                                                           \
		write_file("r.json", json);                                            \
		struct nt_engine *e_;                                                  \
		struct nt_error err_ = {0};                                            \
		ck_assert_int_ne(open_engine(&e_, &err_), NT_OK);                      \
		ck_assert_msg(strstr(err_.msg, needle) != NULL, "\"%s\" lacks \"%s\"", err_.msg, needle); \
		ck_assert_msg(strstr(err_.msg, "r.json") != NULL, "names the file: %s", err_.msg); \
	} while (0)

START_TEST(test_bad_rule_files)
{
	EXPECT_OPEN_ERR("{\"rules\": [", "invalid JSON");
	EXPECT_OPEN_ERR("{\"rulez\": []}", "\"rules\" array");
	EXPECT_OPEN_ERR("{\"rules\": [{\"facet\": \"t\", \"terms\": {\"a\": 1}}]}", "\"facet\" and \"label\"");
	EXPECT_OPEN_ERR("{\"rules\": [{\"facet\": \"t\", \"label\": \"l\", \"terms\": {\"a\": \"x\"}}]}", "weight of term \"a\"");
	EXPECT_OPEN_ERR("{\"rules\": [{\"facet\": \"t\", \"label\": \"l\", \"terms\": {\"--\": 1}}]}", "has no words");
	EXPECT_OPEN_ERR("{\"rules\": [{\"facet\": \"t\", \"label\": \"l\", \"term\": {}}]}", "unknown key \"term\"");
	EXPECT_OPEN_ERR("", "empty rule file");
}
END_TEST

static Suite *rules_suite(void)
{
	Suite *s = suite_create("rules");
	TCase *tc = tcase_create("plugin");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_phrases_hyphens_and_case);
	tcase_add_test(tc, test_bad_rule_files);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(rules_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
