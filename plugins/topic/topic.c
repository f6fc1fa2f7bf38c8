/* topic.c - the topic plugin: TF-IDF word/bigram features, one-vs-rest SVMs, Platt probabilities */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cjson/cJSON.h>
#ifdef HAVE_LIBSVM_SVM_H
#include <libsvm/svm.h>
#else
#include <svm.h>
#endif

#include "newstag/plugin.h"
#include "topic.h"

#define TP_MAX_FILE (512u * 1024u * 1024u)

/* One label of a loaded model. */
struct tp_label {
	char *name;              /* label */
	double threshold;        /* probability needed to emit it */
	double A, B;             /* Platt sigmoid */
	double bias;             /* linear: decision = w . x + bias */
	struct svm_model *svm;   /* kernel models only (NULL when collapsed) */
	int sign;                /* kernel: +1 when libsvm's first label is the positive one */
};

/* A loaded model directory. Read-only after open(). */
#define TP_LOGK 64 /* whole term counts below this take their log from a table */

struct tp_model {
	const struct nt_host *host;
	char *dir;                /* model directory */
	char *facet;              /* facet it emits */
	int single;               /* single-label facet: emit the best label only */
	struct tp_featset fs;     /* feature settings */
	size_t nfeat;             /* vocabulary size */
	uint64_t *hashes;         /* feature hash of vocabulary index i (loading only: freed
	                           * once packed into feat) */
	double *idf;              /* idf of index i (loading only) */
	size_t nlabels;
	struct tp_label *labels;
	double *w;                /* nfeat * nlabels weights, row = feature (linear labels only;
	                           * loading only) */
	double *feat;             /* per feature, packed for classify (one cache line for up to
	                           * 6 labels): the hash's bits, idf, then nlabels weights */
	size_t stride;            /* doubles per feature in feat: 2 + nlabels */
	uint64_t *slots;          /* open addressing by the low hash bits: (high 32 bits of the
	                           * feature hash) << 32 | (vocabulary index + 1); 0 = empty */
	size_t mask;              /* slots has mask + 1 entries */
	int any_kernel;           /* some label needs svm_predict */
	long max_evidence;
	double logk[TP_LOGK];     /* log(k) for the small whole term counts (logk[0] unused) */
	char digest[80];          /* sha256 of manifest.json */
	const char *facets[2];
	char **label_strs;        /* "facet:label", NULL-terminated */
};

static const struct nt_option tp_options[] = {
	{"model", NT_OPT_PATH, offsetof(struct tp_config, model), "\"topic\"",
	 "model directory (manifest.json, vocab.tsv, label-*.model)"},
	{"max_evidence", NT_OPT_INT, offsetof(struct tp_config, max_evidence), "5",
	 "evidence spans (strongest features) per emitted label"},
	{"seed", NT_OPT_INT, offsetof(struct tp_config, seed), "1",
	 "train: seed for the fold shuffle and the solvers"},
	{"folds", NT_OPT_INT, offsetof(struct tp_config, folds), "5",
	 "train: folds of the cross-validation over C"},
	{"kernel", NT_OPT_STRING, offsetof(struct tp_config, kernel), "\"linear\"",
	 "train: linear (LIBLINEAR), svm-linear or rbf (libsvm)"},
	{"c_grid", NT_OPT_STRING, offsetof(struct tp_config, c_grid), "\"0.1,0.3,1,3,10\"",
	 "train: C values tried by cross-validation"},
	{"single_label", NT_OPT_STRING, offsetof(struct tp_config, single_label), "\"auto\"",
	 "train: auto (one label per document and 3+ labels), yes or no"},
	{"min_df", NT_OPT_INT, offsetof(struct tp_config, min_df), "0",
	 "train: minimum document frequency of a feature (0: 2, or 1 for under 200 documents)"},
	{"bigrams", NT_OPT_BOOL, offsetof(struct tp_config, bigrams), "true",
	 "train: add word bigrams to the unigrams"},
	{"title_weight", NT_OPT_NUMBER, offsetof(struct tp_config, title_weight), "2",
	 "train: weight of a title word occurrence (body words weigh 1)"},
	{"char_ngrams", NT_OPT_STRING, offsetof(struct tp_config, char_ngrams), "\"\"",
	 "train: character n-grams of words, \"MIN-MAX\" (e.g. \"3-5\"), or \"\" for none"},
	{"nb", NT_OPT_BOOL, offsetof(struct tp_config, nb), "true",
	 "train: scale features by naive Bayes log-count ratios per label (NBSVM; kernel linear only)"},
	{"class_weight", NT_OPT_STRING, offsetof(struct tp_config, class_weight), "\"sqrt\"",
	 "train: positive class weight per label: sqrt (of negatives/positives, 1..10), balanced or none"},
	{"data_digest", NT_OPT_STRING, offsetof(struct tp_config, data_digest), NULL,
	 "train: digest of the training data, recorded in the manifest"},
	{NULL, 0, 0, NULL, NULL}
};

static const char *const tp_facets[] = {"*", NULL};

/* ---------------------------------------------------------------- shared helpers */

int tp_err(struct nt_error *err, int code, const char *fmt, ...)
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

void tp_quiet(const char *s)
{
	(void)s;
}

double tp_platt(double A, double B, double f)
{
	double fApB = f * A + B;
	if (fApB >= 0)
		return exp(-fApB) / (1.0 + exp(-fApB));
	return 1.0 / (1.0 + exp(fApB));
}

/* Port of libsvm's sigmoid_train (BSD licence, Chang and Lin), after Lin, Lin and
 * Weng, "A note on Platt's probabilistic outputs for support vector machines". */
void tp_platt_fit(const double *dec, const signed char *y, size_t n, double *A, double *B)
{
	double prior1 = 0, prior0 = 0;
	for (size_t i = 0; i < n; i++) {
		if (y[i] > 0)
			prior1 += 1;
		else
			prior0 += 1;
	}
	const int max_iter = 100;
	const double min_step = 1e-10, sigma = 1e-12, eps = 1e-5;
	double hiTarget = (prior1 + 1.0) / (prior1 + 2.0);
	double loTarget = 1 / (prior0 + 2.0);
	double a = 0.0, b = log((prior0 + 1.0) / (prior1 + 1.0));
	double fval = 0.0;
	double *t = malloc((n ? n : 1) * sizeof *t);
	if (!t) {
		*A = -1;
		*B = 0;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		t[i] = y[i] > 0 ? hiTarget : loTarget;
		double fApB = dec[i] * a + b;
		if (fApB >= 0)
			fval += t[i] * fApB + log(1 + exp(-fApB));
		else
			fval += (t[i] - 1) * fApB + log(1 + exp(fApB));
	}
	for (int iter = 0; iter < max_iter; iter++) {
		double h11 = sigma, h22 = sigma, h21 = 0.0, g1 = 0.0, g2 = 0.0;
		for (size_t i = 0; i < n; i++) {
			double fApB = dec[i] * a + b, p, q;
			if (fApB >= 0) {
				p = exp(-fApB) / (1.0 + exp(-fApB));
				q = 1.0 / (1.0 + exp(-fApB));
			} else {
				p = 1.0 / (1.0 + exp(fApB));
				q = exp(fApB) / (1.0 + exp(fApB));
			}
			double d2 = p * q;
			h11 += dec[i] * dec[i] * d2;
			h22 += d2;
			h21 += dec[i] * d2;
			double d1 = t[i] - p;
			g1 += dec[i] * d1;
			g2 += d1;
		}
		if (fabs(g1) < eps && fabs(g2) < eps)
			break;
		double det = h11 * h22 - h21 * h21;
		double dA = -(h22 * g1 - h21 * g2) / det;
		double dB = -(-h21 * g1 + h11 * g2) / det;
		double gd = g1 * dA + g2 * dB;
		double stepsize = 1;
		while (stepsize >= min_step) {
			double newA = a + stepsize * dA, newB = b + stepsize * dB, newf = 0.0;
			for (size_t i = 0; i < n; i++) {
				double fApB = dec[i] * newA + newB;
				if (fApB >= 0)
					newf += t[i] * fApB + log(1 + exp(-fApB));
				else
					newf += (t[i] - 1) * fApB + log(1 + exp(fApB));
			}
			if (newf < fval + 0.0001 * stepsize * gd) {
				a = newA;
				b = newB;
				fval = newf;
				break;
			}
			stepsize = stepsize / 2.0;
		}
		if (stepsize < min_step)
			break;
	}
	free(t);
	*A = a;
	*B = b;
}

size_t tp_occ_bound(const struct nt_doc *doc, const struct tp_featset *fs)
{
	size_t per = 2;
	if (fs->char_min > 0)
		per += (size_t)(fs->char_max - fs->char_min + 1) * (TP_CHAR_MAXLEN + 2);
	return doc->ntokens * per + 1;
}

/* Hash of a character n-gram: FNV-1a 64 over a 0x01 marker and the bytes (no folded
 * word contains 0x01, so these never collide with word hashes by construction). */
static uint64_t tp_char_hash(const unsigned char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;
	h ^= 0x01;
	h *= 0x100000001b3ull;
	for (size_t i = 0; i < n; i++) {
		h ^= s[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

size_t tp_extract(const struct nt_doc *doc, const struct tp_featset *fs, struct tp_occ *occ)
{
	size_t n = 0;
	size_t prev = SIZE_MAX; /* previous word/number token in the same sentence */
	unsigned char buf[TP_CHAR_MAXLEN + 2];
	for (size_t i = 0; i < doc->ntokens; i++) {
		const struct nt_token *t = &doc->tokens[i];
		if (fs->skip_trailer && t->zone == NT_ZONE_TRAILER) {
			prev = SIZE_MAX;
			continue;
		}
		if (!(t->flags & (NT_TOK_WORD | NT_TOK_NUMBER)) || t->norm_len == 0)
			continue;
		float wgt = t->zone == NT_ZONE_TITLE ? (float)fs->title_weight : 1.0f;
		occ[n].hash = t->hash;
		occ[n].weight = wgt;
		occ[n].tok = (uint32_t)i;
		occ[n].tok2 = (uint32_t)i;
		n++;
		if (fs->bigrams && prev != SIZE_MAX && doc->tokens[prev].sentence == t->sentence &&
		    doc->tokens[prev].src == t->src) {
			occ[n].hash = tp_bigram(doc->tokens[prev].hash, t->hash);
			occ[n].weight = wgt;
			occ[n].tok = (uint32_t)prev;
			occ[n].tok2 = (uint32_t)i;
			n++;
		}
		prev = i;
		if (fs->char_min > 0 && (t->flags & NT_TOK_WORD)) {
			size_t L = t->norm_len < TP_CHAR_MAXLEN ? t->norm_len : TP_CHAR_MAXLEN;
			buf[0] = '<';
			memcpy(buf + 1, NT_TOKEN_NORM(doc, i), L);
			buf[L + 1] = '>';
			for (int k = fs->char_min; k <= fs->char_max; k++)
				for (size_t st = 0; st + (size_t)k <= L + 2; st++) {
					occ[n].hash = tp_char_hash(buf + st, (size_t)k);
					occ[n].weight = wgt;
					occ[n].tok = (uint32_t)i;
					occ[n].tok2 = (uint32_t)i;
					n++;
				}
		}
	}
	return n;
}

/* Serialises libsvm's model loading (see tp_model_load). */
static pthread_mutex_t tp_libsvm_lock = PTHREAD_MUTEX_INITIALIZER;

/* ---------------------------------------------------------------- file validation */

/* Read a whole file; errors name the path. */
static int tp_slurp(const char *path, char **data, size_t *len, struct nt_error *err)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return tp_err(err, errno == ENOENT ? NT_ENOTFOUND : NT_EIO, "%s: %s", path, strerror(errno));
	struct stat st;
	if (fstat(fileno(fp), &st) != 0 || !S_ISREG(st.st_mode)) {
		fclose(fp);
		return tp_err(err, NT_EIO, "%s: not a regular file", path);
	}
	if ((unsigned long long)st.st_size > TP_MAX_FILE) {
		fclose(fp);
		return tp_err(err, NT_EFORMAT, "%s: file too large (%lld bytes)", path, (long long)st.st_size);
	}
	size_t n = (size_t)st.st_size;
	char *buf = malloc(n + 1);
	if (!buf) {
		fclose(fp);
		return tp_err(err, NT_ENOMEM, "%s: out of memory", path);
	}
	if (n && fread(buf, 1, n, fp) != n) {
		free(buf);
		fclose(fp);
		return tp_err(err, NT_EIO, "%s: read error", path);
	}
	fclose(fp);
	buf[n] = '\0';
	*data = buf;
	*len = n;
	return NT_OK;
}

#ifdef __SIZEOF_INT128__
/* mant * 10^e10 (mant > 0, -54 <= e10 <= 27) correctly rounded to a double (round half to even),
 * with 128-bit integers: 10^e10 = 5^e10 * 2^e10 and 5^27 < 2^63. For e10 >= 0 the product
 * mant * 5^e10 is exact; for e10 < 0, mant is shifted up to bit 126 and divided by 5^-e10,
 * leaving a quotient of more than 63 bits and a remainder that breaks ties. 0 on success. */
static int tp_num_exact(uint64_t mant, int e10, double *out)
{
	static const uint64_t p5[28] = {
		1ull, 5ull, 25ull, 125ull, 625ull, 3125ull, 15625ull, 78125ull, 390625ull, 1953125ull,
		9765625ull, 48828125ull, 244140625ull, 1220703125ull, 6103515625ull, 30517578125ull,
		152587890625ull, 762939453125ull, 3814697265625ull, 19073486328125ull, 95367431640625ull,
		476837158203125ull, 2384185791015625ull, 11920928955078125ull, 59604644775390625ull,
		298023223876953125ull, 1490116119384765625ull, 7450580596923828125ull};
	unsigned __int128 Q;
	int sticky = 0, scale;
	if (!mant || e10 < -54 || e10 > 27)
		return -1;
	if (e10 >= 0) {
		Q = (unsigned __int128)mant * p5[e10];
		scale = e10;
	} else {
		int sh = 63 + __builtin_clzll(mant), k = -e10;
		unsigned __int128 N = (unsigned __int128)mant << sh;
		if (k <= 27) {
			Q = N / p5[k];
			sticky = N % p5[k] != 0;
		} else {
			/* long division in two steps: floor(floor(N 2^62 / 5^27) / 5^(k-27)); the
			 * first quotient is under 2^65, so it takes 62 more bits from the remainder */
			unsigned __int128 R = N % p5[27];
			Q = ((N / p5[27]) << 62) | ((R << 62) / p5[27]);
			sticky = (R << 62) % p5[27] != 0;
			sticky |= Q % p5[k - 27] != 0;
			Q /= p5[k - 27];
			sh += 62;
		}
		scale = e10 - sh;
	}
	uint64_t hi = (uint64_t)(Q >> 64), lo = (uint64_t)Q, m;
	int drop = (hi ? 128 - __builtin_clzll(hi) : 64 - __builtin_clzll(lo)) - 53;
	if (drop <= 0)
		m = lo; /* exact (then sticky is 0: e10 >= 0) */
	else {
		unsigned __int128 half = (unsigned __int128)1 << (drop - 1);
		unsigned __int128 rem = Q & ((half << 1) - 1);
		m = (uint64_t)(Q >> drop);
		if (rem > half || (rem == half && (sticky || (m & 1))))
			m++;
		scale += drop;
	}
	*out = ldexp((double)m, scale);
	return 0;
}
#endif

/* Parse a finite double at *p (no leading space); advances *p. 0 on success.
 * The result is always the correctly rounded value strtod gives. Plain decimals with up to
 * 19 significant digits and a small exponent are parsed directly (model files hold hundreds
 * of thousands of them; strtod is the load-time bottleneck):
 *  - mantissa < 2^53 and |exponent| <= 22: one exact double operation (Clinger's fast path);
 *  - otherwise, exponent in [-54, 27]: exact 128-bit integer arithmetic (tp_num_exact).
 * Anything else goes to strtod. */
static int tp_num(const char **p, double *out)
{
	static const double p10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
	                             1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
	const unsigned char *s = (const unsigned char *)*p, *q = s;
	int neg = 0, nd = 0, frac = 0, any = 0;
	unsigned d;
	uint64_t mant = 0;
	if (*q == '-' || *q == '+')
		neg = *q++ == '-';
	while (*q == '0') {
		q++;
		any = 1;
	}
	while ((d = (unsigned)*q - '0') < 10) {
		if (nd == 19)
			goto slow;
		mant = mant * 10 + d;
		nd++;
		q++;
		any = 1;
	}
	if (*q == '.') {
		q++;
		if (!nd)
			while (*q == '0') {
				q++;
				frac++;
				any = 1;
			}
		while ((d = (unsigned)*q - '0') < 10) {
			if (nd == 19)
				goto slow;
			mant = mant * 10 + d;
			nd++;
			frac++;
			q++;
			any = 1;
		}
	}
	if (!any)
		return -1;
	int e10 = 0;
	if (*q == 'e' || *q == 'E') {
		const unsigned char *r = q + 1;
		int eneg = 0, ev = 0, ed = 0;
		if (*r == '-' || *r == '+')
			eneg = *r++ == '-';
		while ((d = (unsigned)*r - '0') < 10 && ed < 4) {
			ev = ev * 10 + (int)d;
			r++;
			ed++;
		}
		if (!ed || isdigit(*r))
			goto slow;
		e10 = eneg ? -ev : ev;
		q = r;
	}
	e10 -= frac;
	double v;
	if (!(mant >> 53) && e10 >= -22 && e10 <= 22) {
		v = (double)mant;
		v = e10 < 0 ? v / p10[-e10] : v * p10[e10];
	} else {
#ifdef __SIZEOF_INT128__
		if (tp_num_exact(mant, e10, &v))
			goto slow;
#else
		goto slow;
#endif
	}
	*out = neg ? -v : v;
	*p = (const char *)q;
	return 0;
slow:;
	char *end;
	errno = 0;
	double x = strtod((const char *)s, &end);
	if (end == (const char *)s || errno == ERANGE || !isfinite(x))
		return -1;
	*p = end;
	*out = x;
	return 0;
}

/* Parse a decimal integer >= 0 at *p. */
static int tp_uint(const char **p, unsigned long long *out)
{
	const char *s = *p;
	if (!isdigit((unsigned char)*s))
		return -1;
	unsigned long long v = 0;
	while (isdigit((unsigned char)*s)) {
		if (v > (ULLONG_MAX - 9) / 10)
			return -1;
		v = v * 10 + (unsigned)(*s - '0');
		s++;
	}
	*p = s;
	*out = v;
	return 0;
}

enum { TP_K_LINEAR = 0, TP_K_POLY = 1, TP_K_RBF = 2, TP_K_SIGMOID = 3 };

/* Validate a two-class libsvm model file completely (the header libsvm 3.24 writes,
 * then exactly total_sv support vectors with increasing indices in [1, nfeat]).
 * For a linear kernel, collapse it: w[(idx-1)*stride] += coef * value (sign applied)
 * and *bias = -rho (sign applied). Returns NT_OK or NT_EFORMAT naming file:line. */
static int tp_svm_validate(const char *path, const char *buf, size_t len, size_t nfeat, double *w,
                           size_t stride, double *bias, int *kernel, int *sign, struct nt_error *err)
{
	const char *p = buf, *end = buf + len;
	size_t line = 1;
	int have_type = 0, have_kernel = 0, have_nrc = 0, have_total = 0, have_rho = 0, have_label = 0,
	    have_nrsv = 0, have_gamma = 0, have_degree = 0, have_coef0 = 0;
	unsigned long long total_sv = 0, nsv[2] = {0, 0};
	double rho = 0;
	long labels[2] = {0, 0};
	if (len == 0)
		return tp_err(err, NT_EFORMAT, "%s: empty file (not a libsvm model)", path);
	if (memchr(buf, '\0', len))
		return tp_err(err, NT_EFORMAT, "%s: binary data (NUL byte) in a libsvm model", path);
	if (buf[len - 1] != '\n')
		return tp_err(err, NT_EFORMAT, "%s: truncated (no newline at the end of the file)", path);
	for (;;) {
		if (p >= end)
			return tp_err(err, NT_EFORMAT, "%s:%zu: truncated: the header has no SV line", path, line);
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *sp = p;
		while (sp < eol && *sp != ' ')
			sp++;
		size_t klen = (size_t)(sp - p);
		const char *v = sp < eol ? sp + 1 : eol;
#define KEY(s) (klen == sizeof(s) - 1 && memcmp(p, s, klen) == 0)
		int bad = 0;
		if (KEY("SV")) {
			if (v != eol)
				bad = 1;
			else {
				p = eol + 1;
				line++;
				break;
			}
		} else if (KEY("svm_type")) {
			bad = (size_t)(eol - v) != 5 || memcmp(v, "c_svc", 5) != 0;
			if (bad)
				return tp_err(err, NT_EFORMAT, "%s:%zu: svm_type must be c_svc", path, line);
			have_type = 1;
		} else if (KEY("kernel_type")) {
			size_t vl = (size_t)(eol - v);
			if (vl == 6 && !memcmp(v, "linear", 6))
				*kernel = TP_K_LINEAR;
			else if (vl == 10 && !memcmp(v, "polynomial", 10))
				*kernel = TP_K_POLY;
			else if (vl == 3 && !memcmp(v, "rbf", 3))
				*kernel = TP_K_RBF;
			else if (vl == 7 && !memcmp(v, "sigmoid", 7))
				*kernel = TP_K_SIGMOID;
			else
				return tp_err(err, NT_EFORMAT, "%s:%zu: unsupported kernel_type", path, line);
			have_kernel = 1;
		} else if (KEY("degree")) {
			unsigned long long d;
			const char *q = v;
			bad = tp_uint(&q, &d) || q != eol || d > 100;
			have_degree = 1;
		} else if (KEY("gamma") || KEY("coef0") || KEY("rho") || KEY("probA") || KEY("probB")) {
			double d;
			const char *q = v;
			bad = tp_num(&q, &d) || q != eol;
			if (KEY("gamma"))
				have_gamma = 1;
			else if (KEY("coef0"))
				have_coef0 = 1;
			else if (KEY("rho")) {
				have_rho = 1;
				rho = d;
			}
		} else if (KEY("nr_class")) {
			unsigned long long d;
			const char *q = v;
			if (tp_uint(&q, &d) || q != eol || d != 2)
				return tp_err(err, NT_EFORMAT, "%s:%zu: nr_class must be 2 (one-vs-rest models)", path,
				              line);
			have_nrc = 1;
		} else if (KEY("total_sv")) {
			const char *q = v;
			bad = tp_uint(&q, &total_sv) || q != eol || total_sv > 100000000ull;
			have_total = 1;
		} else if (KEY("label") || KEY("nr_sv")) {
			const char *q = v;
			for (int k = 0; k < 2 && !bad; k++) {
				if (k) {
					if (*q != ' ')
						bad = 1;
					q++;
				}
				if (bad)
					break;
				if (KEY("label")) {
					int neg = 0;
					if (*q == '-') {
						neg = 1;
						q++;
					}
					unsigned long long d;
					if (tp_uint(&q, &d) || d != 1)
						bad = 1;
					labels[k] = neg ? -1 : 1;
				} else if (tp_uint(&q, &nsv[k]))
					bad = 1;
			}
			if (q != eol)
				bad = 1;
			if (KEY("label")) {
				if (bad || labels[0] == labels[1])
					return tp_err(err, NT_EFORMAT, "%s:%zu: label must be \"1 -1\" or \"-1 1\"", path,
					              line);
				have_label = 1;
			} else
				have_nrsv = 1;
		} else {
			return tp_err(err, NT_EFORMAT, "%s:%zu: unknown header line in a libsvm model", path, line);
		}
#undef KEY
		if (bad)
			return tp_err(err, NT_EFORMAT, "%s:%zu: malformed header line", path, line);
		p = eol + 1;
		line++;
	}
	if (!have_type || !have_kernel || !have_nrc || !have_total || !have_rho || !have_label || !have_nrsv)
		return tp_err(err, NT_EFORMAT,
		              "%s: incomplete header (needs svm_type, kernel_type, nr_class, total_sv, rho, label, nr_sv)",
		              path);
	if ((*kernel != TP_K_LINEAR && !have_gamma) || (*kernel == TP_K_POLY && !have_degree) ||
	    ((*kernel == TP_K_POLY || *kernel == TP_K_SIGMOID) && !have_coef0))
		return tp_err(err, NT_EFORMAT, "%s: the kernel's parameters (gamma, degree, coef0) are missing", path);
	if (nsv[0] + nsv[1] != total_sv)
		return tp_err(err, NT_EFORMAT, "%s: nr_sv does not add up to total_sv", path);
	*sign = labels[0] == 1 ? 1 : -1;
	for (unsigned long long s = 0; s < total_sv; s++, line++) {
		if (p >= end)
			return tp_err(err, NT_EFORMAT, "%s:%zu: truncated: %llu of %llu support vectors", path, line, s,
			              total_sv);
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *q = p;
		double coef;
		if (tp_num(&q, &coef))
			return tp_err(err, NT_EFORMAT, "%s:%zu: bad coefficient", path, line);
		unsigned long long last = 0;
		while (q < eol && *q == ' ') {
			q++;
			if (q == eol)
				break;
			unsigned long long idx;
			double val;
			if (tp_uint(&q, &idx) || *q != ':')
				return tp_err(err, NT_EFORMAT, "%s:%zu: bad index:value pair", path, line);
			q++;
			if (tp_num(&q, &val))
				return tp_err(err, NT_EFORMAT, "%s:%zu: bad value", path, line);
			if (idx <= last || idx > nfeat)
				return tp_err(err, NT_EFORMAT,
				              "%s:%zu: feature index %llu out of order or over the vocabulary (%zu)", path,
				              line, idx, nfeat);
			last = idx;
			if (*kernel == TP_K_LINEAR && w)
				w[(size_t)(idx - 1) * stride] += *sign * coef * val;
		}
		if (q != eol)
			return tp_err(err, NT_EFORMAT, "%s:%zu: unexpected text in a support vector", path, line);
		p = eol + 1;
	}
	if (p != end)
		return tp_err(err, NT_EFORMAT, "%s:%zu: text after the last support vector", path, line);
	*bias = -(*sign) * rho;
	return NT_OK;
}

/* Parse the vocabulary: "newstag-topic-vocab 1 <n>" then n lines "hex16\tidf\tdf\ttext". */
static int tp_load_vocab(struct tp_model *m, const char *path, struct nt_error *err)
{
	char *buf;
	size_t len;
	int rc = tp_slurp(path, &buf, &len, err);
	if (rc)
		return rc;
	const char *p = buf, *end = buf + len;
	unsigned long long n = 0, ver = 0;
	size_t ml = sizeof(TP_VOCAB_MAGIC) - 1;
	if (len < ml + 1 || memcmp(p, TP_VOCAB_MAGIC " ", ml + 1) != 0) {
		free(buf);
		return tp_err(err, NT_EFORMAT, "%s:1: not a topic vocabulary (expected \"%s 1 N\")", path,
		              TP_VOCAB_MAGIC);
	}
	p += ml + 1;
	if (tp_uint(&p, &ver) || *p != ' ') {
		free(buf);
		return tp_err(err, NT_EFORMAT, "%s:1: malformed header", path);
	}
	if (ver != TP_FORMAT_VERSION) {
		free(buf);
		return tp_err(err, NT_EFORMAT, "%s:1: vocabulary format version %llu (this plugin reads %d)", path,
		              ver, TP_FORMAT_VERSION);
	}
	p++;
	if (tp_uint(&p, &n) || *p != '\n' || n == 0 || n > TP_MAX_FEATURES) {
		free(buf);
		return tp_err(err, NT_EFORMAT, "%s:1: bad feature count", path);
	}
	p++;
	m->nfeat = (size_t)n;
	m->hashes = malloc(m->nfeat * sizeof *m->hashes);
	m->idf = malloc(m->nfeat * sizeof *m->idf);
	if (!m->hashes || !m->idf) {
		free(buf);
		return tp_err(err, NT_ENOMEM, "%s: out of memory", path);
	}
	for (size_t i = 0; i < m->nfeat; i++) {
		size_t line = i + 2;
		if (p >= end) {
			free(buf);
			return tp_err(err, NT_EFORMAT, "%s:%zu: truncated: %zu of %zu features", path, line, i,
			              m->nfeat);
		}
		uint64_t h = 0;
		int fast = 0;
		if (end - p >= 16) {
			/* without branches (which digit or letter comes next is a coin toss for the branch
			 * predictor): '0'-'9' and 'a'-'f' are (c & 15) + 9 * bit 6 of c */
			unsigned bad = 0;
			for (int k = 0; k < 16; k++) {
				unsigned c = (unsigned char)p[k];
				bad |= (unsigned)(c - '0' > 9) & (unsigned)(c - 'a' > 5);
				h = (h << 4) | ((c & 15) + 9 * ((c >> 6) & 1));
			}
			if (!bad) {
				p += 16;
				fast = 1;
			} else
				h = 0; /* the loop below finds the bad digit and reports it */
		}
		for (int k = 0; !fast && k < 16; k++, p++) {
			int c = p < end ? (unsigned char)*p : 0, d;
			if (c >= '0' && c <= '9')
				d = c - '0';
			else if (c >= 'a' && c <= 'f')
				d = c - 'a' + 10;
			else {
				free(buf);
				return tp_err(err, NT_EFORMAT, "%s:%zu: bad feature hash", path, line);
			}
			h = (h << 4) | (uint64_t)d;
		}
		double idf;
		if (p >= end || *p != '\t') {
			free(buf);
			return tp_err(err, NT_EFORMAT, "%s:%zu: expected a tab after the hash", path, line);
		}
		p++;
		if (tp_num(&p, &idf) || idf <= 0 || p >= end || *p != '\t') {
			free(buf);
			return tp_err(err, NT_EFORMAT, "%s:%zu: bad idf", path, line);
		}
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol) {
			free(buf);
			return tp_err(err, NT_EFORMAT, "%s:%zu: truncated line", path, line);
		}
		m->hashes[i] = h;
		m->idf[i] = idf;
		p = eol + 1;
	}
	if (p != end) {
		free(buf);
		return tp_err(err, NT_EFORMAT, "%s:%zu: more lines than the %zu features announced", path,
		              m->nfeat + 2, m->nfeat);
	}
	free(buf);
	/* the lookup table */
	size_t cap = 16;
	while (cap < m->nfeat * 2)
		cap <<= 1;
	m->slots = calloc(cap, sizeof *m->slots);
	if (!m->slots)
		return tp_err(err, NT_ENOMEM, "%s: out of memory", path);
	m->mask = cap - 1;
	if (m->nfeat >= UINT32_MAX)
		return tp_err(err, NT_EFORMAT, "%s: too many features", path);
	for (size_t i = 0; i < m->nfeat; i++) {
		size_t s = (size_t)m->hashes[i] & m->mask;
		while (m->slots[s]) {
			if (m->hashes[(uint32_t)m->slots[s] - 1] == m->hashes[i])
				return tp_err(err, NT_EFORMAT, "%s:%zu: duplicate feature hash", path, i + 2);
			s = (s + 1) & m->mask;
		}
		m->slots[s] = (m->hashes[i] & 0xffffffff00000000ull) | (uint64_t)(i + 1);
	}
	return NT_OK;
}

/* Vocabulary index of hash h, or -1. */
/* Vocabulary index of feature hash h, or -1. A miss usually costs one slot read: the
 * full hash is compared only when the high 32 bits match. */
static long tp_lookup(const struct tp_model *m, uint64_t h)
{
	size_t s = (size_t)h & m->mask;
	uint64_t tag = h & 0xffffffff00000000ull;
	for (uint64_t v; (v = m->slots[s]) != 0; s = (s + 1) & m->mask) {
		if ((v & 0xffffffff00000000ull) != tag)
			continue;
		uint32_t i = (uint32_t)v - 1;
		uint64_t fh;
		memcpy(&fh, &m->feat[(size_t)i * m->stride], sizeof fh);
		if (fh == h)
			return (long)i;
	}
	return -1;
}

static void tp_model_free(struct tp_model *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nlabels; i++) {
		free(m->labels[i].name);
		if (m->labels[i].svm)
			svm_free_and_destroy_model(&m->labels[i].svm);
	}
	if (m->label_strs)
		for (size_t i = 0; m->label_strs[i]; i++)
			free(m->label_strs[i]);
	free(m->label_strs);
	free(m->labels);
	free(m->hashes);
	free(m->idf);
	free(m->w);
	free(m->feat);
	free(m->slots);
	free(m->dir);
	free(m->facet);
	free(m);
}

static char *tp_join(const char *dir, const char *name)
{
	size_t a = strlen(dir), b = strlen(name);
	char *s = malloc(a + b + 2);
	if (!s)
		return NULL;
	memcpy(s, dir, a);
	s[a] = '/';
	memcpy(s + a + 1, name, b + 1);
	return s;
}

/* A file name from the manifest must be a plain name inside the model directory. */
static int tp_plain_name(const char *s)
{
	if (!s || !*s || strchr(s, '/') || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return 0;
	return 1;
}

static const cJSON *tp_get(const cJSON *o, const char *k)
{
	return cJSON_GetObjectItemCaseSensitive(o, k);
}

/* Load and validate a whole model directory. */
static int tp_model_load(const struct nt_host *host, const char *dir, long max_evidence,
                         struct tp_model **out, struct nt_error *err)
{
	struct tp_model *m = calloc(1, sizeof *m);
	char *mpath = NULL, *mbuf = NULL, *fpath = NULL;
	cJSON *man = NULL;
	int rc;
	if (!m)
		return tp_err(err, NT_ENOMEM, "out of memory");
	m->host = host;
	m->max_evidence = max_evidence < 0 ? 0 : max_evidence;
	for (int k = 1; k < TP_LOGK; k++)
		m->logk[k] = log((double)k);
	m->dir = strdup(dir);
	mpath = tp_join(dir, "manifest.json");
	if (!m->dir || !mpath) {
		rc = tp_err(err, NT_ENOMEM, "out of memory");
		goto fail;
	}
	struct stat st;
	if (stat(dir, &st) != 0) {
		rc = tp_err(err, NT_ENOTFOUND, "model directory %s: %s", dir, strerror(errno));
		goto fail;
	}
	if (!S_ISDIR(st.st_mode)) {
		rc = tp_err(err, NT_EFORMAT, "model %s: not a directory (a topic model is a directory with manifest.json)",
		            dir);
		goto fail;
	}
	size_t mlen;
	rc = tp_slurp(mpath, &mbuf, &mlen, err);
	if (rc)
		goto fail;
	const char *pend = NULL;
	man = cJSON_ParseWithLengthOpts(mbuf, mlen + 1, &pend, 1);
	if (!man || !cJSON_IsObject(man)) {
		size_t line = 1;
		if (pend)
			for (const char *q = mbuf; q < pend && q < mbuf + mlen; q++)
				line += *q == '\n';
		rc = tp_err(err, NT_EFORMAT, "%s:%zu: not valid JSON (%s)", mpath, line,
		            mlen == 0 ? "empty file" : "parse error");
		goto fail;
	}
	const cJSON *fmt = tp_get(man, "format"), *ver = tp_get(man, "version"), *plug = tp_get(man, "plugin"),
	            *facet = tp_get(man, "facet"), *labels = tp_get(man, "labels"), *feat = tp_get(man, "features"),
	            *vocab = tp_get(man, "vocabulary"), *single = tp_get(man, "single_label");
	if (!cJSON_IsString(fmt) || strcmp(fmt->valuestring, TP_FORMAT) != 0) {
		rc = tp_err(err, NT_EFORMAT, "%s: \"format\" is not \"%s\"", mpath, TP_FORMAT);
		goto fail;
	}
	if (!cJSON_IsNumber(ver) || ver->valuedouble != TP_FORMAT_VERSION) {
		rc = tp_err(err, NT_EFORMAT, "%s: model format version %g is not supported (this plugin reads %d)",
		            mpath, cJSON_IsNumber(ver) ? ver->valuedouble : -1.0, TP_FORMAT_VERSION);
		goto fail;
	}
	if (!cJSON_IsString(plug) || strcmp(plug->valuestring, TP_NAME) != 0) {
		rc = tp_err(err, NT_EFORMAT, "%s: \"plugin\" is not \"topic\"", mpath);
		goto fail;
	}
	if (!cJSON_IsString(facet) || !facet->valuestring[0]) {
		rc = tp_err(err, NT_EFORMAT, "%s: \"facet\" must be a non-empty string", mpath);
		goto fail;
	}
	if (!cJSON_IsArray(labels) || cJSON_GetArraySize(labels) < 1 ||
	    cJSON_GetArraySize(labels) > TP_MAX_LABELS) {
		rc = tp_err(err, NT_EFORMAT, "%s: \"labels\" must be a non-empty array", mpath);
		goto fail;
	}
	if (!cJSON_IsObject(feat) || !cJSON_IsObject(vocab)) {
		rc = tp_err(err, NT_EFORMAT, "%s: \"features\" and \"vocabulary\" objects are required", mpath);
		goto fail;
	}
	m->facet = strdup(facet->valuestring);
	m->single = cJSON_IsTrue(single);
	const cJSON *bg = tp_get(feat, "bigrams"), *tw = tp_get(feat, "title_weight"),
	            *st_ = tp_get(feat, "skip_trailer"), *hs = tp_get(feat, "hash");
	if (!cJSON_IsBool(bg) || !cJSON_IsNumber(tw) || !cJSON_IsBool(st_) || !cJSON_IsString(hs) ||
	    strcmp(hs->valuestring, "fnv1a64-folded") != 0 || !(tw->valuedouble > 0 && tw->valuedouble <= 100)) {
		rc = tp_err(err, NT_EFORMAT,
		            "%s: \"features\" needs bigrams, title_weight (0..100], skip_trailer and hash \"fnv1a64-folded\"",
		            mpath);
		goto fail;
	}
	m->fs.bigrams = cJSON_IsTrue(bg);
	m->fs.title_weight = tw->valuedouble;
	m->fs.skip_trailer = cJSON_IsTrue(st_);
	const cJSON *cg = tp_get(feat, "char_ngrams");
	if (cg) {
		const cJSON *c0 = cJSON_GetArrayItem(cg, 0), *c1 = cJSON_GetArrayItem(cg, 1);
		if (!cJSON_IsArray(cg) || cJSON_GetArraySize(cg) != 2 || !cJSON_IsNumber(c0) || !cJSON_IsNumber(c1) ||
		    c0->valuedouble < 0 || c0->valuedouble > 10 || c1->valuedouble < c0->valuedouble ||
		    c1->valuedouble > 10) {
			rc = tp_err(err, NT_EFORMAT, "%s: \"features\".\"char_ngrams\" must be [min, max] with 0 <= min <= max <= 10",
			            mpath);
			goto fail;
		}
		m->fs.char_min = (int)c0->valuedouble;
		m->fs.char_max = (int)c1->valuedouble;
		if (m->fs.char_min == 0)
			m->fs.char_max = 0;
	}
	const cJSON *vf = tp_get(vocab, "file"), *vn = tp_get(vocab, "features");
	if (!cJSON_IsString(vf) || !tp_plain_name(vf->valuestring) || !cJSON_IsNumber(vn)) {
		rc = tp_err(err, NT_EFORMAT, "%s: \"vocabulary\" needs a plain \"file\" name and \"features\"", mpath);
		goto fail;
	}
	fpath = tp_join(dir, vf->valuestring);
	if (!fpath || !m->facet) {
		rc = tp_err(err, NT_ENOMEM, "out of memory");
		goto fail;
	}
	rc = tp_load_vocab(m, fpath, err);
	if (rc)
		goto fail;
	if ((double)m->nfeat != vn->valuedouble) {
		rc = tp_err(err, NT_EFORMAT, "%s: %zu features, but the manifest says %g", fpath, m->nfeat,
		            vn->valuedouble);
		goto fail;
	}
	free(fpath);
	fpath = NULL;
	m->nlabels = (size_t)cJSON_GetArraySize(labels);
	m->labels = calloc(m->nlabels, sizeof *m->labels);
	m->w = calloc(m->nfeat * m->nlabels, sizeof *m->w);
	m->label_strs = calloc(m->nlabels + 1, sizeof *m->label_strs);
	if (!m->labels || !m->w || !m->label_strs) {
		rc = tp_err(err, NT_ENOMEM, "out of memory (%zu features x %zu labels)", m->nfeat, m->nlabels);
		goto fail;
	}
	size_t li = 0;
	const cJSON *lab;
	cJSON_ArrayForEach(lab, labels)
	{
		struct tp_label *L = &m->labels[li];
		const cJSON *ln = tp_get(lab, "label"), *lf = tp_get(lab, "file"), *th = tp_get(lab, "threshold"),
		            *pl = tp_get(lab, "platt");
		if (!cJSON_IsObject(lab) || !cJSON_IsString(ln) || !ln->valuestring[0] || !cJSON_IsString(lf) ||
		    !tp_plain_name(lf->valuestring) || !cJSON_IsNumber(th) || th->valuedouble < 0 ||
		    th->valuedouble > 1 || !cJSON_IsArray(pl) || cJSON_GetArraySize(pl) != 2 ||
		    !cJSON_IsNumber(cJSON_GetArrayItem(pl, 0)) || !cJSON_IsNumber(cJSON_GetArrayItem(pl, 1))) {
			rc = tp_err(err, NT_EFORMAT,
			            "%s: labels[%zu] needs \"label\", a plain \"file\", \"threshold\" in [0,1] and \"platt\": [A, B]",
			            mpath, li);
			goto fail;
		}
		for (size_t k = 0; k < li; k++)
			if (strcmp(m->labels[k].name, ln->valuestring) == 0) {
				rc = tp_err(err, NT_EFORMAT, "%s: label \"%s\" appears twice", mpath, ln->valuestring);
				goto fail;
			}
		L->name = strdup(ln->valuestring);
		L->threshold = th->valuedouble;
		L->A = cJSON_GetArrayItem(pl, 0)->valuedouble;
		L->B = cJSON_GetArrayItem(pl, 1)->valuedouble;
		size_t sl = strlen(m->facet) + strlen(ln->valuestring) + 2;
		m->label_strs[li] = malloc(sl);
		fpath = tp_join(dir, lf->valuestring);
		if (!L->name || !m->label_strs[li] || !fpath) {
			rc = tp_err(err, NT_ENOMEM, "out of memory");
			goto fail;
		}
		snprintf(m->label_strs[li], sl, "%s:%s", m->facet, ln->valuestring);
		char *sbuf;
		size_t slen;
		rc = tp_slurp(fpath, &sbuf, &slen, err);
		if (rc)
			goto fail;
		int kernel = TP_K_LINEAR, sign = 1;
		/* validate fully first; collapse when linear (weights land in column li) */
		rc = tp_svm_validate(fpath, sbuf, slen, m->nfeat, m->w + li, m->nlabels, &L->bias, &kernel, &sign,
		                     err);
		free(sbuf);
		if (rc)
			goto fail;
		if (kernel != TP_K_LINEAR) {
			/* libsvm's print hook is a global and svm_load_model() switches the process
			 * locale: one load at a time (open() may run on several threads) */
			pthread_mutex_lock(&tp_libsvm_lock);
			svm_set_print_string_function(tp_quiet);
			L->svm = svm_load_model(fpath);
			pthread_mutex_unlock(&tp_libsvm_lock);
			if (!L->svm) {
				rc = tp_err(err, NT_EFORMAT, "%s: libsvm could not load the model", fpath);
				goto fail;
			}
			L->sign = sign;
			m->any_kernel = 1;
		}
		free(fpath);
		fpath = NULL;
		li++;
	}
	/* pack hash, idf and weights of each feature side by side: classify touches one line */
	m->stride = 2 + m->nlabels;
	m->feat = malloc((m->nfeat * m->stride + 1) * sizeof *m->feat);
	if (!m->feat) {
		rc = tp_err(err, NT_ENOMEM, "out of memory (%zu features x %zu labels)", m->nfeat, m->nlabels);
		goto fail;
	}
	for (size_t i = 0; i < m->nfeat; i++) {
		double *f = &m->feat[i * m->stride];
		memcpy(&f[0], &m->hashes[i], sizeof m->hashes[i]);
		f[1] = m->idf[i];
		memcpy(&f[2], &m->w[i * m->nlabels], m->nlabels * sizeof *m->w);
	}
	free(m->hashes);
	free(m->idf);
	free(m->w);
	m->hashes = NULL;
	m->idf = NULL;
	m->w = NULL;
	if (host && host->digest_file && host->digest_file(mpath, m->digest, sizeof m->digest) != NT_OK)
		m->digest[0] = '\0';
	m->facets[0] = m->facet;
	m->facets[1] = NULL;
	cJSON_Delete(man);
	free(mbuf);
	free(mpath);
	*out = m;
	return NT_OK;
fail:
	cJSON_Delete(man);
	free(mbuf);
	free(mpath);
	free(fpath);
	tp_model_free(m);
	return rc;
}

/* ---------------------------------------------------------------- plugin operations */

static int tp_open(const struct nt_host *host, const void *config, const char *models_dir, void **state,
                   struct nt_error *err)
{
	const struct tp_config *c = config;
	(void)models_dir;
	if (!c || !c->model || !c->model[0])
		return tp_err(err, NT_EINVAL, "option \"model\" (a model directory) is required");
	struct tp_model *m = NULL;
	int rc = tp_model_load(host, c->model, c->max_evidence, &m, err);
	if (rc)
		return rc;
	*state = m;
	return NT_OK;
}

static void tp_close(void *state)
{
	tp_model_free(state);
}

static int tp_describe(const void *state, struct nt_info *info)
{
	const struct tp_model *m = state;
	memset(info, 0, sizeof *info);
	info->facets = m->facets;
	info->labels = (const char *const *)m->label_strs;
	info->model = m->dir;
	info->model_digest = m->digest[0] ? m->digest : NULL;
	info->single_label = m->single;
	return NT_OK;
}

/* A feature of the document found in the vocabulary. */
struct tp_hit {
	uint32_t idx;    /* vocabulary index */
	float tf;        /* weighted count */
	uint32_t tok, tok2; /* first occurrence */
	double x;        /* TF-IDF value, L2 normalised */
};

/* Collapse the occurrences of the document into one hit per vocabulary feature, in
 * vocabulary order: tf sums the occurrence weights in document order, tok/tok2 keep the
 * first occurrence (occurrences of one feature come out of tp_extract in token order).
 * A bitmap over the vocabulary (nfeat bits, cleared per document) marks the features
 * seen and a position array (nfeat entries, read only where a bit is set) finds their
 * hit; reading the bitmap in order gives the hits sorted without a sort. Returns the
 * number of hits written to hits (room for no), or -1 when scratch memory ran out. */
static long tp_collect_hits(const struct tp_model *m, const struct tp_occ *occ, size_t no, struct tp_hit *hits,
                            struct nt_sink *sink)
{
	const struct nt_host *h = m->host;
	size_t nw = (m->nfeat + 63) / 64;
	uint64_t *seen = h->scratch(sink, (nw + 1) * sizeof *seen);
	uint32_t *pos = h->scratch(sink, (m->nfeat + 1) * sizeof *pos);
	struct tp_hit *uniq = h->scratch(sink, (no + 1) * sizeof *uniq);
	long *found = h->scratch(sink, (no + 1) * sizeof *found);
	if (!seen || !pos || !uniq || !found)
		return -1;
	memset(seen, 0, nw * sizeof *seen);
	/* all lookups first: they do not depend on each other, so their cache misses overlap */
	for (size_t i = 0; i < no; i++)
		found[i] = tp_lookup(m, occ[i].hash);
	uint32_t nu = 0;
	for (size_t i = 0; i < no; i++) {
		long idx = found[i];
		if (idx < 0)
			continue;
		uint64_t bit = 1ull << (idx & 63);
		if (seen[idx >> 6] & bit) {
			uniq[pos[idx]].tf += occ[i].weight;
			continue;
		}
		seen[idx >> 6] |= bit;
		pos[idx] = nu;
		uniq[nu].idx = (uint32_t)idx;
		uniq[nu].tf = occ[i].weight;
		uniq[nu].tok = occ[i].tok;
		uniq[nu].tok2 = occ[i].tok2;
		nu++;
	}
	size_t k = 0;
	for (size_t w = 0; w < nw && k < nu; w++)
		for (uint64_t bits = seen[w]; bits; bits &= bits - 1)
			hits[k++] = uniq[pos[w * 64 + (size_t)__builtin_ctzll(bits)]];
	return (long)k;
}

/* Evidence candidate: contribution of one feature to a label. */
struct tp_contrib {
	double c;
	size_t hit;
};

/* Up to this many evidence features per label are selected by insertion, more by a sort. */
#define TP_EVIDENCE_SELECT 32

static int tp_contrib_cmp(const void *a, const void *b)
{
	const struct tp_contrib *x = a, *y = b;
	if (x->c != y->c)
		return x->c > y->c ? -1 : 1;
	return x->hit < y->hit ? -1 : x->hit > y->hit;
}

static int tp_classify(const void *state, const struct nt_doc *doc, struct nt_sink *sink, struct nt_error *err)
{
	const struct tp_model *m = state;
	const struct nt_host *h = m->host;
	size_t nl = m->nlabels;
	double *score = h->scratch(sink, nl * 2 * sizeof(double) + 16);
	if (!score)
		return tp_err(err, NT_ENOMEM, "out of memory");
	double *prob = score + nl;
	struct tp_occ *occ = NULL;
	struct tp_hit *hits = NULL;
	size_t nh = 0;
	if (doc->ntokens) {
		size_t bound = tp_occ_bound(doc, &m->fs);
		occ = h->scratch(sink, bound * sizeof *occ);
		hits = h->scratch(sink, bound * sizeof *hits);
		if (!occ || !hits)
			return tp_err(err, NT_ENOMEM, "out of memory");
		size_t no = tp_extract(doc, &m->fs, occ);
		long k = tp_collect_hits(m, occ, no, hits, sink);
		if (k < 0)
			return tp_err(err, NT_ENOMEM, "out of memory");
		nh = (size_t)k;
	}
	double norm = 0;
	for (size_t i = 0; i < nh; i++) {
		float tf = hits[i].tf;
		int k = tf >= 1.0f && tf < (float)TP_LOGK ? (int)tf : 0;
		double ltf = k && (float)k == tf ? m->logk[k] : log(tf);
		hits[i].x = (1.0 + ltf) * m->feat[(size_t)hits[i].idx * m->stride + 1];
		norm += hits[i].x * hits[i].x;
	}
	norm = norm > 0 ? 1.0 / sqrt(norm) : 0;
	for (size_t i = 0; i < nh; i++)
		hits[i].x *= norm;
	for (size_t l = 0; l < nl; l++)
		score[l] = m->labels[l].svm ? 0 : m->labels[l].bias;
	for (size_t i = 0; i < nh; i++) {
		const double *row = m->feat + (size_t)hits[i].idx * m->stride + 2;
		for (size_t l = 0; l < nl; l++)
			score[l] += row[l] * hits[i].x;
	}
	if (m->any_kernel) {
		struct svm_node *x = h->scratch(sink, (nh + 1) * sizeof *x);
		if (!x)
			return tp_err(err, NT_ENOMEM, "out of memory");
		for (size_t i = 0; i < nh; i++) {
			x[i].index = (int)hits[i].idx + 1;
			x[i].value = hits[i].x;
		}
		x[nh].index = -1;
		x[nh].value = 0;
		for (size_t l = 0; l < nl; l++)
			if (m->labels[l].svm) {
				double dec = 0;
				svm_predict_values(m->labels[l].svm, x, &dec);
				score[l] = m->labels[l].sign * dec;
			}
	}
	size_t best = 0;
	for (size_t l = 0; l < nl; l++) {
		prob[l] = tp_platt(m->labels[l].A, m->labels[l].B, score[l]);
		if (prob[l] > prob[best])
			best = l;
		int rc = h->emit_score(sink, m->facet, m->labels[l].name, prob[l]);
		if (rc < 0)
			return tp_err(err, rc, "emit_score failed");
	}
	struct tp_contrib *con = nh ? h->scratch(sink, nh * sizeof *con) : NULL;
	if (nh && !con)
		return tp_err(err, NT_ENOMEM, "out of memory");
	for (size_t l = 0; l < nl; l++) {
		if (m->single && l != best)
			continue;
		if (prob[l] < m->labels[l].threshold)
			continue;
		int idx = h->emit_label(sink, m->facet, m->labels[l].name, prob[l]);
		if (idx < 0)
			return tp_err(err, idx, "emit_label failed");
		if (m->labels[l].svm || !m->max_evidence || !nh)
			continue;
		size_t nc = 0, keep = (size_t)m->max_evidence;
		if (keep > TP_EVIDENCE_SELECT) {
			for (size_t i = 0; i < nh; i++) {
				double c = m->feat[(size_t)hits[i].idx * m->stride + 2 + l] * hits[i].x;
				if (c > 0) {
					con[nc].c = c;
					con[nc].hit = i;
					nc++;
				}
			}
			qsort(con, nc, sizeof *con, tp_contrib_cmp);
		} else {
			/* the best `keep` in tp_contrib_cmp order, kept sorted: hits come in increasing
			 * index order, so a newcomer ranks after an equal contribution */
			for (size_t i = 0; i < nh; i++) {
				double c = m->feat[(size_t)hits[i].idx * m->stride + 2 + l] * hits[i].x;
				size_t pos;
				if (!(c > 0) || (nc == keep && !(c > con[nc - 1].c)))
					continue;
				if (nc < keep)
					nc++;
				for (pos = nc - 1; pos > 0 && c > con[pos - 1].c; pos--)
					con[pos] = con[pos - 1];
				con[pos].c = c;
				con[pos].hit = i;
			}
		}
		for (size_t k = 0; k < nc && k < (size_t)m->max_evidence; k++) {
			const struct tp_hit *ht = &hits[con[k].hit];
			const struct nt_token *a = &doc->tokens[ht->tok], *b = &doc->tokens[ht->tok2];
			int rc = h->emit_evidence(sink, idx, a->src, a->start, b->end, con[k].c);
			if (rc < 0)
				return tp_err(err, rc, "emit_evidence failed");
		}
	}
	return NT_OK;
}

static const struct nt_plugin tp_plugin = {
	NT_PLUGIN_HEADER,
	.name = TP_NAME,
	.version = TP_VERSION,
	.description = "topic classifier: TF-IDF word and bigram features, one-vs-rest linear SVMs (NBSVM) or libsvm kernels, Platt probabilities",
	.facets = tp_facets,
	.options = tp_options,
	.config_size = sizeof(struct tp_config),
	.open = tp_open,
	.classify = tp_classify,
	.close = tp_close,
	.describe = tp_describe,
	.train = tp_train,
	.flags = NT_PLUGIN_OPEN_CONCURRENT,
};

NT_PLUGIN_DEFINE(topic, tp_plugin)
