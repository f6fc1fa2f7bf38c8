/* check_conf.c - unit tests of the pipeline config parser and plugin option filling */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "options.h"

static int parse(const char *json, struct nt_config **c, struct nt_error *err)
{
	return nt_config_parse(json, strlen(json), "test.json", "/models", c, err);
}

START_TEST(test_good_config)
{
	struct nt_config *c = NULL;
	struct nt_error err = {0};
	const char *j = "{\"schema\": 1, \"pipeline\": [{\"plugin\": \"region\"},"
	                " {\"plugin\": \"rules\", \"name\": \"kw\", \"options\": {\"rules\": \"r.json\"}}],"
	                " \"facets\": {\"topic\": {\"policy\": \"weighted\", \"weights\": {\"kw\": 0.3},"
	                " \"threshold\": 0.4, \"thresholds\": {\"middle-east\": 0.6}, \"top_k\": 2},"
	                " \"tone\": {\"single\": true}}}";
	ck_assert_int_eq(parse(j, &c, &err), NT_OK);
	ck_assert_uint_eq(c->ninst, 2);
	ck_assert_str_eq(c->inst[0].name, "region");
	ck_assert_str_eq(c->inst[1].name, "kw");
	ck_assert_str_eq(c->inst[1].plugin, "rules");
	const struct nt_facet_cfg *f = nt_config_facet(c, "topic");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->policy, NT_POLICY_WEIGHTED);
	ck_assert_double_eq(f->threshold, 0.4);
	ck_assert_uint_eq(f->nthresholds, 1);
	ck_assert_int_eq(f->top_k, 2);
	ck_assert_int_eq(nt_config_facet(c, "tone")->single, 1);
	ck_assert_ptr_null(nt_config_facet(c, "nosuch"));
	nt_config_free(c);
}
END_TEST

#define EXPECT_ERR(json, needle)                                                   \
	do {                                                                       \
		struct nt_config *c_ = NULL;                                       \
		struct nt_error e_ = {0};                                          \
		ck_assert_int_ne(parse(json, &c_, &e_), NT_OK);                    \
		ck_assert_ptr_null(c_);                                            \
		ck_assert_msg(strstr(e_.msg, needle) != NULL, "\"%s\" lacks \"%s\"", e_.msg, needle); \
		ck_assert_msg(strstr(e_.msg, "test.json") != NULL, "names the file: %s", e_.msg); \
	} while (0)

START_TEST(test_errors_name_key_and_file)
{
	EXPECT_ERR("{\"pipeline\": [], \"pipline\": 1}", "unknown key \"pipline\"");
	EXPECT_ERR("{\"facets\": {}}", "\"pipeline\" must be an array");
	EXPECT_ERR("{\"pipeline\": [{\"plugin\": 3}]}", "\"plugin\" in pipeline[0] must be");
	EXPECT_ERR("{\"pipeline\": [{\"plugin\": \"a\", \"opts\": {}}]}", "unknown key \"opts\" in pipeline[0]");
	EXPECT_ERR("{\"pipeline\": [{\"plugin\": \"a\"}, {\"plugin\": \"a\"}]}", "appears twice");
	EXPECT_ERR("{\"pipeline\": [{\"plugin\": \"../a\"}]}", "not a valid name");
	EXPECT_ERR("{\"pipeline\": [], \"facets\": {\"t\": {\"policy\": \"best\"}}}", "\"policy\" in facets.t");
	EXPECT_ERR("{\"pipeline\": [], \"facets\": {\"t\": {\"threshold\": 2}}}", "\"threshold\" in facets.t");
	EXPECT_ERR("{\"pipeline\": [], \"facets\": {\"t\": {\"thresholds\": {\"x\": \"hi\"}}}}", "\"x\" in facets.t.thresholds");
	EXPECT_ERR("{\"pipeline\": [], \"facets\": {\"t\": {\"top_k\": 1.5}}}", "\"top_k\"");
	EXPECT_ERR("{\"pipeline\": [], \"facets\": {\"t\": {\"colour\": 1}}}", "unknown key \"colour\" in facets.t");
	EXPECT_ERR("{\"pipeline\": [], \"schema\": 2}", "\"schema\" must be 1");
	EXPECT_ERR("[1, 2]", "must be a JSON object");
	EXPECT_ERR("{\"pipeline\": [], \"pipeline\": []}", "appears twice");
	EXPECT_ERR("{\"pipeline\": []} trailing", "trailing text");
}
END_TEST

START_TEST(test_invalid_json_line)
{
	struct nt_config *c = NULL;
	struct nt_error err = {0};
	ck_assert_int_eq(parse("{\n\"pipeline\": [\n  {\"plugin\": \"a\",}\n]}", &c, &err), NT_EFORMAT);
	ck_assert_msg(strstr(err.msg, "test.json:3: invalid JSON") != NULL, "%s", err.msg);
}
END_TEST

struct fake_cfg {
	const char *name;
	const char *model;
	double w;
	long n;
	int flag;
};

static const struct nt_option fake_options[] = {
	{"name", NT_OPT_STRING, offsetof(struct fake_cfg, name), "\"x\"", ""},
	{"model", NT_OPT_PATH, offsetof(struct fake_cfg, model), "\"m/a.tsv\"", ""},
	{"w", NT_OPT_NUMBER, offsetof(struct fake_cfg, w), "0.25", ""},
	{"n", NT_OPT_INT, offsetof(struct fake_cfg, n), NULL, ""},
	{"flag", NT_OPT_BOOL, offsetof(struct fake_cfg, flag), "true", ""},
	{NULL, 0, 0, NULL, NULL},
};

static const struct nt_plugin fake = {
	NT_PLUGIN_HEADER, .name = "fake", .version = "1", .options = fake_options,
	.config_size = sizeof(struct fake_cfg),
};

START_TEST(test_options_defaults_and_values)
{
	void *v = NULL;
	struct nt_error err = {0};
	ck_assert_int_eq(nt_options_fill(&fake, NULL, "/models", "p.json", &v, &err), NT_OK);
	struct fake_cfg *c = v;
	ck_assert_str_eq(c->name, "x");
	ck_assert_str_eq(c->model, "/models/m/a.tsv");
	ck_assert_double_eq(c->w, 0.25);
	ck_assert_int_eq(c->n, 0);
	ck_assert_int_eq(c->flag, 1);
	nt_options_free(&fake, v);
	cJSON *o = cJSON_Parse("{\"model\": \"/abs/file\", \"n\": 7, \"flag\": false, \"name\": \"y\"}");
	ck_assert_int_eq(nt_options_fill(&fake, o, "/models", "p.json", &v, &err), NT_OK);
	c = v;
	ck_assert_str_eq(c->model, "/abs/file");
	ck_assert_int_eq(c->n, 7);
	ck_assert_int_eq(c->flag, 0);
	ck_assert_str_eq(c->name, "y");
	nt_options_free(&fake, v);
	cJSON_Delete(o);
}
END_TEST

START_TEST(test_options_errors)
{
	void *v = NULL;
	struct nt_error err = {0};
	cJSON *o = cJSON_Parse("{\"nmae\": \"y\"}");
	ck_assert_int_eq(nt_options_fill(&fake, o, "/m", "p.json", &v, &err), NT_EINVAL);
	ck_assert_msg(strstr(err.msg, "p.json: unknown option \"nmae\" for plugin fake") != NULL, "%s", err.msg);
	ck_assert_ptr_null(v);
	cJSON_Delete(o);
	o = cJSON_Parse("{\"n\": 1.5}");
	ck_assert_int_eq(nt_options_fill(&fake, o, "/m", "p.json", &v, &err), NT_EINVAL);
	ck_assert_msg(strstr(err.msg, "\"n\"") && strstr(err.msg, "an integer"), "%s", err.msg);
	cJSON_Delete(o);
	o = cJSON_Parse("{\"flag\": 1}");
	ck_assert_int_eq(nt_options_fill(&fake, o, "/m", "p.json", &v, &err), NT_EINVAL);
	ck_assert_msg(strstr(err.msg, "true or false") != NULL, "%s", err.msg);
	cJSON_Delete(o);
}
END_TEST

static Suite *conf_suite(void)
{
	Suite *s = suite_create("conf");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_good_config);
	tcase_add_test(tc, test_errors_name_key_and_file);
	tcase_add_test(tc, test_invalid_json_line);
	tcase_add_test(tc, test_options_defaults_and_values);
	tcase_add_test(tc, test_options_errors);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(conf_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
