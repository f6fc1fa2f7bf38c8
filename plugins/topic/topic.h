/* topic.h - internals shared by the topic plugin's prediction (topic.c) and training (topic_train.c) */
#ifndef NT_TOPIC_H
#define NT_TOPIC_H

#include <stddef.h>
#include <stdint.h>
#include "newstag/plugin.h"

#define TP_NAME "topic"
#define TP_VERSION "1.0.0"
#define TP_FORMAT "newstag-topic-model"
#define TP_FORMAT_VERSION 1
#define TP_VOCAB_MAGIC "newstag-topic-vocab"
#define TP_MAX_LABELS 4096
#define TP_MAX_FEATURES 20000000u

/* The plugin's config struct, filled by the core from the option table. */
struct tp_config {
	const char *model;        /* model directory (NT_OPT_PATH) */
	long seed;                /* train: seed of the fold shuffle and of the solvers */
	long folds;               /* train: k of the k-fold cross-validation */
	const char *kernel;       /* train: "linear" (LIBLINEAR), "svm-linear" or "rbf" (libsvm) */
	const char *c_grid;       /* train: comma-separated C values tried by cross-validation */
	const char *single_label; /* train: "auto", "yes" or "no" */
	long min_df;              /* train: minimum document frequency of a feature (0 = auto) */
	int bigrams;              /* train: use word bigrams */
	double title_weight;      /* train: weight of a title token occurrence */
	const char *data_digest;  /* train: digest of the training file (set by newstag train) */
	long max_evidence;        /* classify: evidence spans per emitted label */
	const char *char_ngrams;  /* train: "" (none) or "MIN-MAX" character n-grams of words, e.g. "3-5" */
	int nb;                   /* train: NBSVM scaling of the features per label (LIBLINEAR only) */
	const char *class_weight; /* train: weight of positives: "sqrt" (of neg/pos), "balanced" or "none" */
};

/* Feature settings stored in the manifest (and used identically by train and classify). */
struct tp_featset {
	int bigrams;          /* nonzero: word bigrams within a sentence */
	double title_weight;  /* weight of one title token occurrence (body = 1) */
	int skip_trailer;     /* nonzero: ignore NT_ZONE_TRAILER tokens */
	int char_min, char_max; /* character n-grams of words, n in [char_min, char_max]; 0 = none */
};

#define TP_CHAR_MAXLEN 40 /* character n-grams are taken from the first 40 bytes of a word */

/* One feature occurrence in a document: its hash, weight and the token(s) it spans. */
struct tp_occ {
	uint64_t hash;   /* unigram: token hash; bigram: tp_bigram(h1, h2) */
	float weight;    /* occurrence weight (title tokens count more) */
	uint32_t tok;    /* first token index */
	uint32_t tok2;   /* last token index (== tok for a unigram) */
};

/* Hash of a bigram of two folded tokens (documented in README.md). */
static inline uint64_t tp_bigram(uint64_t a, uint64_t b)
{
	uint64_t h = a * 0x9E3779B97F4A7C15ull;
	h ^= (b << 31) | (b >> 33);
	h *= 0xC2B2AE3D27D4EB4Full;
	return h ^ (h >> 29);
}

/* Room tp_extract() needs for doc: an upper bound of its feature occurrences. */
size_t tp_occ_bound(const struct nt_doc *doc, const struct tp_featset *fs);

/* Fill occ (room for tp_occ_bound() entries) with the feature occurrences of doc;
 * returns how many. */
size_t tp_extract(const struct nt_doc *doc, const struct tp_featset *fs, struct tp_occ *occ);

/* Platt sigmoid fit (Lin, Lin and Weng 2007): fills A, B so that
 * P(y=1|f) = 1 / (1 + exp(A f + B)). */
void tp_platt_fit(const double *dec, const signed char *y, size_t n, double *A, double *B);

/* Calibrated probability from a decision value. */
double tp_platt(double A, double B, double f);

/* The train() operation (topic_train.c). */
int tp_train(const struct nt_host *host, const void *config, const char *facet,
             const struct nt_train_set *set, const char *out_dir, struct nt_error *err);

/* Fill err with a formatted message; returns code. */
int tp_err(struct nt_error *err, int code, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

/* A no-op print function for libsvm and LIBLINEAR. */
void tp_quiet(const char *s);

#endif /* NT_TOPIC_H */
