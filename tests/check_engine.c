/* check_engine.c - engine tests: records, failing plugins, provenance, determinism, threads */
#include <check.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"

static char cfgpath[64];

static void write_cfg(const char *json)
{
	strcpy(cfgpath, "/tmp/nt-engine-XXXXXX");
	int fd = mkstemp(cfgpath);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, json, strlen(json)), (ssize_t)strlen(json));
	close(fd);
}

static struct nt_engine *open_engine(const char *json, int explain)
{
	write_cfg(json);
	struct nt_engine_options o = {0};
	o.config_path = cfgpath;
	o.models_dir = "/tmp";
	o.explain = explain;
	struct nt_engine *e = NULL;
	struct nt_error err = {0};
	ck_assert_msg(nt_engine_open(&o, &e, &err) == NT_OK, "%s", err.msg);
	unlink(cfgpath);
	return e;
}

static cJSON *tag(struct nt_engine *e, const char *id, const char *title, const char *text)
{
	struct nt_article a = {0};
	a.id = id;
	a.title = title;
	a.text = text;
	a.text_len = strlen(text);
	a.title_in_text = 1;
	cJSON *r = NULL;
	struct nt_error err = {0};
	ck_assert_int_eq(nt_engine_tag_json(e, &a, &r, &err), NT_OK);
	return r;
}

START_TEST(test_record_shape)
{
	struct nt_engine *e = open_engine(
		"{\"pipeline\": [{\"plugin\": \"good\", \"options\": {\"label\": \"ok\", \"score\": 0.75}}]}", 0);
	cJSON *r = tag(e, "a1", NULL, "Headline here\n\nBody text follows.");
	ck_assert_str_eq(cJSON_GetObjectItem(r, "id")->valuestring, "a1");
	ck_assert_str_eq(cJSON_GetObjectItem(r, "title")->valuestring, "Headline here");
	const cJSON *l = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(r, "facets"), "fixture"), "labels"), 0);
	ck_assert_str_eq(cJSON_GetObjectItem(l, "label")->valuestring, "ok");
	ck_assert_double_eq(cJSON_GetObjectItem(l, "score")->valuedouble, 0.75);
	const cJSON *span = cJSON_GetArrayItem(cJSON_GetObjectItem(l, "evidence"), 0);
	ck_assert_int_eq(cJSON_GetArrayItem(span, 0)->valueint, 0);
	ck_assert_int_eq(cJSON_GetArrayItem(span, 1)->valueint, 8);
	const cJSON *p = cJSON_GetArrayItem(cJSON_GetObjectItem(r, "provenance"), 0);
	ck_assert_str_eq(cJSON_GetObjectItem(p, "plugin")->valuestring, "good");
	ck_assert_str_eq(cJSON_GetObjectItem(p, "version")->valuestring, "0.1");
	ck_assert_ptr_null(cJSON_GetObjectItem(r, "errors"));
	cJSON_Delete(r);
	nt_engine_close(e);
}
END_TEST

START_TEST(test_emit_known_per_instance)
{
	/* labels emitted by describe() id: each instance's id 0 is its own label (the core
	 * interns one list per instance), and a label by id merges with the same label by name;
	 * numbers by describe_numbers() id */
	struct nt_engine *e = open_engine(
		"{\"pipeline\": [{\"plugin\": \"good\", \"name\": \"g1\", \"options\": {\"label\": \"k1\", \"score\": 0.8, \"known\": true}},"
		" {\"plugin\": \"good\", \"name\": \"g2\", \"options\": {\"label\": \"k2\", \"score\": 0.6, \"known\": true, \"number\": true}},"
		" {\"plugin\": \"good\", \"name\": \"g3\", \"options\": {\"label\": \"k1\", \"score\": 0.7}}],"
		" \"facets\": {\"fixture\": {\"threshold\": 0}}}", 0);
	cJSON *r = tag(e, "k", NULL, "All went well today.");
	const cJSON *labels = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(r, "facets"), "fixture"),
	                                          "labels");
	ck_assert_int_eq(cJSON_GetArraySize(labels), 2);
	const cJSON *a = cJSON_GetArrayItem(labels, 0), *b = cJSON_GetArrayItem(labels, 1);
	ck_assert_str_eq(cJSON_GetObjectItem(a, "label")->valuestring, "k1");
	ck_assert_str_eq(cJSON_GetObjectItem(b, "label")->valuestring, "k2");
	ck_assert_double_eq_tol(cJSON_GetObjectItem(b, "score")->valuedouble, 0.6, 1e-9);
	/* g2's number, set by describe_numbers() id (ABI 1.3) from a loaded module */
	const cJSON *num = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(r, "facets"), "fixture"), "score");
	ck_assert_ptr_nonnull(num);
	ck_assert_double_eq_tol(num->valuedouble, 0.6, 1e-9);
	const cJSON *ev = cJSON_GetObjectItem(a, "evidence");
	ck_assert_int_eq(cJSON_GetArraySize(ev), 1); /* the same span from g1 and g3, kept once */
	ck_assert_int_eq(cJSON_GetArrayItem(cJSON_GetArrayItem(ev, 0), 0)->valueint, 0);
	ck_assert_int_eq(cJSON_GetArrayItem(cJSON_GetArrayItem(ev, 0), 1)->valueint, 3);
	ck_assert_ptr_null(cJSON_GetObjectItem(r, "errors"));
	cJSON_Delete(r);
	nt_engine_close(e);
}
END_TEST

START_TEST(test_failing_plugin_keeps_other_facets)
{
	struct nt_engine *e = open_engine(
		"{\"pipeline\": [{\"plugin\": \"good\"}, {\"plugin\": \"failclassify\"}],"
		" \"facets\": {\"fragile\": {\"threshold\": 0}}}", 0);
	cJSON *r = tag(e, "b", NULL, "All went boom today.");
	const cJSON *facets = cJSON_GetObjectItem(r, "facets");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetObjectItem(facets, "fixture"), "labels")), 1);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetObjectItem(facets, "fragile"), "labels")), 0);
	const cJSON *er = cJSON_GetArrayItem(cJSON_GetObjectItem(r, "errors"), 0);
	ck_assert_ptr_nonnull(er);
	ck_assert_str_eq(cJSON_GetObjectItem(er, "plugin")->valuestring, "failclassify");
	ck_assert_str_eq(cJSON_GetObjectItem(er, "code")->valuestring, "format");
	ck_assert_ptr_nonnull(strstr(cJSON_GetObjectItem(er, "message")->valuestring, "byte 9"));
	cJSON_Delete(r);
	r = tag(e, "c", NULL, "All went well today.");
	ck_assert_ptr_null(cJSON_GetObjectItem(r, "errors"));
	cJSON_Delete(r);
	nt_engine_close(e);
}
END_TEST

START_TEST(test_deterministic_and_warnings)
{
	struct nt_engine *e = open_engine("{\"pipeline\": [{\"plugin\": \"good\"}]}", 0);
	const char bad[] = "Caf\xe9 story\n\nText \xff here.";
	struct nt_article a = {.id = "u", .text = bad, .text_len = sizeof bad - 1, .title_in_text = 1};
	char *r1 = NULL, *r2 = NULL;
	ck_assert_int_eq(nt_engine_tag(e, &a, 0, &r1, NULL), NT_OK);
	ck_assert_int_eq(nt_engine_tag(e, &a, 0, &r2, NULL), NT_OK);
	ck_assert_str_eq(r1, r2);
	cJSON *r = cJSON_Parse(r1);
	ck_assert_ptr_nonnull(r);
	const cJSON *w = cJSON_GetArrayItem(cJSON_GetObjectItem(r, "warnings"), 0);
	ck_assert_str_eq(cJSON_GetObjectItem(w, "code")->valuestring, "invalid-utf8");
	ck_assert_int_eq(cJSON_GetObjectItem(w, "byte")->valueint, 3);
	ck_assert_str_eq(cJSON_GetObjectItem(r, "title")->valuestring, "Caf? story");
	cJSON_Delete(r);
	free(r1);
	free(r2);
	nt_engine_close(e);
}
END_TEST

START_TEST(test_separate_title_and_meta)
{
	struct nt_engine *e = open_engine("{\"pipeline\": [{\"plugin\": \"good\"}]}", 0);
	struct nt_article a = {.id = "m", .title = "Given title", .text = "Body.", .text_len = 5,
	                       .meta_json = "{\"source\": \"wire\", \"n\": 3}"};
	cJSON *r = NULL;
	ck_assert_int_eq(nt_engine_tag_json(e, &a, &r, NULL), NT_OK);
	ck_assert_str_eq(cJSON_GetObjectItem(r, "title")->valuestring, "Given title");
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(r, "meta"), "source")->valuestring, "wire");
	/* evidence in the title field is marked as such */
	const cJSON *l = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(r, "facets"), "fixture"), "labels"), 0);
	const cJSON *span = cJSON_GetArrayItem(cJSON_GetObjectItem(l, "evidence"), 0);
	ck_assert_str_eq(cJSON_GetArrayItem(span, 2)->valuestring, "title");
	cJSON_Delete(r);
	nt_engine_close(e);
}
END_TEST

START_TEST(test_open_errors)
{
	struct nt_engine *e = NULL;
	struct nt_error err = {0};
	struct nt_engine_options o = {0};
	o.models_dir = "/nonexistent-models";
	ck_assert_int_eq(nt_engine_open(&o, &e, &err), NT_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(err.msg, "/nonexistent-models"));
	write_cfg("{\"pipeline\": [{\"plugin\": \"nosuchplugin\"}]}");
	o.models_dir = "/tmp";
	o.config_path = cfgpath;
	ck_assert_int_eq(nt_engine_open(&o, &e, &err), NT_ENOTFOUND);
	ck_assert_ptr_nonnull(strstr(err.msg, "nosuchplugin"));
	unlink(cfgpath);
	write_cfg("{\"pipeline\": [{\"plugin\": \"good\", \"options\": {\"lable\": \"x\"}}]}");
	ck_assert_int_eq(nt_engine_open(&o, &e, &err), NT_EINVAL);
	ck_assert_msg(strstr(err.msg, "unknown option \"lable\"") && strstr(err.msg, cfgpath), "%s", err.msg);
	unlink(cfgpath);
}
END_TEST

START_TEST(test_parallel_open)
{
	/* six instances opened on several threads (the fixture plugin allows it), one that
	 * is not (failclassify): every label is there, in pipeline order of the instances */
	struct nt_engine *e = open_engine(
		"{\"pipeline\": [{\"plugin\": \"good\", \"name\": \"g1\", \"options\": {\"label\": \"l1\"}},"
		" {\"plugin\": \"good\", \"name\": \"g2\", \"options\": {\"label\": \"l2\"}},"
		" {\"plugin\": \"failclassify\"},"
		" {\"plugin\": \"good\", \"name\": \"g3\", \"options\": {\"label\": \"l3\"}},"
		" {\"plugin\": \"good\", \"name\": \"g4\", \"options\": {\"label\": \"l4\"}},"
		" {\"plugin\": \"good\", \"name\": \"g5\", \"options\": {\"label\": \"l5\"}},"
		" {\"plugin\": \"good\", \"name\": \"g6\", \"options\": {\"label\": \"l6\"}}],"
		" \"facets\": {\"fixture\": {\"threshold\": 0}}}", 0);
	cJSON *r = tag(e, "p", NULL, "All went well today.");
	const cJSON *labels = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(r, "facets"), "fixture"),
	                                          "labels");
	ck_assert_int_eq(cJSON_GetArraySize(labels), 6);
	const cJSON *prov = cJSON_GetObjectItem(r, "provenance");
	ck_assert_int_eq(cJSON_GetArraySize(prov), 7);
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(prov, 2), "plugin")->valuestring, "failclassify");
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(prov, 6), "instance")->valuestring, "g6");
	cJSON_Delete(r);
	nt_engine_close(e);
	/* failures: the first failing instance in pipeline order is reported, whatever
	 * thread opened it first; the instances that did open are closed (ASan: no leak) */
	struct nt_engine_options o = {0};
	struct nt_error err = {0};
	write_cfg("{\"pipeline\": [{\"plugin\": \"good\", \"name\": \"a\"}, {\"plugin\": \"good\", \"name\": \"b\"},"
	          " {\"plugin\": \"failopen\", \"name\": \"first\"}, {\"plugin\": \"good\", \"name\": \"c\"},"
	          " {\"plugin\": \"failopen\", \"name\": \"second\"}]}");
	o.models_dir = "/tmp";
	o.config_path = cfgpath;
	for (int k = 0; k < 20; k++) {
		e = NULL;
		ck_assert_int_eq(nt_engine_open(&o, &e, &err), NT_ENOTFOUND);
		ck_assert_ptr_null(e);
		ck_assert_msg(strstr(err.msg, "instance first") && strstr(err.msg, "model file missing"), "%s", err.msg);
	}
	unlink(cfgpath);
}
END_TEST

struct thr {
	struct nt_engine *e;
	int ok;
};

static void *worker(void *arg)
{
	struct thr *t = arg;
	t->ok = 1;
	for (int i = 0; i < 200; i++) {
		char id[32];
		snprintf(id, sizeof id, "t%d", i);
		struct nt_article a = {.id = id, .text = "Some text to tag here.", .text_len = 22};
		char *r = NULL;
		if (nt_engine_tag(t->e, &a, 0, &r, NULL) != NT_OK || !strstr(r, id))
			t->ok = 0;
		free(r);
	}
	return NULL;
}

START_TEST(test_threads)
{
	struct nt_engine *e = open_engine("{\"pipeline\": [{\"plugin\": \"good\"}]}", 0);
	pthread_t th[4];
	struct thr t[4];
	for (int i = 0; i < 4; i++) {
		t[i].e = e;
		pthread_create(&th[i], NULL, worker, &t[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		ck_assert_int_eq(t[i].ok, 1);
	}
	nt_engine_close(e);
}
END_TEST

static Suite *engine_suite(void)
{
	Suite *s = suite_create("engine");
	TCase *tc = tcase_create("core");
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_record_shape);
	tcase_add_test(tc, test_emit_known_per_instance);
	tcase_add_test(tc, test_failing_plugin_keeps_other_facets);
	tcase_add_test(tc, test_deterministic_and_warnings);
	tcase_add_test(tc, test_separate_title_and_meta);
	tcase_add_test(tc, test_open_errors);
	tcase_add_test(tc, test_parallel_open);
	tcase_add_test(tc, test_threads);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(engine_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
