/* check_topic.c - topic plugin: train, tag --model, eval end to end, damaged model files */
#include "config.h"

#include <check.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "engine.h"
#include "newstag/newstag.h"

/* Words of three made-up subjects and filler, written for this test. */
static const char *const tc_words[3][8] = {
	{"apple", "banana", "cherry", "orchard", "harvest", "juice", "pie", "grower"},
	{"rocket", "orbit", "launch", "satellite", "astronaut", "moon", "capsule", "mission"},
	{"match", "goal", "striker", "league", "coach", "season", "stadium", "referee"}};
static const char *const tc_subjects[3] = {"fruit", "space", "sport"};
static const char *const tc_filler[10] = {"the", "a", "said", "on", "today", "new", "report", "people",
                                          "city", "officials"};

static char tc_dir[256];
static char tc_data[300], tc_single[300], tc_bad[300], tc_model[300], tc_smodel[300], tc_config[300];

static unsigned tc_rand(unsigned *s)
{
	*s = *s * 1103515245u + 12345u;
	return (*s >> 16) & 0x7fff;
}

static void tc_sentence(FILE *fp, int subj, int n, unsigned *seed)
{
	for (int i = 0; i < n; i++) {
		unsigned r = tc_rand(seed) % 18;
		fprintf(fp, "%s%s", i ? " " : "", r < 8 ? tc_words[subj][r] : tc_filler[r - 8]);
	}
}

/* Write the training JSONL files (multi-label and single-label) once. */
static void tc_write_data(void)
{
	unsigned seed = 7;
	FILE *a = fopen(tc_data, "w"), *b = fopen(tc_single, "w");
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	for (int i = 0; i < 90; i++) {
		int s = i % 3, o = (i + 1) % 3, multi = i % 7 == 0;
		for (int k = 0; k < 2; k++) {
			FILE *fp = k ? b : a;
			unsigned sd = seed;
			fprintf(fp, "{\"id\": \"d%d\", \"title\": \"", i);
			tc_sentence(fp, s, 5, &sd);
			fprintf(fp, "\", \"text\": \"");
			tc_sentence(fp, s, 25, &sd);
			if (multi && !k) {
				fprintf(fp, ". ");
				tc_sentence(fp, o, 20, &sd);
			}
			if (k)
				fprintf(fp, ".\", \"labels\": {\"kind\": [\"%s\"]}}\n", tc_subjects[s]);
			else if (multi)
				fprintf(fp, ".\", \"labels\": {\"subject\": [\"%s\", \"%s\"]}}\n", tc_subjects[s], tc_subjects[o]);
			else
				fprintf(fp, ".\", \"labels\": {\"subject\": [\"%s\"]}}\n", tc_subjects[s]);
		}
		tc_rand(&seed);
		for (int k = 0; k < 60; k++)
			tc_rand(&seed);
	}
	fclose(a);
	fclose(b);
	FILE *c = fopen(tc_bad, "w");
	fprintf(c, "{\"id\": \"x1\", \"text\": \"rocket orbit\", \"labels\": {\"subject\": [\"space\"]}}\n");
	fprintf(c, "{\"id\": \"x2\", \"text\": \"rocket orbit\", \"labels\": {\"subject\": [\"space\"]\n");
	fclose(c);
	FILE *d = fopen(tc_config, "w");
	fprintf(d, "{\"pipeline\": []}\n");
	fclose(d);
}

/* Run a shell command; returns its exit status. */
static int tc_run(const char *fmt, ...)
{
	char cmd[2048];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	int rc = system(cmd);
	return WIFEXITED(rc) ? WEXITSTATUS(rc) : 128;
}

static const char *tc_bin(void)
{
	const char *b = getenv("NEWSTAG_BIN");
	return b ? b : "newstag";
}

static char *tc_slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return NULL;
	char *buf = malloc(1 << 22);
	size_t n = fread(buf, 1, (1 << 22) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

/* Train the shared models once, before the tests fork. */
static void tc_setup_all(void)
{
	snprintf(tc_dir, sizeof tc_dir, "/tmp/check_topic.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(tc_dir));
	snprintf(tc_data, sizeof tc_data, "%s/train.jsonl", tc_dir);
	snprintf(tc_single, sizeof tc_single, "%s/single.jsonl", tc_dir);
	snprintf(tc_bad, sizeof tc_bad, "%s/bad.jsonl", tc_dir);
	snprintf(tc_model, sizeof tc_model, "%s/model", tc_dir);
	snprintf(tc_smodel, sizeof tc_smodel, "%s/smodel", tc_dir);
	snprintf(tc_config, sizeof tc_config, "%s/empty.json", tc_dir);
	tc_write_data();
	ck_assert_int_eq(tc_run("%s train --facet subject --data %s --out %s --seed 3 >%s/train.out 2>&1", tc_bin(),
	                        tc_data, tc_model, tc_dir),
	                 0);
	ck_assert_int_eq(tc_run("%s train --facet kind --data %s --out %s --seed 3 >/dev/null 2>&1", tc_bin(),
	                        tc_single, tc_smodel),
	                 0);
}

static void tc_teardown_all(void)
{
	if (tc_dir[0])
		tc_run("rm -rf %s", tc_dir);
}

/* Open an engine with an empty pipeline plus model directory dir. */
static int tc_open(const char *dir, struct nt_engine **e, struct nt_error *err)
{
	const char *dirs[2] = {dir, NULL};
	struct nt_engine_options o;
	memset(&o, 0, sizeof o);
	o.config_path = tc_config;
	o.models_dir = getenv("NEWSTAG_MODELS");
	o.model_dirs = dirs;
	return nt_engine_open(&o, e, err);
}

static cJSON *tc_tag(struct nt_engine *e, const char *title, const char *text)
{
	struct nt_article a = {.id = "t", .title = title, .text = text, .text_len = strlen(text)};
	cJSON *rec = NULL;
	struct nt_error err;
	ck_assert_int_eq(nt_engine_tag_json(e, &a, &rec, &err), NT_OK);
	return rec;
}

START_TEST(test_train_writes_model)
{
	char p[1024];
	const char *files[] = {"manifest.json", "vocab.tsv", "label-000.model", "label-001.model", "label-002.model"};
	for (size_t i = 0; i < 5; i++) {
		struct stat st;
		snprintf(p, sizeof p, "%.300s/%s", tc_model, files[i]);
		ck_assert_msg(stat(p, &st) == 0 && st.st_size > 0, "%s missing", p);
	}
	snprintf(p, sizeof p, "%.300s/manifest.json", tc_model);
	char *m = tc_slurp(p);
	cJSON *j = cJSON_Parse(m);
	ck_assert_ptr_nonnull(j);
	ck_assert_str_eq(cJSON_GetObjectItem(j, "plugin")->valuestring, "topic");
	ck_assert_str_eq(cJSON_GetObjectItem(j, "facet")->valuestring, "subject");
	ck_assert(cJSON_IsFalse(cJSON_GetObjectItem(j, "single_label")));
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(j, "labels")), 3);
	cJSON_Delete(j);
	free(m);
	snprintf(p, sizeof p, "%.300s/train.out", tc_dir);
	m = tc_slurp(p);
	ck_assert_ptr_nonnull(strstr(m, "space"));
	ck_assert_ptr_nonnull(strstr(m, "precision"));
	free(m);
}
END_TEST

START_TEST(test_train_deterministic)
{
	char out[1024], a[400], b[400];
	snprintf(out, sizeof out, "%.300s/again", tc_dir);
	ck_assert_int_eq(tc_run("%s train --facet subject --data %s --out %s --seed 3 >/dev/null 2>&1", tc_bin(),
	                        tc_data, out),
	                 0);
	const char *files[] = {"manifest.json", "vocab.tsv", "label-001.model"};
	for (size_t i = 0; i < 3; i++) {
		snprintf(a, sizeof a, "%.300s/%s", tc_model, files[i]);
		snprintf(b, sizeof b, "%.300s/%s", out, files[i]);
		char *x = tc_slurp(a), *y = tc_slurp(b);
		ck_assert_msg(x && y && strcmp(x, y) == 0, "%s differs between two runs with the same seed", files[i]);
		free(x);
		free(y);
	}
	/* training again into an existing model directory replaces it */
	ck_assert_int_eq(tc_run("%s train --facet subject --data %s --out %s --seed 3 >/dev/null 2>&1", tc_bin(),
	                        tc_data, out),
	                 0);
}
END_TEST

START_TEST(test_tag_model)
{
	struct nt_engine *e = NULL;
	struct nt_error err;
	ck_assert_msg(tc_open(tc_model, &e, &err) == NT_OK, "open: %s", err.msg);
	cJSON *rec = tc_tag(e, "rocket launch", "The astronaut and the capsule reached orbit on a moon mission.");
	const cJSON *f = cJSON_GetObjectItem(cJSON_GetObjectItem(rec, "facets"), "subject");
	ck_assert_ptr_nonnull(f);
	const cJSON *labels = cJSON_GetObjectItem(f, "labels");
	ck_assert_int_ge(cJSON_GetArraySize(labels), 1);
	const cJSON *first = cJSON_GetArrayItem(labels, 0);
	ck_assert_str_eq(cJSON_GetObjectItem(first, "label")->valuestring, "space");
	ck_assert(cJSON_GetObjectItem(first, "score")->valuedouble > 0.5);
	ck_assert_int_ge(cJSON_GetArraySize(cJSON_GetObjectItem(first, "evidence")), 1);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(f, "scores")), 3);
	cJSON_Delete(rec);
	/* an article about none of them gets low scores */
	rec = tc_tag(e, NULL, "Officials said the people of the city read a new report today.");
	f = cJSON_GetObjectItem(cJSON_GetObjectItem(rec, "facets"), "subject");
	const cJSON *s;
	cJSON_ArrayForEach(s, cJSON_GetObjectItem(f, "scores")) ck_assert(s->valuedouble < 0.5);
	cJSON_Delete(rec);
	nt_engine_close(e);
}
END_TEST

START_TEST(test_single_label)
{
	struct nt_engine *e = NULL;
	struct nt_error err;
	ck_assert_msg(tc_open(tc_smodel, &e, &err) == NT_OK, "open: %s", err.msg);
	cJSON *rec = tc_tag(e, NULL, "The striker scored a goal and the coach praised the league season.");
	const cJSON *f = cJSON_GetObjectItem(cJSON_GetObjectItem(rec, "facets"), "kind");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(f, "labels")), 1);
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(f, "labels"), 0), "label")->valuestring,
	                 "sport");
	cJSON_Delete(rec);
	size_t i;
	for (i = 0; i < nt_engine_facet_count(e); i++)
		if (!strcmp(nt_engine_facet_name(e, i), "kind"))
			break;
	ck_assert(i < nt_engine_facet_count(e));
	ck_assert(nt_engine_facet_single(e, i));
	nt_engine_close(e);
}
END_TEST

START_TEST(test_eval_json)
{
	char out[1024];
	snprintf(out, sizeof out, "%.300s/eval.json", tc_dir);
	ck_assert_int_eq(tc_run("%s eval --config %s --model %s --data %s --json >%s 2>/dev/null", tc_bin(), tc_config,
	                        tc_model, tc_data, out),
	                 0);
	char *s = tc_slurp(out);
	cJSON *j = cJSON_Parse(s);
	ck_assert_ptr_nonnull(j);
	const cJSON *f = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "facets"), "subject");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq((int)cJSON_GetObjectItem(f, "documents")->valuedouble, 90);
	ck_assert(cJSON_GetObjectItem(cJSON_GetObjectItem(f, "micro"), "f1")->valuedouble > 0.9);
	ck_assert_ptr_nonnull(cJSON_GetObjectItem(cJSON_GetObjectItem(f, "labels"), "fruit"));
	cJSON_Delete(j);
	free(s);
	/* single-label facet: accuracy and a confusion matrix */
	ck_assert_int_eq(tc_run("%s eval --config %s --model %s --data %s --facet kind --json >%s 2>/dev/null",
	                        tc_bin(), tc_config, tc_smodel, tc_single, out),
	                 0);
	s = tc_slurp(out);
	j = cJSON_Parse(s);
	f = cJSON_GetObjectItem(cJSON_GetObjectItem(j, "facets"), "kind");
	ck_assert(cJSON_IsTrue(cJSON_GetObjectItem(f, "single_label")));
	ck_assert(cJSON_GetObjectItem(f, "accuracy")->valuedouble > 0.9);
	ck_assert_ptr_nonnull(cJSON_GetObjectItem(cJSON_GetObjectItem(f, "confusion"), "sport"));
	cJSON_Delete(j);
	free(s);
	/* the table form */
	ck_assert_int_eq(tc_run("%s eval --config %s --model %s --data %s --facet kind 2>/dev/null | grep -q confusion",
	                        tc_bin(), tc_config, tc_smodel, tc_single),
	                 0);
}
END_TEST

START_TEST(test_train_bad_input)
{
	char err[1024];
	snprintf(err, sizeof err, "%.300s/bad.err", tc_dir);
	ck_assert_int_eq(tc_run("%s train --facet subject --data %s --out %s/badmodel >/dev/null 2>%s", tc_bin(),
	                        tc_bad, tc_dir, err),
	                 3);
	char *s = tc_slurp(err);
	ck_assert_msg(strstr(s, "bad.jsonl:2:") != NULL, "stderr: %s", s);
	free(s);
	ck_assert_int_eq(tc_run("%s train --facet subject --data %s/none.jsonl --out %s/badmodel >/dev/null 2>&1",
	                        tc_bin(), tc_dir, tc_dir),
	                 3);
	ck_assert_int_eq(tc_run("%s train --data %s >/dev/null 2>&1", tc_bin(), tc_data), 2);
}
END_TEST

START_TEST(test_kernel_model)
{
	char out[1024];
	snprintf(out, sizeof out, "%.300s/rbf", tc_dir);
	ck_assert_int_eq(tc_run("%s train --facet subject --data %s --out %s --set kernel=rbf --set c_grid=1,10 "
	                        ">/dev/null 2>&1",
	                        tc_bin(), tc_data, out),
	                 0);
	char p[1024];
	snprintf(p, sizeof p, "%.300s/label-001.model", out);
	char *s = tc_slurp(p);
	ck_assert_ptr_nonnull(strstr(s, "kernel_type rbf"));
	free(s);
	struct nt_engine *e = NULL;
	struct nt_error err;
	ck_assert_msg(tc_open(out, &e, &err) == NT_OK, "open: %s", err.msg);
	cJSON *rec = tc_tag(e, "rocket launch", "The astronaut and the capsule reached orbit on a moon mission.");
	const cJSON *f = cJSON_GetObjectItem(cJSON_GetObjectItem(rec, "facets"), "subject");
	const cJSON *sc = cJSON_GetObjectItem(f, "scores");
	ck_assert(cJSON_GetObjectItem(sc, "space")->valuedouble > cJSON_GetObjectItem(sc, "fruit")->valuedouble);
	cJSON_Delete(rec);
	nt_engine_close(e);
}
END_TEST

/* Copy the trained model to dir/name and return its path in out. */
static void tc_copy_model(const char *name, char *out, size_t n)
{
	snprintf(out, n, "%.300s/%s", tc_dir, name);
	ck_assert_int_eq(tc_run("rm -rf %s && cp -r %s %s", out, tc_model, out), 0);
}

/* Opening must fail with a message containing `want`. */
static void tc_expect_fail(const char *dir, const char *want)
{
	struct nt_engine *e = NULL;
	struct nt_error err;
	memset(&err, 0, sizeof err);
	int rc = tc_open(dir, &e, &err);
	ck_assert_msg(rc != NT_OK, "opening a damaged model succeeded (%s)", want);
	ck_assert_ptr_null(e);
	ck_assert_msg(strstr(err.msg, want) != NULL, "error \"%s\" lacks \"%s\"", err.msg, want);
}

START_TEST(test_damaged_truncated)
{
	char d[1024];
	tc_copy_model("trunc", d, sizeof d);
	/* cut the support vector line in the middle (libsvm itself would crash on some cuts) */
	ck_assert_int_eq(tc_run("f=%s/label-001.model; n=$(wc -c <$f); truncate -s $((n / 2)) $f", d), 0);
	tc_expect_fail(d, "label-001.model");
	tc_copy_model("trunc2", d, sizeof d);
	ck_assert_int_eq(tc_run("truncate -s 60 %s/label-000.model", d), 0);
	tc_expect_fail(d, "label-000.model");
	tc_copy_model("trunc3", d, sizeof d);
	ck_assert_int_eq(tc_run("f=%s/vocab.tsv; n=$(wc -c <$f); truncate -s $((n - 40)) $f", d), 0);
	tc_expect_fail(d, "vocab.tsv");
}
END_TEST

START_TEST(test_damaged_empty)
{
	char d[1024];
	tc_copy_model("empty", d, sizeof d);
	ck_assert_int_eq(tc_run(": > %s/label-002.model", d), 0);
	tc_expect_fail(d, "empty file");
	tc_copy_model("empty2", d, sizeof d);
	ck_assert_int_eq(tc_run(": > %s/vocab.tsv", d), 0);
	tc_expect_fail(d, "vocab.tsv");
	tc_copy_model("empty3", d, sizeof d);
	ck_assert_int_eq(tc_run(": > %s/manifest.json", d), 0);
	tc_expect_fail(d, "manifest.json");
}
END_TEST

START_TEST(test_damaged_garbage)
{
	char d[1024];
	tc_copy_model("garbage", d, sizeof d);
	ck_assert_int_eq(tc_run("head -c 3000 /dev/urandom > %s/label-000.model", d), 0);
	tc_expect_fail(d, "label-000.model");
	tc_copy_model("garbage2", d, sizeof d);
	ck_assert_int_eq(tc_run("sed -i 's/^SV$/SV 7/' %s/label-001.model", d), 0);
	tc_expect_fail(d, "label-001.model");
	tc_copy_model("garbage3", d, sizeof d);
	ck_assert_int_eq(tc_run("sed -i 's/ 3:/ 999999:/' %s/label-001.model", d), 0);
	tc_expect_fail(d, "vocabulary");
	tc_copy_model("garbage4", d, sizeof d);
	ck_assert_int_eq(tc_run("sed -i '5s/\\t[^\\t]*\\t/\\tnot-a-number\\t/' %s/vocab.tsv", d), 0);
	tc_expect_fail(d, "vocab.tsv:5");
}
END_TEST

START_TEST(test_damaged_version)
{
	char d[1024];
	tc_copy_model("version", d, sizeof d);
	ck_assert_int_eq(tc_run("sed -i 's/\"version\":[^,]*,/\"version\": 99,/' %s/manifest.json", d), 0);
	tc_expect_fail(d, "version 99");
	tc_copy_model("version2", d, sizeof d);
	ck_assert_int_eq(tc_run("sed -i '1s/ 1 / 7 /' %s/vocab.tsv", d), 0);
	tc_expect_fail(d, "version 7");
	tc_copy_model("plugin", d, sizeof d);
	ck_assert_int_eq(tc_run("sed -i 's/\"file\":[^,]*\"label-000.model\"/\"file\": \"..\\/x\"/' %s/manifest.json", d),
	                 0);
	tc_expect_fail(d, "plain");
	tc_copy_model("missing", d, sizeof d);
	ck_assert_int_eq(tc_run("rm %s/label-002.model", d), 0);
	tc_expect_fail(d, "label-002.model");
}
END_TEST

static Suite *topic_suite(void)
{
	Suite *s = suite_create("topic");
	TCase *t = tcase_create("train");
	tcase_set_timeout(t, 120);
	tcase_add_unchecked_fixture(t, tc_setup_all, tc_teardown_all);
	tcase_add_test(t, test_train_writes_model);
	tcase_add_test(t, test_train_deterministic);
	tcase_add_test(t, test_tag_model);
	tcase_add_test(t, test_single_label);
	tcase_add_test(t, test_eval_json);
	tcase_add_test(t, test_train_bad_input);
	tcase_add_test(t, test_kernel_model);
	tcase_add_test(t, test_damaged_truncated);
	tcase_add_test(t, test_damaged_empty);
	tcase_add_test(t, test_damaged_garbage);
	tcase_add_test(t, test_damaged_version);
	suite_add_tcase(s, t);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(topic_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
