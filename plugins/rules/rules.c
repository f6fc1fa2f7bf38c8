/* rules.c - a classifier defined by a JSON rule file: weighted terms and phrases per label */
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "newstag/plugin.h"

/*
 * Rule file (JSON):
 *   {"rules": [ {"facet": "topic", "label": "missile-defense",
 *                "terms": {"missile defense": 1.0, "iron dome": 1.2, "oil price": -1.0},
 *                "case_terms": {"THAAD": 1.0},        optional: matched case-sensitively
 *                "scale": 1.0,                          optional: multiplies the sum
 *                "min_score": 0.0 } ] }                 optional: emit only from this score
 * Terms are folded and tokenized like the document (case-insensitive, diacritics off,
 * punctuation ignored, so "missile defense" also matches "missile-defense"); they
 * match whole tokens only, within one sentence. The evidence of each occurrence is
 * weight x zone weight (title 2, dateline/lead 1.5, body 1, trailer 0.25); repeats of
 * a term count sqrt-diminishing. score = 1 - exp(-scale x max(0, sum)).
 */

#define RULES_MAX_TERM_TOKENS 8
#define RULES_MAX_FILE (32u << 20)

struct rules_config {
	const char *rules;     /* path of the rule file */
	double min_score;      /* emit labels scoring at least this */
};

struct term {
	uint64_t hash[RULES_MAX_TERM_TOKENS];
	size_t ntok;
	char *words[RULES_MAX_TERM_TOKENS]; /* case-sensitive terms: the exact tokens */
	int case_sensitive;
	double weight;
	size_t rule;           /* index of its rule */
	struct term *next;     /* chain of terms with the same first-token hash */
};

struct rule {
	char *facet;
	char *label;
	double scale;
	double min_score;
	size_t nterms;
};

/* A token whose filter bit is clear starts no term: most tokens stop at one L1 read. */
#define RULES_FILTER_WORDS 64
#define RULES_FILTER_BITS (RULES_FILTER_WORDS * 64)
#define RULES_FILTER_BIT(h) ((size_t)((h) >> 40) % RULES_FILTER_BITS)

struct rules_state {
	const struct nt_host *host;
	struct rule *rules;
	size_t nrules;
	struct term *terms;
	size_t nterms;
	struct term **table;   /* open hash of chains by first-token hash */
	size_t tsize;
	uint64_t filter[RULES_FILTER_WORDS]; /* bit (hash >> 40) % RULES_FILTER_BITS of every first token */
	char *path;
	char digest[80];
	const char **facets;   /* distinct facets, NULL-terminated */
	const char **labels;   /* "facet:label", NULL-terminated */
	char *label_store;
	double min_score;
};

static int rerr(struct nt_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int rerr(struct nt_error *err, int code, const char *fmt, ...)
{
	if (err) {
		va_list ap;
		va_start(ap, fmt);
		err->code = code;
		vsnprintf(err->msg, sizeof err->msg, fmt, ap);
		va_end(ap);
	}
	return code;
}

static char *dupstr(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);
	if (p)
		memcpy(p, s, n);
	return p;
}

static void rules_close(void *vs)
{
	struct rules_state *s = vs;
	if (!s)
		return;
	for (size_t i = 0; i < s->nrules; i++) {
		free(s->rules[i].facet);
		free(s->rules[i].label);
	}
	for (size_t i = 0; i < s->nterms; i++)
		for (size_t j = 0; j < RULES_MAX_TERM_TOKENS; j++)
			free(s->terms[i].words[j]);
	free(s->rules);
	free(s->terms);
	free(s->table);
	free(s->path);
	free(s->facets);
	free(s->labels);
	free(s->label_store);
	free(s);
}

/* Split a case-sensitive term into its word tokens (letters, digits, inner ' and .). */
static size_t split_words(const char *t, char **out, size_t max)
{
	size_t n = 0;
	const char *p = t;
	while (*p) {
		while (*p && !(((unsigned char)*p >= 0x80) || (*p >= 'a' && *p <= 'z') ||
		               (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9')))
			p++;
		if (!*p)
			break;
		const char *b = p;
		while (*p && (((unsigned char)*p >= 0x80) || (*p >= 'a' && *p <= 'z') ||
		              (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		              ((*p == '\'' || *p == '.') && p[1] && p[1] != ' ')))
			p++;
		if (n < max) {
			out[n] = malloc((size_t)(p - b) + 1);
			if (!out[n])
				return n;
			memcpy(out[n], b, (size_t)(p - b));
			out[n][p - b] = '\0';
		}
		n++;
	}
	return n;
}

static int add_terms(struct rules_state *s, const cJSON *obj, size_t rule, int cs, const char *path,
                     struct nt_error *err)
{
	for (const cJSON *t = obj->child; t; t = t->next) {
		if (!cJSON_IsNumber(t) || !isfinite(t->valuedouble) || fabs(t->valuedouble) > 1000)
			return rerr(err, NT_EFORMAT, "%s: rule %zu: weight of term \"%s\" must be a number in [-1000, 1000]",
			            path, rule, t->string);
		struct term *tm = &s->terms[s->nterms];
		memset(tm, 0, sizeof *tm);
		size_t n = s->host->fold_hashes(t->string, strlen(t->string), tm->hash, RULES_MAX_TERM_TOKENS);
		if (n == 0)
			return rerr(err, NT_EFORMAT, "%s: rule %zu: term \"%s\" has no words", path, rule, t->string);
		if (n > RULES_MAX_TERM_TOKENS)
			return rerr(err, NT_EFORMAT, "%s: rule %zu: term \"%s\" has more than %d words", path, rule,
			            t->string, RULES_MAX_TERM_TOKENS);
		tm->ntok = n;
		tm->weight = t->valuedouble;
		tm->rule = rule;
		tm->case_sensitive = cs;
		s->nterms++; /* counted before the split, so rules_close() frees its words on error */
		if (cs && split_words(t->string, tm->words, RULES_MAX_TERM_TOKENS) != n)
			return rerr(err, NT_EFORMAT, "%s: rule %zu: case-sensitive term \"%s\" splits unlike the document tokenizer",
			            path, rule, t->string);
	}
	return NT_OK;
}

static int parse_rules(struct rules_state *s, const char *json, size_t len, const char *path,
                       struct nt_error *err)
{
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(json, len, &end, 0);
	if (!root) {
		size_t off = end && end >= json ? (size_t)(end - json) : 0, line = 1;
		for (size_t i = 0; i < off && i < len; i++)
			line += json[i] == '\n';
		return rerr(err, NT_EFORMAT, "%s:%zu: invalid JSON near byte %zu", path, line, off);
	}
	int rc = NT_OK;
	const cJSON *rules = cJSON_GetObjectItemCaseSensitive(root, "rules");
	if (!cJSON_IsObject(root) || !cJSON_IsArray(rules)) {
		rc = rerr(err, NT_EFORMAT, "%s: expected an object with a \"rules\" array", path);
		goto out;
	}
	for (const cJSON *k = root->child; k; k = k->next)
		if (strcmp(k->string, "rules") && strcmp(k->string, "description")) {
			rc = rerr(err, NT_EFORMAT, "%s: unknown key \"%s\" (allowed: rules, description)", path,
			          k->string);
			goto out;
		}
	size_t nr = (size_t)cJSON_GetArraySize(rules), nt = 0;
	for (const cJSON *r = rules->child; r; r = r->next) {
		const cJSON *a = cJSON_GetObjectItemCaseSensitive(r, "terms");
		const cJSON *b = cJSON_GetObjectItemCaseSensitive(r, "case_terms");
		nt += (size_t)cJSON_GetArraySize(a) + (size_t)cJSON_GetArraySize(b);
	}
	s->rules = calloc(nr + 1, sizeof *s->rules);
	s->terms = calloc(nt + 1, sizeof *s->terms);
	if (!s->rules || !s->terms) {
		rc = rerr(err, NT_ENOMEM, "out of memory");
		goto out;
	}
	size_t idx = 0;
	for (const cJSON *r = rules->child; r && rc == NT_OK; r = r->next, idx++) {
		static const char *const keys[] = {"facet", "label", "terms", "case_terms", "scale",
		                                   "min_score", "description", NULL};
		if (!cJSON_IsObject(r)) {
			rc = rerr(err, NT_EFORMAT, "%s: rules[%zu] must be an object", path, idx);
			break;
		}
		for (const cJSON *k = r->child; k && rc == NT_OK; k = k->next) {
			int ok = 0;
			for (int i = 0; keys[i]; i++)
				ok |= strcmp(k->string, keys[i]) == 0;
			if (!ok)
				rc = rerr(err, NT_EFORMAT, "%s: rules[%zu]: unknown key \"%s\"", path, idx, k->string);
		}
		if (rc != NT_OK)
			break;
		const cJSON *facet = cJSON_GetObjectItemCaseSensitive(r, "facet");
		const cJSON *label = cJSON_GetObjectItemCaseSensitive(r, "label");
		const cJSON *terms = cJSON_GetObjectItemCaseSensitive(r, "terms");
		const cJSON *cterms = cJSON_GetObjectItemCaseSensitive(r, "case_terms");
		const cJSON *scale = cJSON_GetObjectItemCaseSensitive(r, "scale");
		const cJSON *mins = cJSON_GetObjectItemCaseSensitive(r, "min_score");
		if (!cJSON_IsString(facet) || !*facet->valuestring || !cJSON_IsString(label) ||
		    !*label->valuestring) {
			rc = rerr(err, NT_EFORMAT, "%s: rules[%zu] needs \"facet\" and \"label\" strings", path, idx);
			break;
		}
		if ((terms && !cJSON_IsObject(terms)) || (cterms && !cJSON_IsObject(cterms)) ||
		    (!terms && !cterms)) {
			rc = rerr(err, NT_EFORMAT, "%s: rules[%zu] needs \"terms\" (and/or \"case_terms\") objects of term: weight",
			          path, idx);
			break;
		}
		if ((scale && (!cJSON_IsNumber(scale) || scale->valuedouble <= 0)) ||
		    (mins && (!cJSON_IsNumber(mins) || mins->valuedouble < 0 || mins->valuedouble > 1))) {
			rc = rerr(err, NT_EFORMAT, "%s: rules[%zu]: \"scale\" must be > 0 and \"min_score\" in [0, 1]",
			          path, idx);
			break;
		}
		struct rule *ru = &s->rules[idx];
		ru->facet = dupstr(facet->valuestring);
		ru->label = dupstr(label->valuestring);
		ru->scale = scale ? scale->valuedouble : 1.0;
		ru->min_score = mins ? mins->valuedouble : 0.0;
		s->nrules = idx + 1;
		if (!ru->facet || !ru->label) {
			rc = rerr(err, NT_ENOMEM, "out of memory");
			break;
		}
		if (terms)
			rc = add_terms(s, terms, idx, 0, path, err);
		if (rc == NT_OK && cterms)
			rc = add_terms(s, cterms, idx, 1, path, err);
	}
out:
	cJSON_Delete(root);
	return rc;
}

static int build_index(struct rules_state *s)
{
	s->tsize = 64;
	while (s->tsize < s->nterms * 2)
		s->tsize *= 2;
	s->table = calloc(s->tsize, sizeof *s->table);
	if (!s->table)
		return NT_ENOMEM;
	for (size_t i = s->nterms; i-- > 0;) {
		size_t h = (size_t)(s->terms[i].hash[0] & (s->tsize - 1));
		s->terms[i].next = s->table[h];
		s->table[h] = &s->terms[i];
		size_t fb = RULES_FILTER_BIT(s->terms[i].hash[0]);
		s->filter[fb / 64] |= 1ull << (fb % 64);
	}
	/* distinct facets and labels for describe() */
	s->facets = calloc(s->nrules + 1, sizeof *s->facets);
	s->labels = calloc(s->nrules + 1, sizeof *s->labels);
	size_t store = 1;
	for (size_t i = 0; i < s->nrules; i++)
		store += strlen(s->rules[i].facet) + strlen(s->rules[i].label) + 2;
	s->label_store = malloc(store);
	if (!s->facets || !s->labels || !s->label_store)
		return NT_ENOMEM;
	size_t nf = 0, nl = 0, off = 0;
	for (size_t i = 0; i < s->nrules; i++) {
		int seen = 0;
		for (size_t j = 0; j < nf; j++)
			seen |= strcmp(s->facets[j], s->rules[i].facet) == 0;
		if (!seen)
			s->facets[nf++] = s->rules[i].facet;
		char *p = s->label_store + off;
		int w = sprintf(p, "%s:%s", s->rules[i].facet, s->rules[i].label);
		seen = 0;
		for (size_t j = 0; j < nl; j++)
			seen |= strcmp(s->labels[j], p) == 0;
		if (!seen) {
			s->labels[nl++] = p;
			off += (size_t)w + 1;
		}
	}
	return NT_OK;
}

static int rules_open(const struct nt_host *host, const void *config, const char *models_dir,
                      void **state, struct nt_error *err)
{
	(void)models_dir;
	const struct rules_config *cfg = config;
	if (!cfg->rules || !*cfg->rules)
		return rerr(err, NT_EINVAL, "option \"rules\" (the rule file) is required");
	struct rules_state *s = calloc(1, sizeof *s);
	if (!s)
		return rerr(err, NT_ENOMEM, "out of memory");
	s->host = host;
	s->min_score = cfg->min_score;
	s->path = dupstr(cfg->rules);
	FILE *f = fopen(cfg->rules, "rb");
	if (!f) {
		int e = errno;
		rules_close(s);
		return rerr(err, NT_ENOTFOUND, "%s: %s", cfg->rules, strerror(e));
	}
	/* read in growing chunks: a rule file is usually a few KB, the limit is 32 MiB */
	size_t cap = 16384, n = 0;
	char *buf = malloc(cap);
	int nomem = buf == NULL;
	while (!nomem && n <= RULES_MAX_FILE) {
		if (n == cap) {
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				nomem = 1;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		size_t got = fread(&buf[n], 1, cap - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (nomem) {
		free(buf);
		buf = NULL;
	}
	int bad = ferror(f);
	fclose(f);
	int rc;
	if (!buf)
		rc = rerr(err, NT_ENOMEM, "out of memory");
	else if (bad)
		rc = rerr(err, NT_EIO, "%s: read error", cfg->rules);
	else if (n > RULES_MAX_FILE)
		rc = rerr(err, NT_EFORMAT, "%s: larger than %u bytes", cfg->rules, RULES_MAX_FILE);
	else if (n == 0)
		rc = rerr(err, NT_EFORMAT, "%s: empty rule file", cfg->rules);
	else
		rc = parse_rules(s, buf, n, cfg->rules, err);
	free(buf);
	if (rc == NT_OK && build_index(s) != NT_OK)
		rc = rerr(err, NT_ENOMEM, "out of memory");
	if (rc == NT_OK && host->digest_file(cfg->rules, s->digest, sizeof s->digest) != NT_OK)
		s->digest[0] = '\0';
	if (rc != NT_OK) {
		rules_close(s);
		return rc;
	}
	*state = s;
	return NT_OK;
}

static double zone_weight(uint8_t zone)
{
	switch (zone) {
	case NT_ZONE_TITLE: return 2.0;
	case NT_ZONE_DATELINE:
	case NT_ZONE_LEAD: return 1.5;
	case NT_ZONE_TRAILER: return 0.25;
	default: return 1.0;
	}
}

/* Does term tm match at word index w (words[] = token indices of word tokens)? */
static int term_matches(const struct nt_doc *d, const size_t *words, size_t nw, size_t w,
                        const struct term *tm)
{
	if (w + tm->ntok > nw)
		return 0;
	uint32_t sent = d->tokens[words[w]].sentence;
	for (size_t k = 0; k < tm->ntok; k++) {
		const struct nt_token *t = &d->tokens[words[w + k]];
		if (t->hash != tm->hash[k] || t->sentence != sent)
			return 0;
		if (tm->case_sensitive) {
			const char *base = t->src == NT_SRC_TITLE ? d->title : d->text;
			size_t l = strlen(tm->words[k]);
			if (t->end - t->start != l || memcmp(base + t->start, tm->words[k], l) != 0)
				return 0;
		}
	}
	return 1;
}

static int rules_classify(const void *vs, const struct nt_doc *d, struct nt_sink *sink,
                          struct nt_error *err)
{
	const struct rules_state *s = vs;
	const struct nt_host *h = s->host;
	if (s->nrules == 0)
		return NT_OK;
	size_t *words = h->scratch(sink, (d->ntokens + 1) * sizeof *words);
	double *sum = h->scratch(sink, s->nrules * sizeof *sum);
	unsigned *hits = h->scratch(sink, (s->nterms + 1) * sizeof *hits);
	/* matches: (term, first word) pairs for evidence, at most 4096 kept */
	size_t maxm = 4096, nm = 0;
	size_t *mterm = h->scratch(sink, maxm * sizeof *mterm);
	size_t *mword = h->scratch(sink, maxm * sizeof *mword);
	double *mwt = h->scratch(sink, maxm * sizeof *mwt);
	if (!words || !sum || !hits || !mterm || !mword || !mwt)
		return rerr(err, NT_ENOMEM, "out of memory");
	memset(sum, 0, s->nrules * sizeof *sum);
	memset(hits, 0, (s->nterms + 1) * sizeof *hits);
	size_t nw = 0;
	for (size_t i = 0; i < d->ntokens; i++)
		if (d->tokens[i].flags & (NT_TOK_WORD | NT_TOK_NUMBER))
			words[nw++] = i;
	for (size_t w = 0; w < nw; w++) {
		const struct nt_token *t = &d->tokens[words[w]];
		size_t fb = RULES_FILTER_BIT(t->hash);
		if (!(s->filter[fb / 64] & (1ull << (fb % 64))))
			continue;
		for (const struct term *tm = s->table[t->hash & (s->tsize - 1)]; tm; tm = tm->next) {
			if (tm->hash[0] != t->hash || !term_matches(d, words, nw, w, tm))
				continue;
			size_t ti = (size_t)(tm - s->terms);
			hits[ti]++;
			/* repeats diminish: the k-th hit adds sqrt(k) - sqrt(k-1) */
			double rep = sqrt((double)hits[ti]) - sqrt((double)hits[ti] - 1);
			double v = tm->weight * zone_weight(t->zone) * rep;
			sum[tm->rule] += v;
			if (nm < maxm) {
				mterm[nm] = ti;
				mword[nm] = w;
				mwt[nm] = v;
				nm++;
			}
		}
	}
	for (size_t r = 0; r < s->nrules; r++) {
		const struct rule *ru = &s->rules[r];
		double score = 1.0 - exp(-ru->scale * (sum[r] > 0 ? sum[r] : 0));
		if (score <= 0 || score < ru->min_score || score < s->min_score)
			continue;
		int li = h->emit_label(sink, ru->facet, ru->label, score);
		if (li < 0)
			return rerr(err, li, "cannot emit label %s", ru->label);
		for (size_t m = 0; m < nm; m++) {
			const struct term *tm = &s->terms[mterm[m]];
			if (tm->rule != r || mwt[m] <= 0)
				continue;
			const struct nt_token *a = &d->tokens[words[mword[m]]];
			const struct nt_token *b = &d->tokens[words[mword[m] + tm->ntok - 1]];
			h->emit_evidence(sink, li, a->src, a->start, b->end, mwt[m]);
		}
	}
	return NT_OK;
}

static int rules_describe(const void *vs, struct nt_info *info)
{
	const struct rules_state *s = vs;
	info->facets = s->facets;
	info->labels = s->labels;
	info->model = s->path;
	info->model_digest = s->digest[0] ? s->digest : NULL;
	return NT_OK;
}

static const struct nt_option rules_options[] = {
	{"rules", NT_OPT_PATH, offsetof(struct rules_config, rules), NULL,
	 "the JSON rule file (relative to the models directory)"},
	{"min_score", NT_OPT_NUMBER, offsetof(struct rules_config, min_score), "0",
	 "emit only labels scoring at least this"},
	{NULL, 0, 0, NULL, NULL},
};

static const char *const rules_facets[] = {"*", NULL};

static const struct nt_plugin rules_plugin = {
	NT_PLUGIN_HEADER,
	.name = "rules",
	.version = "1.0.0",
	.description = "weighted terms and phrases per label from a JSON rule file",
	.facets = rules_facets,
	.options = rules_options,
	.config_size = sizeof(struct rules_config),
	.open = rules_open,
	.classify = rules_classify,
	.close = rules_close,
	.describe = rules_describe,
	.flags = NT_PLUGIN_OPEN_CONCURRENT,
};

NT_PLUGIN_DEFINE(rules, rules_plugin)
