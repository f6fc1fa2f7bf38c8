/* check_combiner.c - unit tests of the combiner: policies, thresholds, single, top-k, evidence */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "combiner.h"
#include "host.h"

static const struct nt_host *H;
static struct nt_sink sinks[3];
static struct nt_sink *ptrs[3];
static struct nt_config *cfg;
static struct nt_combiner comb;
static const char *const facets_topic[] = {"topic", NULL};
static const char *const *inst_facets[3] = {facets_topic, facets_topic, facets_topic};

static void setup(void)
{
	H = nt_host_get();
	memset(sinks, 0, sizeof sinks);
	static const char *names[] = {"a", "b", "c"};
	for (int i = 0; i < 3; i++) {
		nt_sink_reset(&sinks[i], names[i]);
		ptrs[i] = &sinks[i];
	}
	cfg = NULL;
}

static void teardown(void)
{
	for (int i = 0; i < 3; i++)
		nt_sink_release(&sinks[i]);
	nt_combiner_free(&comb);
	nt_config_free(cfg);
}

/* Plan for 3 instances a, b, c with the facet policy JSON given. */
static void plan(const char *facet_json)
{
	char j[1024];
	snprintf(j, sizeof j, "{\"pipeline\": [{\"plugin\": \"a\"}, {\"plugin\": \"b\"}, {\"plugin\": \"c\"}],"
	                      " \"facets\": {\"topic\": %s}}", facet_json);
	struct nt_error err = {0};
	ck_assert_int_eq(nt_config_parse(j, strlen(j), "t.json", "/m", &cfg, &err), NT_OK);
	ck_assert_int_eq(nt_combiner_init(&comb, cfg, inst_facets, NULL, &err), NT_OK);
}

static cJSON *run(void)
{
	static const struct nt_doc doc = {.id = "x", .text = "Gaza and Iran talks", .text_len = 19};
	struct nt_buf b = {0};
	ck_assert_int_eq(nt_combine(&comb, ptrs, 3, &doc, NT_COMBINE_EXPLAIN, &b), NT_OK);
	cJSON *o = cJSON_Parse(b.data); /* the combiner writes JSON text: it must parse */
	ck_assert_msg(o != NULL, "not JSON: %s", b.data);
	nt_buf_free(&b);
	return o;
}

static const cJSON *labels(const cJSON *o)
{
	return cJSON_GetObjectItem(cJSON_GetObjectItem(o, "topic"), "labels");
}

static double score_at(const cJSON *o, int i, const char *label)
{
	const cJSON *l = cJSON_GetArrayItem(labels(o), i);
	ck_assert_ptr_nonnull(l);
	ck_assert_str_eq(cJSON_GetObjectItem(l, "label")->valuestring, label);
	return cJSON_GetObjectItem(l, "score")->valuedouble;
}

START_TEST(test_max)
{
	plan("{\"policy\": \"max\", \"threshold\": 0.5}");
	H->emit_label(&sinks[0], "topic", "me", 0.6);
	H->emit_label(&sinks[1], "topic", "me", 0.9);
	H->emit_label(&sinks[2], "topic", "md", 0.4);
	cJSON *o = run();
	ck_assert_int_eq(cJSON_GetArraySize(labels(o)), 1);
	ck_assert_double_eq_tol(score_at(o, 0, "me"), 0.9, 1e-9);
	cJSON_Delete(o);
}
END_TEST

START_TEST(test_mean_counts_silent_instances_and_skips_failed)
{
	plan("{\"policy\": \"mean\", \"threshold\": 0.1}");
	H->emit_label(&sinks[0], "topic", "me", 0.9);
	H->emit_label(&sinks[1], "topic", "me", 0.3);
	ptrs[2] = NULL; /* instance c failed: not counted */
	cJSON *o = run();
	ck_assert_double_eq_tol(score_at(o, 0, "me"), 0.6, 1e-9);
	cJSON_Delete(o);
	ptrs[2] = &sinks[2]; /* c alive but silent: counts as 0 */
	o = run();
	ck_assert_double_eq_tol(score_at(o, 0, "me"), 0.4, 1e-9);
	cJSON_Delete(o);
}
END_TEST

START_TEST(test_weighted)
{
	plan("{\"policy\": \"weighted\", \"weights\": {\"a\": 3, \"b\": 1, \"c\": 0}, \"threshold\": 0}");
	H->emit_label(&sinks[0], "topic", "me", 0.8);
	H->emit_label(&sinks[1], "topic", "me", 0.4);
	H->emit_label(&sinks[2], "topic", "me", 0.0);
	cJSON *o = run();
	ck_assert_double_eq_tol(score_at(o, 0, "me"), 0.7, 1e-9);
	cJSON_Delete(o);
}
END_TEST

START_TEST(test_vote)
{
	plan("{\"policy\": \"vote\", \"threshold\": 0.5}");
	H->emit_label(&sinks[0], "topic", "me", 0.8);
	H->emit_label(&sinks[1], "topic", "me", 0.6);
	H->emit_label(&sinks[2], "topic", "md", 0.9);
	cJSON *o = run();
	ck_assert_int_eq(cJSON_GetArraySize(labels(o)), 1);
	ck_assert_double_eq_tol(score_at(o, 0, "me"), 2.0 / 3.0, 1e-4);
	cJSON_Delete(o);
}
END_TEST

START_TEST(test_label_threshold_topk_single_order)
{
	plan("{\"threshold\": 0.5, \"thresholds\": {\"low\": 0.1}, \"top_k\": 2}");
	H->emit_label(&sinks[0], "topic", "low", 0.2);
	H->emit_label(&sinks[0], "topic", "b", 0.7);
	H->emit_label(&sinks[0], "topic", "a", 0.7);
	H->emit_label(&sinks[0], "topic", "c", 0.95);
	cJSON *o = run();
	ck_assert_int_eq(cJSON_GetArraySize(labels(o)), 2);
	score_at(o, 0, "c");
	score_at(o, 1, "a"); /* ties sort by label */
	cJSON_Delete(o);
	nt_combiner_free(&comb);
	nt_config_free(cfg);
	plan("{\"threshold\": 0.0, \"thresholds\": {\"low\": 0.1}, \"single\": true}");
	o = run();
	ck_assert_int_eq(cJSON_GetArraySize(labels(o)), 1);
	score_at(o, 0, "c");
	cJSON_Delete(o);
}
END_TEST

START_TEST(test_evidence_merged_and_explained)
{
	plan("{\"threshold\": 0.5}");
	int i = H->emit_label(&sinks[0], "topic", "me", 0.9);
	H->emit_evidence(&sinks[0], i, NT_SRC_TEXT, 9, 13, 0.5);
	H->emit_evidence(&sinks[0], i, NT_SRC_TEXT, 0, 4, 1.0);
	int j = H->emit_label(&sinks[1], "topic", "me", 0.7);
	H->emit_evidence(&sinks[1], j, NT_SRC_TEXT, 0, 4, 2.0); /* same span: kept once */
	cJSON *o = run();
	const cJSON *l = cJSON_GetArrayItem(labels(o), 0);
	const cJSON *ev = cJSON_GetObjectItem(l, "evidence");
	ck_assert_int_eq(cJSON_GetArraySize(ev), 2);
	ck_assert_int_eq(cJSON_GetArrayItem(cJSON_GetArrayItem(ev, 0), 0)->valueint, 0);
	ck_assert_int_eq(cJSON_GetArrayItem(cJSON_GetArrayItem(ev, 1), 0)->valueint, 9);
	const cJSON *ex = cJSON_GetObjectItem(l, "explain");
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(ex, 0), "text")->valuestring, "Gaza");
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(ex, 0), "plugin")->valuestring, "b");
	cJSON_Delete(o);
}
END_TEST

/* A plugin whose describe() lists known labels, one of them malformed, for emit_known(). */
static const char *const known_list[] = {"topic:me", "topic:md", "no-colon", ":empty-facet", NULL};
static int known_describe(const void *state, struct nt_info *info)
{
	(void)state;
	memset(info, 0, sizeof *info);
	info->labels = known_list;
	return NT_OK;
}

START_TEST(test_emit_known)
{
	static const struct nt_plugin kp = {NT_PLUGIN_HEADER, .name = "k", .describe = known_describe};
	struct nt_known k;
	plan("{\"threshold\": 0.5}");
	ck_assert_int_eq(nt_known_build(&k, &kp, NULL), NT_OK);
	ck_assert_uint_eq(k.n, 4);
	ck_assert_ptr_null(k.v[2].facet);
	ck_assert_ptr_null(k.v[3].facet);
	const struct nt_span sp[2] = {{9, 13, NT_SRC_TEXT, 0, 0.5}, {0, 4, NT_SRC_TEXT, 0, 1.0}};
	const struct nt_span bad[2] = {{0, 4, NT_SRC_TEXT, 0, 1.0}, {5, 4, NT_SRC_TEXT, 0, 1.0}};
	const struct nt_span badsrc[1] = {{0, 4, 7, 0, 1.0}};
	/* no known labels on the sink yet */
	ck_assert_int_eq(H->emit_known(&sinks[0], 0, 0.9, sp, 2), NT_EUNSUPPORTED);
	nt_sink_set_known(&sinks[0], &k);
	ck_assert_int_eq(H->emit_known(&sinks[0], 0, 0.6, sp, 2), 0);
	/* the same label by name is the same label (the higher score kept) */
	ck_assert_int_eq(H->emit_label(&sinks[0], "topic", "me", 0.9), 0);
	ck_assert_int_eq(H->emit_known(&sinks[0], 0, 0.7, NULL, 0), 0);
	/* failures emit nothing: a span ending before it starts, a bad source, a malformed
	 * entry, an id past the list, spans missing */
	ck_assert_int_eq(H->emit_known(&sinks[0], 1, 0.9, bad, 2), NT_EINVAL);
	ck_assert_int_eq(H->emit_known(&sinks[0], 1, 0.9, badsrc, 1), NT_EINVAL);
	ck_assert_int_eq(H->emit_known(&sinks[0], 2, 0.9, NULL, 0), NT_EINVAL);
	ck_assert_int_eq(H->emit_known(&sinks[0], 3, 0.9, NULL, 0), NT_EINVAL);
	ck_assert_int_eq(H->emit_known(&sinks[0], 4, 0.9, NULL, 0), NT_EINVAL);
	ck_assert_int_eq(H->emit_known(&sinks[0], 1, 0.9, NULL, 1), NT_EINVAL);
	ck_assert_uint_eq(sinks[0].nlabels, 1);
	ck_assert_uint_eq(sinks[0].nev, 2);
	/* the scores are clamped as emit_label() does */
	ck_assert_int_eq(H->emit_known(&sinks[1], 1, 7.0, NULL, 0), NT_EUNSUPPORTED);
	nt_sink_set_known(&sinks[1], &k);
	ck_assert_int_eq(H->emit_known(&sinks[1], 1, 7.0, sp, 1), 0);
	cJSON *o = run();
	const cJSON *ls = labels(o);
	ck_assert_int_eq(cJSON_GetArraySize(ls), 2);
	const cJSON *md = cJSON_GetArrayItem(ls, 0), *me = cJSON_GetArrayItem(ls, 1);
	ck_assert_str_eq(cJSON_GetObjectItem(md, "label")->valuestring, "md");
	ck_assert_double_eq_tol(cJSON_GetObjectItem(md, "score")->valuedouble, 1.0, 1e-9);
	ck_assert_str_eq(cJSON_GetObjectItem(me, "label")->valuestring, "me");
	ck_assert_double_eq_tol(cJSON_GetObjectItem(me, "score")->valuedouble, 0.9, 1e-9);
	const cJSON *ev = cJSON_GetObjectItem(me, "evidence");
	ck_assert_int_eq(cJSON_GetArraySize(ev), 2);
	ck_assert_int_eq(cJSON_GetArrayItem(cJSON_GetArrayItem(ev, 0), 0)->valueint, 0);
	ck_assert_int_eq(cJSON_GetArrayItem(cJSON_GetArrayItem(ev, 1), 0)->valueint, 9);
	cJSON_Delete(o);
	/* the sinks' labels point into k: it is released after them */
	for (int i = 0; i < 3; i++)
		nt_sink_release(&sinks[i]);
	nt_known_free(&k);
	ck_assert_uint_eq(k.n, 0);
}
END_TEST

/* A plugin whose describe_numbers() lists numbers, two of them unusable, for emit_known_numbers(). */
static const char *const number_list[] = {"topic:value", "topic:count", "no-colon", "topic:labels", NULL};
static int numbers_describe(const void *state, const char *const **names)
{
	(void)state;
	*names = number_list;
	return NT_OK;
}

START_TEST(test_emit_known_numbers)
{
	static const struct nt_plugin np = {NT_PLUGIN_HEADER, .name = "n", .describe_numbers = numbers_describe};
	static const struct nt_plugin old = {NT_PLUGIN_HEADER, .name = "o", .describe = known_describe};
	struct nt_known k, ko;
	plan("{\"threshold\": 0.5}");
	ck_assert_int_eq(nt_known_build(&k, &np, NULL), NT_OK);
	ck_assert_uint_eq(k.n, 0); /* no describe(): no labels, but numbers */
	ck_assert_uint_eq(k.nnum, 4);
	ck_assert_str_eq(k.num[1].facet, "topic");
	ck_assert_str_eq(k.num[1].label, "count");
	ck_assert_ptr_null(k.num[2].facet);
	ck_assert_ptr_null(k.num[3].facet); /* a reserved key */
	/* a plugin without describe_numbers() lists none */
	ck_assert_int_eq(nt_known_build(&ko, &old, NULL), NT_OK);
	ck_assert_uint_eq(ko.nnum, 0);
	const double v2[2] = {-0.5, 3.0}, nine[2] = {9.0, 9.0};
	ck_assert_int_eq(H->emit_known_numbers(&sinks[0], 0, v2, 2), NT_EUNSUPPORTED);
	nt_sink_set_known(&sinks[0], &ko);
	ck_assert_int_eq(H->emit_known_numbers(&sinks[0], 0, v2, 2), NT_EUNSUPPORTED);
	nt_sink_set_known(&sinks[0], &k);
	ck_assert_int_eq(H->emit_known_numbers(&sinks[0], 0, v2, 2), NT_OK);
	ck_assert_uint_eq(sinks[0].nnumbers, 2);
	/* the same number by name is the same number (the last value kept), and back */
	ck_assert_int_eq(H->emit_number(&sinks[0], "topic", "value", 0.25), NT_OK);
	ck_assert_uint_eq(sinks[0].nnumbers, 2);
	ck_assert_int_eq(H->emit_known_numbers(&sinks[0], 1, nine, 1), NT_OK);
	ck_assert_uint_eq(sinks[0].nnumbers, 2);
	/* failures set nothing: an unusable entry in the range, a range past the list, values
	 * missing; an empty range at the end sets nothing and succeeds */
	ck_assert_int_eq(H->emit_known_numbers(&sinks[0], 0, nine, 3), NT_EINVAL);
	ck_assert_int_eq(H->emit_known_numbers(&sinks[0], 3, nine, 1), NT_EINVAL);
	ck_assert_int_eq(H->emit_known_numbers(&sinks[0], 4, nine, 1), NT_EINVAL);
	ck_assert_int_eq(H->emit_known_numbers(&sinks[0], 5, nine, 0), NT_EINVAL);
	ck_assert_int_eq(H->emit_known_numbers(&sinks[0], 0, NULL, 1), NT_EINVAL);
	ck_assert_int_eq(H->emit_known_numbers(&sinks[0], 4, NULL, 0), NT_OK);
	ck_assert_uint_eq(sinks[0].nnumbers, 2);
	cJSON *o = run();
	const cJSON *t = cJSON_GetObjectItem(o, "topic");
	ck_assert_double_eq_tol(cJSON_GetObjectItem(t, "value")->valuedouble, 0.25, 1e-9);
	ck_assert_double_eq_tol(cJSON_GetObjectItem(t, "count")->valuedouble, 9.0, 1e-9);
	cJSON_Delete(o);
	/* the sinks' numbers point into k: it is released after them */
	for (int i = 0; i < 3; i++)
		nt_sink_release(&sinks[i]);
	nt_known_free(&k);
	nt_known_free(&ko);
	ck_assert_uint_eq(k.nnum, 0);
}
END_TEST

START_TEST(test_scores_and_numbers)
{
	plan("{\"threshold\": 0.5}");
	H->emit_score(&sinks[0], "topic", "me", 0.2);
	H->emit_score(&sinks[0], "topic", "md", 0.8);
	H->emit_number(&sinks[0], "topic", "value", -0.5);
	H->emit_number(&sinks[1], "topic", "value", 0.5);
	ck_assert_int_lt(H->emit_number(&sinks[1], "topic", "labels", 1), 0);
	cJSON *o = run();
	const cJSON *t = cJSON_GetObjectItem(o, "topic");
	ck_assert_double_eq_tol(cJSON_GetObjectItem(cJSON_GetObjectItem(t, "scores"), "md")->valuedouble, 0.8, 1e-9);
	ck_assert_double_eq_tol(cJSON_GetObjectItem(t, "value")->valuedouble, 0.0, 1e-9);
	ck_assert_int_eq(cJSON_GetArraySize(labels(o)), 0);
	cJSON_Delete(o);
}
END_TEST

START_TEST(test_scores_only_from_reporting_instances)
{
	plan("{\"policy\": \"weighted\", \"weights\": {\"a\": 0.7, \"b\": 0.3}, \"threshold\": 0}");
	H->emit_score(&sinks[0], "topic", "me", 0.6);
	H->emit_label(&sinks[1], "topic", "me", 0.9); /* b reports labels, no scores */
	cJSON *o = run();
	const cJSON *t = cJSON_GetObjectItem(o, "topic");
	ck_assert_double_eq_tol(cJSON_GetObjectItem(cJSON_GetObjectItem(t, "scores"), "me")->valuedouble, 0.6, 1e-9);
	cJSON_Delete(o);
}
END_TEST

START_TEST(test_bad_weight_name)
{
	const char *j = "{\"pipeline\": [{\"plugin\": \"a\"}], \"facets\": {\"topic\": {\"weights\": {\"zz\": 1}}}}";
	struct nt_error err = {0};
	ck_assert_int_eq(nt_config_parse(j, strlen(j), "t.json", "/m", &cfg, &err), NT_OK);
	ck_assert_int_eq(nt_combiner_init(&comb, cfg, inst_facets, NULL, &err), NT_EINVAL);
	ck_assert_msg(strstr(err.msg, "\"zz\"") != NULL, "%s", err.msg);
}
END_TEST

START_TEST(test_scores_clamped)
{
	plan("{\"threshold\": 0}");
	H->emit_label(&sinks[0], "topic", "hi", 7.0);
	H->emit_label(&sinks[0], "topic", "nan", 0.0 / 0.0);
	cJSON *o = run();
	ck_assert_double_eq(score_at(o, 0, "hi"), 1.0);
	ck_assert_double_eq(score_at(o, 1, "nan"), 0.0);
	cJSON_Delete(o);
}
END_TEST

START_TEST(test_scores_rounded_to_4_decimals)
{
	static const struct nt_doc doc = {.id = "x", .text = "t", .text_len = 1};
	struct nt_buf b = {0};
	plan("{\"threshold\": 0.5}");
	H->emit_score(&sinks[0], "topic", "a", 0.123456);
	H->emit_score(&sinks[0], "topic", "b", 0.00004);
	H->emit_score(&sinks[0], "topic", "c", 0.99996);
	H->emit_score(&sinks[0], "topic", "d", 0.25);
	H->emit_score(&sinks[0], "topic", "e", 0.00005001);
	H->emit_number(&sinks[0], "topic", "neg", -0.123456); /* rounds down: -0.1235 */
	H->emit_number(&sinks[0], "topic", "half", -0.00005); /* -0.5 + 0.5 = 0 */
	ck_assert_int_eq(nt_combine(&comb, ptrs, 3, &doc, 0, &b), NT_OK);
	ck_assert_msg(strstr(b.data, "\"scores\":{\"a\":0.1235,\"b\":0,\"c\":1,\"d\":0.25,\"e\":0.0001}") != NULL,
	              "%s", b.data);
	ck_assert_msg(strstr(b.data, "\"neg\":-0.1235") != NULL, "%s", b.data);
	ck_assert_msg(strstr(b.data, "\"half\":0") != NULL, "%s", b.data);
	nt_buf_free(&b);
}
END_TEST

/* More candidates than the combiner's small buffer (16), and more instances than it has
 * scores for (8): the heap paths give the same record. */
START_TEST(test_many_labels_and_instances)
{
	enum { NI = 11, NL = 40 };
	struct nt_sink many[NI];
	struct nt_sink *mp[NI];
	const char *const *mf[NI];
	static char inst[NI][8]; /* instance names outlive the sinks' use of them */
	char j[2048], name[16];
	size_t off;
	struct nt_error err = {0};
	memset(many, 0, sizeof many);
	off = (size_t)snprintf(j, sizeof j, "{\"pipeline\": [");
	for (int i = 0; i < NI; i++) {
		snprintf(inst[i], sizeof inst[i], "p%d", i);
		nt_sink_reset(&many[i], inst[i]);
		mp[i] = &many[i];
		mf[i] = facets_topic;
		off += (size_t)snprintf(j + off, sizeof j - off, "%s{\"plugin\": \"p%d\"}", i ? ", " : "", i);
	}
	snprintf(j + off, sizeof j - off, "], \"facets\": {\"topic\": {\"policy\": \"max\", \"threshold\": 0}}}");
	ck_assert_int_eq(nt_config_parse(j, strlen(j), "t.json", "/m", &cfg, &err), NT_OK);
	ck_assert_int_eq(nt_combiner_init(&comb, cfg, mf, NULL, &err), NT_OK);
	/* label Lk gets score k/100 from instance k % NI, and a lower one from the last */
	for (int k = 0; k < NL; k++) {
		snprintf(name, sizeof name, "L%02d", k);
		H->emit_label(&many[k % NI], "topic", name, (k + 1) / 100.0);
		H->emit_label(&many[NI - 1], "topic", name, 0.001);
		H->emit_score(&many[k % NI], "topic", name, (k + 1) / 100.0);
	}
	static const struct nt_doc doc = {.id = "x", .text = "t", .text_len = 1};
	struct nt_buf b = {0};
	ck_assert_int_eq(nt_combine(&comb, mp, NI, &doc, 0, &b), NT_OK);
	cJSON *o = cJSON_Parse(b.data);
	ck_assert_ptr_nonnull(o);
	const cJSON *t = cJSON_GetObjectItem(o, "topic");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(t, "labels")), NL);
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(t, "scores")), NL);
	for (int i = 0; i < NL; i++) { /* highest first */
		snprintf(name, sizeof name, "L%02d", NL - 1 - i);
		ck_assert_double_eq_tol(score_at(o, i, name), (NL - i) / 100.0, 1e-9);
		ck_assert_double_eq_tol(cJSON_GetObjectItem(cJSON_GetObjectItem(t, "scores"), name)->valuedouble,
		                        (NL - i) / 100.0, 1e-9);
	}
	cJSON_Delete(o);
	nt_buf_free(&b);
	for (int i = 0; i < NI; i++)
		nt_sink_release(&many[i]);
}
END_TEST

static Suite *combiner_suite(void)
{
	Suite *s = suite_create("combiner");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_max);
	tcase_add_test(tc, test_mean_counts_silent_instances_and_skips_failed);
	tcase_add_test(tc, test_weighted);
	tcase_add_test(tc, test_vote);
	tcase_add_test(tc, test_label_threshold_topk_single_order);
	tcase_add_test(tc, test_evidence_merged_and_explained);
	tcase_add_test(tc, test_emit_known);
	tcase_add_test(tc, test_emit_known_numbers);
	tcase_add_test(tc, test_scores_and_numbers);
	tcase_add_test(tc, test_scores_only_from_reporting_instances);
	tcase_add_test(tc, test_bad_weight_name);
	tcase_add_test(tc, test_scores_clamped);
	tcase_add_test(tc, test_scores_rounded_to_4_decimals);
	tcase_add_test(tc, test_many_labels_and_instances);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(combiner_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
