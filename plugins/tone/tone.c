/* tone.c - news tone plugin: lexicon and rules over the shared tokens, plus a learned linear correction */

/*
 * One pass over the document's tokens with one hash lookup per word (a second one only when
 * the previous word starts a two-word entry). Rules (the VADER family, adapted to news):
 *   - negation: a negator flips and shrinks (x neg_scalar) the valence of the next
 *     neg_window words, stopping at clause punctuation or a contrast word;
 *   - boosters and dampeners: add +-0.293 to the valence of a sentiment word up to two words
 *     later (decay 1, boost_decay1, boost_decay2), ALL-CAPS boosters count more;
 *   - contrast: in a sentence with "but"/"however", words before the (last) contrast word
 *     weigh contrast_pre, words after it contrast_post;
 *   - concession: words after "although"/"despite" up to the next comma weigh `concede`;
 *   - emphasis: ALL-CAPS sentiment words (in a text that is not all caps) and '!' (up to 4 per
 *     sentence) push the valence away from zero;
 *   - names: a capitalised word that is not the first word of its sentence nor in the title
 *     (United, Justice, Hope) weighs name_damp.
 * The model file correction.txt holds these parameters, linear weights over nine lexicon
 * features and the label thresholds; lexicon.tsv holds valences, rule words and learned
 * per-word corrections. plugins/tone/tonelib.py is the Python mirror used to fit them.
 */

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "newstag/plugin.h"

#define TONE_NFEAT 9
#define TONE_MAX_EVIDENCE 16

/* Kinds of table entries. */
enum tone_kind {
	TK_NONE = 0,
	TK_VALENCE = 1,   /* 'v': a sentiment word */
	TK_NEGATOR = 2,   /* 'n' */
	TK_BOOSTER = 3,   /* 'b': value = +-0.293 */
	TK_CONTRAST = 4,  /* 'c': but, however */
	TK_CONCEDE = 5,   /* 's': although, despite */
	TK_LEARNED = 6    /* 'w': only a learned weight, no rule role */
};

/* 16 bytes: the table of ~20k entries stays in a 512 KiB array (cache-friendly probing). */
struct tone_entry {
	uint64_t key;      /* token hash, or tone_pair() of two token hashes; 0 = empty slot */
	float value;       /* valence (-4..4) or booster increment */
	int16_t learned;   /* learned per-word correction (unigrams only), in units of TONE_LEARNED_UNIT */
	uint8_t kind;      /* enum tone_kind */
	uint8_t pair_head; /* nonzero: some two-word entry starts with this word */
};

#define TONE_LEARNED_UNIT 1e-5

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
	int has_weights;
};

struct tone_state {
	const struct nt_host *host;
	struct tone_entry *tab;
	size_t cap;               /* power of two */
	unsigned shift;           /* 64 - log2(cap): Fibonacci hashing takes the top bits */
	size_t n;
	struct tone_params p;
	char facet[64];
	long evidence;
	char digest[160];         /* "sha256:..." of lexicon + correction */
	const char *facets[2];
	const char *labels[4];
	char label_buf[3][80];
	char model_path[1024];
};

static const struct nt_option tone_options[] = {
	{"lexicon", NT_OPT_PATH, offsetof(struct tone_config, lexicon), "\"tone/lexicon.tsv\"",
	 "valence table (nttone 1): key, kind, value, learned weight"},
	{"correction", NT_OPT_PATH, offsetof(struct tone_config, correction), "\"tone/correction.txt\"",
	 "rule parameters, correction weights and label thresholds (\"\" = plain lexicon score)"},
	{"facet", NT_OPT_STRING, offsetof(struct tone_config, facet), "\"tone\"", "facet name to emit"},
	{"evidence", NT_OPT_INT, offsetof(struct tone_config, evidence), "5",
	 "how many tokens that moved the score most to attach as evidence (0..16)"},
	{NULL, 0, 0, NULL, NULL}
};

static const char *const tone_facets[] = {"tone", NULL};

/* ---------------------------------------------------------------- table */

/* The table key of a two-word entry from the hashes of its words (never 0). */
static uint64_t tone_pair(uint64_t a, uint64_t b)
{
	uint64_t h = a ^ (b + 0x9e3779b97f4a7c15ULL + (a << 6) + (a >> 2));
	return h ? h : 1;
}

/* The slot holding key, or the empty slot where it would go (linear probing). */
static size_t tone_slot(const struct tone_state *s, uint64_t key)
{
	size_t m = s->cap - 1;
	size_t i = (size_t)((key * 0x9E3779B97F4A7C15ULL) >> s->shift);
	while (s->tab[i].key != 0 && s->tab[i].key != key)
		i = (i + 1) & m;
	return i;
}

/* The entry of key, or NULL. Read-only: safe from many threads. */
static const struct tone_entry *tone_find(const struct tone_state *s, uint64_t key)
{
	const struct tone_entry *e;
	if (key == 0)
		key = 1;
	e = &s->tab[tone_slot(s, key)];
	return e->key ? e : NULL;
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

/* Add or overwrite an entry (or only mark key as the first word of a pair). Grows the table
 * at load 0.7. Returns NT_OK, NT_ENOMEM, or NT_EINVAL for a learned weight out of range. */
static int tone_insert(struct tone_state *s, uint64_t key, int kind, double value, double learned,
                       int pair_head_only)
{
	size_t i;
	if (key == 0)
		key = 1;
	if ((s->n + 1) * 10 > s->cap * 7) { /* load factor <= 0.7 */
		size_t ncap = s->cap ? s->cap * 2 : 1024, k;
		struct tone_entry *old = s->tab, *nt = calloc(ncap, sizeof *nt);
		size_t ocap = s->cap;
		if (!nt)
			return NT_ENOMEM;
		s->tab = nt;
		s->cap = ncap;
		s->shift = 64;
		while (((size_t)1 << (64 - s->shift)) < ncap)
			s->shift--;
		for (k = 0; k < ocap; k++)
			if (old[k].key)
				s->tab[tone_slot(s, old[k].key)] = old[k];
		free(old);
	}
	i = tone_slot(s, key);
	if (!s->tab[i].key) {
		s->tab[i].key = key;
		s->n++;
	}
	if (pair_head_only) {
		s->tab[i].pair_head = 1;
		return NT_OK;
	}
	s->tab[i].kind = (uint8_t)kind;
	s->tab[i].value = (float)value;
	if (learned > 0.32 || learned < -0.32)
		return NT_EINVAL;
	s->tab[i].learned = (int16_t)lround(learned / TONE_LEARNED_UNIT);
	return NT_OK;
}

/* Read lexicon.tsv: "nttone 1", then key<TAB>kind<TAB>value[<TAB>learned] lines. */
static int tone_load_table(struct tone_state *s, const char *path, struct nt_error *err)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	long ln = 0;
	int rc = NT_OK;
	if (!f)
		return tone_set_err(err, NT_EIO, "tone: cannot open lexicon %s", path);
	while (fgets(line, sizeof line, f)) {
		char *tab1, *tab2, *tab3, *nl;
		const char *end;
		double value = 0, learned = 0;
		uint64_t h[3];
		size_t nh;
		int kind;
		ln++;
		nl = strchr(line, '\n');
		if (!nl && !feof(f)) {
			rc = tone_set_err(err, NT_EFORMAT, "%s:%ld: line too long", path, ln);
			break;
		}
		if (nl)
			*nl = 0;
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
		if (tone_parse_num(tab2 + 1, &value, &end) != 0 || (*end && *end != '\t' && *end != '\r')) {
			rc = tone_set_err(err, NT_EFORMAT, "%s:%ld: bad value", path, ln);
			break;
		}
		tab3 = (*end == '\t') ? (char *)end : NULL;
		if (tab3 && (tone_parse_num(tab3 + 1, &learned, &end) != 0 || (*end && *end != '\r'))) {
			rc = tone_set_err(err, NT_EFORMAT, "%s:%ld: bad learned weight", path, ln);
			break;
		}
		nh = s->host->fold_hashes(line, (size_t)(tab1 - line), h, 3);
		if (nh == 1) {
			rc = tone_insert(s, h[0], kind, value, learned, 0);
		} else if (nh == 2) {
			rc = tone_insert(s, tone_pair(h[0], h[1]), kind, value, 0, 0);
			if (rc == NT_OK)
				rc = tone_insert(s, h[0], TK_NONE, 0, 0, 1);
		} else {
			continue; /* not one or two word tokens under this core's tokenizer: unusable */
		}
		if (rc == NT_EINVAL) {
			rc = tone_set_err(err, NT_EFORMAT, "%s:%ld: learned weight out of range (|w| <= 0.32)", path, ln);
			break;
		}
		if (rc != NT_OK) {
			tone_set_err(err, rc, "tone: out of memory reading %s", path);
			break;
		}
	}
	if (rc == NT_OK && ferror(f))
		rc = tone_set_err(err, NT_EIO, "tone: read error on %s", path);
	fclose(f);
	if (rc == NT_OK && s->n == 0)
		rc = tone_set_err(err, NT_EFORMAT, "%s: no entries", path);
	return rc;
}

static const char *const tone_feature_names[TONE_NFEAT] = {
	"comp", "pos_per_sent", "neg_per_sent", "pos_share", "neg_share", "npos8", "nneg8",
	"mean_sent_comp", "bias"
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
 * "weight NAME X", "threshold negative|positive X" lines. */
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
	};
	FILE *f = fopen(path, "r");
	char line[512];
	long ln = 0;
	int rc = NT_OK, nweights = 0, have_u = 0;
	if (!f)
		return tone_set_err(err, NT_EIO, "tone: cannot open correction %s", path);
	while (fgets(line, sizeof line, f)) {
		char word[64], name[64];
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
	if (rc == NT_OK && !(have_u & 1))
		s->p.thr_neg_u = s->p.thr_neg; /* no separate untitled thresholds: use the others */
	if (rc == NT_OK && !(have_u & 2))
		s->p.thr_pos_u = s->p.thr_pos;
	if (rc == NT_OK && (!(s->p.thr_neg <= s->p.thr_pos) || !(s->p.thr_neg_u <= s->p.thr_pos_u)))
		rc = tone_set_err(err, NT_EFORMAT, "%s: a negative threshold is above its positive one", path);
	if (rc == NT_OK && (s->p.alpha <= 0 || s->p.neg_window < 0))
		rc = tone_set_err(err, NT_EFORMAT, "%s: alpha must be > 0 and neg_window >= 0", path);
	s->p.has_weights = (rc == NT_OK);
	return rc;
}

/* ---------------------------------------------------------------- plugin operations */

/* Release the state (NULL accepted). */
static void tone_close(void *state)
{
	struct tone_state *s = state;
	if (!s)
		return;
	free(s->tab);
	free(s);
}

/* Load the lexicon and the correction named by the config (paths already resolved by the
 * core). On error returns a status, fills err naming the file and line, allocates nothing. */
static int tone_open(const struct nt_host *host, const void *config, const char *models_dir,
                     void **state, struct nt_error *err)
{
	const struct tone_config *c = config;
	struct tone_state *s;
	char d1[80], d2[80];
	int rc;
	(void)models_dir;
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
	if (rc != NT_OK) {
		tone_close(s);
		return rc;
	}
	d1[0] = d2[0] = 0;
	if (host->digest_file(c->lexicon, d1, sizeof d1) != NT_OK)
		d1[0] = 0;
	if (c->correction && *c->correction && host->digest_file(c->correction, d2, sizeof d2) != NT_OK)
		d2[0] = 0;
	/* the record's provenance names one digest: the lexicon's, plus the correction's if any */
	snprintf(s->digest, sizeof s->digest, "%s", d1);
	snprintf(s->model_path, sizeof s->model_path, "%s", c->lexicon);
	s->facets[0] = s->facet;
	s->facets[1] = NULL;
	snprintf(s->label_buf[0], sizeof s->label_buf[0], "%s:negative", s->facet);
	snprintf(s->label_buf[1], sizeof s->label_buf[1], "%s:neutral", s->facet);
	snprintf(s->label_buf[2], sizeof s->label_buf[2], "%s:positive", s->facet);
	s->labels[0] = s->label_buf[0];
	s->labels[1] = s->label_buf[1];
	s->labels[2] = s->label_buf[2];
	s->labels[3] = NULL;
	host->log(NT_LOG_DEBUG, "tone", "%zu table keys; correction %s; digests %s %s", s->n,
	          s->p.has_weights ? "on" : "off", d1, d2);
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

/* Booster seen recently in the current clause. */
struct tone_boost {
	int dist;        /* words since it (0 = the word right after it) */
	double value;
	int upper;
};

/* The score of one document: the features and components of struct tone_result. */
struct tone_result {
	double total, pos, neg, learned, mean_c, sd;
	int npos, nneg, nwords, nsent, allcaps;
	double value;
};

/* Nonzero for clause punctuation (ends negation and booster reach): , ; : . ! ? ( ) and the
 * em and en dashes. p is a punctuation token's folded form. */
static int tone_is_clause_punct(const char *p)
{
	switch (p[0]) {
	case ',': case ';': case ':': case '.': case '!': case '?': case '(': case ')':
		return p[1] == 0;
	case '\xE2': /* U+2014 em dash, U+2013 en dash */
		return p[1] == '\x80' && (p[2] == '\x94' || p[2] == '\x93') && p[3] == 0;
	default:
		return 0;
	}
}

/* Tokens that carry tone: everything but the dateline and the trailer. */
static int tone_token_used(const struct nt_token *t)
{
	return t->zone != NT_ZONE_TRAILER && t->zone != NT_ZONE_DATELINE;
}

/* One pass of the scorer with a given ALL-CAPS differential (see tone_score). Sets
 * *caps_used when an ALL-CAPS bonus was applied. */
static void tone_score_pass(const struct tone_state *s, const struct nt_doc *doc, double *vals,
                            double *sent_sum, int *sent_excl, unsigned char *sent_used,
                            struct tone_result *r, int cap_diff, int *caps_used)
{
	const struct tone_params *p = &s->p;
	size_t i, nt = doc->ntokens, j;
	int nw = 0, allcaps = 0, neg_left = 0, nboost = 0, concede_open = 0;
	int first_word_seen = 0, prev_head = 0;
	long cur = -1, contrast_at = -1, prev_idx = -1;
	size_t sent_start = 0;
	struct tone_boost boost[3];
	double learned = 0;

	memset(r, 0, sizeof *r);
	*caps_used = 0;
	for (j = 0; j < doc->nsentences; j++) {
		sent_sum[j] = 0;
		sent_excl[j] = 0;
		sent_used[j] = 0;
	}

	/* close a sentence: contrast weights, its sum, and the positive/negative totals */
#define TONE_CLOSE_SENTENCE(endi)                                                   \
	do {                                                                      \
		size_t k_;                                                        \
		double tot_ = 0;                                                  \
		for (k_ = sent_start; k_ < (endi); k_++) {                        \
			double v_ = vals[k_];                                     \
			if (v_ == 0)                                              \
				continue;                                         \
			if (contrast_at >= 0) {                                   \
				v_ *= ((long)k_ < contrast_at) ? p->contrast_pre : p->contrast_post; \
				vals[k_] = v_;                                    \
			}                                                         \
			tot_ += v_;                                               \
			if (v_ > 0) {                                             \
				r->pos += v_;                                     \
				r->npos++;                                        \
			} else {                                                  \
				r->neg -= v_;                                     \
				r->nneg++;                                        \
			}                                                         \
		}                                                                 \
		sent_sum[cur] = tot_;                                             \
	} while (0)

	for (i = 0; i < nt; i++) {
		const struct nt_token *t = &doc->tokens[i];
		const struct tone_entry *e, *u;
		int kind;
		vals[i] = 0;
		if (!tone_token_used(t))
			continue;
		if ((long)t->sentence != cur) {
			if (cur >= 0)
				TONE_CLOSE_SENTENCE(i);
			cur = (long)t->sentence;
			sent_used[cur] = 1;
			neg_left = 0;
			nboost = 0;
			contrast_at = -1;
			concede_open = 0;
			sent_start = i;
			prev_head = 0;
			prev_idx = -1;
			first_word_seen = 0;
		}
		if (t->flags & NT_TOK_PUNCT) {
			const char *norm = NT_TOKEN_NORM(doc, i);
			if (tone_is_clause_punct(norm)) {
				if (norm[0] == '!')
					sent_excl[cur]++;
				neg_left = 0;
				nboost = 0;
				if (concede_open && norm[0] == ',')
					concede_open = 0;
			}
			continue;
		}
		if (!(t->flags & NT_TOK_WORD)) {
			prev_head = 0;
			continue;
		}
		nw++;
		if (t->flags & NT_TOK_UPPER)
			allcaps++;
		u = tone_find(s, t->hash);
		if (!u && !prev_head) {
			/* fast path: a word with no entry only moves the windows on */
			if (neg_left > 0)
				neg_left--;
			if (nboost) {
				int k, m = 0;
				for (k = 0; k < nboost; k++)
					if (++boost[k].dist <= 2)
						boost[m++] = boost[k];
				nboost = m;
			}
			first_word_seen = 1;
			prev_idx = (long)i;
			continue;
		}
		e = u;
		if (prev_head) {
			const struct tone_entry *be = tone_find(s, tone_pair(doc->tokens[prev_idx].hash, t->hash));
			if (be && be->kind != TK_NONE) {
				e = be;
				vals[prev_idx] = 0;
			}
		}
		if (u)
			learned += u->learned * TONE_LEARNED_UNIT;
		kind = e ? e->kind : TK_NONE;
		if (kind == TK_NEGATOR) {
			neg_left = (int)p->neg_window;
			nboost = 0;
		} else if (kind == TK_BOOSTER) {
			int k;
			if (nboost == 3)
				nboost = 2;
			for (k = nboost; k > 0; k--)
				boost[k] = boost[k - 1];
			boost[0].dist = -1; /* becomes 0 at the end of this step */
			boost[0].value = e->value;
			boost[0].upper = (t->flags & NT_TOK_UPPER) != 0;
			nboost++;
		} else if (kind == TK_CONTRAST) {
			contrast_at = (long)i;
			neg_left = 0;
			nboost = 0;
		} else if (kind == TK_CONCEDE) {
			concede_open = 1;
			neg_left = 0;
		} else if (kind == TK_VALENCE && e->value != 0) {
			double v = e->value;
			int k;
			if ((t->flags & NT_TOK_CAP) && !(t->flags & NT_TOK_UPPER) && first_word_seen &&
			    t->zone != NT_ZONE_TITLE)
				v *= p->name_damp;
			if ((t->flags & NT_TOK_UPPER) && cap_diff) {
				v += (v > 0) ? p->caps_incr : -p->caps_incr;
				*caps_used = 1;
			}
			for (k = 0; k < nboost; k++) {
				double sc = (v >= 0) ? boost[k].value : -boost[k].value;
				double decay = boost[k].dist <= 0 ? 1.0 :
				               boost[k].dist == 1 ? p->boost_decay1 : p->boost_decay2;
				if (boost[k].upper && cap_diff) {
					sc += (v > 0) ? p->caps_incr : -p->caps_incr;
					*caps_used = 1;
				}
				v += sc * decay;
			}
			if (neg_left > 0)
				v *= p->neg_scalar;
			if (concede_open)
				v *= p->concede;
			vals[i] = v;
		}
		if (kind != TK_NEGATOR && kind != TK_BOOSTER && neg_left > 0)
			neg_left--;
		if (nboost) {
			int k, m = 0;
			for (k = 0; k < nboost; k++)
				if (++boost[k].dist <= 2)
					boost[m++] = boost[k];
			nboost = m;
		}
		first_word_seen = 1;
		prev_head = u && u->pair_head;
		prev_idx = (long)i;
	}
	if (cur >= 0)
		TONE_CLOSE_SENTENCE(nt);
#undef TONE_CLOSE_SENTENCE

	{
		double total = 0, sum_c = 0, sum_c2 = 0;
		int ns = 0;
		for (j = 0; j < doc->nsentences; j++) {
			double x, c;
			if (!sent_used[j])
				continue;
			ns++;
			if (sent_sum[j] != 0 && sent_excl[j]) {
				double amp = (sent_excl[j] > 4 ? 4 : sent_excl[j]) * p->excl_incr;
				sent_sum[j] += sent_sum[j] > 0 ? amp : -amp;
			}
			x = sent_sum[j];
			total += x;
			c = x / sqrt(x * x + p->alpha);
			sum_c += c;
			sum_c2 += c * c;
		}
		r->total = total;
		r->nsent = ns;
		r->mean_c = ns ? sum_c / ns : 0;
		r->sd = ns ? sqrt(fmax(0.0, sum_c2 / ns - r->mean_c * r->mean_c)) : 0;
	}
	r->nwords = nw;
	r->allcaps = allcaps;
	r->learned = learned;
}

/* Score doc into r; vals (ntokens doubles) receive each token's final contribution;
 * sent_sum/sent_excl/sent_used are nsentences scratch arrays. Pure function of state and
 * doc. One pass over the tokens; a second one only for a text whose words are ALL in capitals
 * and that used an ALL-CAPS bonus (the bonus applies only when some words are not). */
static void tone_score(const struct tone_state *s, const struct nt_doc *doc, double *vals,
                       double *sent_sum, int *sent_excl, unsigned char *sent_used,
                       struct tone_result *r)
{
	int caps_used;
	tone_score_pass(s, doc, vals, sent_sum, sent_excl, sent_used, r, 1, &caps_used);
	if (caps_used && !(r->nwords - r->allcaps > 0 && r->nwords - r->allcaps < r->nwords))
		tone_score_pass(s, doc, vals, sent_sum, sent_excl, sent_used, r, 0, &caps_used);
}

/* The correction model's features (same order as tonelib.features()). */
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

/* Emit one tone label, the value, the GDELT-style numbers and the evidence for doc.
 * Scratch memory only; the state is read-only (thread-safe). */
static int tone_classify(const void *state, const struct nt_doc *doc, struct nt_sink *sink,
                         struct nt_error *err)
{
	const struct tone_state *s = state;
	const struct nt_host *h = s->host;
	const struct tone_params *p = &s->p;
	struct tone_result r;
	double *vals, *sent_sum, conf, margin, nw, lo, hi;
	int *sent_excl;
	unsigned char *sent_used;
	const char *label;
	int idx, k;
	size_t nsent = doc->nsentences ? doc->nsentences : 1, i;
	size_t nt = doc->ntokens ? doc->ntokens : 1;

	vals = h->scratch(sink, nt * sizeof *vals);
	sent_sum = h->scratch(sink, nsent * sizeof *sent_sum);
	sent_excl = h->scratch(sink, nsent * sizeof *sent_excl);
	sent_used = h->scratch(sink, nsent);
	if (!vals || !sent_sum || !sent_excl || !sent_used)
		return tone_set_err(err, NT_ENOMEM, "tone: out of scratch memory");
	tone_score(s, doc, vals, sent_sum, sent_excl, sent_used, &r);
	r.value = tone_value(p, &r);

	if (doc->zones[NT_ZONE_TITLE].ntokens > 0) {
		lo = p->thr_neg;
		hi = p->thr_pos;
	} else {
		lo = p->thr_neg_u;
		hi = p->thr_pos_u;
	}
	if (r.value <= lo) {
		label = "negative";
		margin = lo - r.value;
	} else if (r.value >= hi) {
		label = "positive";
		margin = r.value - hi;
	} else {
		label = "neutral";
		margin = fmin(r.value - lo, hi - r.value);
	}
	/* confidence: 0.5 at a class boundary, towards 1 with the distance from it */
	conf = 0.5 + 0.5 * tanh(8.0 * margin);
	idx = h->emit_label(sink, s->facet, label, conf);
	if (idx < 0)
		return tone_set_err(err, idx, "tone: emit_label failed");
	nw = r.nwords > 0 ? r.nwords : 1;
	h->emit_number(sink, s->facet, "value", r.value);
	h->emit_number(sink, s->facet, "positive_share", 100.0 * r.npos / nw);
	h->emit_number(sink, s->facet, "negative_share", 100.0 * r.nneg / nw);
	h->emit_number(sink, s->facet, "polarity", 100.0 * (r.npos + r.nneg) / nw);
	h->emit_number(sink, s->facet, "word_count", r.nwords);
	h->emit_number(sink, s->facet, "sentence_stddev", r.sd);

	/* evidence: the tokens with the largest |contribution|, in the direction of the label */
	if (s->evidence > 0) {
		size_t best[TONE_MAX_EVIDENCE];
		int nb = 0;
		for (i = 0; i < doc->ntokens; i++) {
			double a = fabs(vals[i]);
			int pos;
			if (a == 0)
				continue;
			if (nb < s->evidence)
				nb++;
			else if (a <= fabs(vals[best[nb - 1]]))
				continue;
			for (pos = nb - 1; pos > 0 && fabs(vals[best[pos - 1]]) < a; pos--)
				best[pos] = best[pos - 1];
			best[pos] = i;
		}
		for (k = 0; k < nb; k++) {
			const struct nt_token *t = &doc->tokens[best[k]];
			h->emit_evidence(sink, idx, t->src, t->start, t->end, vals[best[k]]);
		}
	}
	return NT_OK;
}

static const struct nt_plugin tone_plugin = {
	NT_PLUGIN_HEADER,
	.name = "tone",
	.version = "1.0.0",
	.description = "news tone: lexicon and rules (negation, contrast, boosters, emphasis) with a learned correction",
	.facets = tone_facets,
	.options = tone_options,
	.config_size = sizeof(struct tone_config),
	.open = tone_open,
	.classify = tone_classify,
	.close = tone_close,
	.describe = tone_describe,
	.train = NULL,
};

NT_PLUGIN_DEFINE(tone, tone_plugin)
