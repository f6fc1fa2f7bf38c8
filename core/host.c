/* host.c - the host API table handed to plugins, and the sink it writes into */
#include "config.h"
#include "host.h"
#include "sink.h"
#include "docmodel.h"
#include "sha256.h"
#include "trainset.h"
#include "util.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---------------------------------------------------------------- arena */

struct nt_arena_chunk {
	struct nt_arena_chunk *next;
	size_t cap, used;
	/* data follows, 16-byte aligned */
	max_align_t data[];
};

/* A new chunk for n bytes (n already rounded), as the arena's head. */
static void *arena_alloc_chunk(struct nt_arena *a, size_t n)
{
	size_t cap = n > 16384 ? n : 16384;
	struct nt_arena_chunk *c = malloc(sizeof *c + cap);
	if (!c)
		return NULL;
	c->cap = cap;
	c->used = n;
	c->next = a->head;
	a->head = c;
	return c->data;
}

/* nt_arena_alloc(), inlined in this file: the exported symbol may be interposed, so the
 * compiler would not inline calls to it (the emits and scratch() allocate on every call). */
static inline void *arena_alloc(struct nt_arena *a, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	if (n == 0)
		n = 16;
	struct nt_arena_chunk *c = a->head;
	if (!c || c->cap - c->used < n)
		return arena_alloc_chunk(a, n);
	void *p = (char *)c->data + c->used;
	c->used += n;
	return p;
}

void *nt_arena_alloc(struct nt_arena *a, size_t n)
{
	return arena_alloc(a, n);
}

/* Largest arena kept between documents; above it the memory goes back to malloc. */
#define NT_ARENA_KEEP ((size_t)8 << 20)

void nt_arena_reset(struct nt_arena *a)
{
	/* Keep one chunk as large as everything this document used (up to NT_ARENA_KEEP), so
	 * the next document of the same size allocates nothing: no malloc/free per document. */
	struct nt_arena_chunk *c = a->head;
	if (!c)
		return;
	c->used = 0;
	if (!c->next)
		return;
	size_t total = 0;
	for (struct nt_arena_chunk *k = c; k; k = k->next)
		total += k->cap;
	nt_arena_free(a);
	if (total > NT_ARENA_KEEP)
		return;
	c = malloc(sizeof *c + total);
	if (!c)
		return; /* the next alloc starts a new chunk */
	c->cap = total;
	c->used = 0;
	c->next = NULL;
	a->head = c;
}

void nt_arena_free(struct nt_arena *a)
{
	struct nt_arena_chunk *c = a->head;
	while (c) {
		struct nt_arena_chunk *nx = c->next;
		free(c);
		c = nx;
	}
	a->head = NULL;
}

/* ---------------------------------------------------------------- sink */

void nt_sink_reset(struct nt_sink *s, const char *instance)
{
	s->instance = instance;
	s->nlabels = s->nev = s->nnumbers = s->nscores = 0;
	s->overflow = 0;
	s->last_facet = NULL;
	nt_arena_reset(&s->arena);
}

void nt_sink_set_known(struct nt_sink *s, const struct nt_known *k)
{
	s->known = k;
}

void nt_sink_release(struct nt_sink *s)
{
	free(s->labels);
	free(s->ev);
	free(s->numbers);
	free(s->scores);
	nt_arena_free(&s->arena);
	memset(s, 0, sizeof *s);
}

/* Grow *p (an array of *cap elements of elem bytes) to hold need; kept out of line, so the
 * emits' common path (room left) saves no registers. */
static __attribute__((noinline)) int grow_array(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return NT_OK;
	size_t c = *cap ? *cap * 2 : 8;
	while (c < need)
		c *= 2;
	void *q = realloc(*p, c * elem);
	if (!q)
		return NT_ENOMEM;
	*p = q;
	*cap = c;
	return NT_OK;
}

/* A cheap fingerprint of a name to find repeats before a strcmp (its length and its first
 * and last up to 8 bytes), and its length through *len, at most 128 (0 for NULL); names
 * are 1..127 bytes. (The numbers' fingerprints: the combiner compares them across sinks.) */
static inline uint64_t name_fp_n(const char *s, size_t n);
static inline uint64_t name_fp(const char *s, size_t *len)
{
	if (s == NULL) {
		*len = 0;
		return 0;
	}
	*len = strnlen(s, 128);
	return name_fp_n(s, *len);
}

/* name_fp() of s, whose length n (< 128) is known. */
static inline uint64_t name_fp_n(const char *s, size_t n)
{
	uint64_t a = 0, b = 0;
	/* two loads of fixed size that overlap when n is not a power of two */
	if (n >= 8) {
		memcpy(&a, s, 8);
		memcpy(&b, s + n - 8, 8);
	} else if (n >= 4) {
		uint32_t x, y;
		memcpy(&x, s, 4);
		memcpy(&y, s + n - 4, 4);
		a = x;
		b = y;
	} else if (n >= 2) {
		uint16_t x, y;
		memcpy(&x, s, 2);
		memcpy(&y, s + n - 2, 2);
		a = x;
		b = y;
	} else if (n == 1) {
		a = (unsigned char)s[0];
	}
	return (a * 0x9E3779B97F4A7C15ULL) ^ ((b ^ n) * 0xC2B2AE3D27D4EB4FULL) ^ (a >> 29);
}

/* The arena copy of facet (length n, fingerprint fp): the sink's last facet when equal. */
static const char *facet_copy(struct nt_sink *s, const char *facet, size_t n, uint64_t fp)
{
	if (s->last_facet && s->last_facet_h == fp && strcmp(s->last_facet, facet) == 0)
		return s->last_facet;
	char *p = arena_alloc(&s->arena, n + 1);
	if (p) {
		memcpy(p, facet, n + 1);
		s->last_facet = p;
		s->last_facet_h = fp;
	}
	return p;
}

static const char *name_copy(struct nt_sink *s, const char *name, size_t n)
{
	char *p = arena_alloc(&s->arena, n + 1);
	if (p)
		memcpy(p, name, n + 1);
	return p;
}

/* Copy name (NULL: none) into the arena and measure it on the way, in one pass: its length
 * through *len (0 for NULL or "" and 128 when longer than 127 bytes: both invalid). The
 * 128-byte block taken for it is trimmed to the copy (it is the arena's last allocation).
 * NULL when the arena has no memory. */
static char *name_copy_measure(struct nt_arena *a, const char *name, size_t *len)
{
	char *p = arena_alloc(a, 128);
	size_t n = 0;
	if (p == NULL)
		return NULL;
	if (name != NULL)
		while (n < 128 && name[n] != '\0') {
			p[n] = name[n];
			n++;
		}
	if (n < 128)
		p[n] = '\0';
	*len = n;
	a->head->used = (size_t)(p - (char *)a->head->data) + (n < 128 ? (n + 16) & ~(size_t)15 : 0);
	return p;
}

/* Are the names a and b (not NULL) equal? */
static inline int name_eq(const char *a, const char *b)
{
	size_t i = 0;
	while (a[i] != '\0' && a[i] == b[i])
		i++;
	return a[i] == b[i];
}

static int host_emit_label(struct nt_sink *s, const char *facet, const char *label, double score)
{
	size_t fl, ll;
	uint64_t fh;
	/* the label copied and measured at once; the facet, most often the last one, compared */
	char *lc = name_copy_measure(&s->arena, label, &ll);
	const char *fc;
	if (lc == NULL) {
		(void)name_fp(facet, &fl);
		(void)name_fp(label, &ll);
		if (fl == 0 || fl >= 128 || ll == 0 || ll >= 128)
			return NT_EINVAL;
		s->overflow = 1;
		return NT_ENOMEM;
	}
	if (ll == 0 || ll >= 128)
		return NT_EINVAL;
	if (facet != NULL && s->last_facet != NULL && name_eq(s->last_facet, facet)) {
		fc = s->last_facet;
		fh = s->last_facet_h;
	} else {
		char *p = name_copy_measure(&s->arena, facet, &fl);
		if (p == NULL) {
			(void)name_fp(facet, &fl);
			if (fl == 0 || fl >= 128)
				return NT_EINVAL;
			s->overflow = 1;
			return NT_ENOMEM;
		}
		if (fl == 0 || fl >= 128)
			return NT_EINVAL;
		fh = name_fp_n(p, fl);
		s->last_facet = p;
		s->last_facet_h = fh;
		fc = p;
	}
	uint64_t h = fh * 31 ^ name_fp_n(lc, ll);
	if (!(score >= 0.0))
		score = 0.0; /* NaN and negatives */
	if (score > 1.0)
		score = 1.0;
	/* the same label twice from one plugin keeps the higher score */
	for (size_t i = 0; i < s->nlabels; i++)
		if (s->labels[i].h == h && strcmp(s->labels[i].facet, fc) == 0 &&
		    strcmp(s->labels[i].label, lc) == 0) {
			if (score > s->labels[i].score)
				s->labels[i].score = score;
			return (int)i;
		}
	if (s->nlabels == s->labels_cap &&
	    grow_array((void **)&s->labels, &s->labels_cap, s->nlabels + 1, sizeof *s->labels) != NT_OK) {
		s->overflow = 1;
		return NT_ENOMEM;
	}
	struct nt_sink_label *l = &s->labels[s->nlabels];
	l->facet = fc;
	l->label = lc;
	l->h = h;
	l->score = score;
	return (int)s->nlabels++;
}

/* Store evidence in the sink's array, which has room. */
static inline void evidence_put(struct nt_sink *s, int label_idx, int src, uint32_t start,
                                uint32_t end, double weight)
{
	struct nt_sink_evidence *e = &s->ev[s->nev++];
	e->label = label_idx;
	e->src = (uint8_t)src;
	e->start = start;
	e->end = end;
	e->weight = weight == weight ? weight : 0.0;
}

/* host_emit_evidence() when the array is full: grow it, then store. */
static __attribute__((noinline)) int evidence_grow_put(struct nt_sink *s, int label_idx, int src,
                                                       uint32_t start, uint32_t end, double weight)
{
	if (grow_array((void **)&s->ev, &s->ev_cap, s->nev + 1, sizeof *s->ev) != NT_OK) {
		s->overflow = 1;
		return NT_ENOMEM;
	}
	evidence_put(s, label_idx, src, start, end, weight);
	return NT_OK;
}

static int host_emit_evidence(struct nt_sink *s, int label_idx, int src, uint32_t start,
                              uint32_t end, double weight)
{
	if (label_idx < 0 || (size_t)label_idx >= s->nlabels || end < start ||
	    (src != NT_SRC_TEXT && src != NT_SRC_TITLE))
		return NT_EINVAL;
	if (s->nev == s->ev_cap) /* (a tail call: the common path saves no registers) */
		return evidence_grow_put(s, label_idx, src, start, end, weight);
	evidence_put(s, label_idx, src, start, end, weight);
	return NT_OK;
}

/* ---------------------------------------------------------------- known labels */

/* Intern the NULL-terminated "facet:name" list into *v (n entries, their split copies in
 * *strings): see struct nt_known. numbers: the names are number keys ("labels" and "scores"
 * are reserved). NT_OK (an empty list for NULL) or NT_ENOMEM (nothing allocated). */
static int known_intern(const char *const *list, int numbers, struct nt_known_label **v, size_t *n,
                        char **strings)
{
	size_t m = 0, bytes = 0;
	*v = NULL;
	*n = 0;
	*strings = NULL;
	for (; list && list[m]; m++)
		bytes += strlen(list[m]) + 1;
	if (m == 0)
		return NT_OK;
	*v = calloc(m, sizeof **v);
	*strings = malloc(bytes + 1);
	if (*v == NULL || *strings == NULL) {
		free(*v);
		free(*strings);
		*v = NULL;
		*strings = NULL;
		return NT_ENOMEM;
	}
	char *w = *strings;
	for (size_t i = 0; i < m; i++) {
		const char *e = list[i], *colon = strchr(e, ':');
		size_t len = strlen(e);
		memcpy(w, e, len + 1);
		if (colon != NULL) {
			size_t fl = (size_t)(colon - e), ll = len - fl - 1;
			const char *name = w + fl + 1;
			if (fl > 0 && fl < 128 && ll > 0 && ll < 128 &&
			    !(numbers && (strcmp(name, "labels") == 0 || strcmp(name, "scores") == 0))) {
				w[fl] = '\0';
				(*v)[i].facet = w;
				(*v)[i].label = name;
				(*v)[i].h = name_fp_n(w, fl) * 31 ^ name_fp_n(name, ll);
			}
		}
		w += len + 1;
	}
	*n = m;
	return NT_OK;
}

int nt_known_build(struct nt_known *k, const struct nt_plugin *p, const void *state)
{
	struct nt_info info = {0};
	const char *const *numbers = NULL;
	memset(k, 0, sizeof *k);
	if (p->describe != NULL && p->describe(state, &info) != NT_OK)
		info.labels = NULL;
	/* describe_numbers() only in descriptors of ABI 1.3 and later (a NULL slot before) */
	if (p->struct_size > offsetof(struct nt_plugin, describe_numbers) && p->describe_numbers != NULL &&
	    p->describe_numbers(state, &numbers) != NT_OK)
		numbers = NULL;
	if (known_intern(info.labels, 0, &k->v, &k->n, &k->strings) != NT_OK ||
	    known_intern(numbers, 1, &k->num, &k->nnum, &k->num_strings) != NT_OK) {
		nt_known_free(k);
		return NT_ENOMEM;
	}
	return NT_OK;
}

void nt_known_free(struct nt_known *k)
{
	free(k->v);
	free(k->strings);
	free(k->num);
	free(k->num_strings);
	memset(k, 0, sizeof *k);
}

static int host_emit_known(struct nt_sink *s, size_t id, double score, const struct nt_span *sp,
                           size_t n)
{
	const struct nt_known *k = s->known;
	if (k == NULL || k->n == 0)
		return NT_EUNSUPPORTED;
	if (id >= k->n || k->v[id].facet == NULL || (n > 0 && sp == NULL))
		return NT_EINVAL;
	const struct nt_known_label *kl = &k->v[id];
	if (!(score >= 0.0))
		score = 0.0; /* NaN and negatives */
	if (score > 1.0)
		score = 1.0;
	size_t li = s->nlabels;
	for (size_t i = 0; i < s->nlabels; i++)
		if (s->labels[i].h == kl->h &&
		    (s->labels[i].label == kl->label ||
		     (strcmp(s->labels[i].facet, kl->facet) == 0 && strcmp(s->labels[i].label, kl->label) == 0))) {
			li = i;
			break;
		}
	if ((li == s->nlabels && s->nlabels == s->labels_cap &&
	     grow_array((void **)&s->labels, &s->labels_cap, s->nlabels + 1, sizeof *s->labels) != NT_OK) ||
	    (s->ev_cap - s->nev < n &&
	     grow_array((void **)&s->ev, &s->ev_cap, s->nev + n, sizeof *s->ev) != NT_OK)) {
		s->overflow = 1;
		return NT_ENOMEM;
	}
	/* the spans stored and checked in one pass; a bad one takes them all back, so a
	 * failed call emits nothing */
	size_t nev0 = s->nev;
	unsigned bad = 0;
	for (size_t x = 0; x < n; x++) {
		bad |= (unsigned)(sp[x].end < sp[x].start) | (unsigned)(sp[x].src > NT_SRC_TITLE);
		evidence_put(s, (int)li, (int)sp[x].src, sp[x].start, sp[x].end, sp[x].weight);
	}
	if (bad) {
		s->nev = nev0;
		return NT_EINVAL;
	}
	if (li == s->nlabels) {
		struct nt_sink_label *l = &s->labels[s->nlabels++];
		l->facet = kl->facet;
		l->label = kl->label;
		l->h = kl->h;
		l->score = score;
	} else if (score > s->labels[li].score) {
		s->labels[li].score = score; /* the same label twice keeps the higher score */
	}
	return (int)li;
}

/* The index in arr[0 .. n) of the number facet/key (hash h), or n when it is not there. */
static size_t number_find(const struct nt_sink_number *arr, size_t n, uint64_t h, const char *facet,
                          const char *key)
{
	size_t i = 0;
	while (i < n && !(arr[i].h == h && strcmp(arr[i].facet, facet) == 0 && strcmp(arr[i].key, key) == 0))
		i++;
	return i;
}

static int push_number(struct nt_sink *s, struct nt_sink_number **arr, size_t *n, size_t *cap,
                       const char *facet, const char *key, double v)
{
	size_t fl, kl;
	uint64_t fh = name_fp(facet, &fl), kh = name_fp(key, &kl);
	if (fl == 0 || fl >= 128 || kl == 0 || kl >= 128)
		return NT_EINVAL;
	uint64_t h = fh * 31 ^ kh;
	size_t i = number_find(*arr, *n, h, facet, key);
	if (i < *n) {
		(*arr)[i].value = v == v ? v : 0.0;
		return NT_OK;
	}
	if (*n == *cap && grow_array((void **)arr, cap, *n + 1, sizeof **arr) != NT_OK) {
		s->overflow = 1;
		return NT_ENOMEM;
	}
	struct nt_sink_number *x = &(*arr)[*n];
	x->facet = facet_copy(s, facet, fl, fh);
	x->key = name_copy(s, key, kl);
	if (!x->facet || !x->key) {
		s->overflow = 1;
		return NT_ENOMEM;
	}
	x->h = h;
	x->value = v == v ? v : 0.0;
	(*n)++;
	return NT_OK;
}

static int host_emit_number(struct nt_sink *s, const char *facet, const char *key, double v)
{
	if (key && ((key[0] == 'l' && strcmp(key, "labels") == 0) ||
	            (key[0] == 's' && strcmp(key, "scores") == 0)))
		return NT_EINVAL;
	return push_number(s, &s->numbers, &s->nnumbers, &s->numbers_cap, facet, key, v);
}

static int host_emit_known_numbers(struct nt_sink *s, size_t first, const double *v, size_t n)
{
	const struct nt_known *k = s->known;
	if (k == NULL || k->nnum == 0)
		return NT_EUNSUPPORTED;
	if (first > k->nnum || n > k->nnum - first || (n > 0 && v == NULL))
		return NT_EINVAL;
	for (size_t i = 0; i < n; i++)
		if (k->num[first + i].facet == NULL)
			return NT_EINVAL;
	if (s->nnumbers + n > s->numbers_cap &&
	    grow_array((void **)&s->numbers, &s->numbers_cap, s->nnumbers + n, sizeof *s->numbers) != NT_OK) {
		s->overflow = 1;
		return NT_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		const struct nt_known_label *kn = &k->num[first + i];
		const double x = v[i] == v[i] ? v[i] : 0.0;
		/* a number set before (by name or by id) keeps its place and takes the new value */
		size_t j = number_find(s->numbers, s->nnumbers, kn->h, kn->facet, kn->label);
		if (j == s->nnumbers) {
			s->numbers[j].facet = kn->facet;
			s->numbers[j].key = kn->label;
			s->numbers[j].h = kn->h;
			s->nnumbers++;
		}
		s->numbers[j].value = x;
	}
	return NT_OK;
}

static int host_emit_score(struct nt_sink *s, const char *facet, const char *label, double v)
{
	return push_number(s, &s->scores, &s->nscores, &s->scores_cap, facet, label, v);
}

static void *host_scratch(struct nt_sink *s, size_t n)
{
	return arena_alloc(&s->arena, n);
}

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;

static void host_log(int level, const char *plugin, const char *fmt, ...)
{
	static const char *const names[] = {"error", "warning", "info", "debug"};
	const char *verbose = getenv("NEWSTAG_LOG");
	int max = verbose ? atoi(verbose) : NT_LOG_WARNING;
	if (level > max)
		return;
	if (level < 0)
		level = 0;
	if (level > 3)
		level = 3;
	va_list ap;
	va_start(ap, fmt);
	pthread_mutex_lock(&log_lock);
	fprintf(stderr, "newstag: %s: %s: ", plugin ? plugin : "core", names[level]);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	pthread_mutex_unlock(&log_lock);
	va_end(ap);
}

static int host_digest_file(const char *path, char *out, size_t outlen)
{
	return nt_sha256_path(path, out, outlen);
}

static void host_progress(const char *what, size_t done, size_t total)
{
	if (!isatty(STDERR_FILENO))
		return;
	if (total)
		fprintf(stderr, "\r%s: %zu/%zu (%.0f%%)%s", what, done, total,
		        100.0 * (double)done / (double)total, done >= total ? "\n" : "");
	else
		fprintf(stderr, "\r%s: %zu", what, done);
	fflush(stderr);
}

static const struct nt_host host = {
	.abi_major = NT_PLUGIN_ABI_MAJOR,
	.abi_minor = NT_PLUGIN_ABI_MINOR,
	.struct_size = (uint32_t)sizeof(struct nt_host),
	.log = host_log,
	.emit_label = host_emit_label,
	.emit_evidence = host_emit_evidence,
	.emit_number = host_emit_number,
	.emit_score = host_emit_score,
	.scratch = host_scratch,
	.hash = nt_hash64,
	.fold_hashes = nt_fold_hashes,
	.digest_file = host_digest_file,
	.train_count = nt_trainset_count,
	.train_doc = nt_trainset_doc,
	.train_labels = nt_trainset_labels,
	.progress = host_progress,
	.emit_known = host_emit_known,
	.emit_known_numbers = host_emit_known_numbers,
};

const struct nt_host *nt_host_get(void)
{
	return &host;
}
