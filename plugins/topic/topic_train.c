/* topic_train.c - train a topic model directory: TF-IDF, k-fold CV over C, Platt, F1 thresholds */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <linear.h>
#ifdef HAVE_LIBSVM_SVM_H
#include <libsvm/svm.h>
#else
#include <svm.h>
#endif

#include "newstag/plugin.h"
#include "topic.h"

enum { TK_LIBLINEAR = 0, TK_SVM_LINEAR = 1, TK_RBF = 2 };

/* A (hash, weighted count) pair of one document. */
struct tt_df {
	uint64_t h;
	float tf;
};

/* A feature seen in the training data. */
struct tt_feat {
	uint64_t h;
	uint32_t df;
	uint32_t doc, tok, tok2; /* one occurrence, for the vocabulary's text column */
	long idx;                /* vocabulary index or -1 */
};

/* The whole training state. */
struct tt {
	const struct nt_host *host;
	const struct nt_train_set *set;
	const struct tp_config *cfg;
	struct nt_error *err;
	struct tp_featset fs;
	size_t n;                 /* documents */
	size_t *doff, *dcnt;      /* per doc: offset / count in dfs */
	struct tt_df *dfs;        /* all (hash, tf) pairs */
	size_t ndfs, capdfs;
	struct tt_feat *feats;    /* open-addressing table of all features */
	size_t fmask, nfeats;
	struct tt_feat **vocab;   /* vocabulary, index order */
	size_t nvocab;
	char **labels;            /* sorted distinct labels */
	size_t nlabels;
	unsigned char *gold;      /* n * nlabels */
	int single;
	int kernel;
	int cw;                   /* class weights: 0 sqrt, 1 balanced, 2 none */
	int nb;                   /* NB log-count ratio scaling (NBSVM) */
	double cgrid[16];
	size_t ncgrid;
	long folds;
	int *fold;                /* fold of doc i */
	struct feature_node **x;  /* liblinear rows (with bias node) */
	struct feature_node *xspace;
	struct svm_node **sx;     /* libsvm rows (no bias) */
	struct svm_node *sxspace;
	size_t progress_done, progress_total;
};

/* xorshift64* pseudo random numbers (deterministic for a seed on every platform) */
static uint64_t tt_rand(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*s = x;
	return x * 0x2545F4914F6CDD1Dull;
}

static int tt_occ_cmp(const void *a, const void *b)
{
	const struct tp_occ *x = a, *y = b;
	if (x->hash != y->hash)
		return x->hash < y->hash ? -1 : 1;
	return x->tok < y->tok ? -1 : x->tok > y->tok;
}

static int tt_str_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int tt_vocab_cmp(const void *a, const void *b)
{
	const struct tt_feat *x = *(struct tt_feat *const *)a, *y = *(struct tt_feat *const *)b;
	if (x->df != y->df)
		return x->df > y->df ? -1 : 1;
	return x->h < y->h ? -1 : x->h > y->h;
}

static struct tt_feat *tt_feat_slot(struct tt *t, uint64_t h)
{
	size_t s = (size_t)(h ^ (h >> 32)) & t->fmask;
	while (t->feats[s].df && t->feats[s].h != h)
		s = (s + 1) & t->fmask;
	return &t->feats[s];
}

static int tt_feat_grow(struct tt *t)
{
	size_t cap = (t->fmask + 1) * 2;
	struct tt_feat *old = t->feats;
	size_t oldcap = t->fmask + 1;
	t->feats = calloc(cap, sizeof *t->feats);
	if (!t->feats) {
		t->feats = old;
		return NT_ENOMEM;
	}
	t->fmask = cap - 1;
	for (size_t i = 0; i < oldcap; i++)
		if (old[i].df)
			*tt_feat_slot(t, old[i].h) = old[i];
	free(old);
	return NT_OK;
}

static void tt_progress(struct tt *t)
{
	t->progress_done++;
	if (t->host->progress)
		t->host->progress("topic: cross-validation", t->progress_done, t->progress_total);
}

/* Extract and count features of every document; fill the document-frequency table. */
static int tt_collect(struct tt *t)
{
	size_t maxocc = 4096;
	struct tp_occ *occ = malloc(maxocc * sizeof *occ);
	t->doff = malloc(t->n * sizeof *t->doff);
	t->dcnt = malloc(t->n * sizeof *t->dcnt);
	t->fmask = 65535;
	t->feats = calloc(t->fmask + 1, sizeof *t->feats);
	if (!occ || !t->doff || !t->dcnt || !t->feats) {
		free(occ);
		return tp_err(t->err, NT_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < t->n; i++) {
		/* documents are used one at a time: the set may build them on demand */
		const struct nt_doc *d = t->host->train_doc(t->set, i);
		if (!d) {
			free(occ);
			return tp_err(t->err, NT_ENOMEM, "training document %zu could not be built", i);
		}
		size_t bound = tp_occ_bound(d, &t->fs);
		if (bound > maxocc) {
			struct tp_occ *p = realloc(occ, bound * sizeof *occ);
			if (!p) {
				free(occ);
				return tp_err(t->err, NT_ENOMEM, "out of memory");
			}
			occ = p;
			maxocc = bound;
		}
		size_t no = tp_extract(d, &t->fs, occ);
		qsort(occ, no, sizeof *occ, tt_occ_cmp);
		if (t->ndfs + no > t->capdfs) {
			size_t c = t->capdfs ? t->capdfs : 4096;
			while (c < t->ndfs + no)
				c *= 2;
			struct tt_df *p = realloc(t->dfs, c * sizeof *p);
			if (!p) {
				free(occ);
				return tp_err(t->err, NT_ENOMEM, "out of memory");
			}
			t->dfs = p;
			t->capdfs = c;
		}
		t->doff[i] = t->ndfs;
		for (size_t k = 0; k < no; k++) {
			if (k && occ[k].hash == occ[k - 1].hash) {
				t->dfs[t->ndfs - 1].tf += occ[k].weight;
				continue;
			}
			t->dfs[t->ndfs].h = occ[k].hash;
			t->dfs[t->ndfs].tf = occ[k].weight;
			t->ndfs++;
			if ((t->nfeats + 1) * 2 > t->fmask + 1 && tt_feat_grow(t)) {
				free(occ);
				return tp_err(t->err, NT_ENOMEM, "out of memory");
			}
			struct tt_feat *f = tt_feat_slot(t, occ[k].hash);
			if (!f->df) {
				f->h = occ[k].hash;
				f->doc = (uint32_t)i;
				f->tok = occ[k].tok;
				f->tok2 = occ[k].tok2;
				f->idx = -1;
				t->nfeats++;
			}
			f->df++;
		}
		t->dcnt[i] = t->ndfs - t->doff[i];
	}
	free(occ);
	return NT_OK;
}

/* Choose the vocabulary and build the TF-IDF rows. */
static int tt_vectors(struct tt *t)
{
	long min_df = t->cfg->min_df > 0 ? t->cfg->min_df : (t->n < 200 ? 1 : 2);
	t->vocab = malloc((t->nfeats + 1) * sizeof *t->vocab);
	if (!t->vocab)
		return tp_err(t->err, NT_ENOMEM, "out of memory");
	for (size_t s = 0; s <= t->fmask; s++)
		if (t->feats[s].df && t->feats[s].df >= (uint32_t)min_df)
			t->vocab[t->nvocab++] = &t->feats[s];
	if (t->nvocab == 0)
		return tp_err(t->err, NT_EINVAL, "no feature occurs in %ld or more training documents", min_df);
	if (t->nvocab > TP_MAX_FEATURES)
		t->nvocab = TP_MAX_FEATURES;
	qsort(t->vocab, t->nvocab, sizeof *t->vocab, tt_vocab_cmp);
	for (size_t i = 0; i < t->nvocab; i++)
		t->vocab[i]->idx = (long)i;
	t->x = malloc(t->n * sizeof *t->x);
	t->xspace = malloc((t->ndfs + 2 * t->n) * sizeof *t->xspace);
	int svm = t->kernel != TK_LIBLINEAR; /* libsvm rows only when libsvm trains */
	if (svm) {
		t->sx = malloc(t->n * sizeof *t->sx);
		t->sxspace = malloc((t->ndfs + t->n) * sizeof *t->sxspace);
	}
	if (!t->x || !t->xspace || (svm && (!t->sx || !t->sxspace)))
		return tp_err(t->err, NT_ENOMEM, "out of memory");
	size_t pos = 0, spos = 0;
	double N = (double)t->n;
	for (size_t i = 0; i < t->n; i++) {
		struct feature_node *row = t->xspace + pos;
		size_t k = 0;
		double norm = 0;
		for (size_t j = 0; j < t->dcnt[i]; j++) {
			const struct tt_df *p = &t->dfs[t->doff[i] + j];
			const struct tt_feat *f = tt_feat_slot(t, p->h);
			if (f->idx < 0)
				continue;
			double idf = log((1.0 + N) / (1.0 + f->df)) + 1.0;
			row[k].index = (int)f->idx + 1;
			row[k].value = (1.0 + log(p->tf)) * idf;
			norm += row[k].value * row[k].value;
			k++;
		}
		/* sort by index (insertion sort is fine: rows are short) */
		for (size_t a = 1; a < k; a++) {
			struct feature_node v = row[a];
			size_t b = a;
			while (b > 0 && row[b - 1].index > v.index) {
				row[b] = row[b - 1];
				b--;
			}
			row[b] = v;
		}
		norm = norm > 0 ? 1.0 / sqrt(norm) : 0;
		struct svm_node *srow = svm ? t->sxspace + spos : NULL;
		for (size_t a = 0; a < k; a++) {
			row[a].value *= norm;
			if (srow) {
				srow[a].index = row[a].index;
				srow[a].value = row[a].value;
			}
		}
		row[k].index = (int)t->nvocab + 1; /* bias feature */
		row[k].value = 1.0;
		row[k + 1].index = -1;
		row[k + 1].value = 0;
		if (srow) {
			srow[k].index = -1;
			srow[k].value = 0;
			t->sx[i] = srow;
		}
		t->x[i] = row;
		pos += k + 2;
		spos += k + 1;
	}
	return NT_OK;
}

/* Train one binary model on the documents with use[i] set; returns an opaque model. */
struct tt_bin {
	struct model *lin;
	struct svm_model *svm;
	struct svm_problem sprob; /* libsvm keeps pointers into the problem */
	int sign;
	int constant;   /* no model: every decision is `constant` (+1 or -1) */
	double *r;      /* NB log-count ratios (option nb): the model sees x_j * r_j */
};

static void tt_bin_free(struct tt_bin *b)
{
	if (b->lin)
		free_and_destroy_model(&b->lin);
	if (b->svm)
		svm_free_and_destroy_model(&b->svm);
	free(b->sprob.x);
	free(b->sprob.y);
	free(b->r);
	memset(b, 0, sizeof *b);
}

static int tt_bin_train(struct tt *t, const unsigned char *use, size_t label, double C, double wpos,
                        struct tt_bin *b)
{
	memset(b, 0, sizeof *b);
	size_t l = 0, npos = 0;
	for (size_t i = 0; i < t->n; i++)
		if (use[i]) {
			l++;
			npos += t->gold[i * t->nlabels + label];
		}
	if (npos == 0 || npos == l) {
		b->constant = npos ? 1 : -1;
		return NT_OK;
	}
	double *y = malloc(l * sizeof *y);
	if (!y)
		return NT_ENOMEM;
	int wl[2] = {1, -1};
	double wv[2] = {wpos, 1.0};
	srand((unsigned)t->cfg->seed);
	if (t->kernel == TK_LIBLINEAR) {
		struct feature_node **x = malloc(l * sizeof *x);
		if (!x) {
			free(y);
			return NT_ENOMEM;
		}
		size_t k = 0;
		for (size_t i = 0; i < t->n; i++)
			if (use[i]) {
				x[k] = t->x[i];
				y[k] = t->gold[i * t->nlabels + label] ? 1 : -1;
				k++;
			}
		struct feature_node *scaled = NULL;
		if (t->nb) {
			/* NBSVM (Wang and Manning 2012): scale feature j by the log-count ratio
			 * r_j = log((a + p_j) / (a V + |p|)) - log((a + q_j) / (a V + |q|)), a = 1,
			 * p and q summed over the positive and negative training rows */
			size_t V = t->nvocab, nnz = 0;
			double *pq = calloc(2 * V, sizeof *pq), sp = 0, sq = 0;
			b->r = malloc(V * sizeof *b->r);
			for (size_t i = 0; i < l; i++) {
				for (const struct feature_node *f = x[i]; f->index != -1; f++)
					nnz++;
				nnz++; /* terminator */
			}
			scaled = malloc(nnz * sizeof *scaled);
			if (!pq || !b->r || !scaled) {
				free(pq);
				free(scaled);
				free(x);
				free(y);
				return NT_ENOMEM;
			}
			for (size_t i = 0; i < l; i++)
				for (const struct feature_node *f = x[i]; f->index != -1; f++)
					if ((size_t)f->index <= V) {
						pq[(y[i] > 0 ? 0 : V) + (size_t)f->index - 1] += f->value;
						if (y[i] > 0)
							sp += f->value;
						else
							sq += f->value;
					}
			for (size_t j = 0; j < V; j++)
				b->r[j] = log((1.0 + pq[j]) / ((double)V + sp)) - log((1.0 + pq[V + j]) / ((double)V + sq));
			free(pq);
			size_t pos = 0;
			for (size_t i = 0; i < l; i++) {
				const struct feature_node *f = x[i];
				x[i] = scaled + pos;
				for (;; f++) {
					scaled[pos] = *f; /* the bias node (index V + 1) and the terminator are kept */
					if (f->index != -1 && (size_t)f->index <= V)
						scaled[pos].value *= b->r[f->index - 1];
					pos++;
					if (f->index == -1)
						break;
				}
			}
		}
		struct problem prob = {.l = (int)l, .n = (int)t->nvocab + 1, .y = y, .x = x, .bias = 1.0};
		struct parameter par = {.solver_type = L2R_L2LOSS_SVC_DUAL, .eps = 0.1, .C = C, .nr_weight = 2,
		                        .weight_label = wl, .weight = wv, .p = 0.1, .init_sol = NULL};
		b->lin = train(&prob, &par);
		free(scaled);
		free(x);
		free(y);
		if (!b->lin)
			return NT_ENOMEM;
		b->sign = b->lin->label[0] == 1 ? 1 : -1;
		return NT_OK;
	}
	struct svm_node **x = malloc(l * sizeof *x);
	if (!x) {
		free(y);
		return NT_ENOMEM;
	}
	size_t k = 0;
	for (size_t i = 0; i < t->n; i++)
		if (use[i]) {
			x[k] = t->sx[i];
			y[k] = t->gold[i * t->nlabels + label] ? 1 : -1;
			k++;
		}
	b->sprob.l = (int)l;
	b->sprob.x = x;
	b->sprob.y = y;
	struct svm_parameter par;
	memset(&par, 0, sizeof par);
	par.svm_type = C_SVC;
	par.kernel_type = t->kernel == TK_RBF ? RBF : LINEAR;
	par.gamma = 1.0; /* rows are L2 normalised */
	par.cache_size = 200;
	par.eps = 1e-3;
	par.C = C;
	par.nr_weight = 2;
	par.weight_label = wl;
	par.weight = wv;
	par.shrinking = 1;
	par.probability = 0;
	const char *why = svm_check_parameter(&b->sprob, &par);
	if (why) {
		tt_bin_free(b);
		return NT_EINVAL;
	}
	b->svm = svm_train(&b->sprob, &par);
	if (!b->svm) {
		tt_bin_free(b);
		return NT_ENOMEM;
	}
	int labs[2];
	svm_get_labels(b->svm, labs);
	b->sign = labs[0] == 1 ? 1 : -1;
	return NT_OK;
}

static double tt_bin_decision(const struct tt *t, const struct tt_bin *b, size_t i)
{
	double d = 0;
	if (b->constant)
		return b->constant;
	if (b->lin && b->r) {
		for (const struct feature_node *f = t->x[i]; f->index != -1; f++)
			d += b->lin->w[f->index - 1] * f->value * ((size_t)f->index <= t->nvocab ? b->r[f->index - 1] : 1.0);
	} else if (b->lin)
		predict_values(b->lin, t->x[i], &d);
	else
		svm_predict_values(b->svm, t->sx[i], &d);
	return b->sign * d;
}

/* Best F1 over thresholds on scores s (higher = positive); returns F1 and the
 * threshold (midpoint between the last positive and the first negative score). */
struct tt_pair {
	double s;
	int y;
};

static int tt_pair_cmp(const void *a, const void *b)
{
	const struct tt_pair *x = a, *y = b;
	if (x->s != y->s)
		return x->s > y->s ? -1 : 1;
	return y->y - x->y;
}

static double tt_best_f1(const double *s, const unsigned char *gold, size_t stride, size_t n, double *thr)
{
	struct tt_pair *p = malloc(n * sizeof *p);
	size_t npos = 0;
	if (!p) {
		*thr = 0.5;
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		p[i].s = s[i];
		p[i].y = gold[i * stride];
		npos += (size_t)p[i].y;
	}
	qsort(p, n, sizeof *p, tt_pair_cmp);
	double best = 0;
	size_t bestk = 0, tp = 0;
	for (size_t k = 0; k < n; k++) {
		tp += (size_t)p[k].y;
		if (k + 1 < n && p[k + 1].s == p[k].s)
			continue; /* cut only between distinct scores */
		double f1 = npos ? 2.0 * (double)tp / (double)(k + 1 + npos) : 0;
		if (f1 > best) {
			best = f1;
			bestk = k + 1;
		}
	}
	if (bestk == 0)
		*thr = n ? p[0].s + 1e-9 : 0.5;
	else if (bestk >= n)
		*thr = p[n - 1].s / 2;
	else
		*thr = (p[bestk - 1].s + p[bestk].s) / 2;
	free(p);
	return best;
}

/* Per-label results of cross-validation. */
struct tt_res {
	double C, wpos, A, B, thr;
	double tp, fp, fn;
	size_t support;
	double *cvdec;  /* CV decision values of the chosen C */
	double *cvprob; /* calibrated */
};

/* CV decision values of one label for one C. */
static int tt_cv(struct tt *t, unsigned char *use, size_t label, double C, double wpos, double *dec)
{
	for (long f = 0; f < t->folds; f++) {
		for (size_t i = 0; i < t->n; i++)
			use[i] = t->fold[i] != f;
		struct tt_bin b;
		int rc = tt_bin_train(t, use, label, C, wpos, &b);
		if (rc)
			return rc;
		for (size_t i = 0; i < t->n; i++)
			if (t->fold[i] == f)
				dec[i] = tt_bin_decision(t, &b, i);
		tt_bin_free(&b);
		tt_progress(t);
	}
	return NT_OK;
}

/* Single-label facets: pick the C (common to all labels) whose CV decision values,
 * calibrated per label, give the best accuracy of the most probable label; set every
 * label's C, CV decisions, Platt parameters and CV probabilities from it. */
static int tt_single_c(struct tt *t, struct tt_res *res, const double *alldec)
{
	size_t n = t->n, L = t->nlabels, G = t->ncgrid, bestc = 0, bestcorrect = 0;
	double *A = malloc(L * G * sizeof *A), *B = malloc(L * G * sizeof *B);
	signed char *y = malloc(n);
	if (!A || !B || !y) {
		free(A);
		free(B);
		free(y);
		return tp_err(t->err, NT_ENOMEM, "out of memory");
	}
	for (size_t c = 0; c < G; c++) {
		for (size_t l = 0; l < L; l++) {
			for (size_t i = 0; i < n; i++)
				y[i] = t->gold[i * L + l] ? 1 : -1;
			tp_platt_fit(alldec + (l * G + c) * n, y, n, &A[l * G + c], &B[l * G + c]);
		}
		size_t correct = 0;
		for (size_t i = 0; i < n; i++) {
			size_t best = 0;
			double bp = -1;
			for (size_t l = 0; l < L; l++) {
				double p = tp_platt(A[l * G + c], B[l * G + c], alldec[(l * G + c) * n + i]);
				if (p > bp) {
					bp = p;
					best = l;
				}
			}
			correct += t->gold[i * L + best];
		}
		if (correct > bestcorrect) {
			bestcorrect = correct;
			bestc = c;
		}
	}
	for (size_t l = 0; l < L; l++) {
		struct tt_res *r = &res[l];
		r->C = t->cgrid[bestc];
		r->A = A[l * G + bestc];
		r->B = B[l * G + bestc];
		memcpy(r->cvdec, alldec + (l * G + bestc) * n, n * sizeof *r->cvdec);
		for (size_t i = 0; i < n; i++)
			r->cvprob[i] = tp_platt(r->A, r->B, r->cvdec[i]);
		r->thr = 0;
	}
	free(A);
	free(B);
	free(y);
	return NT_OK;
}

/* ---------------------------------------------------------------- writing */

static int tt_doc_cmp(const void *a, const void *b)
{
	const struct tt_feat *x = *(struct tt_feat *const *)a, *y = *(struct tt_feat *const *)b;
	if (x->doc != y->doc)
		return x->doc < y->doc ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* The text column of the vocabulary: the folded token(s) of one occurrence of each
 * feature. Documents are visited in order, each built once. texts[i] is malloc'd. */
static int tt_vocab_texts(struct tt *t, char **texts)
{
	struct tt_feat **byd = malloc(t->nvocab * sizeof *byd);
	if (!byd)
		return NT_ENOMEM;
	memcpy(byd, t->vocab, t->nvocab * sizeof *byd);
	qsort(byd, t->nvocab, sizeof *byd, tt_doc_cmp);
	for (size_t v = 0; v < t->nvocab; v++) {
		const struct tt_feat *f = byd[v];
		const struct nt_doc *d = t->host->train_doc(t->set, f->doc);
		if (!d) {
			free(byd);
			return NT_ENOMEM;
		}
		size_t len = 32;
		for (uint32_t k = f->tok; k <= f->tok2; k++)
			len += d->tokens[k].norm_len + 1u;
		char *s = malloc(len), *p = s;
		if (!s) {
			free(byd);
			return NT_ENOMEM;
		}
		if (f->tok == f->tok2 && d->tokens[f->tok].hash != f->h)
			p += sprintf(p, "(character n-gram of) ");
		for (uint32_t k = f->tok; k <= f->tok2; k++) {
			const struct nt_token *tk = &d->tokens[k];
			if (!(tk->flags & (NT_TOK_WORD | NT_TOK_NUMBER)))
				continue;
			if (k != f->tok)
				*p++ = ' ';
			const char *src = NT_TOKEN_NORM(d, k);
			for (size_t c = 0; c < tk->norm_len; c++)
				*p++ = src[c] == '\t' || src[c] == '\n' ? ' ' : src[c];
		}
		*p = '\0';
		texts[f->idx] = s;
	}
	free(byd);
	return NT_OK;
}

static int tt_write_vocab(struct tt *t, const char *path)
{
	char **texts = calloc(t->nvocab, sizeof *texts);
	if (!texts || tt_vocab_texts(t, texts) != NT_OK) {
		if (texts)
			for (size_t i = 0; i < t->nvocab; i++)
				free(texts[i]);
		free(texts);
		return tp_err(t->err, NT_ENOMEM, "out of memory");
	}
	FILE *fp = fopen(path, "w");
	if (!fp) {
		for (size_t i = 0; i < t->nvocab; i++)
			free(texts[i]);
		free(texts);
		return tp_err(t->err, NT_EIO, "%s: %s", path, strerror(errno));
	}
	double N = (double)t->n;
	fprintf(fp, "%s %d %zu\n", TP_VOCAB_MAGIC, TP_FORMAT_VERSION, t->nvocab);
	for (size_t i = 0; i < t->nvocab; i++) {
		const struct tt_feat *f = t->vocab[i];
		double idf = log((1.0 + N) / (1.0 + f->df)) + 1.0;
		fprintf(fp, "%016llx\t%.9g\t%u\t%s\n", (unsigned long long)f->h, idf, (unsigned)f->df, texts[i]);
		free(texts[i]);
	}
	free(texts);
	if (fflush(fp) != 0 || ferror(fp) || fsync(fileno(fp)) != 0) {
		fclose(fp);
		return tp_err(t->err, NT_EIO, "%s: write error", path);
	}
	if (fclose(fp) != 0)
		return tp_err(t->err, NT_EIO, "%s: write error", path);
	return NT_OK;
}

/* Write a LIBLINEAR model as a two-class linear libsvm model: one support vector w
 * with coefficient 1 and rho = -bias; svm_predict gives the same decision values. */
static int tt_write_linear(struct tt *t, const struct tt_bin *b, const char *path)
{
	FILE *fp = fopen(path, "w");
	if (!fp)
		return tp_err(t->err, NT_EIO, "%s: %s", path, strerror(errno));
	double bias = 0;
	if (b->lin)
		bias = b->sign * b->lin->w[t->nvocab];
	else
		bias = b->constant * 10.0;
	fprintf(fp, "svm_type c_svc\nkernel_type linear\nnr_class 2\ntotal_sv 1\nrho %.17g\nlabel 1 -1\n"
	            "nr_sv 1 0\nSV\n1",
	        -bias);
	if (b->lin)
		for (size_t j = 0; j < t->nvocab; j++) {
			double v = b->sign * b->lin->w[j] * (b->r ? b->r[j] : 1.0);
			if (v != 0)
				fprintf(fp, " %zu:%.9g", j + 1, v);
		}
	fputc('\n', fp);
	if (fflush(fp) != 0 || ferror(fp) || fsync(fileno(fp)) != 0) {
		fclose(fp);
		return tp_err(t->err, NT_EIO, "%s: write error", path);
	}
	if (fclose(fp) != 0)
		return tp_err(t->err, NT_EIO, "%s: write error", path);
	return NT_OK;
}

static char *tt_join(const char *dir, const char *name)
{
	size_t a = strlen(dir), b = strlen(name);
	char *s = malloc(a + b + 2);
	if (s) {
		memcpy(s, dir, a);
		s[a] = '/';
		memcpy(s + a + 1, name, b + 1);
	}
	return s;
}

/* Remove a directory made of plain files. */
static void tt_rmdir(const char *dir)
{
	DIR *d = opendir(dir);
	if (d) {
		struct dirent *e;
		while ((e = readdir(d))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			char *p = tt_join(dir, e->d_name);
			if (p) {
				unlink(p);
				free(p);
			}
		}
		closedir(d);
	}
	rmdir(dir);
}

/* A file a model directory written by tp_train() may hold. */
static int tt_model_file(const char *name)
{
	size_t n = strlen(name);
	if (!strcmp(name, "manifest.json") || !strcmp(name, "vocab.tsv"))
		return 1;
	return n > 12 && !strncmp(name, "label-", 6) && !strcmp(name + n - 6, ".model");
}

/* Is dir absent (1), an empty directory or a topic model directory holding only model
 * files (2), or something else that must not be replaced (0)? */
static int tt_replaceable(const char *dir)
{
	struct stat st;
	if (stat(dir, &st) != 0)
		return errno == ENOENT ? 1 : 0;
	if (!S_ISDIR(st.st_mode))
		return 0;
	DIR *d = opendir(dir);
	struct dirent *e;
	int ok = d ? 2 : 0;
	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") && !tt_model_file(e->d_name))
			ok = 0;
	if (d)
		closedir(d);
	return ok;
}

static cJSON *tt_metrics(double tp, double fp, double fn, size_t support)
{
	cJSON *o = cJSON_CreateObject();
	double p = tp + fp > 0 ? tp / (tp + fp) : 0, r = tp + fn > 0 ? tp / (tp + fn) : 0;
	double f1 = p + r > 0 ? 2 * p * r / (p + r) : 0;
	cJSON_AddNumberToObject(o, "precision", round(p * 10000) / 10000);
	cJSON_AddNumberToObject(o, "recall", round(r * 10000) / 10000);
	cJSON_AddNumberToObject(o, "f1", round(f1 * 10000) / 10000);
	cJSON_AddNumberToObject(o, "support", (double)support);
	return o;
}

/* ---------------------------------------------------------------- train() */

static int tt_parse_grid(struct tt *t)
{
	const char *s = t->cfg->c_grid ? t->cfg->c_grid : "1";
	while (*s) {
		char *end;
		double c = strtod(s, &end);
		if (end == s || !(c > 0) || !isfinite(c) || t->ncgrid >= 16)
			return tp_err(t->err, NT_EINVAL, "option c_grid: \"%s\" is not a list of up to 16 positive numbers",
			              t->cfg->c_grid);
		t->cgrid[t->ncgrid++] = c;
		s = end;
		while (*s == ',' || *s == ' ')
			s++;
	}
	if (!t->ncgrid)
		return tp_err(t->err, NT_EINVAL, "option c_grid is empty");
	return NT_OK;
}

static void tt_free(struct tt *t)
{
	for (size_t i = 0; i < t->nlabels; i++)
		free(t->labels[i]);
	free(t->labels);
	free(t->gold);
	free(t->doff);
	free(t->dcnt);
	free(t->dfs);
	free(t->feats);
	free(t->vocab);
	free(t->fold);
	free(t->x);
	free(t->xspace);
	free(t->sx);
	free(t->sxspace);
}

int tp_train(const struct nt_host *host, const void *config, const char *facet, const struct nt_train_set *set,
             const char *out_dir, struct nt_error *err)
{
	const struct tp_config *cfg = config;
	struct tt t;
	struct tt_res *res = NULL;
	unsigned char *use = NULL;
	double *dec = NULL, *alldec = NULL;
	char *tmp = NULL, *path = NULL;
	cJSON *man = NULL;
	int rc = NT_OK;
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	memset(&t, 0, sizeof t);
	t.host = host;
	t.set = set;
	t.cfg = cfg;
	t.err = err;
	t.n = host->train_count(set);
	t.fs.bigrams = cfg->bigrams;
	t.fs.title_weight = cfg->title_weight > 0 ? cfg->title_weight : 1.0;
	t.fs.skip_trailer = 1;
	t.folds = cfg->folds;
	t.nb = cfg->nb;
	if (cfg->char_ngrams && cfg->char_ngrams[0]) {
		int a = 0, b = 0;
		char extra;
		if (sscanf(cfg->char_ngrams, "%d-%d%c", &a, &b, &extra) != 2 || a < 1 || b < a || b > 10)
			return tp_err(err, NT_EINVAL, "option char_ngrams: \"%s\" (expected MIN-MAX with 1 <= MIN <= MAX <= 10)",
			              cfg->char_ngrams);
		t.fs.char_min = a;
		t.fs.char_max = b;
	}
	svm_set_print_string_function(tp_quiet);
	set_print_string_function(tp_quiet);
	if (!facet || !*facet)
		return tp_err(err, NT_EINVAL, "no facet to train");
	if (t.folds < 2 || t.folds > 100)
		return tp_err(err, NT_EINVAL, "option folds: %ld (must be 2..100)", t.folds);
	if (t.n < (size_t)t.folds)
		return tp_err(err, NT_EINVAL, "%zu training documents: need at least %ld (one per fold)", t.n, t.folds);
	const char *k = cfg->kernel ? cfg->kernel : "linear";
	if (!strcmp(k, "linear"))
		t.kernel = TK_LIBLINEAR;
	else if (!strcmp(k, "svm-linear"))
		t.kernel = TK_SVM_LINEAR;
	else if (!strcmp(k, "rbf"))
		t.kernel = TK_RBF;
	else
		return tp_err(err, NT_EINVAL, "option kernel: \"%s\" (expected linear, svm-linear or rbf)", k);
	if ((rc = tt_parse_grid(&t)))
		return rc;
	const char *cw = cfg->class_weight ? cfg->class_weight : "sqrt";
	if (!strcmp(cw, "sqrt"))
		t.cw = 0;
	else if (!strcmp(cw, "balanced"))
		t.cw = 1;
	else if (!strcmp(cw, "none"))
		t.cw = 2;
	else
		return tp_err(err, NT_EINVAL, "option class_weight: \"%s\" (expected sqrt, balanced or none)", cw);
	/* labels */
	size_t cap = 0;
	for (size_t i = 0; i < t.n; i++) {
		const char *const *ls = host->train_labels(set, i);
		for (size_t j = 0; ls && ls[j]; j++) {
			size_t q;
			for (q = 0; q < t.nlabels && strcmp(t.labels[q], ls[j]); q++)
				;
			if (q < t.nlabels)
				continue;
			if (t.nlabels >= TP_MAX_LABELS) {
				rc = tp_err(err, NT_EINVAL, "more than %d labels", TP_MAX_LABELS);
				goto done;
			}
			if (t.nlabels == cap) {
				cap = cap ? cap * 2 : 16;
				char **p = realloc(t.labels, cap * sizeof *p);
				if (!p) {
					rc = tp_err(err, NT_ENOMEM, "out of memory");
					goto done;
				}
				t.labels = p;
			}
			if (!(t.labels[t.nlabels] = strdup(ls[j]))) {
				rc = tp_err(err, NT_ENOMEM, "out of memory");
				goto done;
			}
			t.nlabels++;
		}
	}
	if (t.nlabels == 0) {
		rc = tp_err(err, NT_EINVAL, "no document has a label for facet \"%s\"", facet);
		goto done;
	}
	qsort(t.labels, t.nlabels, sizeof *t.labels, tt_str_cmp);
	t.gold = calloc(t.n * t.nlabels, 1);
	if (!t.gold) {
		rc = tp_err(err, NT_ENOMEM, "out of memory");
		goto done;
	}
	int all_one = 1;
	for (size_t i = 0; i < t.n; i++) {
		const char *const *ls = host->train_labels(set, i);
		size_t cnt = 0;
		for (size_t j = 0; ls && ls[j]; j++) {
			char *key = (char *)ls[j];
			char **hit = bsearch(&key, t.labels, t.nlabels, sizeof *t.labels, tt_str_cmp);
			if (hit && !t.gold[i * t.nlabels + (size_t)(hit - t.labels)]) {
				t.gold[i * t.nlabels + (size_t)(hit - t.labels)] = 1;
				cnt++;
			}
		}
		if (cnt != 1)
			all_one = 0;
	}
	const char *sl = cfg->single_label ? cfg->single_label : "auto";
	if (!strcmp(sl, "yes"))
		t.single = 1;
	else if (!strcmp(sl, "no"))
		t.single = 0;
	else if (!strcmp(sl, "auto"))
		t.single = all_one && t.nlabels >= 3;
	else {
		rc = tp_err(err, NT_EINVAL, "option single_label: \"%s\" (expected auto, yes or no)", sl);
		goto done;
	}
	for (size_t l = 0; l < t.nlabels; l++) {
		size_t pos = 0;
		for (size_t i = 0; i < t.n; i++)
			pos += t.gold[i * t.nlabels + l];
		if (pos == t.n) {
			rc = tp_err(err, NT_EINVAL, "label \"%s\" is on every training document: nothing to learn",
			            t.labels[l]);
			goto done;
		}
	}
	if ((rc = tt_collect(&t)) || (rc = tt_vectors(&t)))
		goto done;
	free(t.dfs); /* the rows hold everything from here on */
	t.dfs = NULL;
	/* folds: a seeded shuffle, then round robin */
	t.fold = malloc(t.n * sizeof *t.fold);
	size_t *perm = malloc(t.n * sizeof *perm);
	use = malloc(t.n);
	dec = malloc(t.n * sizeof *dec);
	res = calloc(t.nlabels, sizeof *res);
	if (!t.fold || !perm || !use || !dec || !res) {
		free(perm);
		rc = tp_err(err, NT_ENOMEM, "out of memory");
		goto done;
	}
	uint64_t rs = 0x9E3779B97F4A7C15ull ^ (uint64_t)cfg->seed;
	if (!rs)
		rs = 1;
	for (size_t i = 0; i < t.n; i++)
		perm[i] = i;
	for (size_t i = t.n; i > 1; i--) {
		size_t j = (size_t)(tt_rand(&rs) % i);
		size_t tmpi = perm[i - 1];
		perm[i - 1] = perm[j];
		perm[j] = tmpi;
	}
	for (size_t i = 0; i < t.n; i++)
		t.fold[perm[i]] = (int)(i % (size_t)t.folds);
	free(perm);
	t.progress_total = t.nlabels * (t.ncgrid * (size_t)t.folds + 1);
	if (t.single) {
		/* single-label: one C for all labels, chosen by the CV accuracy of the argmax */
		alldec = malloc(t.nlabels * t.ncgrid * t.n * sizeof *alldec);
		if (!alldec) {
			rc = tp_err(err, NT_ENOMEM, "out of memory");
			goto done;
		}
	}
	/* cross-validation over C, per label */
	for (size_t l = 0; l < t.nlabels; l++) {
		struct tt_res *r = &res[l];
		size_t pos = 0;
		for (size_t i = 0; i < t.n; i++)
			pos += t.gold[i * t.nlabels + l];
		r->support = pos;
		double ratio = (double)(t.n - pos) / (double)(pos ? pos : 1);
		r->wpos = t.cw == 0 ? sqrt(ratio) : t.cw == 1 ? ratio : 1.0;
		if (r->wpos < 1)
			r->wpos = 1;
		if (r->wpos > (t.cw == 1 ? 100 : 10))
			r->wpos = t.cw == 1 ? 100 : 10;
		r->cvdec = malloc(t.n * sizeof *r->cvdec);
		r->cvprob = malloc(t.n * sizeof *r->cvprob);
		if (!r->cvdec || !r->cvprob) {
			rc = tp_err(err, NT_ENOMEM, "out of memory");
			goto done;
		}
		double bestf = -1;
		for (size_t c = 0; c < t.ncgrid; c++) {
			if ((rc = tt_cv(&t, use, l, t.cgrid[c], r->wpos, dec))) {
				rc = tp_err(err, rc, "training label \"%s\" failed (C=%g)", t.labels[l], t.cgrid[c]);
				goto done;
			}
			if (alldec)
				memcpy(alldec + (l * t.ncgrid + c) * t.n, dec, t.n * sizeof *dec);
			double thr, f = tt_best_f1(dec, t.gold + l, t.nlabels, t.n, &thr);
			if (f > bestf + 1e-9) {
				bestf = f;
				r->C = t.cgrid[c];
				memcpy(r->cvdec, dec, t.n * sizeof *dec);
			}
		}
		signed char *y = malloc(t.n);
		if (!y) {
			rc = tp_err(err, NT_ENOMEM, "out of memory");
			goto done;
		}
		for (size_t i = 0; i < t.n; i++)
			y[i] = t.gold[i * t.nlabels + l] ? 1 : -1;
		tp_platt_fit(r->cvdec, y, t.n, &r->A, &r->B);
		free(y);
		for (size_t i = 0; i < t.n; i++)
			r->cvprob[i] = tp_platt(r->A, r->B, r->cvdec[i]);
		tt_best_f1(r->cvprob, t.gold + l, t.nlabels, t.n, &r->thr);
		if (r->thr < 0.02)
			r->thr = 0.02;
		if (r->thr > 0.98)
			r->thr = 0.98;
		if (t.single)
			r->thr = 0;
	}
	if (t.single && (rc = tt_single_c(&t, res, alldec)))
		goto done;
	/* CV metrics at the chosen thresholds (argmax for single-label facets) */
	size_t correct = 0;
	for (size_t i = 0; i < t.n; i++) {
		size_t best = 0;
		for (size_t l = 1; l < t.nlabels; l++)
			if (res[l].cvprob[i] > res[best].cvprob[i])
				best = l;
		for (size_t l = 0; l < t.nlabels; l++) {
			int pred = t.single ? l == best : res[l].cvprob[i] >= res[l].thr;
			int g = t.gold[i * t.nlabels + l];
			res[l].tp += pred && g;
			res[l].fp += pred && !g;
			res[l].fn += !pred && g;
		}
		correct += t.gold[i * t.nlabels + best];
	}
	/* write the model directory atomically */
	size_t ol = strlen(out_dir);
	while (ol > 1 && out_dir[ol - 1] == '/')
		ol--;
	int repl = tt_replaceable(out_dir);
	if (!repl) {
		rc = tp_err(err, NT_EIO, "%s exists and holds files other than a model (manifest.json, vocab.tsv, label-*.model): not replacing it",
		            out_dir);
		goto done;
	}
	tmp = malloc(ol + 32);
	if (!tmp) {
		rc = tp_err(err, NT_ENOMEM, "out of memory");
		goto done;
	}
	memcpy(tmp, out_dir, ol);
	strcpy(tmp + ol, ".tmp-XXXXXX");
	if (!mkdtemp(tmp)) {
		rc = tp_err(err, NT_EIO, "%s: %s", tmp, strerror(errno));
		free(tmp);
		tmp = NULL;
		goto done;
	}
	chmod(tmp, 0755);
	path = tt_join(tmp, "vocab.tsv");
	if (!path) {
		rc = tp_err(err, NT_ENOMEM, "out of memory");
		goto done;
	}
	if ((rc = tt_write_vocab(&t, path)))
		goto done;
	free(path);
	path = NULL;
	man = cJSON_CreateObject();
	cJSON_AddStringToObject(man, "format", TP_FORMAT);
	cJSON_AddNumberToObject(man, "version", TP_FORMAT_VERSION);
	cJSON_AddStringToObject(man, "plugin", TP_NAME);
	cJSON_AddStringToObject(man, "plugin_version", TP_VERSION);
	cJSON_AddStringToObject(man, "facet", facet);
	cJSON_AddBoolToObject(man, "single_label", t.single);
	cJSON *feat = cJSON_AddObjectToObject(man, "features");
	cJSON_AddStringToObject(feat, "hash", "fnv1a64-folded");
	cJSON_AddBoolToObject(feat, "unigrams", 1);
	cJSON_AddBoolToObject(feat, "bigrams", t.fs.bigrams);
	cJSON_AddNumberToObject(feat, "title_weight", t.fs.title_weight);
	cJSON_AddBoolToObject(feat, "skip_trailer", t.fs.skip_trailer);
	if (t.fs.char_min > 0) {
		cJSON *cg = cJSON_AddArrayToObject(feat, "char_ngrams");
		cJSON_AddItemToArray(cg, cJSON_CreateNumber(t.fs.char_min));
		cJSON_AddItemToArray(cg, cJSON_CreateNumber(t.fs.char_max));
	}
	cJSON_AddStringToObject(feat, "tf", "1+ln(tf)");
	cJSON_AddStringToObject(feat, "idf", "1+ln((1+N)/(1+df))");
	cJSON_AddStringToObject(feat, "norm", "l2");
	cJSON *voc = cJSON_AddObjectToObject(man, "vocabulary");
	cJSON_AddStringToObject(voc, "file", "vocab.tsv");
	cJSON_AddNumberToObject(voc, "features", (double)t.nvocab);
	cJSON_AddNumberToObject(voc, "min_df", (double)(cfg->min_df > 0 ? cfg->min_df : (t.n < 200 ? 1 : 2)));
	cJSON *labs = cJSON_AddArrayToObject(man, "labels");
	double mtp = 0, mfp = 0, mfn = 0, macro = 0;
	for (size_t l = 0; l < t.nlabels; l++) {
		struct tt_res *r = &res[l];
		for (size_t i = 0; i < t.n; i++)
			use[i] = 1;
		struct tt_bin b;
		if ((rc = tt_bin_train(&t, use, l, r->C, r->wpos, &b))) {
			rc = tp_err(err, rc, "training label \"%s\" failed", t.labels[l]);
			goto done;
		}
		tt_progress(&t);
		char fname[48]; /* "label-" + up to 20 digits + ".model" */
		snprintf(fname, sizeof fname, "label-%03zu.model", l);
		path = tt_join(tmp, fname);
		if (!path) {
			tt_bin_free(&b);
			rc = tp_err(err, NT_ENOMEM, "out of memory");
			goto done;
		}
		if (b.svm) {
			if (svm_save_model(path, b.svm) != 0)
				rc = tp_err(err, NT_EIO, "%s: libsvm could not write the model", path);
		} else
			rc = tt_write_linear(&t, &b, path);
		tt_bin_free(&b);
		free(path);
		path = NULL;
		if (rc)
			goto done;
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "label", t.labels[l]);
		cJSON_AddStringToObject(o, "file", fname);
		cJSON_AddNumberToObject(o, "threshold", round(r->thr * 1e6) / 1e6);
		cJSON *pl = cJSON_AddArrayToObject(o, "platt");
		cJSON_AddItemToArray(pl, cJSON_CreateNumber(r->A));
		cJSON_AddItemToArray(pl, cJSON_CreateNumber(r->B));
		cJSON_AddNumberToObject(o, "C", r->C);
		cJSON_AddNumberToObject(o, "positive_weight", round(r->wpos * 1e4) / 1e4);
		cJSON_AddItemToObject(o, "cv", tt_metrics(r->tp, r->fp, r->fn, r->support));
		cJSON_AddItemToArray(labs, o);
		mtp += r->tp;
		mfp += r->fp;
		mfn += r->fn;
		double p = r->tp + r->fp > 0 ? r->tp / (r->tp + r->fp) : 0, rr = r->tp + r->fn > 0 ? r->tp / (r->tp + r->fn) : 0;
		macro += p + rr > 0 ? 2 * p * rr / (p + rr) : 0;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	cJSON *tr = cJSON_AddObjectToObject(man, "training");
	cJSON_AddNumberToObject(tr, "documents", (double)t.n);
	if (cfg->data_digest)
		cJSON_AddStringToObject(tr, "data_digest", cfg->data_digest);
	cJSON_AddStringToObject(tr, "trainer", t.kernel == TK_LIBLINEAR ? "liblinear L2R_L2LOSS_SVC_DUAL"
	                                       : t.kernel == TK_RBF      ? "libsvm c_svc rbf gamma=1"
	                                                                 : "libsvm c_svc linear");
	cJSON_AddNumberToObject(tr, "seed", (double)cfg->seed);
	cJSON_AddNumberToObject(tr, "folds", (double)t.folds);
	cJSON_AddStringToObject(tr, "class_weight", cw);
	cJSON_AddBoolToObject(tr, "nb_scaling", t.nb);
	cJSON *cg = cJSON_AddArrayToObject(tr, "c_grid");
	for (size_t c = 0; c < t.ncgrid; c++)
		cJSON_AddItemToArray(cg, cJSON_CreateNumber(t.cgrid[c]));
	cJSON *cv = cJSON_AddObjectToObject(man, "cv_metrics");
	cJSON_AddItemToObject(cv, "micro", tt_metrics(mtp, mfp, mfn, t.n));
	cJSON_AddNumberToObject(cv, "macro_f1", round(macro / (double)t.nlabels * 10000) / 10000);
	if (t.single)
		cJSON_AddNumberToObject(cv, "accuracy", round((double)correct / (double)t.n * 10000) / 10000);
	(void)t1;
	char *js = cJSON_Print(man);
	path = tt_join(tmp, "manifest.json");
	if (!js || !path) {
		free(js);
		rc = tp_err(err, NT_ENOMEM, "out of memory");
		goto done;
	}
	FILE *fp = fopen(path, "w");
	if (!fp || fputs(js, fp) < 0 || fputc('\n', fp) == EOF || fflush(fp) != 0 || fsync(fileno(fp)) != 0) {
		rc = tp_err(err, NT_EIO, "%s: write error", path);
		if (fp)
			fclose(fp);
		free(js);
		goto done;
	}
	free(js);
	if (fclose(fp) != 0) {
		rc = tp_err(err, NT_EIO, "%s: write error", path);
		goto done;
	}
	/* swap in */
	char *dst = strndup(out_dir, ol);
	if (!dst) {
		rc = tp_err(err, NT_ENOMEM, "out of memory");
		goto done;
	}
	if (repl == 2) {
		char *old = malloc(ol + 32);
		if (!old) {
			free(dst);
			rc = tp_err(err, NT_ENOMEM, "out of memory");
			goto done;
		}
		memcpy(old, out_dir, ol);
		strcpy(old + ol, ".old-XXXXXX");
		if (!mkdtemp(old) || rename(dst, old) != 0) {
			rc = tp_err(err, NT_EIO, "%s: cannot move the old model aside: %s", dst, strerror(errno));
			free(old);
			free(dst);
			goto done;
		}
		if (rename(tmp, dst) != 0) {
			rc = tp_err(err, NT_EIO, "%s: %s", dst, strerror(errno));
			rename(old, dst);
			free(old);
			free(dst);
			goto done;
		}
		tt_rmdir(old);
		free(old);
	} else if (rename(tmp, dst) != 0) {
		rc = tp_err(err, NT_EIO, "%s: %s", dst, strerror(errno));
		free(dst);
		goto done;
	}
	free(dst);
	free(tmp);
	tmp = NULL;
done:
	if (tmp) {
		tt_rmdir(tmp);
		free(tmp);
	}
	free(path);
	cJSON_Delete(man);
	if (res)
		for (size_t l = 0; l < t.nlabels; l++) {
			free(res[l].cvdec);
			free(res[l].cvprob);
		}
	free(res);
	free(use);
	free(dec);
	free(alldec);
	tt_free(&t);
	return rc;
}
