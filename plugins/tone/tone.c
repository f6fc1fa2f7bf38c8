/* tone.c - news tone plugin: lexicon and rules over the shared tokens, a learned correction and a learned 3-class decision */

/*
 * One pass over the document's tokens with one branch-free probe of a perfect-hash table per
 * token (punctuation that ends a clause is in the table too, so there is no string work), and
 * a second probe only after a word that starts a two-word entry; plain words (no entry, or
 * learned terms only) never leave a short loop. Rules (the VADER family,
 * adapted to news), kept as a few positions instead of per-token counters:
 *   - negation: a negator flips and shrinks (x neg_scalar) the valence of the next
 *     neg_window words that are not boosters, stopping at clause punctuation or a contrast word;
 *   - boosters and dampeners: add +-0.293 to the valence of a sentiment word up to three words
 *     later (decay 1, boost_decay1, boost_decay2), ALL-CAPS boosters count more;
 *   - contrast: in a sentence with "but"/"however", words before the (last) contrast word
 *     weigh contrast_pre, words after it contrast_post;
 *   - concession: words after "although"/"despite" up to the next comma weigh `concede`;
 *   - emphasis: ALL-CAPS sentiment words (in a text that is not all caps) and '!' (up to 4 per
 *     sentence) push the valence away from zero;
 *   - names: a capitalised word that is not the first word of its sentence nor in the title
 *     (United, Justice, Hope) weighs name_damp.
 * correction.txt holds these parameters, the linear weights of the value (regression) over
 * nine lexicon features, and the 3-class decision (multinomial logistic regression over
 * seventeen features, one weight set for titled articles and one for untitled text);
 * lexicon.tsv holds valences, rule words, and the learned per-word terms of both.
 * plugins/tone/tonelib.py is the Python mirror used to fit them (build_model.py).
 */

#include <math.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "newstag/plugin.h"
#include "../common/phash.h"

#define TONE_NFEAT 9        /* features of the value (regression) */
#define TONE_NCFEAT 17      /* features of the 3-class decision */
#define TONE_MAX_EVIDENCE 16
#define TONE_NNUMBERS 6     /* the numbers of the facet: tone_number_keys */

/* Kinds of table entries. */
enum tone_kind {
	TK_NONE = 0,
	TK_VALENCE = 1,   /* 'v': a sentiment word */
	TK_NEGATOR = 2,   /* 'n' */
	TK_BOOSTER = 3,   /* 'b': value = +-0.293 */
	TK_CONTRAST = 4,  /* 'c': but, however */
	TK_CONCEDE = 5,   /* 's': although, despite */
	TK_LEARNED = 6,   /* 'w': only learned weights, no rule role */
	TK_CLAUSE = 7,    /* clause punctuation other than ',' and '!' (added by the plugin) */
	TK_COMMA = 8,     /* ',' */
	TK_EXCL = 9       /* '!' */
};

/* A table slot (16 bytes): everything a token needs, found with one probe. head holds the key's
 * upper 48 bits (bits 16..63), the flags (bits 8..15: TONE_USED, TONE_PAIR_HEAD) and the kind
 * (bits 0..7); 0 = empty slot. Weights are fixed point: value in 1/1000, the learned terms in
 * 1/10000 (the model files carry at most that many decimals). */
struct tone_slot {
	uint64_t head;
	int16_t value;     /* valence (-4..4) or booster increment, x 1000 */
	int16_t learned;   /* learned per-word term of the value (unigrams only), x 10000 */
	int16_t cls[2];    /* learned per-word terms of the decision: negative, positive (neutral 0), x 10000 */
};

#define TONE_USED 0x100u
#define TONE_PAIR_HEAD 0x200u
#define TONE_VALUE_UNIT 1e-3
#define TONE_LEARNED_UNIT 1e-4
#define TONE_KIND(sl) ((int)((sl)->head & 0xFFu))
#define TONE_SPECIAL 0x400u  /* (scorer table heads) the token needs the rules: not a plain learned word */

/* The scorer's copy of the table: a perfect hash ("hash and displace") built at load time.
 * One product p = (key >> 16) * mul gives a key's group (bits 40 and up) and its base slot
 * (bits 16 and up); the group's displacement disp[g] is XORed into the base slot, chosen so
 * that the keys of each group land on distinct free slots (mul is the first of a few odd
 * constants for which no two keys share a group and a base slot). So a token costs one
 * multiplication, one read of the small displacement array (L1-resident) and one 16-byte
 * slot, compared without branches, whatever the token. head as in struct tone_slot plus
 * TONE_SPECIAL; an empty slot holds the key bits of an entry that lives in another slot (so
 * nothing matches it) and zero values; val packs value, learned, cls[0], cls[1] as int16 in
 * bits 0, 16, 32, 48. */
struct tone_pslot {
	uint64_t head;
	uint64_t val;
};

/* The slot of the key bits x = key >> 16 (struct tone_state: mul, gmask, pmask, disp). */
#define TONE_PSLOT(st, x)                                                                          \
	((((x) * (st)->mul >> 16) & (st)->pmask) ^ (st)->disp[((x) * (st)->mul >> 40) & (st)->gmask])

struct tone_config {
	const char *lexicon;     /* path of lexicon.tsv */
	const char *correction;  /* path of correction.txt, or "" for none */
	const char *facet;       /* facet name */
	long evidence;           /* evidence tokens per record */
};

struct tone_params {
	double neg_scalar, neg_window, caps_incr, excl_incr, contrast_pre, contrast_post;
	double concede, name_damp, alpha, boost_decay1, boost_decay2;
	double w[TONE_NFEAT];
	double thr_neg, thr_pos;   /* label thresholds for documents with a title zone (articles) */
	double thr_neg_u, thr_pos_u; /* ... and for untitled text (single sentences, snippets) */
	double cw[2][2][TONE_NCFEAT]; /* decision weights [titled][negative, positive][feature] */
	int has_weights;
	int has_cls;               /* the 3-class decision is loaded (else thresholds on value) */
	int words_untitled;        /* per-word decision terms also apply to untitled text */
};

struct tone_state {
	const struct nt_host *host;
	struct tone_slot *slots;  /* cap slots */
	size_t cap;               /* power of two */
	unsigned shift;           /* 64 - log2(cap): Fibonacci hashing takes the top bits */
	size_t n;                 /* used slots */
	struct tone_pslot *ps;    /* the scorer's table (tone_freeze): pmask + 1 slots */
	uint16_t *disp;           /* gmask + 1 group displacements */
	uint64_t pmask, gmask;    /* slots - 1 (at most 2^24), groups - 1 (at most 2^24) */
	uint64_t mul;             /* the product's odd multiplier */
	struct tone_params p;
	char facet[64];
	long evidence;
	char digest[160];         /* "sha256:..." of the model directory (all its files) */
	const char *facets[2];
	const char *labels[4];
	char label_buf[3][80];
	const char *numbers[TONE_NNUMBERS + 1]; /* describe_numbers(): "facet:value"... (tone_number_keys) */
	char number_buf[TONE_NNUMBERS][96];
	char model_path[1024];
};

static const struct nt_option tone_options[] = {
	{"lexicon", NT_OPT_PATH, offsetof(struct tone_config, lexicon), "\"tone/lexicon.tsv\"",
	 "valence table (nttone 1): key, kind, value, learned weights"},
	{"correction", NT_OPT_PATH, offsetof(struct tone_config, correction), "\"tone/correction.txt\"",
	 "rule parameters, correction and decision weights (\"\" = plain lexicon score)"},
	{"facet", NT_OPT_STRING, offsetof(struct tone_config, facet), "\"tone\"", "facet name to emit"},
	{"evidence", NT_OPT_INT, offsetof(struct tone_config, evidence), "5",
	 "how many tokens that moved the score most to attach as evidence (0..16)"},
	{NULL, 0, 0, NULL, NULL}
};

static const char *const tone_facets[] = {"tone", NULL};

/* The facet's numbers, in the order classify() sets them. */
static const char *const tone_number_keys[TONE_NNUMBERS] = {
	"value", "positive_share", "negative_share", "polarity", "word_count", "sentence_stddev"};

/* ---------------------------------------------------------------- table */

/* The table key of a two-word entry from the hashes of its words (never 0). */
static uint64_t tone_pair(uint64_t a, uint64_t b)
{
	uint64_t h = a ^ (b + 0x9e3779b97f4a7c15ULL + (a << 6) + (a >> 2));
	return h ? h : 1;
}

/* The slot of key, or NULL: linear probing from the Fibonacci-hashed home of the key's upper
 * 48 bits (load <= 0.5); a slot matches on those 48 bits. Read-only: safe from many threads. */
static inline const struct tone_slot *tone_find(const struct tone_state *s, uint64_t key)
{
	size_t m = s->cap - 1;
	size_t i = (size_t)(((key >> 16) * 0x9E3779B97F4A7C15ULL) >> s->shift);
	for (;;) {
		uint64_t hd = s->slots[i].head;
		if (((hd ^ key) >> 16) == 0 && hd)
			return &s->slots[i];
		if (!hd)
			return NULL;
		i = (i + 1) & m;
	}
}

/* Fill err (may be NULL) with code and a formatted message; returns code. */
static int tone_set_err(struct nt_error *err, int code, const char *fmt, ...)
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

/* Locale-independent decimal parse: [-+]digits[.digits][e[-+]digits]. */
static int tone_parse_num(const char *s, double *out, const char **end)
{
	double v = 0, sign = 1, scale = 1;
	int digits = 0;
	if (*s == '-' || *s == '+')
		sign = (*s++ == '-') ? -1 : 1;
	while (*s >= '0' && *s <= '9') {
		v = v * 10 + (*s++ - '0');
		digits++;
	}
	if (*s == '.') {
		s++;
		while (*s >= '0' && *s <= '9') {
			scale /= 10;
			v += (*s++ - '0') * scale;
			digits++;
		}
	}
	if (!digits)
		return -1;
	if (*s == 'e' || *s == 'E') {
		int es = 1, e = 0, ed = 0;
		s++;
		if (*s == '-' || *s == '+')
			es = (*s++ == '-') ? -1 : 1;
		while (*s >= '0' && *s <= '9') {
			e = e * 10 + (*s++ - '0');
			ed++;
			if (e > 300)
				return -1;
		}
		if (!ed)
			return -1;
		v *= pow(10.0, es * e);
	}
	*out = sign * v;
	if (end)
		*end = s;
	return 0;
}

/* The enum tone_kind of a lexicon kind letter, TK_NONE when unknown. */
static int tone_kind_of(char c)
{
	switch (c) {
	case 'v': return TK_VALENCE;
	case 'n': return TK_NEGATOR;
	case 'b': return TK_BOOSTER;
	case 'c': return TK_CONTRAST;
	case 's': return TK_CONCEDE;
	case 'w': return TK_LEARNED;
	default: return TK_NONE;
	}
}

/* The slot holding key, or the empty slot where it would go. */
static size_t tone_slot_of(const struct tone_state *s, uint64_t key)
{
	size_t m = s->cap - 1;
	size_t i = (size_t)(((key >> 16) * 0x9E3779B97F4A7C15ULL) >> s->shift);
	while (s->slots[i].head != 0 && ((s->slots[i].head ^ key) >> 16) != 0)
		i = (i + 1) & m;
	return i;
}

/* The slot of key, created empty (kind TK_NONE) when absent; NULL when out of memory.
 * Keeps the load factor at or under 0.5. */
static struct tone_slot *tone_get(struct tone_state *s, uint64_t key)
{
	size_t i;
	if ((s->n + 1) * 2 > s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 4096, k, ocap = s->cap;
		struct tone_slot *old = s->slots, *ns = calloc(ncap, sizeof *ns);
		if (!ns)
			return NULL;
		s->slots = ns;
		s->cap = ncap;
		s->shift = 64;
		while (((size_t)1 << (64 - s->shift)) < ncap)
			s->shift--;
		for (k = 0; k < ocap; k++)
			if (old[k].head)
				s->slots[tone_slot_of(s, old[k].head)] = old[k];
		free(old);
	}
	i = tone_slot_of(s, key);
	if (!s->slots[i].head) {
		s->slots[i].head = (key & ~(uint64_t)0xFFFF) | TONE_USED;
		s->n++;
	}
	return &s->slots[i];
}

/* Size the empty table for about want keys (load <= 0.5, at least 4096 slots, as tone_get
 * would grow it), so that loading does not rehash; tone_get still grows it when needed.
 * NT_OK or NT_ENOMEM. */
static int tone_reserve(struct tone_state *s, size_t want)
{
	size_t cap = 4096;
	if (s->n || s->slots)
		return NT_OK;
	while (cap < want * 2)
		cap *= 2;
	if (!(s->slots = calloc(cap, sizeof *s->slots)))
		return NT_ENOMEM;
	s->cap = cap;
	s->shift = 64;
	while (((size_t)1 << (64 - s->shift)) < cap)
		s->shift--;
	return NT_OK;
}

/* Set the kind of a slot. */
static void tone_set_kind(struct tone_slot *sl, int kind)
{
	sl->head = (sl->head & ~(uint64_t)0xFF) | (uint64_t)(kind & 0xFF);
}

/* Add the clause punctuation kinds (, ; : . ! ? ( ) em and en dash) under their token hashes. */
static int tone_add_punct(struct tone_state *s)
{
	static const char *const clause[] = {";", ":", ".", "?", "(", ")", "\xE2\x80\x94", "\xE2\x80\x93"};
	struct tone_slot *e;
	size_t k;
	for (k = 0; k < sizeof clause / sizeof clause[0]; k++) {
		if (!(e = tone_get(s, s->host->hash(clause[k], strlen(clause[k])))))
			return NT_ENOMEM;
		tone_set_kind(e, TK_CLAUSE);
	}
	if (!(e = tone_get(s, s->host->hash(",", 1))))
		return NT_ENOMEM;
	tone_set_kind(e, TK_COMMA);
	if (!(e = tone_get(s, s->host->hash("!", 1))))
		return NT_ENOMEM;
	tone_set_kind(e, TK_EXCL);
	return NT_OK;
}

/* Build the scorer's perfect-hash table (plugins/common/phash.h) from the loading table: at
 * least 64 slots, 8 per 7 keys, one displacement per 4 slots; keyed by the head words'
 * hash bits (head >> 16). NT_OK, or NT_ENOMEM (also for a table over 2^24 slots). */
static int tone_freeze(struct tone_state *s)
{
	struct nt_phash pl = {0};
	size_t nslot, k, n = 0;
	uint64_t *keys, *x;
	uint32_t *owner = NULL;
	free(s->ps);
	free(s->disp);
	s->ps = NULL;
	s->disp = NULL;
	/* per key: its slot in the loading table and its hash bits */
	if (!s->n || !(keys = malloc(2 * s->n * sizeof *keys)))
		return NT_ENOMEM;
	x = keys + s->n;
	for (k = 0; k < s->cap; k++)
		if (s->slots[k].head) {
			x[n] = s->slots[k].head >> 16;
			keys[n++] = k;
		}
	/* (n == s->n > 0 keys were found: the test keeps the analyzer from reading keys[0] unset) */
	nslot = n > 0 ? nt_phash_place(&pl, x, n, 64, 4, &owner) : 0;
	if (nslot == 0 || !(s->ps = aligned_alloc(64, nslot * sizeof *s->ps))) {
		free(owner);
		free(keys);
		nt_phash_free(&pl);
		return NT_ENOMEM;
	}
	s->disp = pl.disp; /* (the state owns the displacements now) */
	s->mul = pl.mul;
	s->pmask = pl.pmask;
	s->gmask = pl.gmask;
	const uint64_t empty = s->slots[keys[0]].head & ~(uint64_t)0xFFFF;
	for (k = 0; k < nslot; k++) {
		const struct tone_slot *sl;
		uint64_t hd;
		int kind;
		if (owner[k] == UINT32_MAX) {
			/* empty: another slot's key bits, which no token that lands here can have */
			s->ps[k].head = empty;
			s->ps[k].val = 0;
			continue;
		}
		sl = &s->slots[keys[owner[k]]];
		hd = sl->head;
		kind = TONE_KIND(sl);
		if ((kind != TK_LEARNED && kind != TK_NONE) || (hd & TONE_PAIR_HEAD))
			hd |= TONE_SPECIAL;
		s->ps[k].head = hd;
		s->ps[k].val = (uint64_t)(uint16_t)sl->value | (uint64_t)(uint16_t)sl->learned << 16 |
		               (uint64_t)(uint16_t)sl->cls[0] << 32 | (uint64_t)(uint16_t)sl->cls[1] << 48;
	}
	free(owner);
	free(keys);
	return NT_OK;
}

/* The head (0 when absent) and packed values (0 when absent) of key in the scorer's table,
 * without branches. Read-only: safe from many threads. */
static inline uint64_t tone_pfind(const struct tone_state *s, uint64_t key, uint64_t *val)
{
	uint64_t x = key >> 16;
	const struct tone_pslot *sl = &s->ps[TONE_PSLOT(s, x)];
	uint64_t m = -(uint64_t)(((sl->head ^ key) >> 16) == 0);
	*val = sl->val & m;
	return sl->head & m;
}

/* x in units of unit as an int16 into *out; -1 when out of range or not a multiple of the
 * unit (to within 1e-6 of it). */
static int tone_fixed(double x, double unit, int16_t *out)
{
	double q = x / unit, r = nearbyint(q);
	if (r > 32767 || r < -32767 || fabs(q - r) > 1e-3)
		return -1;
	*out = (int16_t)r;
	return 0;
}

/* A lexicon number at s in fixed point: *q = the number in units of 10^-udig, as tone_fixed
 * gives it, and *range_bad = 1 when tone_fixed rejects it (out of range, or not a multiple of
 * the unit). Plain decimals ([-+]digits[.digits], at most 6 integer digits and udig decimals)
 * are converted exactly with integers (the same *q: the double tone_parse_num gives for such
 * a number is within far less than 1e-3 units of the integer); anything else through
 * tone_parse_num and tone_fixed as before. Returns -1 on a malformed number, else 0 with *end after it. */
static int tone_lexfield(const char *s, int udig, double unit, int16_t *q, int *range_bad,
                         const char **end)
{
	static const int64_t p10[] = {1, 10, 100, 1000, 10000};
	const char *p = s;
	int64_t mant = 0;
	int neg = 0, ni = 0, nf = 0;
	unsigned d;
	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	while ((d = (unsigned)(unsigned char)*p - '0') < 10 && ni < 7) {
		mant = mant * 10 + (int64_t)d;
		ni++;
		p++;
	}
	if (*p == '.') {
		p++;
		while ((d = (unsigned)(unsigned char)*p - '0') < 10 && nf <= udig) {
			mant = mant * 10 + (int64_t)d;
			nf++;
			p++;
		}
	}
	if (ni + nf > 0 && ni <= 6 && nf <= udig && *p != 'e' && *p != 'E' && *p != '.' &&
	    !((unsigned)(unsigned char)*p - '0' < 10)) {
		int64_t v = mant * p10[udig - nf];
		if (v <= 32767) {
			*q = (int16_t)(neg ? -v : v);
			*range_bad = 0;
			*end = p;
			return 0;
		}
	}
	double x;
	if (tone_parse_num(s, &x, end) != 0)
		return -1;
	*range_bad = tone_fixed(x, unit, q) != 0;
	return 0;
}

/* Parse up to max tab-separated learned columns (units of TONE_LEARNED_UNIT) after p (p at a
 * tab or the end) into q with tone_lexfield; *range_bad is set when one is out of range.
 * Returns how many or -1 on a malformed number. */
static int tone_parse_lexcols(const char *p, int16_t *q, int *range_bad, int max)
{
	int n = 0, rb;
	const char *end;
	while (*p == '\t') {
		if (n == max || tone_lexfield(p + 1, 4, TONE_LEARNED_UNIT, &q[n], &rb, &end) != 0 ||
		    (*end && *end != '\t' && *end != '\r'))
			return -1;
		*range_bad |= rb;
		n++;
		p = end;
	}
	return (*p == 0 || (*p == '\r' && p[1] == 0)) ? n : -1;
}

/* The word-token hashes of key[0..len) into h (max 2) when the key is one word or two words
 * separated by one space, each [a-z][a-z0-9]*: such a word is already in folded form and is one
 * word token, so its hash is host->hash of its bytes (what fold_hashes gives). Returns the
 * count, or 0 when the key needs host->fold_hashes. */
static size_t tone_plain_hashes(const struct nt_host *host, const char *key, size_t len, uint64_t *h)
{
	size_t i = 0, n = 0;
	while (i < len) {
		size_t b = i;
		if (n == 2 || !(key[i] >= 'a' && key[i] <= 'z'))
			return 0;
		while (i < len && ((key[i] >= 'a' && key[i] <= 'z') || (key[i] >= '0' && key[i] <= '9')))
			i++;
		h[n++] = host->hash(key + b, i - b);
		if (i < len) {
			if (key[i] != ' ' || i + 1 == len)
				return 0;
			i++;
		}
	}
	return n;
}

/* Read a whole file into a NUL-terminated buffer (*len bytes before the NUL); NULL on error. */
static char *tone_slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;
	if (!f)
		return NULL;
	size_t want = 65536;
	if (fseek(f, 0, SEEK_END) == 0) {
		long sz = ftell(f);
		if (sz > 0)
			want = (size_t)sz + 2; /* room to see the end of the file in one more read */
		rewind(f);
	}
	for (;;) {
		if (n + 1 >= cap) {
			size_t ncap = cap ? cap * 2 : want;
			char *nb = realloc(buf, ncap);
			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
			cap = ncap;
		}
		size_t got = fread(buf + n, 1, cap - 1 - n, f);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[n] = 0;
	*len = n;
	return buf;
}

/* Read lexicon.tsv: "nttone 1", then key<TAB>kind<TAB>value[<TAB>learned[<TAB>cneg<TAB>cpos]]
 * lines (the learned columns apply to one-word keys only). The file is read whole and parsed
 * in place; a line may hold at most 1022 bytes. */
static int tone_load_table(struct tone_state *s, const char *path, struct nt_error *err)
{
	size_t len = 0;
	char *buf = tone_slurp(path, &len), *p, *bend;
	long ln = 0, nkeys = 0;
	int rc = NT_OK;
	if (!buf)
		return tone_set_err(err, NT_EIO, "tone: cannot open lexicon %s", path);
	p = buf;
	bend = buf + len;
	{
		/* the table's size from the entry lines (and the punctuation keys added later) */
		size_t nlines = 11;
		for (const char *c = buf; c < bend && (c = memchr(c, '\n', (size_t)(bend - c))); c++)
			nlines += c + 1 < bend && c[1] != '#';
		if (tone_reserve(s, nlines) != NT_OK) {
			free(buf);
			return tone_set_err(err, NT_ENOMEM, "tone: out of memory reading %s", path);
		}
	}
	while (p < bend) {
		char *line = p, *tab1, *tab2, *nl;
		const char *end;
		uint64_t h[3];
		size_t nh;
		int kind, ncols, range_bad = 0;
		struct tone_slot *e;
		int16_t q[4];
		ln++;
		nl = memchr(p, '\n', (size_t)(bend - p));
		if (!nl)
			nl = bend;
		if (nl - line >= 1023 || memchr(line, 0, (size_t)(nl - line))) {
			rc = tone_set_err(err, NT_EFORMAT, "%s:%ld: line too long", path, ln);
			break;
		}
		*nl = 0;
		p = nl + 1;
		if (ln == 1) {
			if (strncmp(line, "nttone 1", 8) != 0 || (line[8] && line[8] != ' ' && line[8] != '\r')) {
				rc = tone_set_err(err, NT_EFORMAT, "%s:1: not a tone lexicon (want 'nttone 1')", path);
				break;
			}
			continue;
		}
		if (line[0] == '#' || line[0] == 0)
			continue;
		tab1 = strchr(line, '\t');
		tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL;
		if (!tab1 || !tab2 || tab2 != tab1 + 2 || (kind = tone_kind_of(tab1[1])) == TK_NONE) {
			rc = tone_set_err(err, NT_EFORMAT, "%s:%ld: want key<TAB>kind(v|n|b|c|s|w)<TAB>value", path, ln);
			break;
		}
		if (tone_lexfield(tab2 + 1, 3, TONE_VALUE_UNIT, &q[0], &range_bad, &end) != 0 ||
		    (*end && *end != '\t' && *end != '\r')) {
			rc = tone_set_err(err, NT_EFORMAT, "%s:%ld: bad value", path, ln);
			break;
		}
		q[1] = q[2] = q[3] = 0;
		ncols = tone_parse_lexcols(end, q + 1, &range_bad, 3);
		if (ncols < 0 || ncols == 2) {
			rc = tone_set_err(err, NT_EFORMAT, "%s:%ld: want [learned[<TAB>negative<TAB>positive]] after "
			                  "the value", path, ln);
			break;
		}
		if (range_bad) {
			rc = tone_set_err(err, NT_EFORMAT, "%s:%ld: value (|v| <= 32.767, 3 decimals) or learned "
			                  "weight (|w| <= 3.2767, 4 decimals) out of range", path, ln);
			break;
		}
		nh = tone_plain_hashes(s->host, line, (size_t)(tab1 - line), h);
		if (!nh)
			nh = s->host->fold_hashes(line, (size_t)(tab1 - line), h, 3);
		if (nh == 1) {
			if (!(e = tone_get(s, h[0])))
				goto oom;
			e->learned = q[1];
			e->cls[0] = q[2];
			e->cls[1] = q[3];
		} else if (nh == 2) {
			if (!(e = tone_get(s, h[0])))
				goto oom;
			e->head |= TONE_PAIR_HEAD;
			if (!(e = tone_get(s, tone_pair(h[0], h[1]))))
				goto oom;
		} else {
			continue; /* not one or two word tokens under this core's tokenizer: unusable */
		}
		tone_set_kind(e, kind);
		e->value = q[0];
		nkeys++;
		continue;
	oom:
		rc = tone_set_err(err, NT_ENOMEM, "tone: out of memory reading %s", path);
		break;
	}
	free(buf);
	if (rc == NT_OK && nkeys == 0)
		rc = tone_set_err(err, NT_EFORMAT, "%s: no entries", path);
	return rc;
}

static const char *const tone_feature_names[TONE_NFEAT] = {
	"comp", "pos_per_sent", "neg_per_sent", "pos_share", "neg_share", "npos8", "nneg8",
	"mean_sent_comp", "bias"
};

/* Features of the 3-class decision (tonelib.CLASS_FEATURES, same order). */
static const char *const tone_cfeature_names[TONE_NCFEAT] = {
	"comp", "pos_per_sent", "neg_per_sent", "pos_share", "neg_share", "npos8", "nneg8",
	"mean_sent_comp", "sent_sd", "log_words", "negators_per_sent", "contrasts_per_sent",
	"abs_comp", "polarity_per_sent", "no_sentiment", "excl_per_sent", "bias"
};

static void tone_default_params(struct tone_params *p)
{
	memset(p, 0, sizeof *p);
	p->neg_scalar = -0.74;
	p->neg_window = 3;
	p->caps_incr = 0.733;
	p->excl_incr = 0.292;
	p->contrast_pre = 0.5;
	p->contrast_post = 1.5;
	p->concede = 0.5;
	p->name_damp = 0.3;
	p->alpha = 15;
	p->boost_decay1 = 0.95;
	p->boost_decay2 = 0.9;
	p->thr_neg = p->thr_neg_u = -0.05;
	p->thr_pos = p->thr_pos_u = 0.05;
}

/* Read correction.txt: "nttone-correction 1", then "param NAME X", "features N",
 * "weight NAME X", "threshold negative|positive[_untitled] X" and (optional, all or none)
 * "class titled|untitled negative|positive FEATURE X" lines. */
static int tone_load_correction(struct tone_state *s, const char *path, struct nt_error *err)
{
	static const struct { const char *name; size_t off; } params[] = {
		{"neg_scalar", offsetof(struct tone_params, neg_scalar)},
		{"neg_window", offsetof(struct tone_params, neg_window)},
		{"caps_incr", offsetof(struct tone_params, caps_incr)},
		{"excl_incr", offsetof(struct tone_params, excl_incr)},
		{"contrast_pre", offsetof(struct tone_params, contrast_pre)},
		{"contrast_post", offsetof(struct tone_params, contrast_post)},
		{"concede", offsetof(struct tone_params, concede)},
		{"name_damp", offsetof(struct tone_params, name_damp)},
		{"alpha", offsetof(struct tone_params, alpha)},
		{"boost_decay1", offsetof(struct tone_params, boost_decay1)},
		{"boost_decay2", offsetof(struct tone_params, boost_decay2)},
		{"words_untitled", (size_t)-1},
	};
	FILE *f = fopen(path, "r");
	char line[512];
	long ln = 0;
	int rc = NT_OK, nweights = 0, ncls = 0, have_u = 0;
	if (!f)
		return tone_set_err(err, NT_EIO, "tone: cannot open correction %s", path);
	while (fgets(line, sizeof line, f)) {
		char word[64], name[64], a3[64], a4[64];
		const char *end, *num;
		double v;
		int used = 0;
		size_t k;
		ln++;
		line[strcspn(line, "\r\n")] = 0;
		if (ln == 1) {
			if (strcmp(line, "nttone-correction 1") != 0) {
				rc = tone_set_err(err, NT_EFORMAT, "%s:1: want 'nttone-correction 1'", path);
				break;
			}
			continue;
		}
		if (line[0] == '#' || line[0] == 0)
			continue;
		if (strncmp(line, "class ", 6) == 0) {
			int t, c;
			if (sscanf(line, "class %63s %63s %63s %n", a3, a4, name, &used) != 3 || used == 0 ||
			    tone_parse_num(line + used, &v, &end) != 0 || *end) {
				rc = tone_set_err(err, NT_EFORMAT, "%s:%ld: want class titled|untitled "
				                  "negative|positive FEATURE VALUE", path, ln);
				break;
			}
			t = strcmp(a3, "titled") == 0 ? 1 : strcmp(a3, "untitled") == 0 ? 0 : -1;
			c = strcmp(a4, "negative") == 0 ? 0 : strcmp(a4, "positive") == 0 ? 1 : -1;
			for (k = 0; k < TONE_NCFEAT; k++)
				if (strcmp(name, tone_cfeature_names[k]) == 0)
					break;
			if (t < 0 || c < 0 || k == TONE_NCFEAT) {
				rc = tone_set_err(err, NT_EFORMAT, "%s:%ld: unknown class line '%s %s %s'", path, ln,
				                  a3, a4, name);
				break;
			}
			s->p.cw[t][c][k] = v;
			ncls++;
			continue;
		}
		if (sscanf(line, "%63s %63s %n", word, name, &used) != 2 || used == 0) {
			rc = tone_set_err(err, NT_EFORMAT, "%s:%ld: want KEYWORD NAME VALUE", path, ln);
			break;
		}
		num = line + used;
		if (strcmp(word, "features") == 0) {
			if (tone_parse_num(name, &v, &end) != 0 || *end || v != TONE_NFEAT) {
				rc = tone_set_err(err, NT_EFORMAT, "%s:%ld: this plugin computes %d features",
				                  path, ln, TONE_NFEAT);
				break;
			}
			continue;
		}
		if (tone_parse_num(num, &v, &end) != 0 || *end) {
			rc = tone_set_err(err, NT_EFORMAT, "%s:%ld: bad number", path, ln);
			break;
		}
		if (strcmp(word, "param") == 0) {
			for (k = 0; k < sizeof params / sizeof params[0]; k++)
				if (strcmp(name, params[k].name) == 0)
					break;
			if (k == sizeof params / sizeof params[0]) {
				rc = tone_set_err(err, NT_EFORMAT, "%s:%ld: unknown param '%s'", path, ln, name);
				break;
			}
			if (params[k].off == (size_t)-1)
				s->p.words_untitled = v != 0;
			else
				*(double *)((char *)&s->p + params[k].off) = v;
		} else if (strcmp(word, "weight") == 0) {
			for (k = 0; k < TONE_NFEAT; k++)
				if (strcmp(name, tone_feature_names[k]) == 0)
					break;
			if (k == TONE_NFEAT) {
				rc = tone_set_err(err, NT_EFORMAT, "%s:%ld: unknown feature '%s'", path, ln, name);
				break;
			}
			s->p.w[k] = v;
			nweights++;
		} else if (strcmp(word, "threshold") == 0 && strcmp(name, "negative") == 0) {
			s->p.thr_neg = v;
		} else if (strcmp(word, "threshold") == 0 && strcmp(name, "positive") == 0) {
			s->p.thr_pos = v;
		} else if (strcmp(word, "threshold") == 0 && strcmp(name, "negative_untitled") == 0) {
			s->p.thr_neg_u = v;
			have_u |= 1;
		} else if (strcmp(word, "threshold") == 0 && strcmp(name, "positive_untitled") == 0) {
			s->p.thr_pos_u = v;
			have_u |= 2;
		} else {
			rc = tone_set_err(err, NT_EFORMAT, "%s:%ld: unknown line '%s %s'", path, ln, word, name);
			break;
		}
	}
	fclose(f);
	if (rc == NT_OK && nweights != TONE_NFEAT)
		rc = tone_set_err(err, NT_EFORMAT, "%s: %d weights, want %d", path, nweights, TONE_NFEAT);
	if (rc == NT_OK && ncls != 0 && ncls != 4 * TONE_NCFEAT)
		rc = tone_set_err(err, NT_EFORMAT, "%s: %d class weights, want 0 or %d", path, ncls,
		                  4 * TONE_NCFEAT);
	if (rc == NT_OK && !(have_u & 1))
		s->p.thr_neg_u = s->p.thr_neg; /* no separate untitled thresholds: use the others */
	if (rc == NT_OK && !(have_u & 2))
		s->p.thr_pos_u = s->p.thr_pos;
	if (rc == NT_OK && (!(s->p.thr_neg <= s->p.thr_pos) || !(s->p.thr_neg_u <= s->p.thr_pos_u)))
		rc = tone_set_err(err, NT_EFORMAT, "%s: a negative threshold is above its positive one", path);
	if (rc == NT_OK && (s->p.alpha <= 0 || s->p.neg_window < 0 || s->p.neg_window > 1000))
		rc = tone_set_err(err, NT_EFORMAT, "%s: alpha must be > 0 and neg_window 0..1000", path);
	s->p.has_weights = (rc == NT_OK);
	s->p.has_cls = (rc == NT_OK && ncls > 0);
	return rc;
}

/* ---------------------------------------------------------------- plugin operations */

/* Release the state (NULL accepted). */
static void tone_close(void *state)
{
	struct tone_state *s = state;
	if (!s)
		return;
	free(s->slots);
	free(s->ps);
	free(s->disp);
	free(s);
}

/* The directory part of path into out ("." when none). */
static void tone_dirname(const char *path, char *out, size_t outlen)
{
	const char *sl = strrchr(path, '/');
	if (!sl)
		snprintf(out, outlen, ".");
	else if (sl == path)
		snprintf(out, outlen, "/");
	else
		snprintf(out, outlen, "%.*s", (int)(sl - path), path);
}

/* Load the lexicon and the correction named by the config (paths already resolved by the
 * core). On error returns a status, fills err naming the file and line, allocates nothing. */
static int tone_open(const struct nt_host *host, const void *config, const char *models_dir,
                     void **state, struct nt_error *err)
{
	const struct tone_config *c = config;
	struct tone_state *s;
	char d1[1024], d2[1024];
	int rc;
	(void)models_dir;
	if (host->emit_known == NULL)
		return tone_set_err(err, NT_EABI, "tone: needs a newstag core with plugin ABI 1.2 or later "
		                    "(host emit_known)");
	if (!c->lexicon || !*c->lexicon)
		return tone_set_err(err, NT_EINVAL, "tone: option 'lexicon' is empty");
	if (c->evidence < 0 || c->evidence > TONE_MAX_EVIDENCE)
		return tone_set_err(err, NT_EINVAL, "tone: option 'evidence' must be 0..%d", TONE_MAX_EVIDENCE);
	if (c->facet && strlen(c->facet) >= 64)
		return tone_set_err(err, NT_EINVAL, "tone: facet name too long");
	s = calloc(1, sizeof *s);
	if (!s)
		return tone_set_err(err, NT_ENOMEM, "tone: out of memory");
	s->host = host;
	s->evidence = c->evidence;
	snprintf(s->facet, sizeof s->facet, "%s", (c->facet && *c->facet) ? c->facet : "tone");
	tone_default_params(&s->p);
	rc = tone_load_table(s, c->lexicon, err);
	if (rc == NT_OK && c->correction && *c->correction)
		rc = tone_load_correction(s, c->correction, err);
	if (rc == NT_OK && (tone_add_punct(s) != NT_OK || tone_freeze(s) != NT_OK))
		rc = tone_set_err(err, NT_ENOMEM, "tone: out of memory");
	if (rc != NT_OK) {
		tone_close(s);
		return rc;
	}
	/* provenance: one digest over the whole model directory (lexicon, correction and the
	 * rest), or over the two files when the correction lives in another directory */
	tone_dirname(c->lexicon, d1, sizeof d1);
	if (c->correction && *c->correction)
		tone_dirname(c->correction, d2, sizeof d2);
	else
		snprintf(d2, sizeof d2, "%s", d1);
	if (strcmp(d1, d2) == 0) {
		if (host->digest_file(d1, s->digest, sizeof s->digest) != NT_OK)
			s->digest[0] = 0;
	} else {
		char a[80], b[80];
		if (host->digest_file(c->lexicon, a, sizeof a) != NT_OK ||
		    host->digest_file(c->correction, b, sizeof b) != NT_OK)
			s->digest[0] = 0;
		else
			snprintf(s->digest, sizeof s->digest, "%s+%s", a, b);
	}
	snprintf(s->model_path, sizeof s->model_path, "%s", d1);
	s->facets[0] = s->facet;
	s->facets[1] = NULL;
	snprintf(s->label_buf[0], sizeof s->label_buf[0], "%s:negative", s->facet);
	snprintf(s->label_buf[1], sizeof s->label_buf[1], "%s:neutral", s->facet);
	snprintf(s->label_buf[2], sizeof s->label_buf[2], "%s:positive", s->facet);
	s->labels[0] = s->label_buf[0];
	s->labels[1] = s->label_buf[1];
	s->labels[2] = s->label_buf[2];
	s->labels[3] = NULL;
	for (size_t k = 0; k < TONE_NNUMBERS; k++) {
		snprintf(s->number_buf[k], sizeof s->number_buf[k], "%s:%s", s->facet, tone_number_keys[k]);
		s->numbers[k] = s->number_buf[k];
	}
	s->numbers[TONE_NNUMBERS] = NULL;
	host->log(NT_LOG_DEBUG, "tone", "%zu table keys in %zu slots; correction %s; decision %s; digest %s",
	          s->n, s->cap, s->p.has_weights ? "on" : "off", s->p.has_cls ? "on" : "off", s->digest);
	*state = s;
	return NT_OK;
}

/* Facets, labels and model of the state; strings owned by the state. */
static int tone_describe(const void *state, struct nt_info *info)
{
	const struct tone_state *s = state;
	info->facets = s->facets;
	info->labels = s->labels;
	info->model = s->model_path;
	info->model_digest = s->digest[0] ? s->digest : NULL;
	info->single_label = 1;
	return NT_OK;
}

/* The numbers classify() sets through emit_known_numbers() (ABI 1.3); owned by the state. */
static int tone_describe_numbers(const void *state, const char *const **names)
{
	const struct tone_state *s = state;
	*names = s->numbers;
	return NT_OK;
}

/* One token's final contribution to the score (for the totals and the evidence). */
struct tone_hit {
	uint32_t tok;  /* token index */
	float v;       /* contribution after all rules */
};

/* The score of one document: the features and components. */
struct tone_result {
	double total, pos, neg, learned, mean_c, sd;
	double cls[2];      /* sums of the per-word decision terms */
	int64_t qlearned, qcls[2]; /* the same in fixed point, while scoring */
	int npos, nneg, nwords, nsent, allcaps;
	int nnegators, ncontrasts, nexcl;
	size_t nhits;       /* entries of the hits array */
	double value;
};

/* Running state of the scorer. */
struct tone_run {
	const struct tone_state *s;
	const struct nt_doc *doc;
	struct tone_hit *hits;
	struct tone_result *r;
	int cap_diff, caps_used;
	/* sentence state */
	int sw;              /* words so far in the sentence */
	int cw;              /* words so far that are neither negators nor boosters */
	int neg_end;         /* a valence word is negated while cw < neg_end */
	int nboost;          /* boosters kept (the most recent, at most 3) */
	int bpos[3];         /* their word positions (sw), newest first */
	float bval[3];
	unsigned char bup[3];
	int concede_open, excl, in_title;
	long contrast_at;    /* token index of the last contrast word, or -1 */
	long prev_idx;       /* previous word's token index when it starts a two-word entry, else -1 */
	size_t hs;           /* first hit of the sentence */
	double sum_c, sum_c2;
};

/* A scorer-table entry (head hd, packed values vv, struct tone_pslot) as a struct tone_slot. */
static inline void tone_unpack(uint64_t hd, uint64_t vv, struct tone_slot *out)
{
	out->head = hd;
	out->value = (int16_t)(uint16_t)vv;
	out->learned = (int16_t)(uint16_t)(vv >> 16);
	out->cls[0] = (int16_t)(uint16_t)(vv >> 32);
	out->cls[1] = (int16_t)(uint16_t)(vv >> 48);
}

/* One token that is not a plain word (no entry, or learned terms only) or that follows a word
 * starting a two-word entry: punctuation, numbers, rule words, sentiment words, pairs. hd and
 * vv: the token's own entry (tone_pfind). All state in u and u->r. */
__attribute__((noinline)) static void tone_token(struct tone_run *u, size_t i, uint64_t hd, uint64_t vv)
{
	const struct tone_state *s = u->s;
	const struct tone_params *p = &s->p;
	const struct nt_token *tok = u->doc->tokens;
	const struct nt_token *t = &tok[i];
	struct tone_result *r = u->r;
	struct tone_hit *hits = u->hits;
	const struct tone_slot *uni = NULL, *e;
	struct tone_slot us, pes;
	unsigned fl = t->flags;
	int kind;
	if (hd) {
		tone_unpack(hd, vv, &us);
		uni = &us;
	}
	e = uni;
	if (!(fl & NT_TOK_WORD)) {
		if (!(fl & NT_TOK_PUNCT)) {
			u->prev_idx = -1; /* a number breaks a pair */
			return;
		}
		if (!e)
			return;
		/* clause punctuation ends negation and booster reach */
		kind = TONE_KIND(e);
		if (kind == TK_EXCL)
			u->excl++;
		else if (kind == TK_COMMA)
			u->concede_open = 0;
		else if (kind != TK_CLAUSE)
			return;
		u->neg_end = 0;
		u->nboost = 0;
		return;
	}
	r->nwords++;
	r->allcaps += (fl & NT_TOK_UPPER) != 0;
	if (uni) {
		r->qlearned += uni->learned;
		r->qcls[0] += uni->cls[0];
		r->qcls[1] += uni->cls[1];
	}
	if (u->prev_idx < 0) {
		/* a word with a rule role or that starts a two-word entry */
		kind = TONE_KIND(e);
		if (kind == TK_LEARNED) {
			u->sw++;
			u->cw++;
			u->prev_idx = (e->head & TONE_PAIR_HEAD) ? (long)i : -1;
			return;
		}
	} else {
		uint64_t pv, ph = tone_pfind(s, tone_pair(tok[u->prev_idx].hash, t->hash), &pv);
		if (ph && (int)(ph & 0xFFu) != TK_NONE) {
			/* the pair replaces the previous word's own contribution */
			if (r->nhits > u->hs && hits[r->nhits - 1].tok == (uint32_t)u->prev_idx)
				r->nhits--;
			tone_unpack(ph, pv, &pes);
			e = &pes;
		}
		if (!e) {
			u->sw++;
			u->cw++;
			u->prev_idx = -1;
			return;
		}
		kind = TONE_KIND(e);
	}
	switch (kind) {
	case TK_NEGATOR:
		r->nnegators++;
		u->neg_end = u->cw + (int)p->neg_window;
		u->nboost = 0;
		break;
	case TK_BOOSTER:
		if (u->nboost < 3)
			u->nboost++;
		memmove(u->bpos + 1, u->bpos, 2 * sizeof u->bpos[0]);
		memmove(u->bval + 1, u->bval, 2 * sizeof u->bval[0]);
		memmove(u->bup + 1, u->bup, 2 * sizeof u->bup[0]);
		u->bpos[0] = u->sw;
		u->bval[0] = (float)(e->value * TONE_VALUE_UNIT);
		u->bup[0] = (fl & NT_TOK_UPPER) != 0;
		break;
	case TK_CONTRAST:
		r->ncontrasts++;
		u->contrast_at = (long)i;
		u->neg_end = 0;
		u->nboost = 0;
		u->cw++;
		break;
	case TK_CONCEDE:
		u->concede_open = 1;
		u->neg_end = 0;
		u->cw++;
		break;
	case TK_VALENCE:
		if (e->value != 0) {
			double v = e->value * TONE_VALUE_UNIT;
			int k, sw = u->sw;
			if ((fl & NT_TOK_CAP) && !(fl & NT_TOK_UPPER) && sw > 0 && !u->in_title)
				v *= p->name_damp;
			if ((fl & NT_TOK_UPPER) && u->cap_diff) {
				v += (v > 0) ? p->caps_incr : -p->caps_incr;
				u->caps_used = 1;
			}
			for (k = 0; k < u->nboost; k++) {
				int d = sw - u->bpos[k] - 1;
				double sc, decay;
				if (d > 2)
					break; /* older boosters are out of reach too */
				sc = (v >= 0) ? u->bval[k] : -u->bval[k];
				decay = d == 0 ? 1.0 : d == 1 ? p->boost_decay1 : p->boost_decay2;
				if (u->bup[k] && u->cap_diff) {
					sc += (v > 0) ? p->caps_incr : -p->caps_incr;
					u->caps_used = 1;
				}
				v += sc * decay;
			}
			if (u->cw < u->neg_end)
				v *= p->neg_scalar;
			if (u->concede_open)
				v *= p->concede;
			hits[r->nhits].tok = (uint32_t)i;
			hits[r->nhits].v = (float)v;
			r->nhits++;
		}
		u->cw++;
		break;
	default:
		u->cw++;
		break;
	}
	u->sw++;
	u->prev_idx = (uni && (uni->head & TONE_PAIR_HEAD)) ? (long)i : -1;
}

/* Count n plain words, caps of them ALL-CAPS (as NT_TOK_UPPER bits), into u and u->r. */
static inline void tone_plain_words(struct tone_run *u, size_t n, unsigned caps)
{
	u->sw += (int)n;
	u->cw += (int)n;
	u->r->nwords += (int)n;
	u->r->allcaps += (int)(caps / NT_TOK_UPPER);
}

/* Score the tokens [from, to) of the current sentence. Plain words (no entry, or learned terms
 * only: most tokens) are handled here with one table probe, two well-predicted branches and
 * three adds: their learned terms go into the lanes of one SSE2 register, their ALL-CAPS flags
 * into one sum, and their number is the distance from the last other token (no counter); the
 * counts are written back before any other token, which goes to tone_token() (punctuation and
 * numbers without an entry are settled here). */
static void tone_run_tokens(struct tone_run *u, size_t from, size_t to)
{
	const struct tone_state *s = u->s;
	const struct tone_pslot *const ps = s->ps;
	const uint16_t *const disp = s->disp;
	const uint64_t pmask = s->pmask, gmask = s->gmask, mul = s->mul;
	const struct nt_token *const tok = u->doc->tokens;
	const struct nt_token *t = tok + from, *const end = tok + to;
	const struct nt_token *mark = t; /* the plain words since the last write-back are [mark, t) */
	unsigned caps = 0;               /* their NT_TOK_UPPER bits, summed */
	/* TONE_SPECIAL when the next word must be tried as the end of a pair, else 0 */
	uint64_t pendm = u->prev_idx >= 0 ? TONE_SPECIAL : 0;
	struct tone_result *r = u->r;
	while (t < end) {
		/* at most 32768 tokens per block: the 32-bit lanes cannot overflow (|term| <= 32767) */
		const struct nt_token *bend = end - t > 32768 ? t + 32768 : end;
#if defined(__SSE2__)
		__m128i sums = _mm_setzero_si128();
#else
		int64_t ql = 0, qc0 = 0, qc1 = 0;
#endif
		for (; t < bend; t++) {
			unsigned fl = t->flags;
			uint64_t hd, vv;
			{
				uint64_t pr = (t->hash >> 16) * mul;
				const struct tone_pslot *sl = &ps[((pr >> 16) & pmask) ^ disp[(pr >> 40) & gmask]];
				uint64_t m = -(uint64_t)(((sl->head ^ t->hash) >> 16) == 0);
				hd = sl->head & m;
				vv = sl->val & m;
			}
			if (__builtin_expect(fl & NT_TOK_WORD, 1)) {
				if (__builtin_expect(!((hd | pendm) & TONE_SPECIAL), 1)) {
					caps += fl & NT_TOK_UPPER;
#if defined(__SSE2__)
					{
						__m128i w = _mm_cvtsi64_si128((long long)vv);
						sums = _mm_add_epi32(sums, _mm_srai_epi32(_mm_unpacklo_epi16(w, w), 16));
					}
#else
					ql += (int16_t)(uint16_t)(vv >> 16);
					qc0 += (int16_t)(uint16_t)(vv >> 32);
					qc1 += (int16_t)(uint16_t)(vv >> 48);
#endif
					continue;
				}
			} else if (!hd || (fl & NT_TOK_PUNCT)) {
				/* punctuation, or a number without an entry (it breaks a pair); clause
				 * punctuation ends negation and booster reach, a comma a concession too, '!'
				 * counts (as in tone_token) */
				int kind = (int)(hd & 0xFFu);
				tone_plain_words(u, (size_t)(t - mark), caps);
				caps = 0;
				mark = t + 1;
				if (!(fl & NT_TOK_PUNCT)) {
					u->prev_idx = -1;
					pendm = 0;
				} else if (kind == TK_CLAUSE || kind == TK_COMMA || kind == TK_EXCL) {
					if (kind == TK_EXCL)
						u->excl++;
					else if (kind == TK_COMMA)
						u->concede_open = 0;
					u->neg_end = 0;
					u->nboost = 0;
				}
				continue;
			}
			tone_plain_words(u, (size_t)(t - mark), caps);
			caps = 0;
			mark = t + 1;
			tone_token(u, (size_t)(t - tok), hd, vv);
			pendm = u->prev_idx >= 0 ? TONE_SPECIAL : 0;
		}
#if defined(__SSE2__)
		{
			int32_t lane[4];
			_mm_storeu_si128((__m128i *)lane, sums);
			r->qlearned += lane[1];
			r->qcls[0] += lane[2];
			r->qcls[1] += lane[3];
		}
#else
		r->qlearned += ql;
		r->qcls[0] += qc0;
		r->qcls[1] += qc1;
#endif
	}
	tone_plain_words(u, (size_t)(t - mark), caps);
}

/* Close the current sentence: contrast weights on its hits, its sum, the totals. */
static void tone_close_sentence(struct tone_run *u)
{
	const struct tone_params *p = &u->s->p;
	struct tone_result *r = u->r;
	double tot = 0, c;
	size_t k;
	for (k = u->hs; k < r->nhits; k++) {
		double v = u->hits[k].v;
		if (u->contrast_at >= 0) {
			v *= ((long)u->hits[k].tok < u->contrast_at) ? p->contrast_pre : p->contrast_post;
			u->hits[k].v = (float)v;
		}
		tot += v;
		if (v > 0) {
			r->pos += v;
			r->npos++;
		} else {
			r->neg -= v;
			r->nneg++;
		}
	}
	if (tot != 0 && u->excl) {
		double amp = (u->excl > 4 ? 4 : u->excl) * p->excl_incr;
		tot += tot > 0 ? amp : -amp;
	}
	r->nexcl += u->excl;
	r->total += tot;
	c = tot / sqrt(tot * tot + p->alpha);
	u->sum_c += c;
	u->sum_c2 += c * c;
	r->nsent++;
}

/* One pass of the scorer with a given ALL-CAPS differential; returns nonzero when an ALL-CAPS
 * bonus was applied. hits: room for doc->ntokens entries. */
static int tone_score_pass(const struct tone_state *s, const struct nt_doc *doc, struct tone_hit *hits,
                           struct tone_result *r, int cap_diff)
{
	struct tone_run u;
	size_t j, d0, d1, tend;
	memset(r, 0, sizeof *r);
	memset(&u, 0, sizeof u);
	u.s = s;
	u.doc = doc;
	u.hits = hits;
	u.r = r;
	u.cap_diff = cap_diff;
	/* tokens that carry tone: all but the dateline [d0, d1) and the trailer [tend, end) */
	d0 = d1 = 0;
	if (doc->zones[NT_ZONE_DATELINE].ntokens) {
		d0 = doc->zones[NT_ZONE_DATELINE].first_token;
		d1 = d0 + doc->zones[NT_ZONE_DATELINE].ntokens;
	}
	tend = doc->ntokens;
	if (doc->zones[NT_ZONE_TRAILER].ntokens && doc->zones[NT_ZONE_TRAILER].first_token < tend)
		tend = doc->zones[NT_ZONE_TRAILER].first_token;
	for (j = 0; j < doc->nsentences; j++) {
		const struct nt_sentence *se = &doc->sentences[j];
		size_t a = se->first_token, b = a + se->ntokens;
		if (b > tend)
			b = tend;
		if (a >= b)
			continue;
		if (d1 > a && d0 < b) {
			/* the dateline lies in this sentence: the parts before and after it */
			if (d0 <= a && d1 >= b)
				continue;
		}
		u.sw = u.cw = u.neg_end = u.nboost = 0;
		u.concede_open = u.excl = 0;
		u.contrast_at = -1;
		u.prev_idx = -1;
		u.hs = r->nhits;
		u.in_title = doc->tokens[a].zone == NT_ZONE_TITLE;
		if (d1 > a && d0 < b) {
			if (d0 > a)
				tone_run_tokens(&u, a, d0);
			if (d1 < b)
				tone_run_tokens(&u, d1, b);
		} else {
			tone_run_tokens(&u, a, b);
		}
		tone_close_sentence(&u);
	}
	r->learned = (double)r->qlearned * TONE_LEARNED_UNIT;
	r->cls[0] = (double)r->qcls[0] * TONE_LEARNED_UNIT;
	r->cls[1] = (double)r->qcls[1] * TONE_LEARNED_UNIT;
	if (r->nsent) {
		r->mean_c = u.sum_c / r->nsent;
		r->sd = sqrt(fmax(0.0, u.sum_c2 / r->nsent - r->mean_c * r->mean_c));
	}
	return u.caps_used;
}

/* Score doc into r; hits (doc->ntokens entries) receive the tokens that carry tone with their
 * final contribution. Pure function of state and doc. One pass over the tokens; a second one
 * only for a text whose words are ALL in capitals and that used an ALL-CAPS bonus (the bonus
 * applies only when some words are not). */
static void tone_score(const struct tone_state *s, const struct nt_doc *doc, struct tone_hit *hits,
                       struct tone_result *r)
{
	if (tone_score_pass(s, doc, hits, r, 1) && !(r->nwords - r->allcaps > 0 && r->allcaps > 0))
		tone_score_pass(s, doc, hits, r, 0);
}

/* The value's features (same order as tonelib.features()). */
static void tone_features(const struct tone_params *p, const struct tone_result *r, double *f)
{
	double nw = r->nwords > 0 ? r->nwords : 1;
	double ns = r->nsent > 0 ? r->nsent : 1;
	double t = r->total / ns;
	f[0] = t / sqrt(t * t + p->alpha);
	f[1] = r->pos / ns;
	f[2] = r->neg / ns;
	f[3] = r->pos / nw;
	f[4] = r->neg / nw;
	f[5] = (r->npos > 8 ? 8 : r->npos) / 8.0;
	f[6] = (r->nneg > 8 ? 8 : r->nneg) / 8.0;
	f[7] = r->mean_c;
	f[8] = 1.0;
}

/* Final value in [-1, 1]: the correction's linear model plus the learned per-word terms, or
 * the normalised lexicon score when no correction is loaded. */
static double tone_value(const struct tone_params *p, const struct tone_result *r)
{
	double f[TONE_NFEAT], v = 0;
	int k;
	tone_features(p, r, f);
	if (!p->has_weights)
		return f[0];
	for (k = 0; k < TONE_NFEAT; k++)
		v += p->w[k] * f[k];
	v += r->learned / (r->nsent > 0 ? r->nsent : 1);
	return v > 1 ? 1 : v < -1 ? -1 : v;
}

/* The 3-class decision: probabilities of negative, neutral, positive (multinomial logistic
 * regression, neutral the reference class) for a titled article or untitled text. */
static void tone_decide(const struct tone_params *p, const struct tone_result *r, int titled, double *prob)
{
	double f[TONE_NCFEAT], z[3], m, sum;
	double ns = r->nsent > 0 ? r->nsent : 1;
	int k, c;
	tone_features(p, r, f); /* the first eight are shared */
	f[8] = r->sd;
	f[9] = log1p((double)r->nwords) / 5.0;
	f[10] = r->nnegators / ns;
	f[11] = r->ncontrasts / ns;
	f[12] = fabs(f[0]);
	f[13] = (r->pos + r->neg) / ns;
	f[14] = (r->npos == 0 && r->nneg == 0) ? 1.0 : 0.0;
	f[15] = r->nexcl / ns;
	f[16] = 1.0;
	for (c = 0; c < 2; c++) {
		double a = 0;
		for (k = 0; k < TONE_NCFEAT; k++)
			a += p->cw[titled][c][k] * f[k];
		if (titled || p->words_untitled)
			a += r->cls[c] / ns;
		z[c == 0 ? 0 : 2] = a;
	}
	z[1] = 0;
	m = fmax(z[0], fmax(z[1], z[2]));
	sum = 0;
	for (k = 0; k < 3; k++)
		sum += (prob[k] = exp(z[k] - m));
	for (k = 0; k < 3; k++)
		prob[k] /= sum;
}

/* Emit one tone label, the value, the GDELT-style numbers and the evidence for doc.
 * Scratch memory only; the state is read-only (thread-safe). */
static int tone_classify(const void *state, const struct nt_doc *doc, struct nt_sink *sink,
                         struct nt_error *err)
{
	const struct tone_state *s = state;
	const struct nt_host *h = s->host;
	const struct tone_params *p = &s->p;
	struct tone_result r;
	struct tone_hit *hits;
	double conf, nw;
	int idx, k, cl, titled = doc->zones[NT_ZONE_TITLE].ntokens > 0;

	hits = h->scratch(sink, (doc->ntokens ? doc->ntokens : 1) * sizeof *hits);
	if (!hits)
		return tone_set_err(err, NT_ENOMEM, "tone: out of scratch memory");
	tone_score(s, doc, hits, &r);
	r.value = tone_value(p, &r);

	if (p->has_cls) {
		double prob[3];
		tone_decide(p, &r, titled, prob);
		cl = prob[0] >= prob[1] && prob[0] >= prob[2] ? 0 : prob[2] > prob[1] ? 2 : 1;
		conf = prob[cl];
	} else {
		double lo = titled ? p->thr_neg : p->thr_neg_u, hi = titled ? p->thr_pos : p->thr_pos_u, margin;
		if (r.value <= lo) {
			cl = 0;
			margin = lo - r.value;
		} else if (r.value >= hi) {
			cl = 2;
			margin = r.value - hi;
		} else {
			cl = 1;
			margin = fmin(r.value - lo, hi - r.value);
		}
		/* confidence: 0.5 at a class boundary, towards 1 with the distance from it */
		conf = 0.5 + 0.5 * tanh(8.0 * margin);
	}
	/* evidence: the hits with the largest |contribution| (a small sorted array) */
	struct nt_span sp[TONE_MAX_EVIDENCE];
	int nb = 0;
	if (s->evidence > 0) {
		size_t best[TONE_MAX_EVIDENCE], i;
		float bv[TONE_MAX_EVIDENCE];
		for (i = 0; i < r.nhits; i++) {
			float a = fabsf(hits[i].v);
			int pos;
			if (nb < s->evidence)
				nb++;
			else if (a <= bv[nb - 1])
				continue;
			for (pos = nb - 1; pos > 0 && bv[pos - 1] < a; pos--) {
				best[pos] = best[pos - 1];
				bv[pos] = bv[pos - 1];
			}
			best[pos] = i;
			bv[pos] = a;
		}
		for (k = 0; k < nb; k++) {
			const struct nt_token *t = &doc->tokens[hits[best[k]].tok];
			sp[k].start = t->start;
			sp[k].end = t->end;
			sp[k].src = t->src;
			sp[k].pad_ = 0;
			sp[k].weight = hits[best[k]].v;
		}
	}
	/* the label (describe()'s labels are negative, neutral, positive: id = class) */
	idx = h->emit_known(sink, (size_t)cl, conf, sp, (size_t)nb);
	if (idx < 0)
		return tone_set_err(err, idx, "tone: emit_known failed");
	nw = r.nwords > 0 ? r.nwords : 1;
	const double num[TONE_NNUMBERS] = {r.value, 100.0 * r.npos / nw, 100.0 * r.nneg / nw,
	                                   100.0 * (r.npos + r.nneg) / nw, r.nwords, r.sd};
	/* in one call by describe_numbers() id (ABI 1.3); by name from older cores, or from a
	 * caller that did not intern the list */
	if (h->emit_known_numbers == NULL || h->emit_known_numbers(sink, 0, num, TONE_NNUMBERS) == NT_EUNSUPPORTED)
		for (k = 0; k < TONE_NNUMBERS; k++)
			h->emit_number(sink, s->facet, tone_number_keys[k], num[k]);
	return NT_OK;
}

static const struct nt_plugin tone_plugin = {
	NT_PLUGIN_HEADER,
	.name = "tone",
	.version = "1.1.0",
	.description = "news tone: lexicon and rules (negation, contrast, boosters, emphasis) with a learned "
	               "correction and 3-class decision",
	.facets = tone_facets,
	.options = tone_options,
	.config_size = sizeof(struct tone_config),
	.open = tone_open,
	.classify = tone_classify,
	.close = tone_close,
	.describe = tone_describe,
	.flags = NT_PLUGIN_OPEN_CONCURRENT,
	.train = NULL,
	.describe_numbers = tone_describe_numbers,
};

NT_PLUGIN_DEFINE(tone, tone_plugin)
