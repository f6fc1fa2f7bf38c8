/* bench_docmodel.c - time the document model (and optionally a whole pipeline) on a file */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "docmodel.h"
#include "engine.h"
#include "util.h"

/* Usage: bench_docmodel FILE [--repeat N] [--config PIPELINE.json --models DIR]
 * FILE is split into articles at blank lines followed by a line (about 2-5 KB each).
 * Prints MB/s of the document model alone, or of the whole pipeline with --config. */
static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Process CPU time: on a shared machine it moves less with the load than wall time. */
static double cpu_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE [--repeat N] [--config F --models DIR]\n", argv[0]);
		return 2;
	}
	int repeat = 3;
	const char *config = NULL, *models = NULL;
	for (int i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--repeat") && i + 1 < argc)
			repeat = atoi(argv[++i]);
		else if (!strcmp(argv[i], "--config") && i + 1 < argc)
			config = argv[++i];
		else if (!strcmp(argv[i], "--models") && i + 1 < argc)
			models = argv[++i];
	}
	char *data;
	size_t len;
	struct nt_error err = {0};
	if (nt_read_file(argv[1], (size_t)1 << 34, &data, &len, &err) != NT_OK) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	/* split into articles at "\n\n" */
	size_t cap = 1024, n = 0;
	size_t *off = malloc(cap * sizeof *off), *alen = malloc(cap * sizeof *alen);
	size_t p = 0;
	while (p < len) {
		char *q = strstr(data + p, "\n\n");
		size_t e = q ? (size_t)(q - data) + 2 : len;
		if (n == cap) {
			cap *= 2;
			off = realloc(off, cap * sizeof *off);
			alen = realloc(alen, cap * sizeof *alen);
		}
		off[n] = p;
		alen[n] = e - p;
		n++;
		p = e;
	}
	struct nt_engine *eng = NULL;
	if (config) {
		struct nt_engine_options o = {0};
		o.config_path = config;
		o.models_dir = models;
		if (nt_engine_open(&o, &eng, &err) != NT_OK) {
			fprintf(stderr, "%s\n", err.msg);
			return 1;
		}
	}
	struct nt_docbuf *b = nt_docbuf_new();
	double best = 1e30, best_cpu = 1e30;
	size_t tokens = 0;
	for (int r = 0; r < repeat; r++) {
		double t0 = now_s(), c0 = cpu_s();
		tokens = 0;
		for (size_t i = 0; i < n; i++) {
			if (eng) {
				struct nt_article a = {.id = "b", .text = data + off[i], .text_len = alen[i],
				                       .title_in_text = 1};
				cJSON *rec = NULL;
				nt_engine_tag_json(eng, &a, &rec, NULL);
				cJSON_Delete(rec);
			} else {
				const struct nt_doc *d;
				nt_doc_build(b, "b", NULL, 0, data + off[i], alen[i], 1, &d, NULL);
				tokens += d->ntokens;
			}
		}
		double t = now_s() - t0, c = cpu_s() - c0;
		if (t < best)
			best = t;
		if (c < best_cpu)
			best_cpu = c;
	}
	printf("%s: %zu bytes, %zu articles, %s: best of %d: %.3f s, %.1f MB/s (CPU %.3f s, %.1f MB/s)",
	       argv[1], len, n, eng ? "pipeline" : "document model", repeat, best,
	       (double)len / 1e6 / best, best_cpu, (double)len / 1e6 / best_cpu);
	if (!eng)
		printf(", %zu tokens", tokens);
	printf("\n");
	nt_docbuf_free(b);
	nt_engine_close(eng);
	free(off);
	free(alen);
	free(data);
	return 0;
}
