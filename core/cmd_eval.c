/* cmd_eval.c - `newstag eval`: precision, recall and F1 of the pipeline against labelled JSONL */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "engine.h"
#include "newstag/newstag.h"
#include "util.h"

#define EVAL_MAX_LINE (64u * 1024u * 1024u)
#define EVAL_NONE "(none)"

/* Counts of one label. */
struct ev_label {
	char *name;
	double tp, fp, fn;
};

/* Counts of one facet. */
struct ev_facet {
	char *name;
	int single;                 /* single-label facet of the pipeline */
	struct ev_label *labels;
	size_t nlabels, cap;
	size_t docs;                /* documents with gold labels for it */
	size_t correct;             /* single-label: predicted == gold (first gold label) */
	size_t *confusion;          /* single-label: gold x predicted, over labels + 1 (none) */
	size_t confcap;             /* side of the confusion matrix allocated */
	/* single-label confusion entries stored as (gold, pred) pairs, expanded at the end */
	size_t *pairs;
	size_t npairs, paircap;
};

struct ev {
	struct ev_facet *facets;
	size_t nfacets, cap;
};

static void eval_usage(FILE *fp)
{
	fputs("usage: newstag eval --data FILE.jsonl [--facet NAME] [--json] [--config F] [--model DIR]...\n"
	      "  --data FILE      JSONL: {\"id\",\"title\",\"text\",\"labels\":{\"FACET\":[\"label\",...]}}\n"
	      "  --facet NAME     evaluate only this facet (default: every facet found in labels)\n"
	      "  --json           print the results as JSON\n"
	      "  --config F, --models DIR, --plugin-dir DIR, --model DIR: as for newstag tag\n",
	      fp);
}

static long ev_label_index(struct ev_facet *f, const char *name)
{
	for (size_t i = 0; i < f->nlabels; i++)
		if (strcmp(f->labels[i].name, name) == 0)
			return (long)i;
	if (f->nlabels == f->cap) {
		size_t c = f->cap ? f->cap * 2 : 8;
		struct ev_label *p = realloc(f->labels, c * sizeof *p);
		if (!p)
			return -1;
		f->labels = p;
		f->cap = c;
	}
	struct ev_label *l = &f->labels[f->nlabels];
	memset(l, 0, sizeof *l);
	if (!(l->name = nt_strdup(name)))
		return -1;
	return (long)f->nlabels++;
}

static struct ev_facet *ev_facet_get(struct ev *e, const char *name)
{
	for (size_t i = 0; i < e->nfacets; i++)
		if (strcmp(e->facets[i].name, name) == 0)
			return &e->facets[i];
	if (e->nfacets == e->cap) {
		size_t c = e->cap ? e->cap * 2 : 4;
		struct ev_facet *p = realloc(e->facets, c * sizeof *p);
		if (!p)
			return NULL;
		e->facets = p;
		e->cap = c;
	}
	struct ev_facet *f = &e->facets[e->nfacets];
	memset(f, 0, sizeof *f);
	if (!(f->name = nt_strdup(name)))
		return NULL;
	e->nfacets++;
	return f;
}

static void ev_free(struct ev *e)
{
	for (size_t i = 0; i < e->nfacets; i++) {
		struct ev_facet *f = &e->facets[i];
		for (size_t j = 0; j < f->nlabels; j++)
			free(f->labels[j].name);
		free(f->labels);
		free(f->pairs);
		free(f->confusion);
		free(f->name);
	}
	free(e->facets);
}

static int ev_add_pair(struct ev_facet *f, size_t g, size_t p)
{
	if (f->npairs + 2 > f->paircap) {
		size_t c = f->paircap ? f->paircap * 2 : 64;
		size_t *q = realloc(f->pairs, c * sizeof *q);
		if (!q)
			return NT_ENOMEM;
		f->pairs = q;
		f->paircap = c;
	}
	f->pairs[f->npairs++] = g;
	f->pairs[f->npairs++] = p;
	return NT_OK;
}

/* Score one document for facet f: gold (array of strings) against the record. */
static int ev_score(struct ev_facet *f, const cJSON *gold, const cJSON *record)
{
	const cJSON *facets = cJSON_GetObjectItemCaseSensitive(record, "facets");
	const cJSON *rf = cJSON_GetObjectItemCaseSensitive(facets, f->name);
	const cJSON *pl = cJSON_GetObjectItemCaseSensitive(rf, "labels");
	size_t ng = (size_t)cJSON_GetArraySize(gold), np = cJSON_IsArray(pl) ? (size_t)cJSON_GetArraySize(pl) : 0;
	long gi[64], pi[64];
	size_t a = 0, b = 0;
	const cJSON *x;
	cJSON_ArrayForEach(x, gold)
	{
		long i = ev_label_index(f, x->valuestring);
		if (i < 0)
			return NT_ENOMEM;
		int dup = 0;
		for (size_t q = 0; q < a; q++)
			dup |= gi[q] == i;
		if (a < 64 && !dup)
			gi[a++] = i;
	}
	if (np)
		cJSON_ArrayForEach(x, pl)
		{
			const cJSON *lab = cJSON_GetObjectItemCaseSensitive(x, "label");
			if (!cJSON_IsString(lab))
				continue;
			long i = ev_label_index(f, lab->valuestring);
			if (i < 0)
				return NT_ENOMEM;
			int dup = 0;
			for (size_t q = 0; q < b; q++)
				dup |= pi[q] == i;
			if (b < 64 && !dup)
				pi[b++] = i;
		}
	(void)ng;
	for (size_t i = 0; i < a; i++) {
		int hit = 0;
		for (size_t j = 0; j < b; j++)
			hit |= gi[i] == pi[j];
		if (hit)
			f->labels[gi[i]].tp++;
		else
			f->labels[gi[i]].fn++;
	}
	for (size_t j = 0; j < b; j++) {
		int hit = 0;
		for (size_t i = 0; i < a; i++)
			hit |= gi[i] == pi[j];
		if (!hit)
			f->labels[pi[j]].fp++;
	}
	f->docs++;
	if (f->single) {
		size_t g = a ? (size_t)gi[0] : SIZE_MAX, p = b ? (size_t)pi[0] : SIZE_MAX;
		f->correct += g == p;
		if (ev_add_pair(f, g, p))
			return NT_ENOMEM;
	}
	return NT_OK;
}

static double ev_div(double a, double b)
{
	return b > 0 ? a / b : 0;
}

static void ev_prf(double tp, double fp, double fn, double *p, double *r, double *f1)
{
	*p = ev_div(tp, tp + fp);
	*r = ev_div(tp, tp + fn);
	*f1 = ev_div(2 * *p * *r, *p + *r);
}

static int ev_label_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ev_label *)a)->name, ((const struct ev_label *)b)->name);
}

/* Sort labels by name and remap the confusion pairs. */
static int ev_finish(struct ev_facet *f)
{
	size_t n = f->nlabels;
	char **old = malloc((n + 1) * sizeof *old);
	size_t *map = malloc((n + 1) * sizeof *map);
	if (!old || !map) {
		free(old);
		free(map);
		return NT_ENOMEM;
	}
	for (size_t i = 0; i < n; i++)
		old[i] = f->labels[i].name;
	qsort(f->labels, n, sizeof *f->labels, ev_label_cmp);
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < n; j++)
			if (f->labels[j].name == old[i])
				map[i] = j;
	if (f->single) {
		f->confusion = calloc((n + 1) * (n + 1), sizeof *f->confusion);
		if (!f->confusion) {
			free(old);
			free(map);
			return NT_ENOMEM;
		}
		f->confcap = n + 1;
		for (size_t k = 0; k < f->npairs; k += 2) {
			size_t g = f->pairs[k] == SIZE_MAX ? n : map[f->pairs[k]];
			size_t p = f->pairs[k + 1] == SIZE_MAX ? n : map[f->pairs[k + 1]];
			f->confusion[g * (n + 1) + p]++;
		}
	}
	free(old);
	free(map);
	return NT_OK;
}

static cJSON *ev_json(struct ev *e, size_t errors)
{
	cJSON *root = cJSON_CreateObject();
	cJSON *fs = cJSON_AddObjectToObject(root, "facets");
	for (size_t i = 0; i < e->nfacets; i++) {
		struct ev_facet *f = &e->facets[i];
		cJSON *o = cJSON_AddObjectToObject(fs, f->name);
		cJSON_AddNumberToObject(o, "documents", (double)f->docs);
		cJSON_AddBoolToObject(o, "single_label", f->single);
		cJSON *ls = cJSON_AddObjectToObject(o, "labels");
		double tp = 0, fp = 0, fn = 0, macro = 0;
		size_t nmacro = 0;
		for (size_t j = 0; j < f->nlabels; j++) {
			struct ev_label *l = &f->labels[j];
			double p, r, f1;
			ev_prf(l->tp, l->fp, l->fn, &p, &r, &f1);
			cJSON *lo = cJSON_AddObjectToObject(ls, l->name);
			cJSON_AddNumberToObject(lo, "precision", p);
			cJSON_AddNumberToObject(lo, "recall", r);
			cJSON_AddNumberToObject(lo, "f1", f1);
			cJSON_AddNumberToObject(lo, "support", l->tp + l->fn);
			cJSON_AddNumberToObject(lo, "predicted", l->tp + l->fp);
			cJSON_AddNumberToObject(lo, "tp", l->tp);
			cJSON_AddNumberToObject(lo, "fp", l->fp);
			cJSON_AddNumberToObject(lo, "fn", l->fn);
			tp += l->tp;
			fp += l->fp;
			fn += l->fn;
			if (l->tp + l->fn > 0) {
				macro += f1;
				nmacro++;
			}
		}
		double p, r, f1;
		ev_prf(tp, fp, fn, &p, &r, &f1);
		cJSON *mi = cJSON_AddObjectToObject(o, "micro");
		cJSON_AddNumberToObject(mi, "precision", p);
		cJSON_AddNumberToObject(mi, "recall", r);
		cJSON_AddNumberToObject(mi, "f1", f1);
		cJSON_AddNumberToObject(o, "macro_f1", nmacro ? macro / (double)nmacro : 0);
		if (f->single) {
			cJSON_AddNumberToObject(o, "accuracy", ev_div((double)f->correct, (double)f->docs));
			cJSON *cm = cJSON_AddObjectToObject(o, "confusion");
			size_t n = f->nlabels;
			for (size_t g = 0; g <= n; g++) {
				cJSON *row = NULL;
				for (size_t q = 0; q <= n; q++) {
					size_t v = f->confusion[g * (n + 1) + q];
					if (!v)
						continue;
					if (!row)
						row = cJSON_AddObjectToObject(cm, g < n ? f->labels[g].name : EVAL_NONE);
					cJSON_AddNumberToObject(row, q < n ? f->labels[q].name : EVAL_NONE, (double)v);
				}
			}
		}
	}
	cJSON_AddNumberToObject(root, "records_with_errors", (double)errors);
	return root;
}

static void ev_table(struct ev *e, size_t errors)
{
	for (size_t i = 0; i < e->nfacets; i++) {
		struct ev_facet *f = &e->facets[i];
		printf("facet %s (%zu documents%s)\n", f->name, f->docs, f->single ? ", single-label" : "");
		printf("  %-24s %9s %9s %9s %8s %9s\n", "label", "precision", "recall", "F1", "support", "predicted");
		double tp = 0, fp = 0, fn = 0, macro = 0;
		size_t nmacro = 0;
		for (size_t j = 0; j < f->nlabels; j++) {
			struct ev_label *l = &f->labels[j];
			double p, r, f1;
			ev_prf(l->tp, l->fp, l->fn, &p, &r, &f1);
			printf("  %-24s %9.3f %9.3f %9.3f %8.0f %9.0f\n", l->name, p, r, f1, l->tp + l->fn, l->tp + l->fp);
			tp += l->tp;
			fp += l->fp;
			fn += l->fn;
			if (l->tp + l->fn > 0) {
				macro += f1;
				nmacro++;
			}
		}
		double p, r, f1;
		ev_prf(tp, fp, fn, &p, &r, &f1);
		printf("  %-24s %9.3f %9.3f %9.3f\n", "micro", p, r, f1);
		printf("  %-24s %9s %9s %9.3f\n", "macro", "", "", nmacro ? macro / (double)nmacro : 0);
		if (f->single) {
			size_t n = f->nlabels;
			printf("  accuracy %.4f\n  confusion (rows: gold, columns: predicted)\n  %-16s",
			       ev_div((double)f->correct, (double)f->docs), "");
			for (size_t q = 0; q <= n; q++)
				printf(" %10.10s", q < n ? f->labels[q].name : EVAL_NONE);
			printf("\n");
			for (size_t g = 0; g <= n; g++) {
				size_t rowsum = 0;
				for (size_t q = 0; q <= n; q++)
					rowsum += f->confusion[g * (n + 1) + q];
				if (g == n && !rowsum)
					continue;
				printf("  %-16.16s", g < n ? f->labels[g].name : EVAL_NONE);
				for (size_t q = 0; q <= n; q++)
					printf(" %10zu", f->confusion[g * (n + 1) + q]);
				printf("\n");
			}
		}
	}
	if (errors)
		printf("%zu record(s) carried plugin errors\n", errors);
}

int nt_cmd_eval(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"data", required_argument, 0, 'd'},
		{"facet", required_argument, 0, 'f'},
		{"json", no_argument, 0, 'j'},
		{"help", no_argument, 0, 'h'},
		NT_CLI_ENGINE_LONGOPTS,
		{0, 0, 0, 0}};
	struct nt_engine_options eo;
	const char *data = NULL, *facet = NULL;
	int json = 0, c, ret = NT_EXIT_OK;
	struct nt_engine *engine = NULL;
	struct nt_error err = {0, ""};
	struct ev ev;
	FILE *fp = NULL;
	char *line = NULL;
	size_t cap = 0, lineno = 0, errors = 0;
	memset(&eo, 0, sizeof eo);
	memset(&ev, 0, sizeof ev);
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:f:jh", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': data = optarg; break;
		case 'f': facet = optarg; break;
		case 'j': json = 1; break;
		case 'h': eval_usage(stdout); goto done;
		default:
			if (c >= NT_OPT_CONFIG && nt_cli_engine_option(c, optarg, &eo))
				break;
			eval_usage(stderr);
			ret = NT_EXIT_USAGE;
			goto done;
		}
	}
	if (optind < argc || !data) {
		fprintf(stderr, "newstag eval: %s\n", optind < argc ? "unexpected argument" : "--data is required");
		eval_usage(stderr);
		ret = NT_EXIT_USAGE;
		goto done;
	}
	fp = strcmp(data, "-") == 0 ? stdin : fopen(data, "r");
	if (!fp) {
		fprintf(stderr, "newstag eval: %s: %s\n", data, strerror(errno));
		ret = NT_EXIT_INPUT;
		goto done;
	}
	if (nt_engine_open(&eo, &engine, &err) != NT_OK) {
		fprintf(stderr, "newstag eval: %s\n", err.msg);
		ret = err.code == NT_ENOMEM ? NT_EXIT_INTERNAL : NT_EXIT_PLUGIN;
		goto done;
	}
	if (facet && !ev_facet_get(&ev, facet)) {
		ret = NT_EXIT_INTERNAL;
		goto done;
	}
	ssize_t n;
	while ((n = getline(&line, &cap, fp)) >= 0) {
		lineno++;
		size_t k = 0;
		while (k < (size_t)n && (line[k] == ' ' || line[k] == '\t' || line[k] == '\r' || line[k] == '\n'))
			k++;
		if (k == (size_t)n)
			continue;
		const char *end = NULL, *what = NULL;
		if ((size_t)n > EVAL_MAX_LINE || memchr(line, '\0', (size_t)n)) {
			fprintf(stderr, "newstag eval: %s:%zu: line too long or has a NUL byte\n", data, lineno);
			ret = NT_EXIT_INPUT;
			goto done;
		}
		cJSON *j = cJSON_ParseWithLengthOpts(line, (size_t)n + 1, &end, 1);
		if (!j) {
			fprintf(stderr, "newstag eval: %s:%zu: not valid JSON (near byte %ld)\n", data, lineno,
			        end ? (long)(end - line) + 1 : 0L);
			ret = NT_EXIT_INPUT;
			goto done;
		}
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(j, "id");
		const cJSON *title = cJSON_GetObjectItemCaseSensitive(j, "title");
		const cJSON *text = cJSON_GetObjectItemCaseSensitive(j, "text");
		const cJSON *labels = cJSON_GetObjectItemCaseSensitive(j, "labels");
		if (!cJSON_IsObject(j))
			what = "a line must be a JSON object";
		else if (!cJSON_IsString(text))
			what = "\"text\" must be a string";
		else if (title && !cJSON_IsString(title) && !cJSON_IsNull(title))
			what = "\"title\" must be a string";
		else if (!cJSON_IsObject(labels))
			what = "\"labels\" must be an object {\"FACET\": [\"label\", ...]}";
		const cJSON *fl;
		if (!what)
			cJSON_ArrayForEach(fl, labels)
			{
				const cJSON *x;
				if (cJSON_IsString(fl))
					continue;
				if (!cJSON_IsArray(fl)) {
					what = "each labels.FACET must be an array of strings";
					break;
				}
				cJSON_ArrayForEach(x, fl) if (!cJSON_IsString(x)) what = "each labels.FACET must be an array of strings";
			}
		if (what) {
			fprintf(stderr, "newstag eval: %s:%zu: %s\n", data, lineno, what);
			cJSON_Delete(j);
			ret = NT_EXIT_INPUT;
			goto done;
		}
		char idbuf[64];
		const char *ids = idbuf;
		if (cJSON_IsString(id))
			ids = id->valuestring;
		else
			snprintf(idbuf, sizeof idbuf, "%s:%zu", data, lineno);
		struct nt_article a = {.id = ids,
		                       .title = cJSON_IsString(title) ? title->valuestring : NULL,
		                       .text = text->valuestring,
		                       .text_len = strlen(text->valuestring),
		                       .meta_json = NULL,
		                       .title_in_text = 0};
		cJSON *rec = NULL;
		if (nt_engine_tag_json(engine, &a, &rec, &err) != NT_OK) {
			fprintf(stderr, "newstag eval: %s:%zu: %s\n", data, lineno, err.msg);
			cJSON_Delete(j);
			ret = NT_EXIT_INTERNAL;
			goto done;
		}
		if (cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(rec, "errors")) > 0)
			errors++;
		int rc = NT_OK;
		cJSON_ArrayForEach(fl, labels)
		{
			if (facet && strcmp(fl->string, facet) != 0)
				continue;
			struct ev_facet *f = ev_facet_get(&ev, fl->string);
			if (!f) {
				rc = NT_ENOMEM;
				break;
			}
			if (f->docs == 0 && f->nlabels == 0) {
				for (size_t q = 0; q < nt_engine_facet_count(engine); q++)
					if (strcmp(nt_engine_facet_name(engine, q), f->name) == 0)
						f->single = nt_engine_facet_single(engine, q);
			}
			const cJSON *arr = fl;
			cJSON *tmp = NULL;
			if (cJSON_IsString(fl)) {
				tmp = cJSON_CreateArray();
				cJSON_AddItemToArray(tmp, cJSON_CreateString(fl->valuestring));
				arr = tmp;
			}
			rc = ev_score(f, arr, rec);
			cJSON_Delete(tmp);
			if (rc)
				break;
		}
		cJSON_Delete(rec);
		cJSON_Delete(j);
		if (rc) {
			fprintf(stderr, "newstag eval: out of memory\n");
			ret = NT_EXIT_INTERNAL;
			goto done;
		}
	}
	if (ferror(fp)) {
		fprintf(stderr, "newstag eval: %s: read error\n", data);
		ret = NT_EXIT_INPUT;
		goto done;
	}
	for (size_t i = 0; i < ev.nfacets; i++)
		if (ev_finish(&ev.facets[i])) {
			ret = NT_EXIT_INTERNAL;
			goto done;
		}
	if (facet && ev.nfacets == 1 && ev.facets[0].docs == 0)
		fprintf(stderr, "newstag eval: warning: no line of %s has labels.%s\n", data, facet);
	if (json) {
		cJSON *o = ev_json(&ev, errors);
		char *s = cJSON_Print(o);
		if (s)
			printf("%s\n", s);
		free(s);
		cJSON_Delete(o);
	} else
		ev_table(&ev, errors);
done:
	if (fp && fp != stdin)
		fclose(fp);
	free(line);
	ev_free(&ev);
	nt_engine_close(engine);
	nt_cli_engine_options_free(&eo);
	return ret;
}
