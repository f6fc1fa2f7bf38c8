/* combiner.c - merge what the plugins said into one labelled facet object per facet */
#include "config.h"
#include "combiner.h"
#include "jsonout.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define NT_MAX_EVIDENCE 64   /* spans kept per label in a record */
#define NT_MAX_EXPLAIN 12    /* explain entries per label */

static int plan_add_facet(struct nt_combiner *c, const char *facet, const struct nt_config *cfg)
{
	for (size_t i = 0; i < c->nfacets; i++)
		if (strcmp(c->facets[i].facet, facet) == 0)
			return NT_OK;
	struct nt_facet_plan *p = realloc(c->facets, (c->nfacets + 1) * sizeof *p);
	if (!p)
		return NT_ENOMEM;
	c->facets = p;
	struct nt_facet_plan *f = &c->facets[c->nfacets];
	memset(f, 0, sizeof *f);
	if (!(f->facet = nt_strdup(facet)))
		return NT_ENOMEM;
	const struct nt_facet_cfg *fc = nt_config_facet(cfg, facet);
	if (fc)
		f->cfg = *fc;
	else
		f->cfg.threshold = 0.5;
	f->inst = calloc(cfg->ninst + 1, sizeof *f->inst);
	f->weight = calloc(cfg->ninst + 1, sizeof *f->weight);
	c->nfacets++;
	return f->inst && f->weight ? NT_OK : NT_ENOMEM;
}

static struct nt_facet_plan *plan_find(const struct nt_combiner *c, const char *facet)
{
	for (size_t i = 0; i < c->nfacets; i++)
		if (strcmp(c->facets[i].facet, facet) == 0)
			return &c->facets[i];
	return NULL;
}

int nt_combiner_init(struct nt_combiner *c, const struct nt_config *cfg,
                     const char *const *const *inst_facets, const int *single_hint,
                     struct nt_error *err)
{
	memset(c, 0, sizeof *c);
	for (size_t i = 0; i < cfg->ninst; i++)
		for (size_t j = 0; inst_facets[i] && inst_facets[i][j]; j++) {
			const char *fn = inst_facets[i][j];
			if (strcmp(fn, "*") == 0)
				continue;
			if (plan_add_facet(c, fn, cfg) != NT_OK)
				return nt_seterr(err, NT_ENOMEM, "out of memory");
			struct nt_facet_plan *f = plan_find(c, fn);
			int dup = 0;
			for (size_t k = 0; k < f->ninst; k++)
				dup |= f->inst[k] == i;
			if (dup)
				continue;
			double w = 1.0;
			for (size_t k = 0; k < f->cfg.nweights; k++)
				if (strcmp(f->cfg.weights[k].name, cfg->inst[i].name) == 0)
					w = f->cfg.weights[k].value;
			f->inst[f->ninst] = i;
			f->weight[f->ninst] = w;
			f->ninst++;
			if (single_hint && single_hint[i] && !f->cfg.single_set)
				f->cfg.single = 1;
		}
	/* facets the config names but no instance declares come last (a plugin may still
	 * emit them) */
	for (size_t i = 0; i < cfg->nfacets; i++)
		if (plan_add_facet(c, cfg->facets[i].facet, cfg) != NT_OK)
			return nt_seterr(err, NT_ENOMEM, "out of memory");
	/* a weight for an instance that does not emit the facet is a config error */
	for (size_t i = 0; i < c->nfacets; i++) {
		const struct nt_facet_plan *f = &c->facets[i];
		for (size_t k = 0; k < f->cfg.nweights; k++) {
			int found = 0;
			for (size_t m = 0; m < f->ninst; m++)
				found |= strcmp(cfg->inst[f->inst[m]].name, f->cfg.weights[k].name) == 0;
			if (!found)
				return nt_seterr(err, NT_EINVAL,
				                 "%s: facets.%s.weights names \"%s\", which is not a pipeline "
				                 "instance emitting %s",
				                 cfg->path, f->facet, f->cfg.weights[k].name, f->facet);
		}
	}
	return NT_OK;
}

void nt_combiner_free(struct nt_combiner *c)
{
	for (size_t i = 0; i < c->nfacets; i++) {
		free(c->facets[i].facet);
		free(c->facets[i].inst);
		free(c->facets[i].weight);
	}
	free(c->facets);
	memset(c, 0, sizeof *c);
}

static double round4(double x)
{
	return floor(x * 10000.0 + 0.5) / 10000.0;
}

/* A label candidate of one facet, with the score of each covering instance. */
struct cand {
	const char *label;
	double *score;   /* per covering instance; < 0 = not emitted */
	double combined;
};

static double combine_scores(const struct nt_facet_plan *f, const double *s, const int *alive)
{
	double best = 0, sum = 0, wsum = 0, wtot = 0;
	size_t n = 0, votes = 0;
	for (size_t k = 0; k < f->ninst; k++) {
		if (!alive[k])
			continue;
		n++;
		wtot += f->weight[k];
		if (s[k] < 0)
			continue;
		votes++;
		if (s[k] > best)
			best = s[k];
		sum += s[k];
		wsum += f->weight[k] * s[k];
	}
	if (n == 0)
		return 0;
	switch (f->cfg.policy) {
	case NT_POLICY_MEAN: return sum / (double)n;
	case NT_POLICY_WEIGHTED: return wtot > 0 ? wsum / wtot : 0;
	case NT_POLICY_VOTE: return (double)votes / (double)n;
	default: return best;
	}
}

static int cand_cmp(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;
	if (x->combined != y->combined)
		return x->combined > y->combined ? -1 : 1;
	return strcmp(x->label, y->label);
}

struct ev_ref {
	const struct nt_sink_evidence *e;
	const char *instance;
};

static int ev_cmp_pos(const void *a, const void *b)
{
	const struct nt_sink_evidence *x = ((const struct ev_ref *)a)->e, *y = ((const struct ev_ref *)b)->e;
	if (x->src != y->src)
		return x->src < y->src ? -1 : 1;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	return 0;
}

static int ev_cmp_weight(const void *a, const void *b)
{
	const struct ev_ref *x = a, *y = b;
	if (fabs(x->e->weight) != fabs(y->e->weight))
		return fabs(x->e->weight) > fabs(y->e->weight) ? -1 : 1;
	return ev_cmp_pos(a, b);
}

/* Append a span [start,end] or [start,end,"title"]. */
static int put_span(struct nt_buf *b, const struct nt_sink_evidence *e)
{
	if (nt_buf_append(b, "[", 1) != NT_OK || nt_buf_append_uint(b, e->start) != NT_OK ||
	    nt_buf_append(b, ",", 1) != NT_OK || nt_buf_append_uint(b, e->end) != NT_OK)
		return NT_ENOMEM;
	return e->src == NT_SRC_TITLE ? nt_buf_append(b, ",\"title\"]", 9) : nt_buf_append(b, "]", 1);
}

/* Evidence of (facet, label) from every covering sink: appends ,"evidence":[...] (and
 * ,"explain":[...] when flags has NT_COMBINE_EXPLAIN) to the label object in b. */
static int add_evidence(const struct nt_facet_plan *f, struct nt_sink *const *sinks,
                        const char *label, const struct nt_doc *doc, int flags, struct nt_buf *b)
{
	size_t total = 0;
	for (size_t k = 0; k < f->ninst; k++) {
		const struct nt_sink *s = sinks[f->inst[k]];
		if (s)
			total += s->nev;
	}
	if (total == 0)
		return NT_OK;
	struct ev_ref *refs = malloc(total * sizeof *refs);
	if (!refs)
		return NT_ENOMEM;
	size_t n = 0;
	for (size_t k = 0; k < f->ninst; k++) {
		const struct nt_sink *s = sinks[f->inst[k]];
		if (!s)
			continue;
		/* the sink's index of (facet, label): labels are unique per sink (emit_label merges) */
		size_t li = 0;
		while (li < s->nlabels &&
		       (strcmp(s->labels[li].label, label) != 0 || strcmp(s->labels[li].facet, f->facet) != 0))
			li++;
		if (li == s->nlabels)
			continue;
		for (size_t e = 0; e < s->nev; e++)
			if ((size_t)s->ev[e].label == li) {
				refs[n].e = &s->ev[e];
				refs[n].instance = s->instance;
				n++;
			}
	}
	if (n == 0) {
		free(refs);
		return NT_OK;
	}
	qsort(refs, n, sizeof *refs, ev_cmp_pos);
	int rc = nt_buf_append(b, ",\"evidence\":[", 13);
	size_t kept = 0;
	for (size_t i = 0; i < n && kept < NT_MAX_EVIDENCE && rc == NT_OK; i++) {
		if (i && ev_cmp_pos(&refs[i - 1], &refs[i]) == 0)
			continue;
		if (kept && nt_buf_append(b, ",", 1) != NT_OK)
			rc = NT_ENOMEM;
		else
			rc = put_span(b, refs[i].e);
		kept++;
	}
	if (rc == NT_OK)
		rc = nt_buf_append(b, "]", 1);
	if (rc == NT_OK && (flags & NT_COMBINE_EXPLAIN)) {
		qsort(refs, n, sizeof *refs, ev_cmp_weight);
		rc = nt_buf_append(b, ",\"explain\":[", 12);
		for (size_t i = 0; rc == NT_OK && i < n && i < NT_MAX_EXPLAIN; i++) {
			const struct nt_sink_evidence *e = refs[i].e;
			const char *base = e->src == NT_SRC_TITLE ? doc->title : doc->text;
			size_t blen = e->src == NT_SRC_TITLE ? doc->title_len : doc->text_len;
			rc = nt_buf_append(b, i ? ",{" : "{", i ? 2 : 1);
			if (rc == NT_OK && base && e->end <= blen) {
				char *t = malloc(e->end - e->start + 1);
				if (!t) {
					rc = NT_ENOMEM;
					break;
				}
				memcpy(t, base + e->start, e->end - e->start);
				t[e->end - e->start] = '\0';
				if (nt_buf_append(b, "\"text\":", 7) != NT_OK || nt_json_put_string(b, t) != NT_OK ||
				    nt_buf_append(b, ",", 1) != NT_OK)
					rc = NT_ENOMEM;
				free(t);
			}
			if (rc != NT_OK || nt_buf_append(b, "\"span\":", 7) != NT_OK || put_span(b, e) != NT_OK ||
			    nt_buf_append(b, ",\"weight\":", 10) != NT_OK ||
			    nt_json_put_number(b, round4(e->weight)) != NT_OK ||
			    nt_buf_append(b, ",\"plugin\":", 10) != NT_OK ||
			    nt_json_put_string(b, refs[i].instance) != NT_OK || nt_buf_append(b, "}", 1) != NT_OK)
				rc = NT_ENOMEM;
		}
		if (rc == NT_OK)
			rc = nt_buf_append(b, "]", 1);
	}
	free(refs);
	return rc;
}

static double label_threshold(const struct nt_facet_plan *f, const char *label)
{
	for (size_t i = 0; i < f->cfg.nthresholds; i++)
		if (strcmp(f->cfg.thresholds[i].name, label) == 0)
			return f->cfg.thresholds[i].value;
	return f->cfg.threshold;
}

/* The candidates of one facet: cand structs and their per-instance scores, in a small
 * buffer inside the set until they outgrow it (most records), then on the heap. */
#define CAND_SMALL 16      /* candidates in the small buffer */
#define CAND_SMALL_INST 8  /* instances per facet the small buffer has scores for */

struct cand_set {
	struct cand *c;
	double *sc;        /* cap * ninst scores; c[i].score points into it */
	size_t n, cap;
	struct cand c0[CAND_SMALL];
	double sc0[CAND_SMALL * CAND_SMALL_INST];
};

static void cands_free(struct cand_set *cs)
{
	if (cs->c != cs->c0)
		free(cs->c);
	if (cs->sc != cs->sc0)
		free(cs->sc);
	cs->c = NULL;
	cs->sc = NULL;
	cs->n = cs->cap = 0;
}

/* Room for one more candidate of ninst scores in cs: NT_OK or NT_ENOMEM. */
static int cands_grow(struct cand_set *cs, size_t ninst)
{
	if (cs->n < cs->cap)
		return NT_OK;
	size_t cap = cs->cap * 2;
	struct cand *c = malloc(cap * sizeof *c);
	double *sc = malloc(cap * ninst * sizeof *sc);
	if (!c || !sc) {
		free(c);
		free(sc);
		return NT_ENOMEM;
	}
	memcpy(c, cs->c, cs->n * sizeof *c);
	memcpy(sc, cs->sc, cs->n * ninst * sizeof *sc);
	for (size_t i = 0; i < cs->n; i++)
		c[i].score = sc + (size_t)(cs->c[i].score - cs->sc);
	size_t n = cs->n;
	cands_free(cs);
	cs->c = c;
	cs->sc = sc;
	cs->n = n;
	cs->cap = cap;
	return NT_OK;
}

/* Collect candidates of facet f from one array kind (labels or scores) into cs (whose
 * earlier content is dropped); cands_free() releases it, also after an error. */
static int collect(const struct nt_facet_plan *f, struct nt_sink *const *sinks, int scores,
                   struct cand_set *cs)
{
	cands_free(cs);
	if (f->ninst <= CAND_SMALL_INST) {
		cs->c = cs->c0;
		cs->sc = cs->sc0;
		cs->cap = CAND_SMALL;
	} else {
		cs->c = malloc(CAND_SMALL * sizeof *cs->c);
		cs->sc = malloc(CAND_SMALL * f->ninst * sizeof *cs->sc);
		cs->cap = CAND_SMALL;
		if (!cs->c || !cs->sc)
			return NT_ENOMEM;
	}
	for (size_t k = 0; k < f->ninst; k++) {
		const struct nt_sink *s = sinks[f->inst[k]];
		if (!s)
			continue;
		size_t cnt = scores ? s->nscores : s->nlabels;
		for (size_t j = 0; j < cnt; j++) {
			const char *fac = scores ? s->scores[j].facet : s->labels[j].facet;
			const char *lab = scores ? s->scores[j].key : s->labels[j].label;
			double sc = scores ? s->scores[j].value : s->labels[j].score;
			if (strcmp(fac, f->facet) != 0)
				continue;
			size_t m = 0;
			while (m < cs->n && strcmp(cs->c[m].label, lab) != 0)
				m++;
			if (m == cs->n) {
				if (cands_grow(cs, f->ninst) != NT_OK)
					return NT_ENOMEM;
				struct cand *c = &cs->c[cs->n];
				c->label = lab;
				c->combined = 0;
				c->score = cs->sc + cs->n * f->ninst;
				for (size_t q = 0; q < f->ninst; q++)
					c->score[q] = -1;
				cs->n++;
			}
			if (sc > cs->c[m].score[k])
				cs->c[m].score[k] = sc;
		}
	}
	return NT_OK;
}

/* Append "key": (a member of a facet object) to b. */
static int put_key(struct nt_buf *b, const char *key, int first)
{
	if ((!first && nt_buf_append(b, ",", 1) != NT_OK) || nt_json_put_string(b, key) != NT_OK)
		return NT_ENOMEM;
	return nt_buf_append(b, ":", 1);
}

/* Append the facet object {"labels":[...],"scores":{...},<numbers>} of plan f to b. */
static int combine_facet(const struct nt_facet_plan *f, struct nt_sink *const *sinks,
                         const struct nt_doc *doc, int flags, struct nt_buf *b)
{
	int alive0[CAND_SMALL_INST + 1] = {0};
	int *alive = f->ninst <= CAND_SMALL_INST ? alive0 : calloc(f->ninst + 1, sizeof *alive);
	if (!alive)
		return NT_ENOMEM;
	for (size_t k = 0; k < f->ninst; k++)
		alive[k] = sinks[f->inst[k]] != NULL;
	struct cand_set cs;
	cs.c = NULL;
	cs.sc = NULL;
	cs.n = cs.cap = 0;
	if (collect(f, sinks, 0, &cs) != NT_OK) {
		cands_free(&cs);
		if (alive != alive0)
			free(alive);
		return NT_ENOMEM;
	}
	struct cand *c = cs.c;
	size_t n = cs.n;
	for (size_t i = 0; i < n; i++)
		c[i].combined = combine_scores(f, c[i].score, alive);
	if (n > 1)
		qsort(c, n, sizeof *c, cand_cmp);
	int rc = nt_buf_append(b, "{\"labels\":[", 11);
	int has_scores = 0;
	size_t kept = 0;
	for (size_t i = 0; i < n && rc == NT_OK; i++) {
		if (c[i].combined < label_threshold(f, c[i].label))
			continue;
		if ((f->cfg.single && kept >= 1) || (f->cfg.top_k && kept >= (size_t)f->cfg.top_k))
			break;
		if (nt_buf_append(b, kept ? ",{\"label\":" : "{\"label\":", kept ? 10 : 9) != NT_OK ||
		    nt_json_put_string(b, c[i].label) != NT_OK || nt_buf_append(b, ",\"score\":", 9) != NT_OK ||
		    nt_json_put_number(b, round4(c[i].combined)) != NT_OK)
			rc = NT_ENOMEM;
		if (rc == NT_OK)
			rc = add_evidence(f, sinks, c[i].label, doc, flags, b);
		if (rc == NT_OK)
			rc = nt_buf_append(b, "}", 1);
		kept++;
	}
	if (rc == NT_OK)
		rc = nt_buf_append(b, "]", 1);
	/* raw scores of every label, when plugins report them */
	if (rc == NT_OK && collect(f, sinks, 1, &cs) == NT_OK) {
		c = cs.c;
		n = cs.n;
		if (n) {
			/* scores combine by the facet policy over the instances that report scores
			 * for this facet (a rules file reports none); within those, a missing
			 * score counts as 0 */
			for (size_t k = 0; k < f->ninst; k++) {
				int reports = 0;
				for (size_t i = 0; i < n; i++)
					reports |= c[i].score[k] >= 0;
				alive[k] = alive[k] && reports;
			}
			has_scores = 1;
			rc = nt_buf_append(b, ",\"scores\":{", 11);
			for (size_t i = 0; rc == NT_OK && i < n; i++) {
				for (size_t k = 0; k < f->ninst; k++)
					if (alive[k] && c[i].score[k] < 0)
						c[i].score[k] = 0;
				/* a repeated key keeps its first value, as in a parsed object */
				size_t d = 0;
				while (d < i && strcmp(c[d].label, c[i].label) != 0)
					d++;
				if (d < i)
					continue;
				if (put_key(b, c[i].label, i == 0) != NT_OK ||
				    nt_json_put_number(b, round4(combine_scores(f, c[i].score, alive))) != NT_OK)
					rc = NT_ENOMEM;
			}
			if (rc == NT_OK)
				rc = nt_buf_append(b, "}", 1);
		}
	} else if (rc == NT_OK) {
		rc = NT_ENOMEM;
	}
	cands_free(&cs);
	/* named numbers: the mean over the instances that set them; a key once per facet,
	 * never "labels" or (when present) "scores" */
	for (size_t k = 0; k < f->ninst && rc == NT_OK; k++) {
		const struct nt_sink *s = sinks[f->inst[k]];
		if (!s)
			continue;
		for (size_t j = 0; j < s->nnumbers && rc == NT_OK; j++) {
			const char *key = s->numbers[j].key;
			if (strcmp(s->numbers[j].facet, f->facet) != 0 || strcmp(key, "labels") == 0 ||
			    (has_scores && strcmp(key, "scores") == 0))
				continue;
			int seen = 0;
			for (size_t k0 = 0; k0 <= k && !seen; k0++) {
				const struct nt_sink *s0 = sinks[f->inst[k0]];
				size_t upto = k0 == k ? j : (s0 ? s0->nnumbers : 0);
				for (size_t j0 = 0; j0 < upto && !seen; j0++)
					seen = s0->numbers[j0].h == s->numbers[j].h &&
					       strcmp(s0->numbers[j0].facet, f->facet) == 0 &&
					       strcmp(s0->numbers[j0].key, key) == 0;
			}
			if (seen)
				continue;
			double sum = 0;
			size_t cnt = 0;
			for (size_t k2 = k; k2 < f->ninst; k2++) {
				const struct nt_sink *s2 = sinks[f->inst[k2]];
				for (size_t j2 = 0; s2 && j2 < s2->nnumbers; j2++)
					if (s2->numbers[j2].h == s->numbers[j].h &&
					    strcmp(s2->numbers[j2].facet, f->facet) == 0 &&
					    strcmp(s2->numbers[j2].key, key) == 0) {
						sum += s2->numbers[j2].value;
						cnt++;
					}
			}
			double v = sum / (double)cnt;
			if (put_key(b, key, 0) != NT_OK ||
			    nt_json_put_number(b, fabs(v) >= 100 ? floor(v + 0.5) : round4(v)) != NT_OK)
				rc = NT_ENOMEM;
		}
	}
	if (rc == NT_OK)
		rc = nt_buf_append(b, "}", 1);
	if (alive != alive0)
		free(alive);
	return rc;
}

int nt_combine(const struct nt_combiner *c, struct nt_sink *const *sinks, size_t n,
               const struct nt_doc *doc, int flags, struct nt_buf *out)
{
	(void)n;
	if (nt_buf_append(out, "{", 1) != NT_OK)
		return NT_ENOMEM;
	for (size_t i = 0; i < c->nfacets; i++) {
		/* a facet name repeated in the plan cannot happen (plan_add_facet merges) */
		if (put_key(out, c->facets[i].facet, i == 0) != NT_OK)
			return NT_ENOMEM;
		int rc = combine_facet(&c->facets[i], sinks, doc, flags, out);
		if (rc != NT_OK)
			return rc;
	}
	return nt_buf_append(out, "}", 1);
}
