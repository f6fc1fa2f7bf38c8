/* check_tone.c - unit tests of the tone plugin: rules, news vocabulary, model files, record fields */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "docmodel.h"
#include "engine.h"
#include "host.h"
#include "newstag/newstag.h"

#include "../plugins/tone/tone.c"

/* A small lexicon written for these tests (no third-party text). */
static const char fixture_lexicon[] =
	"nttone 1\n"
	"# test fixture\n"
	"good\tv\t2\n"
	"happy\tv\t2.5\n"
	"terrible\tv\t-2.5\n"
	"united\tv\t1.8\n"
	"not\tn\t0\n"
	"never\tn\t0\n"
	"very\tb\t0.293\n"
	"slightly\tb\t-0.293\n"
	"kind of\tb\t-0.293\n"
	"kind\tv\t2\n"
	"but\tc\t0\n"
	"however\tc\t0\n"
	"although\ts\t0\n"
	"plan\tw\t0\t0.01\t0\t3\n";

static char lex_path[64];
static struct tone_state *S;
static struct nt_docbuf *B;

/* A private directory for the fixture files (made on first use in each test process): the
 * plugin digests the directory of its lexicon for provenance, and digesting all of /tmp made
 * the tests slow enough to time out when /tmp held large files. */
static char tmp_dir[32];

/* A mkstemp() template "DIR/stemXXXXXX" in the private directory into buf (64 bytes). */
static char *tmp_template(char *buf, const char *stem)
{
	if (!tmp_dir[0]) {
		strcpy(tmp_dir, "/tmp/check_tone_XXXXXX");
		ck_assert_ptr_nonnull(mkdtemp(tmp_dir));
	}
	snprintf(buf, 64, "%s/%sXXXXXX", tmp_dir, stem);
	return buf;
}

/* Remove the private directory (empty unless a test failed half way). */
static void tmp_cleanup(void)
{
	if (tmp_dir[0])
		rmdir(tmp_dir);
	tmp_dir[0] = 0;
}

static void write_file(char *tmpl, const char *text)
{
	int fd = mkstemp(tmpl);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static void setup(void)
{
	struct tone_config c = {0};
	struct nt_error err = {0};
	void *st = NULL;
	tmp_template(lex_path, "lex");
	write_file(lex_path, fixture_lexicon);
	c.lexicon = lex_path;
	c.correction = "";
	c.facet = "tone";
	c.evidence = 3;
	ck_assert_msg(tone_open(nt_host_get(), &c, "/tmp", &st, &err) == NT_OK, "%s", err.msg);
	S = st;
	B = nt_docbuf_new();
	ck_assert_ptr_nonnull(B);
}

static void teardown(void)
{
	tone_close(S);
	S = NULL;
	nt_docbuf_free(B);
	unlink(lex_path);
	tmp_cleanup();
}

/* Score text with state s; returns the value (plain normalised lexicon score without a
 * correction file) and optionally the result. */
static double score_with(const struct tone_state *s, const char *text, struct tone_result *out)
{
	const struct nt_doc *d;
	struct nt_error err = {0};
	struct tone_result r;
	ck_assert_int_eq(nt_doc_build(B, "t", NULL, 0, text, strlen(text), 0, &d, &err), NT_OK);
	size_t nt = d->ntokens ? d->ntokens : 1;
	struct tone_hit *hits = calloc(nt, sizeof *hits);
	ck_assert_ptr_nonnull(hits);
	tone_score(s, d, hits, &r);
	r.value = tone_value(&s->p, &r);
	free(hits);
	if (out)
		*out = r;
	return r.value;
}

static double score(const char *text)
{
	return score_with(S, text, NULL);
}

START_TEST(test_plain_valence)
{
	ck_assert(score("The plan is good.") > 0.3);
	ck_assert(score("The plan is terrible.") < -0.3);
	ck_assert(fabs(score("The plan is ready.")) < 1e-12);
}
END_TEST

START_TEST(test_negation_scope)
{
	double pos = score("The plan is good.");
	double neg = score("The plan is not good.");
	ck_assert(neg < 0);
	/* negation shrinks as well as flips (x -0.74) */
	ck_assert(fabs(neg) < fabs(pos));
	/* boosters do not use up the scope: "not really a good" is negated */
	ck_assert(score("It is not really a good plan.") < 0);
	/* a comma ends the negation's scope */
	ck_assert(score("Not now, but the plan is good.") > 0);
	/* out of reach: four words after the negator */
	ck_assert(score("Not one of these people was good.") > 0);
	/* other clause punctuation ends it too: semicolon, colon, parenthesis, em dash */
	ck_assert(score("It is not; the plan is good.") > 0);
	ck_assert(score("Not this: a good plan.") > 0);
	ck_assert(score("Not \xE2\x80\x94 good.") > 0);
	ck_assert(score("Not (good) news.") > 0);
	/* but a hyphen or a quote does not */
	ck_assert(score("It is not \"good\".") < 0);
	/* negators in a row, and a negated negative */
	ck_assert(score("The plan is never terrible.") > 0);
	/* a number between the words of a pair breaks the pair ("kind 3 of" is not "kind of") */
	ck_assert(score("The plan is kind 3 of good.") > score("The plan is kind of good."));
}
END_TEST

START_TEST(test_contrast)
{
	struct tone_result r;
	/* but: the clause after weighs 1.5, the clause before 0.5 */
	double v = score_with(S, "The food was good but the service was terrible.", &r);
	ck_assert(v < 0);
	ck_assert(fabs(r.pos - 0.5 * 2.0) < 1e-9);
	ck_assert(fabs(r.neg - 1.5 * 2.5) < 1e-9);
	ck_assert(score("The food was terrible but the service was good.") > 0);
	ck_assert(score("The food was terrible. However, the service was very good.") > 0);
	/* concession: the "although" clause counts half up to its comma */
	score_with(S, "Although the food was terrible, the service was good.", &r);
	ck_assert(fabs(r.neg - 0.5 * 2.5) < 1e-9);
	ck_assert(fabs(r.pos - 2.0) < 1e-9);
}
END_TEST

START_TEST(test_boosters)
{
	double base = score("The plan is good.");
	ck_assert(score("The plan is very good.") > base);
	ck_assert(score("The plan is slightly good.") < base);
	ck_assert(score("The plan is very terrible.") < score("The plan is terrible."));
	/* two-word dampener: "kind of" is a booster, "kind" alone a sentiment word */
	ck_assert(score("The plan is kind of good.") < base);
	ck_assert(score("The plan is kind of good.") > 0);
	/* the pair replaces the first word's own valence: only "good" counts */
	{
		struct tone_result r;
		score_with(S, "The plan is kind of good.", &r);
		ck_assert_int_eq(r.npos, 1);
		ck_assert_int_eq((int)r.nhits, 1);
		score_with(S, "The kind plan.", &r);
		ck_assert(fabs(r.pos - 2.0) < 1e-9);
	}
	/* reach: a booster moves a sentiment word up to three words later, decaying */
	{
		double d0 = score("The very good plan.") - score("The good plan.");
		double d2 = score("The very big red good plan.") - score("The big red good plan.");
		double d3 = score("The very big red old good plan.") - score("The big red old good plan.");
		ck_assert(d0 > d2 && d2 > 0);
		ck_assert(fabs(d3) < 1e-12);
	}
	/* a negator clears boosters before it; boosters do not use up the negation's reach */
	ck_assert(score("It is not very very good.") < 0);
}
END_TEST

START_TEST(test_emphasis)
{
	double base = score("The plan is good.");
	ck_assert(score("The plan is GOOD.") > base);
	ck_assert(score("The plan is good!") > base);
	ck_assert(score("The plan is good!!") > score("The plan is good!"));
	ck_assert(score("The plan is terrible!") < score("The plan is terrible."));
	/* all-caps text: no caps differential */
	ck_assert(fabs(score("THE PLAN IS GOOD.") - base) < 1e-9);
}
END_TEST

START_TEST(test_names)
{
	/* a capitalised word inside a sentence is probably a name (United Nations) */
	ck_assert(score("He spoke at the United Nations.") < score("We are united."));
	ck_assert(score("United we stand.") > 0.3);
}
END_TEST

/* The shipped model: news vocabulary and the correction. */
static struct tone_state *open_shipped(void)
{
	const char *models = getenv("NEWSTAG_MODELS");
	char lex[1024], cor[1024];
	struct tone_config c = {0};
	struct nt_error err = {0};
	void *st = NULL;
	if (!models)
		models = NT_SRCDIR "/models";
	snprintf(lex, sizeof lex, "%s/tone/lexicon.tsv", models);
	snprintf(cor, sizeof cor, "%s/tone/correction.txt", models);
	c.lexicon = lex;
	c.correction = cor;
	c.facet = "tone";
	c.evidence = 5;
	ck_assert_msg(tone_open(nt_host_get(), &c, models, &st, &err) == NT_OK, "%s", err.msg);
	ck_assert(((struct tone_state *)st)->p.has_weights);
	ck_assert(((struct tone_state *)st)->p.has_cls);
	return st;
}

static double raw_lex(const struct tone_state *s, const char *w)
{
	const struct tone_slot *e = tone_find(s, s->host->hash(w, strlen(w)));
	return (e && TONE_KIND(e) == TK_VALENCE) ? e->value * TONE_VALUE_UNIT : 0.0;
}

START_TEST(test_news_vocabulary)
{
	struct tone_state *s = open_shipped();
	ck_assert(raw_lex(s, "ceasefire") > 0);
	ck_assert(raw_lex(s, "truce") > 0);
	ck_assert(raw_lex(s, "casualties") < 0);
	ck_assert(raw_lex(s, "sanctions") < 0);
	ck_assert(raw_lex(s, "strike") < 0);
	ck_assert(raw_lex(s, "deal") > 0);
	ck_assert(raw_lex(s, "agreement") > 0);
	/* topic words are not sentiment */
	ck_assert(raw_lex(s, "interceptor") == 0);
	ck_assert(raw_lex(s, "missile") == 0);
	ck_assert(raw_lex(s, "united") == 0);
	ck_assert(raw_lex(s, "supreme") == 0);
	/* whole sentences, through the correction */
	ck_assert(score_with(s, "Hundreds of civilians were killed and thousands wounded in the shelling.",
	                     NULL) < -0.1);
	ck_assert(score_with(s, "The ceasefire agreement was welcomed as a great success for peace.", NULL) > 0.1);
	ck_assert(score_with(s, "The talks did not bring peace.", NULL) <
	          score_with(s, "The talks did bring peace.", NULL));
	tone_close(s);
}
END_TEST

/* Write a correction file: the 9 value weights (comp 1, the rest 0) and, when with_class, a
 * 3-class decision leaning on comp (negative below -0.1, positive above 0.1) with bias -1. */
static void write_correction_fixture(char *tmpl, int with_class, const char *extra)
{
	char buf[8192];
	size_t n = 0;
	int k, t, c;
	n += (size_t)snprintf(buf + n, sizeof buf - n, "nttone-correction 1\nfeatures 9\n");
	for (k = 0; k < TONE_NFEAT; k++)
		n += (size_t)snprintf(buf + n, sizeof buf - n, "weight %s %s\n", tone_feature_names[k],
		                      k == 0 ? "1" : "0");
	for (t = 0; with_class && t < 2; t++)
		for (c = 0; c < 2; c++)
			for (k = 0; k < TONE_NCFEAT; k++) {
				const char *name = tone_cfeature_names[k];
				double v = strcmp(name, "comp") == 0 ? (c ? 10 : -10) : strcmp(name, "bias") == 0 ? -1 : 0;
				n += (size_t)snprintf(buf + n, sizeof buf - n, "class %s %s %s %g\n",
				                      t ? "titled" : "untitled", c ? "positive" : "negative", name, v);
			}
	n += (size_t)snprintf(buf + n, sizeof buf - n, "%s", extra ? extra : "");
	ck_assert(n < sizeof buf);
	write_file(tmpl, buf);
}

/* The class (0 negative, 1 neutral, 2 positive) the decision of s gives to title + text. */
static int decide_with(const struct tone_state *s, const char *title, const char *text)
{
	const struct nt_doc *d;
	struct nt_error err = {0};
	struct tone_result r;
	double prob[3];
	ck_assert_int_eq(nt_doc_build(B, "t", title, title ? strlen(title) : 0, text, strlen(text), 0, &d, &err),
	                 NT_OK);
	struct tone_hit *hits = calloc(d->ntokens ? d->ntokens : 1, sizeof *hits);
	ck_assert_ptr_nonnull(hits);
	tone_score(s, d, hits, &r);
	free(hits);
	tone_decide(&s->p, &r, d->zones[NT_ZONE_TITLE].ntokens > 0, prob);
	ck_assert(fabs(prob[0] + prob[1] + prob[2] - 1) < 1e-9);
	return prob[0] >= prob[1] && prob[0] >= prob[2] ? 0 : prob[2] > prob[1] ? 2 : 1;
}

START_TEST(test_decision)
{
	struct tone_config c = {0};
	struct nt_error err = {0};
	void *st = NULL;
	struct tone_state *s;
	char p[64];
	tmp_template(p, "cor");
	write_correction_fixture(p, 1, NULL);
	c.lexicon = lex_path;
	c.correction = p;
	c.evidence = 3;
	ck_assert_msg(tone_open(nt_host_get(), &c, "/tmp", &st, &err) == NT_OK, "%s", err.msg);
	s = st;
	ck_assert(s->p.has_cls);
	ck_assert(!s->p.words_untitled);
	ck_assert_int_eq(decide_with(s, NULL, "The food was good."), 2);
	ck_assert_int_eq(decide_with(s, NULL, "The food was terrible."), 0);
	ck_assert_int_eq(decide_with(s, NULL, "The food was served."), 1);
	/* negation reaches the decision through the lexicon features */
	ck_assert_int_eq(decide_with(s, NULL, "The food was not good."), 0);
	/* per-word terms ("plan": positive 3) count in titled articles only (words_untitled 0) */
	ck_assert_int_eq(decide_with(s, NULL, "The plan was served."), 1);
	ck_assert_int_eq(decide_with(s, "A plan", "The plan was served."), 2);
	ck_assert_int_eq(decide_with(s, "News", "The food was served."), 1);
	tone_close(s);
	unlink(p);
	/* words_untitled 1: they count everywhere */
	tmp_template(p, "cor");
	write_correction_fixture(p, 1, "param words_untitled 1\n");
	c.correction = p;
	ck_assert_msg(tone_open(nt_host_get(), &c, "/tmp", &st, &err) == NT_OK, "%s", err.msg);
	s = st;
	ck_assert_int_eq(decide_with(s, NULL, "The plan was served."), 2);
	tone_close(s);
	unlink(p);
	/* no class lines: the thresholds on the value decide */
	tmp_template(p, "cor");
	write_correction_fixture(p, 0, NULL);
	c.correction = p;
	ck_assert_msg(tone_open(nt_host_get(), &c, "/tmp", &st, &err) == NT_OK, "%s", err.msg);
	ck_assert(!((struct tone_state *)st)->p.has_cls);
	tone_close(st);
	unlink(p);
}
END_TEST

/* Provenance: one digest over the model directory, so every model file is covered. */
START_TEST(test_digest)
{
	struct tone_state *s = open_shipped();
	struct nt_info info;
	char want[128], dir[1024];
	const char *models = getenv("NEWSTAG_MODELS");
	memset(&info, 0, sizeof info);
	ck_assert_int_eq(tone_describe(s, &info), NT_OK);
	ck_assert_ptr_nonnull(info.model_digest);
	snprintf(dir, sizeof dir, "%s/tone", models ? models : NT_SRCDIR "/models");
	ck_assert_int_eq(nt_host_get()->digest_file(dir, want, sizeof want), NT_OK);
	ck_assert_str_eq(info.model_digest, want);
	ck_assert_int_eq(info.single_label, 1);
	tone_close(s);
}
END_TEST

START_TEST(test_bad_files)
{
	struct tone_config c = {0};
	struct nt_error err = {0};
	void *st = NULL;
	char p[64];
	tmp_template(p, "bad");
	write_file(p, "nttone 1\ngood\tv\tabc\n");
	c.lexicon = p;
	c.correction = "";
	c.evidence = 1;
	ck_assert_int_eq(tone_open(nt_host_get(), &c, "/tmp", &st, &err), NT_EFORMAT);
	ck_assert_msg(strstr(err.msg, ":2:") != NULL, "%s", err.msg);
	unlink(p);
	tmp_template(p, "bad");
	write_file(p, "not a lexicon\n");
	c.lexicon = p;
	ck_assert_int_eq(tone_open(nt_host_get(), &c, "/tmp", &st, &err), NT_EFORMAT);
	ck_assert_msg(strstr(err.msg, ":1:") != NULL, "%s", err.msg);
	unlink(p);
	c.lexicon = lex_path;
	tmp_template(p, "bad");
	write_file(p, "nttone-correction 1\nparam neg_scalar -0.7\nweight comp 1\n");
	c.correction = p;
	ck_assert_int_eq(tone_open(nt_host_get(), &c, "/tmp", &st, &err), NT_EFORMAT);
	ck_assert_msg(strstr(err.msg, "weights") != NULL, "%s", err.msg);
	unlink(p);
	c.correction = "/nonexistent/correction.txt";
	ck_assert_int_eq(tone_open(nt_host_get(), &c, "/tmp", &st, &err), NT_EIO);
	/* class lines: an unknown feature, and an incomplete set */
	tmp_template(p, "bad");
	write_correction_fixture(p, 1, "class titled positive shouting 1\n");
	c.correction = p;
	ck_assert_int_eq(tone_open(nt_host_get(), &c, "/tmp", &st, &err), NT_EFORMAT);
	ck_assert_msg(strstr(err.msg, ":80:") != NULL && strstr(err.msg, "shouting") != NULL, "%s", err.msg);
	unlink(p);
	tmp_template(p, "bad");
	write_correction_fixture(p, 0, "class titled positive comp 1\n");
	ck_assert_int_eq(tone_open(nt_host_get(), &c, "/tmp", &st, &err), NT_EFORMAT);
	ck_assert_msg(strstr(err.msg, "class weights") != NULL, "%s", err.msg);
	unlink(p);
	/* lexicon weights outside the fixed-point range or finer than it; two learned columns */
	c.correction = "";
	tmp_template(p, "bad");
	write_file(p, "nttone 1\ngood\tv\t2\nplan\tw\t0\t5\n");
	c.lexicon = p;
	ck_assert_int_eq(tone_open(nt_host_get(), &c, "/tmp", &st, &err), NT_EFORMAT);
	ck_assert_msg(strstr(err.msg, ":3:") != NULL, "%s", err.msg);
	unlink(p);
	tmp_template(p, "bad");
	write_file(p, "nttone 1\ngood\tv\t2.00001\n");
	ck_assert_int_eq(tone_open(nt_host_get(), &c, "/tmp", &st, &err), NT_EFORMAT);
	ck_assert_msg(strstr(err.msg, ":2:") != NULL, "%s", err.msg);
	unlink(p);
	tmp_template(p, "bad");
	write_file(p, "nttone 1\nplan\tw\t0\t0.1\t0.2\n");
	ck_assert_int_eq(tone_open(nt_host_get(), &c, "/tmp", &st, &err), NT_EFORMAT);
	ck_assert_msg(strstr(err.msg, ":2:") != NULL, "%s", err.msg);
	unlink(p);
}
END_TEST

/* Through the engine: real module loading, the default-pipeline-style facet policy. */
START_TEST(test_record_fields)
{
	char cfg[64];
	tmp_template(cfg, "cfg");
	struct nt_engine_options o = {0};
	struct nt_engine *e = NULL;
	struct nt_error err = {0};
	static const char text[] = "Rebels shelled the city, killing dozens.\n\n"
	                           "Officials said the attack was a terrible blow to the peace talks.";
	struct nt_article a = {.id = "a1", .title = "Ceasefire collapses", .text = text,
	                       .text_len = sizeof text - 1};
	cJSON *rec = NULL;
	write_file(cfg, "{\"pipeline\": [{\"plugin\": \"tone\"}],"
	                " \"facets\": {\"tone\": {\"single\": true, \"threshold\": 0}}}");
	o.config_path = cfg;
	o.models_dir = getenv("NEWSTAG_MODELS");
	ck_assert_msg(nt_engine_open(&o, &e, &err) == NT_OK, "%s", err.msg);
	ck_assert_int_eq(nt_engine_tag_json(e, &a, &rec, &err), NT_OK);
	const cJSON *tone = cJSON_GetObjectItem(cJSON_GetObjectItem(rec, "facets"), "tone");
	ck_assert_ptr_nonnull(tone);
	const cJSON *labels = cJSON_GetObjectItem(tone, "labels");
	ck_assert_int_eq(cJSON_GetArraySize(labels), 1);
	const cJSON *l0 = cJSON_GetArrayItem(labels, 0);
	ck_assert_str_eq(cJSON_GetObjectItem(l0, "label")->valuestring, "negative");
	/* the score is the decision's probability of the label: the largest of three */
	double sc = cJSON_GetObjectItem(l0, "score")->valuedouble;
	ck_assert(sc > 1.0 / 3 && sc <= 1.0);
	double v = cJSON_GetObjectItem(tone, "value")->valuedouble;
	ck_assert(v < 0 && v >= -1);
	static const char *keys[] = {"positive_share", "negative_share", "polarity", "word_count",
	                             "sentence_stddev"};
	for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
		ck_assert_msg(cJSON_IsNumber(cJSON_GetObjectItem(tone, keys[k])), "missing %s", keys[k]);
	ck_assert(cJSON_GetObjectItem(tone, "negative_share")->valuedouble >
	          cJSON_GetObjectItem(tone, "positive_share")->valuedouble);
	ck_assert(cJSON_GetObjectItem(tone, "word_count")->valuedouble >= 15);
	/* evidence: spans of the words that moved the score */
	const cJSON *ev = cJSON_GetObjectItem(l0, "evidence");
	ck_assert_ptr_nonnull(ev);
	ck_assert_int_ge(cJSON_GetArraySize(ev), 1);
	cJSON_Delete(rec);

	/* neutral text */
	static const char flat[] = "The committee meets on Tuesday in the capital to review the schedule.";
	struct nt_article b = {.id = "b1", .title = "Committee to meet on Tuesday", .text = flat,
	                       .text_len = sizeof flat - 1};
	ck_assert_int_eq(nt_engine_tag_json(e, &b, &rec, &err), NT_OK);
	tone = cJSON_GetObjectItem(cJSON_GetObjectItem(rec, "facets"), "tone");
	labels = cJSON_GetObjectItem(tone, "labels");
	ck_assert_int_eq(cJSON_GetArraySize(labels), 1);
	ck_assert_str_eq(cJSON_GetObjectItem(cJSON_GetArrayItem(labels, 0), "label")->valuestring, "neutral");
	cJSON_Delete(rec);

	/* empty text still gets one label */
	struct nt_article c = {.id = "c1", .text = "", .text_len = 0};
	ck_assert_int_eq(nt_engine_tag_json(e, &c, &rec, &err), NT_OK);
	tone = cJSON_GetObjectItem(cJSON_GetObjectItem(rec, "facets"), "tone");
	ck_assert_int_eq(cJSON_GetArraySize(cJSON_GetObjectItem(tone, "labels")), 1);
	cJSON_Delete(rec);
	nt_engine_close(e);
	unlink(cfg);
	tmp_cleanup();
}
END_TEST

static Suite *tone_suite(void)
{
	Suite *s = suite_create("tone");
	TCase *tc = tcase_create("rules");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, test_plain_valence);
	tcase_add_test(tc, test_negation_scope);
	tcase_add_test(tc, test_contrast);
	tcase_add_test(tc, test_boosters);
	tcase_add_test(tc, test_emphasis);
	tcase_add_test(tc, test_names);
	tcase_add_test(tc, test_news_vocabulary);
	tcase_add_test(tc, test_bad_files);
	tcase_add_test(tc, test_decision);
	tcase_add_test(tc, test_digest);
	suite_add_tcase(s, tc);
	tc = tcase_create("engine");
	tcase_add_test(tc, test_record_fields);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(tone_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
