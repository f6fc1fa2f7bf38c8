/* region_equiv.c - the region plugin of this tree against an earlier one, label by label */

/*
 * Built by tests/bench/equiv.sh, which includes an earlier plugins/region/region.c and this
 * tree's into two translation units (region_equiv_old.c, region_equiv_new.c) whose entry points
 * are old_plugin() and new_plugin(). For each record "id \x1f title \x1f text \x1e" it builds the
 * document three ways (title given, title in the text, "title\n\ntext"), runs both classify()
 * on it and compares the labels, scores and evidence spans and weights bit for bit. Prints the
 * documents, labels, mismatches and the CPU time of each classify(); exit 1 on a mismatch.
 * Usage: region_equiv RECORDS MODELS_DIR
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "docmodel.h"
#include "records.h"
#include "region_pair.h"
#include "host.h"
#include "sink.h"
#include "util.h"


static double cpu_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static int same(const struct nt_sink *a, const struct nt_sink *b)
{
	if (a->nlabels != b->nlabels || a->nev != b->nev)
		return 0;
	for (size_t i = 0; i < a->nlabels; i++)
		if (strcmp(a->labels[i].facet, b->labels[i].facet) ||
		    strcmp(a->labels[i].label, b->labels[i].label) ||
		    memcmp(&a->labels[i].score, &b->labels[i].score, sizeof(double)))
			return 0;
	for (size_t i = 0; i < a->nev; i++)
		if (a->ev[i].label != b->ev[i].label || a->ev[i].src != b->ev[i].src ||
		    a->ev[i].start != b->ev[i].start || a->ev[i].end != b->ev[i].end ||
		    memcmp(&a->ev[i].weight, &b->ev[i].weight, sizeof(double)))
			return 0;
	return 1;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: region_equiv RECORDS MODELS_DIR\n");
		return 2;
	}
	struct nt_error err = {0};
	void *so, *sn;
	const struct nt_plugin *po, *pn;
	struct nt_known ko, kn;
	if (region_pair_open("region_equiv", argv[2], &po, &pn, &so, &sn, &ko, &kn) != 0)
		return 2;
	char *data;
	size_t n;
	if (nt_read_file(argv[1], (size_t)1 << 32, &data, &n, &err) != NT_OK) {
		fprintf(stderr, "%s\n", err.msg);
		return 2;
	}
	struct nt_docbuf *db = nt_docbuf_new();
	struct nt_sink s1, s2;
	memset(&s1, 0, sizeof s1);
	memset(&s2, 0, sizeof s2);
	nt_sink_set_known(&s1, &ko);
	nt_sink_set_known(&s2, &kn);
	long docs = 0, bad = 0, labels = 0;
	double t_old = 0, t_new = 0;
	char *joined = NULL;
	struct bench_record rec;
	for (char *p = data; bench_record_next(&p, data + n, &rec);) {
		{
			const char *title = rec.title, *text = rec.text;
			size_t tl = rec.title_len, xl = rec.text_len;
			for (int mode = 0; mode < 3; mode++) {
				const struct nt_doc *d;
				if (mode == 0) {
					nt_doc_build(db, "x", tl ? title : NULL, tl, text, xl, 0, &d, &err);
				} else if (mode == 1) {
					nt_doc_build(db, "x", NULL, 0, text, xl, 1, &d, &err);
				} else {
					char *j = realloc(joined, tl + xl + 3);
					if (j == NULL)
						return 2;
					joined = j;
					memcpy(j, title, tl);
					memcpy(j + tl, "\n\n", 2);
					memcpy(j + tl + 2, text, xl);
					nt_doc_build(db, "x", NULL, 0, j, tl + xl + 2, 1, &d, &err);
				}
				nt_sink_reset(&s1, "region");
				nt_sink_reset(&s2, "region");
				double c0 = cpu_ms();
				int r1 = po->classify(so, d, &s1, &err);
				double c1 = cpu_ms();
				int r2 = pn->classify(sn, d, &s2, &err);
				double c2 = cpu_ms();
				t_old += c1 - c0;
				t_new += c2 - c1;
				docs++;
				labels += (long)s1.nlabels;
				if (r1 != r2 || !same(&s1, &s2)) {
					if (bad++ < 5)
						fprintf(stderr, "region_equiv: mismatch on record %.*s (mode %d)\n",
						        (int)rec.id_len, rec.id, mode);
				}
			}
		}
	}
	printf("region_equiv: %ld documents, %ld labels, %ld mismatches; classify CPU: earlier %.1f ms, "
	       "this tree %.1f ms\n", docs, labels, bad, t_old, t_new);
	po->close(so);
	pn->close(sn);
	nt_sink_release(&s1);
	nt_sink_release(&s2);
	nt_known_free(&ko);
	nt_known_free(&kn);
	nt_docbuf_free(db);
	free(joined);
	free(data);
	return bad != 0;
}
