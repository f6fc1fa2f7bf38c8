/* tone_speed.c - time the tone plugin's classify() against the document model build, per article */

/*
 * Build (from a configured build directory BUILD, source tree SRC):
 *   gcc -O2 -std=gnu11 -I SRC/include -I SRC/core SRC/tests/bench/tone_speed.c -o tone_speed \
 *       -L BUILD/core/.libs -lnewstag -lcjson -lm
 * Run:
 *   LD_LIBRARY_PATH=BUILD/core/.libs ./tone_speed MODELS_DIR ARTICLES.jsonl
 * ARTICLES.jsonl has {"text": ..., "title": ...} per line. Prints the seconds spent in
 * nt_doc_build(), in tone's classify() (including its emits into a sink) and in the scoring
 * alone (tone_score + tone_value + the 3-class decision, no emits) over 3 passes,
 * one thread, and their ratio: the "tone adds no more than 20% to the document
 * model's own time". A second line splits the scoring into the token pass (tone_score) and
 * the value and decision, and gives classify's extra time over the scoring.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "docmodel.h"
#include "host.h"
#include "sink.h"

#include "../../plugins/tone/tone.c"

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
	struct tone_config c = {0};
	struct nt_error err = {0};
	void *st = NULL;
	char lex[1024], cor[1024], *line = NULL;
	char **texts = NULL, **titles = NULL;
	size_t cap = 0, cnt = 0, ntok = 0, i;
	double tdoc = 0, ttone = 0, tscore = 0, tdecide = 0;
	volatile double sink_guard = 0;
	struct tone_hit *hits = NULL;
	size_t vcap = 0;
	struct nt_docbuf *b;
	struct nt_sink sink;
	FILE *f;
	if (argc != 3) {
		fprintf(stderr, "usage: tone_speed MODELS_DIR ARTICLES.jsonl\n");
		return 2;
	}
	snprintf(lex, sizeof lex, "%s/tone/lexicon.tsv", argv[1]);
	snprintf(cor, sizeof cor, "%s/tone/correction.txt", argv[1]);
	c.lexicon = lex;
	c.correction = cor;
	c.facet = "tone";
	c.evidence = 5;
	if (tone_open(nt_host_get(), &c, argv[1], &st, &err) != NT_OK) {
		fprintf(stderr, "tone_speed: %s\n", err.msg);
		return 1;
	}
	f = fopen(argv[2], "r");
	if (!f) {
		perror(argv[2]);
		return 1;
	}
	while (getline(&line, &cap, f) > 0) {
		cJSON *o = cJSON_Parse(line), *t;
		if (!o || !cJSON_IsString(cJSON_GetObjectItem(o, "text"))) {
			fprintf(stderr, "%s:%zu: want a JSON object with a text string\n", argv[2], cnt + 1);
			return 1;
		}
		texts = realloc(texts, (cnt + 1) * sizeof *texts);
		titles = realloc(titles, (cnt + 1) * sizeof *titles);
		if (!texts || !titles)
			return 1;
		texts[cnt] = strdup(cJSON_GetObjectItem(o, "text")->valuestring);
		t = cJSON_GetObjectItem(o, "title");
		titles[cnt] = cJSON_IsString(t) ? strdup(t->valuestring) : NULL;
		cnt++;
		cJSON_Delete(o);
	}
	fclose(f);
	free(line);
	b = nt_docbuf_new();
	memset(&sink, 0, sizeof sink);
	for (int rep = 0; rep < 3; rep++) {
		for (i = 0; i < cnt; i++) {
			const struct nt_doc *d;
			double t0 = now(), t1, t2;
			if (nt_doc_build(b, "x", titles[i], titles[i] ? strlen(titles[i]) : 0, texts[i],
			                 strlen(texts[i]), 0, &d, &err) != NT_OK)
				return 1;
			t1 = now();
			tdoc += t1 - t0;
			/* the scoring alone (no emits into the core's sink) */
			if (d->ntokens + 1 > vcap) {
				vcap = 2 * (d->ntokens + 1);
				hits = realloc(hits, vcap * sizeof *hits);
			}
			if (!hits)
				return 1;
			{
				struct tone_result r;
				double t3 = now(), t4, t5;
				tone_score(st, d, hits, &r);
				t4 = now();
				r.value = tone_value(&((struct tone_state *)st)->p, &r);
				if (((struct tone_state *)st)->p.has_cls) {
					double prob[3];
					tone_decide(&((struct tone_state *)st)->p, &r,
					            d->zones[NT_ZONE_TITLE].ntokens > 0, prob);
					sink_guard += prob[0];
				}
				t5 = now();
				tscore += t5 - t3;
				tdecide += t5 - t4;
			}
			t1 = now();
			nt_sink_reset(&sink, "tone");
			if (tone_classify(st, d, &sink, &err) != NT_OK)
				return 1;
			t2 = now();
			ttone += t2 - t1;
			ntok += d->ntokens;
		}
	}
	printf("%zu articles x 3, %zu tokens: document model %.3f s; tone scoring (run first) %.3f s "
	       "(%.1f ns/token) = %.1f%% of the document model; tone classify with its emits (run after "
	       "the scoring, warm caches) %.3f s = %.1f%%\n",
	       cnt, ntok, tdoc, tscore, 1e9 * tscore / (double)ntok, 100 * tscore / tdoc, ttone,
	       100 * ttone / tdoc);
	printf("breakdown of the scoring: tone_score (the pass over the tokens) %.3f s, value and "
	       "3-class decision %.3f s; classify minus scoring (emits, scratch, evidence; warm) %.3f s\n",
	       tscore - tdecide, tdecide, ttone - tscore);
	free(hits);
	nt_sink_release(&sink);
	nt_docbuf_free(b);
	tone_close(st);
	for (i = 0; i < cnt; i++) {
		free(texts[i]);
		free(titles[i]);
	}
	free(texts);
	free(titles);
	return 0;
}
