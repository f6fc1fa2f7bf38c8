/* region_ab.c - an earlier region plugin against this tree's, timed in one process on the same load */

/*
 * Built and run by tests/bench/region_ab.sh (not by make check), which includes an earlier
 * plugins/region/region.c and this tree's as old_plugin() and new_plugin(). For each chunk of
 * RA_CHUNK records "id \x1f title \x1f text \x1e" it times three passes, in an order that
 * rotates with the chunk and the round: the document model alone, the document model + the
 * old classify(), the document model + the new one, as region_speed.c does. Each chunk keeps
 * its fastest time per pass over the rounds, and the sums of those minimums are compared:
 * a load spike hits one chunk of one round and is dropped, and since a chunk comes back only
 * after the whole file, the tables are as cold as in a real batch (repeating a chunk at once
 * would keep them in cache and hide memory costs). The machine-independent figure is the
 * last one: region new/old, the ratio of the region parts. Usage: region_ab RECORDS MODELS_DIR [ROUNDS]
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


#define RA_CHUNK 256 /* articles per chunk */

/* Monotonic wall time in milliseconds (a chunk's minimum over the rounds drops preemptions). */
static double now_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: region_ab RECORDS MODELS_DIR [ROUNDS]\n");
		return 2;
	}
	int rounds = argc > 3 ? atoi(argv[3]) : 7;
	struct nt_error err = {0};
	void *so, *sn;
	const struct nt_plugin *po, *pn;
	struct nt_known ko, kn;
	if (region_pair_open("region_ab", argv[2], &po, &pn, &so, &sn, &ko, &kn) != 0)
		return 2;
	char *data;
	size_t n;
	if (nt_read_file(argv[1], (size_t)1 << 32, &data, &n, &err) != NT_OK)
		return 2;
	size_t cap = 1024, nr = 0;
	struct bench_record *recs = malloc(cap * sizeof *recs);
	struct bench_record rec;
	for (char *p = data; bench_record_next(&p, data + n, &rec);) {
		if (nr == cap)
			recs = realloc(recs, (cap *= 2) * sizeof *recs);
		recs[nr++] = rec;
	}
	struct nt_docbuf *db = nt_docbuf_new();
	const struct nt_doc *d;
	struct nt_sink s;
	memset(&s, 0, sizeof s);
	size_t nch = (nr + RA_CHUNK - 1) / RA_CHUNK;
	double *best = malloc((nch + 1) * 3 * sizeof *best);
	if (recs == NULL || best == NULL)
		return 2;
	for (size_t k = 0; k < nch * 3; k++)
		best[k] = 1e18;
	for (int r = 0; r < rounds; r++) {
		for (size_t ch = 0; ch < nch; ch++) {
			size_t c0 = ch * RA_CHUNK, c1 = c0 + RA_CHUNK < nr ? c0 + RA_CHUNK : nr;
			for (int pp = 0; pp < 3; pp++) {
				int pass = (int)((pp + ch + (size_t)r) % 3);
				const struct nt_plugin *pl = pass == 2 ? pn : po;
				void *st = pass == 2 ? sn : so;
				double a = now_ms();
				for (size_t i = c0; i < c1; i++) {
					struct bench_record *q = &recs[i];
					nt_doc_build(db, "x", q->title_len ? q->title : NULL, q->title_len, q->text,
					             q->text_len, 0, &d, &err);
					if (pass) {
						nt_sink_reset(&s, "region");
						nt_sink_set_known(&s, pass == 2 ? &kn : &ko);
						pl->classify(st, d, &s, &err);
					}
				}
				double t = now_ms() - a;
				if (t < best[ch * 3 + (size_t)pass])
					best[ch * 3 + (size_t)pass] = t;
			}
		}
	}
	double t0 = 0, t1 = 0, t2 = 0;
	for (size_t ch = 0; ch < nch; ch++) {
		t0 += best[ch * 3];
		t1 += best[ch * 3 + 1];
		t2 += best[ch * 3 + 2];
	}
	printf("%zu docs: docmodel %.2f ms; + old region %.2f ms (adds %.1f%%), + new %.2f ms (adds %.1f%%); region new/old %.3f\n",
	       nr, t0, t1, 100 * (t1 - t0) / t0, t2, 100 * (t2 - t0) / t0, (t2 - t0) / (t1 - t0));
	po->close(so);
	pn->close(sn);
	nt_sink_release(&s);
	nt_known_free(&ko);
	nt_known_free(&kn);
	nt_docbuf_free(db);
	free(best);
	free(recs);
	free(data);
	return 0;
}
