/* docmodel_equiv.c - the document model of this tree against an earlier one, field by field */

/*
 * Built by tests/bench/equiv.sh, which compiles an earlier core/docmodel.c with its public
 * names prefixed old_ next to this tree's. For each record "id \x1f title \x1f text \x1e" it
 * builds the document three ways (title given, title in the text, the whole record as text),
 * and with --mutate also six random mutations of the text (quotes, dots, dashes, newlines,
 * UTF-8, invalid bytes, NUL, trailer and dateline fragments) and truncations, and compares
 * every token field, folded form, sentence, zone range, nwords, the repairs and
 * nt_fold_hashes(). Prints the number of documents and failures; exit 1 on any failure.
 * Usage: docmodel_equiv RECORDS [--mutate]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "docmodel.h"
#include "records.h"
#include "util.h"

struct nt_docbuf *old_nt_docbuf_new(void);
int old_nt_doc_build(struct nt_docbuf *b, const char *id, const char *title, size_t title_len,
                     const char *text, size_t text_len, int title_in_text,
                     const struct nt_doc **out, struct nt_error *err);
size_t old_nt_docbuf_repairs(const struct nt_docbuf *b, long long *first_offset);
size_t old_nt_fold_hashes(const char *s, size_t len, uint64_t *out, size_t max);

static long ndocs, nfail;
static struct nt_docbuf *ob, *nb;

static int same_doc(const struct nt_doc *a, const struct nt_doc *b, const char *what)
{
#define SAME(x)                                                                   \
	if (a->x != b->x) {                                                   \
		fprintf(stderr, "%s: %s differs\n", what, #x);                 \
		return 0;                                                     \
	}
	SAME(ntokens) SAME(nsentences) SAME(nwords) SAME(title_len) SAME(text_len)
#undef SAME
	for (int z = 0; z < NT_ZONE_COUNT; z++)
		if (a->zones[z].first_token != b->zones[z].first_token ||
		    a->zones[z].ntokens != b->zones[z].ntokens) {
			fprintf(stderr, "%s: zone %d differs\n", what, z);
			return 0;
		}
	if (memcmp(a->text, b->text, a->text_len) ||
	    (a->title_len && memcmp(a->title, b->title, a->title_len))) {
		fprintf(stderr, "%s: repaired text differs\n", what);
		return 0;
	}
	for (size_t i = 0; i < a->ntokens; i++) {
		const struct nt_token *x = &a->tokens[i], *y = &b->tokens[i];
		if (x->start != y->start || x->end != y->end || x->norm_len != y->norm_len ||
		    x->zone != y->zone || x->flags != y->flags || x->sentence != y->sentence ||
		    x->src != y->src || x->hash != y->hash ||
		    strcmp(a->norm + x->norm_off, b->norm + y->norm_off)) {
			fprintf(stderr, "%s: token %zu differs: [%u,%u) '%s' zone %d flags %02x / "
			        "[%u,%u) '%s' zone %d flags %02x\n", what, i, x->start, x->end,
			        a->norm + x->norm_off, x->zone, x->flags, y->start, y->end,
			        b->norm + y->norm_off, y->zone, y->flags);
			return 0;
		}
	}
	for (size_t i = 0; i < a->nsentences; i++) {
		const struct nt_sentence *x = &a->sentences[i], *y = &b->sentences[i];
		if (x->first_token != y->first_token || x->ntokens != y->ntokens || x->zone != y->zone ||
		    x->src != y->src) {
			fprintf(stderr, "%s: sentence %zu differs\n", what, i);
			return 0;
		}
	}
	return 1;
}

static void one(const char *title, size_t tl, const char *text, size_t n, int tit, const char *what)
{
	const struct nt_doc *a, *b;
	long long f1, f2;
	int r1 = old_nt_doc_build(ob, "x", title, tl, text, n, tit, &a, NULL);
	int r2 = nt_doc_build(nb, "x", title, tl, text, n, tit, &b, NULL);
	ndocs++;
	if (r1 != r2 || old_nt_docbuf_repairs(ob, &f1) != nt_docbuf_repairs(nb, &f2) || f1 != f2) {
		fprintf(stderr, "%s: status or repairs differ\n", what);
		nfail++;
		return;
	}
	if (r1 == NT_OK && !same_doc(a, b, what))
		nfail++;
	uint64_t h1[64], h2[64];
	size_t m = n < 200 ? n : 200;
	size_t k1 = old_nt_fold_hashes(text, m, h1, 64), k2 = nt_fold_hashes(text, m, h2, 64);
	if (k1 != k2 || memcmp(h1, h2, (k1 < 64 ? k1 : 64) * sizeof *h1)) {
		fprintf(stderr, "%s: fold_hashes differ\n", what);
		nfail++;
	}
}

static unsigned long long rs = 88172645463325252ULL;
static unsigned rnd(void)
{
	rs ^= rs << 13;
	rs ^= rs >> 7;
	rs ^= rs << 17;
	return (unsigned)(rs >> 11);
}

/* pieces inserted by the mutations ("" stands for one NUL byte) */
static const char *const pieces[] = {"'", "\xe2\x80\x99", "\xe2\x80\x98", ".", "-", "\n", "\n\n", " ",
	"s", "S", "A", "U.S.", "'s", "\xc3\xa9", "\xc3\x89", "\xc3\x9f", "\xce\x91", "\xd0\x90",
	"\xe2\x80\x94", "\xc2\xa0", "\xff", "\xc3", "", "Mr", "J", "1", "3.5", ",", "?", "!", "(", ")",
	":", "--", "\xe2\x80\x9c", "\xe2\x80\x9d", "Related Links\n", "Read more\n",
	"BAGHDAD (Reuters) - ", "WASHINGTON -- ", "\t", "\r", "\xe2\x80\xa8", "\xf0\x9f\x98\x80",
	"\xe3\x80\x80", "x", "2nd", "O'", "d'", "IRAN", "\xc4\xb0", "\xc5\x81"};

static void mutate(const char *text, size_t n)
{
	char *buf = malloc(n * 2 + 4096);
	if (buf == NULL)
		return;
	for (int r = 0; r < 6; r++) {
		size_t m = 0, p = 0;
		while (p < n && m <= n * 2 + 3000) {
			size_t run = rnd() % 40;
			if (p + run > n)
				run = n - p;
			memcpy(buf + m, text + p, run);
			m += run;
			p += run;
			for (unsigned k = rnd() % 3; k > 0; k--) {
				const char *pc = pieces[rnd() % (sizeof pieces / sizeof *pieces)];
				size_t pl = pc[0] ? strlen(pc) : 1;
				memcpy(buf + m, pc, pl);
				m += pl;
			}
			if (rnd() % 8 == 0 && p < n)
				p++; /* drop a byte */
		}
		one(NULL, 0, buf, m, r & 1, "mutated");
		if (m > 20)
			one(buf, 20 + rnd() % 40 > m ? m : 20 + rnd() % 40, buf, m, 0, "mutated, title");
		one(NULL, 0, buf, m ? rnd() % m : 0, 1, "mutated, truncated");
	}
	free(buf);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: docmodel_equiv RECORDS [--mutate]\n");
		return 2;
	}
	int mut = argc > 2 && strcmp(argv[2], "--mutate") == 0;
	char *data;
	size_t n;
	struct nt_error err = {0};
	if (nt_read_file(argv[1], (size_t)1 << 32, &data, &n, &err) != NT_OK) {
		fprintf(stderr, "%s\n", err.msg);
		return 2;
	}
	ob = old_nt_docbuf_new();
	nb = nt_docbuf_new();
	struct bench_record r;
	for (char *p = data; bench_record_next(&p, data + n, &r);) {
		size_t whole = r.title_len + 1 + r.text_len; /* title 0x1f text */
		one(r.title, r.title_len, r.text, r.text_len, 0, "title given");
		one(NULL, 0, r.text, r.text_len, 1, "title in text");
		one(NULL, 0, r.title, whole, 1, "whole record");
		if (mut)
			mutate(r.title, whole);
	}
	printf("docmodel_equiv: %ld documents, %ld failures\n", ndocs, nfail);
	free(data);
	return nfail != 0;
}
