/* check_docmodel.c - unit tests of the document model: UTF-8, tokens, sentences, zones */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "docmodel.h"

static struct nt_docbuf *b;

static void setup(void)
{
	b = nt_docbuf_new();
	ck_assert_ptr_nonnull(b);
}

static void teardown(void)
{
	nt_docbuf_free(b);
}

static const struct nt_doc *build(const char *text, int title_in_text)
{
	const struct nt_doc *d = NULL;
	ck_assert_int_eq(nt_doc_build(b, "t", NULL, 0, text, strlen(text), title_in_text, &d, NULL), NT_OK);
	return d;
}

/* index of the first token whose folded form is s, or -1 */
static long find(const struct nt_doc *d, const char *s)
{
	for (size_t i = 0; i < d->ntokens; i++)
		if (strcmp(NT_TOKEN_NORM(d, i), s) == 0)
			return (long)i;
	return -1;
}

START_TEST(test_words_and_spans)
{
	const char *t = "Iran's envoy met U.S. officials in Türkiye.";
	const struct nt_doc *d = build(t, 0);
	long i = find(d, "iran");
	ck_assert_int_ge(i, 0);
	ck_assert_uint_eq(d->tokens[i].start, 0);
	ck_assert_uint_eq(d->tokens[i].end, 6); /* the span keeps "'s" */
	ck_assert(d->tokens[i].flags & NT_TOK_CAP);
	ck_assert_int_ge(find(d, "u.s."), 0);
	long tk = find(d, "turkiye");
	ck_assert_int_ge(tk, 0);
	ck_assert(d->tokens[tk].flags & NT_TOK_NONASCII);
	ck_assert_uint_eq(d->tokens[tk].end - d->tokens[tk].start, strlen("Türkiye"));
	ck_assert_int_eq(memcmp(t + d->tokens[tk].start, "Türkiye", strlen("Türkiye")), 0);
	ck_assert_int_eq(find(d, "envoy") >= 0, 1);
	ck_assert_uint_eq(d->nwords, 7);
}
END_TEST

START_TEST(test_folding_and_punct)
{
	const struct nt_doc *d = build("São Paulo, Côte d’Ivoire and the Israel-Iran war: 2,500 dead.", 0);
	ck_assert_int_ge(find(d, "sao"), 0);
	ck_assert_int_ge(find(d, "cote"), 0);
	ck_assert_int_ge(find(d, "d'ivoire"), 0);
	long il = find(d, "israel");
	ck_assert_int_ge(il, 0);
	ck_assert(d->tokens[il].flags & NT_TOK_HYPHEN_NEXT);
	ck_assert_str_eq(NT_TOKEN_NORM(d, il + 1), "-");
	ck_assert(d->tokens[il + 1].flags & NT_TOK_PUNCT);
	long n = find(d, "2,500");
	ck_assert_int_ge(n, 0);
	ck_assert(d->tokens[n].flags & NT_TOK_NUMBER);
}
END_TEST

START_TEST(test_all_caps_headline)
{
	const struct nt_doc *d = build("CHINA AND RUSSIA HOLD DRILLS", 0);
	long c = find(d, "china");
	ck_assert_int_ge(c, 0);
	ck_assert(d->tokens[c].flags & NT_TOK_UPPER);
	ck_assert(d->tokens[c].flags & NT_TOK_CAP);
}
END_TEST

START_TEST(test_hash_matches_fold_hashes)
{
	const struct nt_doc *d = build("The Côte d'Ivoire team", 0);
	uint64_t h[4];
	size_t n = nt_fold_hashes("CÔTE D’IVOIRE", strlen("CÔTE D’IVOIRE"), h, 4);
	ck_assert_uint_eq(n, 2);
	long c = find(d, "cote");
	ck_assert_uint_eq(d->tokens[c].hash, h[0]);
	ck_assert_uint_eq(d->tokens[c + 1].hash, h[1]);
	ck_assert_uint_eq(nt_hash64("cote", 4), h[0]);
}
END_TEST

START_TEST(test_invalid_utf8_repaired_in_place)
{
	const char bad[] = "Abc \xff\xfe def \xe2\x82 end \xed\xa0\x80 x";
	const struct nt_doc *d = NULL;
	ck_assert_int_eq(nt_doc_build(b, "t", NULL, 0, bad, sizeof bad - 1, 0, &d, NULL), NT_OK);
	long long first;
	size_t r = nt_docbuf_repairs(b, &first);
	ck_assert_uint_eq(r, 7); /* ff fe, e2 82, ed a0 80 */
	ck_assert_int_eq(first, 4);
	ck_assert_uint_eq(d->text_len, sizeof bad - 1); /* offsets kept */
	ck_assert_int_eq(d->text[4], '?');
	long e = find(d, "end");
	ck_assert_int_ge(e, 0);
	ck_assert_int_eq(memcmp(d->text + d->tokens[e].start, "end", 3), 0);
}
END_TEST

START_TEST(test_nul_and_overlong)
{
	const char bad[] = "a\0b \xc0\xaf c";
	const struct nt_doc *d = NULL;
	ck_assert_int_eq(nt_doc_build(b, "t", NULL, 0, bad, sizeof bad - 1, 0, &d, NULL), NT_OK);
	ck_assert_uint_eq(nt_docbuf_repairs(b, NULL), 3);
	ck_assert_uint_eq(strlen(d->text), sizeof bad - 1);
}
END_TEST

START_TEST(test_sentences_and_abbreviations)
{
	const struct nt_doc *d = build("Mr. Smith arrived. He spoke to Gen. Lee! Then he left? Yes", 0);
	ck_assert_uint_eq(d->nsentences, 4);
	long he = find(d, "he");
	ck_assert(d->tokens[he].flags & NT_TOK_SENT_START);
	ck_assert_uint_eq(d->tokens[he].sentence, 1);
	ck_assert_uint_eq(d->tokens[find(d, "lee")].sentence, 1);
}
END_TEST

START_TEST(test_zones_title_dateline_lead_body)
{
	const char *t = "Ceasefire holds in the north\n"
	                "\n"
	                "BAGHDAD (Reuters) - Officials said on Monday the truce held. It was calm. "
	                "A third sentence.\n"
	                "Later paragraphs follow here.\n";
	const struct nt_doc *d = build(t, 1);
	ck_assert_uint_eq(d->tokens[find(d, "ceasefire")].zone, NT_ZONE_TITLE);
	ck_assert_uint_eq(d->tokens[find(d, "baghdad")].zone, NT_ZONE_DATELINE);
	ck_assert_uint_eq(d->tokens[find(d, "reuters")].zone, NT_ZONE_DATELINE);
	ck_assert_uint_eq(d->tokens[find(d, "officials")].zone, NT_ZONE_LEAD);
	ck_assert_uint_eq(d->tokens[find(d, "calm")].zone, NT_ZONE_LEAD);
	ck_assert_uint_eq(d->tokens[find(d, "third")].zone, NT_ZONE_BODY); /* lead = 2 sentences */
	ck_assert_uint_eq(d->tokens[find(d, "later")].zone, NT_ZONE_BODY);
	ck_assert_uint_eq(d->zones[NT_ZONE_TITLE].ntokens, 5);
}
END_TEST

START_TEST(test_wire_datelines)
{
	const struct nt_doc *d = build("SALVADOR, Feb 26 - Brazil's cocoa crop rose.\nMore.\n", 0);
	ck_assert_uint_eq(d->tokens[find(d, "salvador")].zone, NT_ZONE_DATELINE);
	ck_assert_uint_eq(d->tokens[find(d, "26")].zone, NT_ZONE_DATELINE);
	ck_assert_uint_eq(d->tokens[find(d, "brazil")].zone, NT_ZONE_LEAD);
	d = build("PONTIAC, Mich., March 3 - General Motors said.\n", 0);
	ck_assert_uint_eq(d->tokens[find(d, "mich")].zone, NT_ZONE_DATELINE);
	ck_assert_uint_eq(d->tokens[find(d, "general")].zone, NT_ZONE_LEAD);
	/* an ordinary first sentence is no dateline */
	d = build("Officials said on Monday - in a statement - that talks resumed.\n", 0);
	ck_assert_uint_eq(d->tokens[0].zone, NT_ZONE_LEAD);
}
END_TEST

START_TEST(test_no_title_without_blank_line)
{
	const struct nt_doc *d = build("First line of the story\nSecond line of the story.\n", 1);
	ck_assert_uint_eq(d->zones[NT_ZONE_TITLE].ntokens, 0);
	ck_assert_uint_eq(d->tokens[0].zone, NT_ZONE_LEAD);
	/* a one-line article: its line ends the text, no blank line follows */
	d = build("An orchard harvest.\n", 1);
	ck_assert_uint_eq(d->zones[NT_ZONE_TITLE].ntokens, 0);
	ck_assert_uint_eq(d->tokens[0].zone, NT_ZONE_LEAD);
	/* a title and a blank line, nothing else: a title */
	d = build("Title only\n\n", 1);
	ck_assert_uint_eq(d->zones[NT_ZONE_TITLE].ntokens, 2);
}
END_TEST

START_TEST(test_trailer)
{
	const char *t = "Talks resumed in Geneva on Monday, officials said.\n"
	                "The two sides met for five hours and agreed to meet again.\n"
	                "Related Links\n"
	                "Iran nuclear deal explained\n"
	                "Will the talks succeed?\n"
	                "Sign up for our daily newsletter\n";
	const struct nt_doc *d = build(t, 0);
	ck_assert_uint_eq(d->tokens[find(d, "talks")].zone, NT_ZONE_LEAD);
	ck_assert_uint_eq(d->tokens[find(d, "sides")].zone, NT_ZONE_BODY);
	ck_assert_uint_eq(d->tokens[find(d, "related")].zone, NT_ZONE_TRAILER);
	ck_assert_uint_eq(d->tokens[find(d, "iran")].zone, NT_ZONE_TRAILER);
	ck_assert_uint_eq(d->tokens[find(d, "newsletter")].zone, NT_ZONE_TRAILER);
	ck_assert_uint_eq(d->tokens[find(d, "succeed")].zone, NT_ZONE_TRAILER);
}
END_TEST

START_TEST(test_separate_title_field)
{
	const struct nt_doc *d = NULL;
	const char *title = "Kyiv under fire";
	const char *text = "Air raid sirens sounded across Ukraine.";
	ck_assert_int_eq(nt_doc_build(b, "x", title, strlen(title), text, strlen(text), 1, &d, NULL), NT_OK);
	long k = find(d, "kyiv");
	ck_assert_uint_eq(d->tokens[k].src, NT_SRC_TITLE);
	ck_assert_uint_eq(d->tokens[k].zone, NT_ZONE_TITLE);
	long u = find(d, "ukraine");
	ck_assert_uint_eq(d->tokens[u].src, NT_SRC_TEXT);
	ck_assert_int_eq(memcmp(text + d->tokens[u].start, "Ukraine", 7), 0);
	ck_assert_uint_ne(d->tokens[k].sentence, d->tokens[u].sentence);
}
END_TEST

START_TEST(test_empty_and_reuse)
{
	const struct nt_doc *d = build("", 1);
	ck_assert_uint_eq(d->ntokens, 0);
	ck_assert_uint_eq(d->nsentences, 0);
	d = build("one two three", 1);
	ck_assert_uint_eq(d->ntokens, 3);
	d = build("\n\n   \n", 1);
	ck_assert_uint_eq(d->ntokens, 0);
}
END_TEST

START_TEST(test_large_text)
{
	size_t n = 8u << 20;
	char *t = malloc(n + 1);
	ck_assert_ptr_nonnull(t);
	for (size_t i = 0; i < n; i++)
		t[i] = "Word word, more words. "[i % 23];
	t[n] = '\0';
	const struct nt_doc *d = NULL;
	ck_assert_int_eq(nt_doc_build(b, "big", NULL, 0, t, n, 0, &d, NULL), NT_OK);
	ck_assert_uint_gt(d->ntokens, n / 6);
	ck_assert_uint_le(d->tokens[d->ntokens - 1].end, n);
	free(t);
}
END_TEST

static Suite *docmodel_suite(void)
{
	Suite *s = suite_create("docmodel");
	TCase *tc = tcase_create("core");
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, test_words_and_spans);
	tcase_add_test(tc, test_folding_and_punct);
	tcase_add_test(tc, test_all_caps_headline);
	tcase_add_test(tc, test_hash_matches_fold_hashes);
	tcase_add_test(tc, test_invalid_utf8_repaired_in_place);
	tcase_add_test(tc, test_nul_and_overlong);
	tcase_add_test(tc, test_sentences_and_abbreviations);
	tcase_add_test(tc, test_zones_title_dateline_lead_body);
	tcase_add_test(tc, test_wire_datelines);
	tcase_add_test(tc, test_no_title_without_blank_line);
	tcase_add_test(tc, test_trailer);
	tcase_add_test(tc, test_separate_title_field);
	tcase_add_test(tc, test_empty_and_reuse);
	tcase_add_test(tc, test_large_text);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(docmodel_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
