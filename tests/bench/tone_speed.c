/* tone_speed.c - time the tone plugin's classify() against the document model build, per article */

/*
 * Build (from a configured build directory BUILD, source tree SRC):
 *   gcc -O2 -std=gnu11 -I SRC/include -I SRC/core SRC/tests/bench/tone_speed.c -o tone_speed \
 *       -L BUILD/core/.libs -lnewstag -lcjson -lm
 * Run:
 *   LD_LIBRARY_PATH=BUILD/core/.libs ./tone_speed MODELS_DIR ARTICLES.jsonl
 * ARTICLES.jsonl has {"text": ..., "title": ...} per line. Prints the seconds spent in
 * nt_doc_build(), in tone's classify() (including its emits into a sink) and in the scoring
 * alone (tone_score + tone_value + the 3-class decision, no emits; and tone_score, the pass
 * over the tokens, alone), one thread, the best of TS_ROUNDS rounds for each, and their
 * ratios: the "tone adds no more than 20% to the document model's own time". A
 * second line gives the floor of any scorer that looks each token up in a table (the probe
 * and the learned-term sums, nothing else) on the same terms.
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

#define TS_ROUNDS 5
enum { TS_CLASSIFY, TS_SCORE, TS_FLOOR, TS_NMODES };

/* The floor of any scorer that looks every token up in the table: the probe and the sums of
 * the learned terms, no rules, no decision, no emits. */
static __attribute__((noinline)) int64_t ts_floor(const struct tone_state *s, const struct nt_doc *d)
{
	const struct tone_pslot *ps = s->ps;
	int64_t q0 = 0, q1 = 0, q2 = 0;
	for (size_t i = 0; i < d->ntokens; i++) {
		const struct nt_token *t = &d->tokens[i];
		uint64_t pr = (t->hash >> 16) * s->mul;
		const struct tone_pslot *sl = &ps[((pr >> 16) & s->pmask) ^ s->disp[(pr >> 40) & s->gmask]];
		uint64_t m = -(uint64_t)(((sl->head ^ t->hash) >> 16) == 0), vv = sl->val & m;
		q0 += (int16_t)(uint16_t)(vv >> 16);
		q1 += (int16_t)(uint16_t)(vv >> 32);
		q2 += (int16_t)(uint16_t)(vv >> 48);
	}
	return q0 + q1 + q2;
}

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
	double best_doc = 1e30, best[TS_NMODES] = {1e30, 1e30, 1e30}, best_tok = 1e30;
	volatile double sink_guard = 0;
	struct tone_hit *hits = NULL;
	size_t vcap = 0;
	struct nt_docbuf *b;
	struct nt_sink sink;
	struct nt_known known;
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
	if (nt_known_build(&known, &tone_plugin, st) != NT_OK) {
		fprintf(stderr, "tone_speed: out of memory\n");
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
	nt_sink_set_known(&sink, &known);
	for (i = 0; i < cnt; i++) {
		const struct nt_doc *d;
		if (nt_doc_build(b, "x", titles[i], titles[i] ? strlen(titles[i]) : 0, texts[i],
		                 strlen(texts[i]), 0, &d, &err) != NT_OK)
			return 1;
		ntok += d->ntokens;
		if (d->ntokens + 1 > vcap)
			vcap = d->ntokens + 1;
	}
	hits = malloc(vcap * sizeof *hits);
	if (!hits)
		return 1;
	/* each round: one pass per measured operation, each article's document model built
	 * right before it (as in the pipeline, so no operation runs on caches another one
	 * warmed); the best (smallest) total of each over the rounds */
	for (int round = 0; round < TS_ROUNDS; round++) {
		for (int mode = 0; mode < TS_NMODES; mode++) {
			double tdoc = 0, top = 0, ttok = 0;
			for (i = 0; i < cnt; i++) {
				const struct nt_doc *d;
				struct tone_result r;
				double t0 = now(), t1, t2, t3;
				if (nt_doc_build(b, "x", titles[i], titles[i] ? strlen(titles[i]) : 0, texts[i],
				                 strlen(texts[i]), 0, &d, &err) != NT_OK)
					return 1;
				t1 = now();
				t2 = t1;
				switch (mode) {
				case TS_CLASSIFY:
					nt_sink_reset(&sink, "tone");
					if (tone_classify(st, d, &sink, &err) != NT_OK)
						return 1;
					break;
				case TS_SCORE:
					tone_score(st, d, hits, &r);
					t2 = now();
					r.value = tone_value(&((struct tone_state *)st)->p, &r);
					if (((struct tone_state *)st)->p.has_cls) {
						double prob[3];
						tone_decide(&((struct tone_state *)st)->p, &r,
						            d->zones[NT_ZONE_TITLE].ntokens > 0, prob);
						sink_guard += prob[0];
					}
					break;
				default:
					sink_guard += (double)ts_floor(st, d);
					break;
				}
				t3 = now();
				tdoc += t1 - t0;
				top += t3 - t1;
				ttok += t2 - t1;
			}
			if (tdoc < best_doc)
				best_doc = tdoc;
			if (top < best[mode])
				best[mode] = top;
			if (mode == TS_SCORE && ttok < best_tok)
				best_tok = ttok;
		}
	}
	printf("%zu articles, %zu tokens, best of %d rounds, one thread: document model %.4f s; tone "
	       "classify (emits included) %.4f s = %.1f%% of the document model; the scoring alone "
	       "(token pass, value, 3-class decision) %.4f s = %.1f%% (token pass %.4f s, %.1f ns/token)\n",
	       cnt, ntok, TS_ROUNDS, best_doc, best[TS_CLASSIFY], 100 * best[TS_CLASSIFY] / best_doc,
	       best[TS_SCORE], 100 * best[TS_SCORE] / best_doc, best_tok, 1e9 * best_tok / (double)ntok);
	printf("floor of a scorer that looks every token up: one table probe and the sum of the "
	       "learned terms per token, nothing else, %.4f s = %.1f%% of the document model\n",
	       best[TS_FLOOR], 100 * best[TS_FLOOR] / best_doc);
	free(hits);
	nt_sink_release(&sink);
	nt_docbuf_free(b);
	tone_close(st);
	nt_known_free(&known);
	for (i = 0; i < cnt; i++) {
		free(texts[i]);
		free(titles[i]);
	}
	free(texts);
	free(titles);
	return 0;
}
