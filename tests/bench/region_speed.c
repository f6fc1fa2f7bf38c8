/* region_speed.c - time the document model alone against the document model plus the region plugin */

/*
 * Built and run by tests/bench/region_speed.py (not by make check). Reads articles from a file of
 * records "id \x1f title \x1f text \x1e", builds each document model, and times (process CPU, best
 * of N rounds) a pass of nt_doc_build() alone and a pass of nt_doc_build() + region classify().
 * The two passes go through the articles in alternating chunks of RS_CHUNK (the doc-model-only
 * chunk first in even chunks, second in odd ones), so both see the same machine load and the
 * same share of warm caches: on a shared machine, two whole passes seconds apart measured
 * different loads. Also times open() of the shipped tables. Usage: region_speed RECORDS MODELS_DIR [ROUNDS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "docmodel.h"
#include "records.h"
#include "host.h"
#include "sink.h"
#include "../../plugins/region/region.c"

#define RS_CHUNK 256 /* articles per chunk of each pass */

static double cpu_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

static double wall_ms(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

int main(int argc, char **argv)
{
	char gaz[4200], map[4200];
	struct rg_config cf;
	struct nt_error err = {0};
	void *st = NULL;
	if (argc < 3) {
		fprintf(stderr, "usage: region_speed RECORDS MODELS_DIR [ROUNDS]\n");
		return 2;
	}
	int rounds = argc > 3 ? atoi(argv[3]) : 5;
	snprintf(gaz, sizeof gaz, "%s/region/gazetteer.tsv", argv[2]);
	snprintf(map, sizeof map, "%s/region/region-map.tsv", argv[2]);
	cf.gazetteer = gaz;
	cf.region_map = map;
	cf.min_score = 0.5;
	cf.region_min_score = 0.5;
	double best_open = 1e18;
	for (int r = 0; r < rounds; r++) {
		double t0 = wall_ms();
		if (rg_open(nt_host_get(), &cf, argv[2], &st, &err) != NT_OK) {
			fprintf(stderr, "region_speed: %s\n", err.msg);
			return 1;
		}
		double t1 = wall_ms();
		if (t1 - t0 < best_open)
			best_open = t1 - t0;
		if (r + 1 < rounds)
			rg_close(st);
	}
	FILE *f = fopen(argv[1], "rb");
	if (f == NULL) {
		perror(argv[1]);
		return 1;
	}
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	rewind(f);
	char *buf = malloc((size_t)n + 1);
	if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "region_speed: cannot read %s\n", argv[1]);
		return 1;
	}
	fclose(f);
	buf[n] = '\0';
	size_t cap = 1024, nr = 0;
	char *(*recs)[3] = malloc(cap * sizeof *recs);
	struct bench_record rec;
	for (char *p = buf; bench_record_next(&p, buf + n, &rec);) {
		rec.id[rec.id_len] = rec.title[rec.title_len] = rec.text[rec.text_len] = '\0';
		if (nr == cap)
			recs = realloc(recs, (cap *= 2) * sizeof *recs);
		recs[nr][0] = rec.id;
		recs[nr][1] = rec.title;
		recs[nr][2] = rec.text;
		nr++;
	}
	struct nt_docbuf *db = nt_docbuf_new();
	struct nt_sink sink;
	struct nt_known known;
	memset(&sink, 0, sizeof sink);
	if (nt_known_build(&known, &rg_plugin, st) != NT_OK) {
		fprintf(stderr, "region_speed: out of memory\n");
		return 1;
	}
	nt_sink_set_known(&sink, &known);
	double ta = 1e18, tb = 1e18;
	size_t bytes = 0;
	for (size_t i = 0; i < nr; i++)
		bytes += strlen(recs[i][1]) + strlen(recs[i][2]);
	for (int r = 0; r < rounds; r++) {
		const struct nt_doc *d;
		double sa = 0.0, sb = 0.0;
		for (size_t c0 = 0; c0 < nr; c0 += RS_CHUNK) {
			size_t c1 = c0 + RS_CHUNK < nr ? c0 + RS_CHUNK : nr;
			for (int pass = 0; pass < 2; pass++) {
				int with_region = pass ^ (int)((c0 / RS_CHUNK) & 1);
				double t0 = cpu_ms();
				for (size_t i = c0; i < c1; i++) {
					nt_doc_build(db, recs[i][0], *recs[i][1] ? recs[i][1] : NULL,
					             strlen(recs[i][1]), recs[i][2], strlen(recs[i][2]), 0, &d, &err);
					if (with_region) {
						nt_sink_reset(&sink, "region");
						rg_classify(st, d, &sink, &err);
					}
				}
				double t1 = cpu_ms();
				if (with_region)
					sb += t1 - t0;
				else
					sa += t1 - t0;
			}
		}
		if (sa < ta)
			ta = sa;
		if (sb < tb)
			tb = sb;
	}
	printf("%zu articles, %.1f MB, best of %d rounds (CPU): document model %.1f ms, "
	       "document model + region %.1f ms: region adds %.1f%% (%.2f us/article); "
	       "open %.2f ms (best of %d)\n",
	       nr, (double)bytes / 1e6, rounds, ta, tb, 100.0 * (tb - ta) / ta,
	       1e3 * (tb - ta) / (double)(nr ? nr : 1), best_open, rounds);
	rg_close(st);
	nt_sink_release(&sink);
	nt_known_free(&known);
	nt_docbuf_free(db);
	free(recs);
	free(buf);
	return 0;
}
