/* region.c - region plugin: the countries and world regions an article is about, from a gazetteer */

/*
 * Matching is one pass over the shared tokens with one hash-table probe per capitalised word:
 * the table is keyed by the hash of a phrase's first folded token, and a multi-word phrase then
 * compares the hashes of the following tokens (longest phrase first). Each match becomes a
 * mention (a country code candidate list, a kind, a weight); context rules (person names,
 * common words, "City, State", cues elsewhere in the article) keep, drop or resolve it; the
 * mentions are summed per country with zone and kind weights, and the countries are aggregated
 * into regions through the region map. State is read-only after open(); every per-call buffer
 * comes from host->scratch().
 */

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "newstag/plugin.h"
#include "../common/phash.h"

#define RG_VERSION "1.0.0"
#define RG_MAX_TOK 8          /* most tokens in a phrase */
#define RG_MAX_CODES 4        /* most candidate countries of a phrase */
#define RG_MAX_COUNTRIES 512
#define RG_MAX_REGIONS 32
#define RG_MAX_EVIDENCE 64    /* evidence spans per country label */
#define RG_MAX_REGION_EVIDENCE 16 /* evidence spans per region label */
#define RG_MAX_MENTIONS 1024  /* mentions counted per article (the rest are ignored) */
#define RG_CAND_BLOCK 1024    /* tokens whose match candidates are listed at a time */
#define RG_SCAN_MENTIONS 32   /* up to this many mentions, each label's are a bit set (uint32_t) */
_Static_assert(RG_SCAN_MENTIONS <= 32 && RG_SCAN_MENTIONS % 4 == 0,
               "rg_emit_bits() needs 32-bit sets and whole groups of four");

/* Kinds of phrase, strongest first. */
enum rg_kind {
	RG_NAME = 0, RG_ABBREV, RG_FORMER, RG_DEMONYM, RG_METONYM, RG_ORG, RG_CAPITAL,
	RG_PLACE, RG_STATE, RG_CITY, RG_BLOCK, RG_NKINDS
};
static const char *const rg_kind_names[RG_NKINDS] = {
	"name", "abbrev", "former", "demonym", "metonym", "org", "capital",
	"place", "state", "city", "block"
};
/* Kind weights (issue: name > demonym > capital > city). */
static const double rg_kind_weight[RG_NKINDS] = {
	1.0, 1.0, 1.0, 0.75, 0.8, 0.6, 0.8, 0.7, 0.6, 0.6, 0.0
};
/* Zone weights: title, dateline and lead weigh most; the trailer of link lists little. */
static const double rg_zone_weight[NT_ZONE_COUNT] = { 2.5, 3.0, 1.6, 1.0, 0.1 };
/* Score shape: s = (1 - exp(-mass / rg_k)) * (rg_rel_base + (1 - rg_rel_base) * min(1, 2 * rel)),
 * rel = mass / the article's largest country mass. Tuned on Reuters TRAIN (tests/bench). */
static const double rg_k = 1.0;
static const double rg_rel_base = 0.3;

#define RG_F_UPPER 0x01u  /* U: every token all caps */
#define RG_F_WORD 0x02u   /* W: also a common word */
#define RG_F_PERSON 0x04u /* P: also a person's name */
#define RG_F_DOTTED 0x08u /* D: a dotted abbreviation, only after a comma ("Dublin, Calif.") */
#define RG_F_PLAIN 0x10u  /* (set at load) no W, P or D flag and not a place: rg_rules() looks
                             only at the word after it */

/* A value of rg_state.first: the one-word phrase's entry (RG_FIRST_NONE for none), and
 * RG_FIRST_MULTI when some longer phrase starts with the word. Never negative. */
#define RG_FIRST_NONE 0x3FFFFFFF
#define RG_FIRST_MULTI 0x40000000

/* One gazetteer phrase. */
struct rg_entry {
	uint32_t tok_off;           /* index of its token hashes in rg_state.toks */
	int32_t next;               /* next entry with the same first-token hash, or -1 */
	uint8_t ntok;               /* number of tokens */
	uint8_t kind;               /* enum rg_kind */
	uint8_t flags;              /* RG_F_* */
	uint8_t ncodes;             /* candidate countries (0 for a block phrase) */
	uint16_t codes[RG_MAX_CODES]; /* country indexes, default first */
	uint8_t has_cues;           /* some @cue line names this phrase */
	float weight;               /* ambiguity prior in (0,1] */
	uint32_t line;              /* line in the gazetteer file (for messages) */
};

/* A cue: word `hash` anywhere in the article points phrase `entry` to country `code`. */
struct rg_cue {
	uint32_t entry;
	uint16_t code;
	uint64_t hash;
};

struct rg_map {
	uint64_t *keys;
	int32_t *vals;
	size_t mask;
};

/* The read-only copy of an rg_map that classify() probes: a perfect hash (plugins/common/
 * phash.h, as the tone plugin's scorer table), built at open by rg_freeze(). A lookup is one
 * multiplication, one read of the small displacement array and one 16-byte slot compared
 * without a branch, hit or miss. An empty slot holds key 0 and value -1 (an absent key 0 that
 * lands there still reads -1). */
struct rg_pslot {
	uint64_t key;
	int32_t val;
	int32_t pad_;
};
struct rg_phash {
	struct rg_pslot *slots;  /* pl.pmask + 1 slots */
	struct nt_phash pl;      /* the placement */
};

/* Context word sets. */
enum rg_wordset {
	RG_WS_HONORIFIC = 0, RG_WS_QUALIFIER, RG_WS_LOCATIVE, RG_WS_INSTITUTION, RG_WS_DETERMINER,
	RG_WS_CURRENCY, RG_WS_ORGSUFFIX, RG_NWORDSETS
};

struct rg_config {
	const char *gazetteer;   /* gazetteer.tsv path */
	const char *region_map;  /* region-map.tsv path */
	double min_score;        /* candidate threshold for a country label */
	double region_min_score; /* candidate threshold for a region label */
};

struct rg_state {
	const struct nt_host *host;
	struct rg_entry *entries;
	size_t nentries;
	uint64_t *toks;
	size_t ntoks;
	struct rg_map first;          /* first-token hash of any phrase -> RG_FIRST_* bits */
	struct rg_map pairs;          /* multi-word phrase: mix of its first two hashes -> chain head */
	uint64_t bloom[2048];         /* 128-Kbit filter (16 KB) of the first tokens, no false negatives */
	uint64_t pairfilter[512];     /* 32-Kbit filter (4 KB) of the pairs keys, no false negatives */
	struct rg_cue *cues;
	size_t ncues;
	struct rg_map cuewords;       /* cue word hash -> its first cue (index in cues) */
	int32_t *cue_next_word;       /* per cue: the next cue with the same word, or -1 */
	int32_t *cue_next_entry;      /* per cue: the next cue of the same phrase, or -1 */
	int32_t *cue_head;            /* per entry: its first cue, or -1 */
	uint64_t cuefilter[64];       /* 4096-bit filter of the cue words (no false negatives) */
	uint8_t capword[256];         /* token flags -> 1 for a capitalised word (NT_TOK_WORD|CAP) */
	char codes[RG_MAX_COUNTRIES][3];
	int16_t code_index[26 * 26];  /* "AA".."ZZ" -> country index or -1 */
	int16_t region_of[RG_MAX_COUNTRIES]; /* region index or -1 */
	size_t ncountries;
	char regions[RG_MAX_REGIONS][32];
	size_t nregions;
	struct rg_map words;          /* context word -> bit set of its rg_wordset sets */
	struct rg_map trailer_words;  /* first words of trailer marker lines */
	/* the tables above as classify() probes them (rg_freeze(); the rg_maps are freed then) */
	struct rg_phash pfirst, ppairs, pcuewords, pwords, ptrailer;
	double min_score;
	double region_min_score;
	double country_skip;          /* a country mass below this cannot reach min_score */
	double region_skip;           /* a region mass below this cannot reach region_min_score */
	char *gazetteer_path;
	char digest[80];
	const char *facets[3];
	const char **labels;          /* describe()'s "country:XX"... then "region:NAME"..., NULL */
	char *label_text;             /* the strings labels[] points into */
};

static const char *const rg_honorifics[] = {
	"mr", "mrs", "ms", "miss", "mister", "dr", "sir", "dame", "lady", "lord", "rev", "st", "saint",
	"prof", "professor", "coach", "actor", "actress", "singer", "rapper", "star", NULL
};
static const char *const rg_qualifiers[] = {
	"north", "south", "east", "west", "central", "northern", "southern", "eastern", "western",
	"northeast", "northwest", "southeast", "southwest", "greater", "upper", "lower", "new", "old",
	"downtown", "metropolitan", "inner", "outer", "occupied", "mount", "port", "fort", "lake",
	"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
	"january", "february", "march", "april", "june", "july", "august", "september", "october",
	"november", "december", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct",
	"nov", "dec", "in", "at", "from", "to", "the", "and", "but", "or", "for", "on", "by", "with",
	"as", "of", "after", "before", "while", "if", "when", "where", "says", "said", "via", "near",
	"across", "inside", "outside", "about", "update", "breaking", "exclusive", "analysis",
	"opinion", "watch", "video", "live", "factbox", "explainer", "reuters", "ap", "afp", "cnn",
	"bbc", "xinhua", "tass", "dpa", "bloomberg", "united", "islamic", "federal", "democratic",
	"republic", "kingdom", "state", "province", "region", "city", NULL
};
static const char *const rg_locatives[] = {
	"in", "at", "from", "near", "to", "outside", "around", "into", "across", "of", "toward",
	"towards", "via", "through", "inside", "visit", "visited", "visiting", "based", NULL
};
static const char *const rg_institutions[] = {
	"government", "army", "police", "ministry", "minister", "parliament", "president", "prime",
	"foreign", "king", "queen", "river", "valley", "times", "post", "daily", "national", "central",
	"state", "airways", "airlines", "air", "telecom", "bank", "army's", "navy", "forces", "defense",
	"defence", "armed", "border", "sea", "gulf", "coast", "republic", "kingdom", "province",
	"city", "county", "state's", "senate", "house", "legislature", "governor", "university",
	"mobile", "electric", "power", "petroleum", "oil", "gas", "steel", "motors", "telecom",
	"railways", "stock", "exchange", "news", "radio", "television", "tv", "embassy", "consulate",
	"cup", "open", "grand", "league", "football", "cricket", "rugby", "olympic", "committee",
	"council", "authority", "agency", "office", "department", "supreme", "court", "high",
	"federation", "union", "party", "democrats", "republicans", "cabinet", "mission",
	"islands", "island", "strait", "straits", "peninsula", NULL
};
static const char *const rg_determiners[] = {
	"a", "an", "the", "this", "that", "some", "roast", "roasted", "wild", "fine", "very", "so",
	"too", "how", "really", "pretty", "quite", "my", "your", "our", "his", "her", "their", NULL
};

/* "Related Links", "Read more", "More from ...": lines that start a trailer */
static const char *const rg_trailer_starts[] = {
	"related", "read", "more", "recommended", "see", "also", "latest", "top", "most", "further",
	"subscribe", "sign", NULL
};

/* "6.6 billion U.S. dlrs", "a Canadian dollar bond": the country names a currency */
static const char *const rg_currencies[] = {
	"dlr", "dlrs", "dollar", "dollars", "cent", "cents", "cts", "yen", "franc", "francs", "mark",
	"marks", "crown", "crowns", "pound", "pounds", "lira", "lire", "peso", "pesos", "rupee",
	"rupees", "yuan", "won", "rand", "ringgit", "guilder", "guilders", "schilling", "schillings",
	"krona", "kronor", "krone", "kroner", "escudo", "escudos", "peseta", "pesetas", "currency", NULL
};
/* "Midland Bank", "Whitehall Corp", "Japan Fund": a place name inside a company name */
static const char *const rg_orgsuffixes[] = {
	"corp", "corporation", "inc", "ltd", "plc", "co", "company", "group", "fund", "holdings",
	"bancorp", "industries", "ag", "sa", "nv", "bv", "gmbh", "llc", "partners", "trust", "capital",
	"securities", "investors", "associates", "enterprises", "bank", "bancshares", "financial",
	"savings", "mines", "mining", "resources", "petroleum", "systems", "technologies", "energy",
	"communications", "properties", "realty", "insurance", "brands", "products", NULL
};

/* ---------------------------------------------------------------- small helpers */

static void rg_err(struct nt_error *err, int code, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

/* Fill err (may be NULL) with a status and a message. */
static void rg_err(struct nt_error *err, int code, const char *fmt, ...)
{
	va_list ap;
	if (err == NULL)
		return;
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
}

static size_t rg_slot(uint64_t h, size_t mask)
{
	return (size_t)((h ^ (h >> 29) ^ (h >> 47)) & mask);
}

static int rg_map_init(struct rg_map *m, size_t n, int sparse)
{
	size_t cap = 16;
	while (cap < n * 2 + 2)
		cap <<= 1;
	if (sparse)
		cap <<= 2; /* small sets probed by mostly misses, which stop at the first empty slot */
	m->keys = calloc(cap, sizeof *m->keys);
	m->vals = malloc(cap * sizeof *m->vals);
	if (m->keys == NULL || m->vals == NULL)
		return NT_ENOMEM;
	memset(m->vals, 0xff, cap * sizeof *m->vals);
	m->mask = cap - 1;
	return NT_OK;
}

static void rg_map_free(struct rg_map *m)
{
	free(m->keys);
	free(m->vals);
	m->keys = NULL;
	m->vals = NULL;
}

/* Slot of key h: its own slot, or the empty slot where it would go. */
static size_t rg_map_find(const struct rg_map *m, uint64_t h)
{
	size_t i = rg_slot(h, m->mask);
	/* one branch per probe: a hit and an empty slot both stop */
	while (((m->vals[i] == -1) | (m->keys[i] == h)) == 0)
		i = (i + 1) & m->mask;
	return i;
}

static int32_t rg_map_get(const struct rg_map *m, uint64_t h)
{
	if (m->keys == NULL)
		return -1;
	return m->vals[rg_map_find(m, h)];
}

/* Value of key h in m, or -1: no branch (see struct rg_phash). */
static inline int32_t rg_ph_get(const struct rg_phash *m, uint64_t h)
{
	const struct rg_pslot *s = &m->slots[nt_phash_slot(&m->pl, h)];
	return s->key == h ? s->val : -1;
}

static void rg_phash_free(struct rg_phash *ph)
{
	free(ph->slots);
	ph->slots = NULL;
	nt_phash_free(&ph->pl);
}

/* Build ph, the perfect hash of the keys of m (vals != -1) and their values: at least 16
 * slots, 8 per 7 keys and one displacement per 2 slots (more groups make keys that cannot be
 * separated rarer). NT_OK, or NT_ENOMEM (also over 2^24 slots). */
static int rg_freeze(const struct rg_map *m, struct rg_phash *ph)
{
	size_t n = 0, nslot, i;
	uint64_t *keys;
	int32_t *vals;
	uint32_t *owner;
	rg_phash_free(ph);
	if (m->keys != NULL)
		for (i = 0; i <= m->mask; i++)
			n += m->vals[i] != -1;
	keys = malloc((n + 1) * sizeof *keys);
	vals = malloc((n + 1) * sizeof *vals);
	if (keys == NULL || vals == NULL) {
		free(keys);
		free(vals);
		return NT_ENOMEM;
	}
	n = 0;
	if (m->keys != NULL)
		for (i = 0; i <= m->mask; i++)
			if (m->vals[i] != -1) {
				keys[n] = m->keys[i];
				vals[n++] = m->vals[i];
			}
	nslot = nt_phash_place(&ph->pl, keys, n, 16, 2, &owner);
	if (nslot > 0 && (ph->slots = malloc(nslot * sizeof *ph->slots)) != NULL)
		for (i = 0; i < nslot; i++) {
			ph->slots[i].key = owner[i] == UINT32_MAX ? 0 : keys[owner[i]];
			ph->slots[i].val = owner[i] == UINT32_MAX ? -1 : vals[owner[i]];
			ph->slots[i].pad_ = 0;
		}
	free(keys);
	free(vals);
	free(owner);
	if (ph->slots == NULL) {
		rg_phash_free(ph);
		return NT_ENOMEM;
	}
	return NT_OK;
}

static int rg_wordset_build(struct rg_state *st, struct rg_map *m, const char *const *words)
{
	size_t n = 0;
	while (words[n] != NULL)
		n++;
	if (rg_map_init(m, n, 1) != NT_OK)
		return NT_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		uint64_t h = st->host->hash(words[i], strlen(words[i]));
		size_t s = rg_map_find(m, h);
		m->keys[s] = h;
		m->vals[s] = 1;
	}
	return NT_OK;
}

/* The context word sets in one table: word hash -> bit (1 << ws) for each set holding it. */
static int rg_wordsets_build(struct rg_state *st)
{
	static const char *const *const sets[RG_NWORDSETS] = {
		rg_honorifics, rg_qualifiers, rg_locatives, rg_institutions, rg_determiners,
		rg_currencies, rg_orgsuffixes
	};
	size_t n = 0;
	for (size_t w = 0; w < RG_NWORDSETS; w++)
		for (size_t i = 0; sets[w][i] != NULL; i++)
			n++;
	if (rg_map_init(&st->words, n, 0) != NT_OK) /* (the loading table; see rg_freeze()) */
		return NT_ENOMEM;
	for (size_t w = 0; w < RG_NWORDSETS; w++)
		for (size_t i = 0; sets[w][i] != NULL; i++) {
			uint64_t h = st->host->hash(sets[w][i], strlen(sets[w][i]));
			size_t s = rg_map_find(&st->words, h);
			st->words.keys[s] = h;
			st->words.vals[s] = (st->words.vals[s] < 0 ? 0 : st->words.vals[s]) | (1 << w);
		}
	return NT_OK;
}

/* The word sets holding word hash h, as bits (1 << ws); 0 for most words. One probe of the
 * perfect hash, no branch (a filter in front of it cost a mispredicted branch per few words). */
static unsigned rg_wordmask(const struct rg_state *st, uint64_t h)
{
	int32_t v = rg_ph_get(&st->pwords, h);
	return v < 0 ? 0u : (unsigned)v;
}

static int rg_in(const struct rg_state *st, enum rg_wordset ws, uint64_t h)
{
	return (rg_wordmask(st, h) >> ws) & 1u;
}

/* Parse a decimal number in [0, 1e6] without the locale; returns 0 on success. */
static int rg_parse_num(const char *s, size_t len, double *out)
{
	double v = 0.0, scale = 1.0;
	size_t i = 0;
	int digits = 0, dot = 0;
	if (len == 0 || len > 32)
		return -1;
	for (; i < len; i++) {
		char c = s[i];
		if (c >= '0' && c <= '9') {
			if (dot) {
				scale /= 10.0;
				v += (c - '0') * scale;
			} else {
				v = v * 10.0 + (c - '0');
			}
			digits++;
		} else if (c == '.' && !dot) {
			dot = 1;
		} else {
			return -1;
		}
	}
	if (!digits)
		return -1;
	*out = v;
	return 0;
}

static int rg_is_code(const char *s, size_t len)
{
	return len == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z';
}

/* Index of country code s (2 letters), adding it when add is set; -1 when absent or full. */
static int rg_country(struct rg_state *st, const char *s, int add)
{
	int k = (s[0] - 'A') * 26 + (s[1] - 'A');
	if (st->code_index[k] >= 0)
		return st->code_index[k];
	if (!add || st->ncountries >= RG_MAX_COUNTRIES)
		return -1;
	st->codes[st->ncountries][0] = s[0];
	st->codes[st->ncountries][1] = s[1];
	st->codes[st->ncountries][2] = '\0';
	st->region_of[st->ncountries] = -1;
	st->code_index[k] = (int16_t)st->ncountries;
	return (int)st->ncountries++;
}

/* Fold and hash a phrase like the document model: a fast path for plain ASCII words separated
 * by spaces or hyphens (lower-cased and hashed with host->hash), host->fold_hashes otherwise. */
static size_t rg_phrase_hashes(const struct rg_state *st, const char *s, size_t len, uint64_t *out,
                               size_t max)
{
	char w[64];
	size_t n = 0, wl = 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == ' ' || c == '-'))
			return st->host->fold_hashes(s, len, out, max);
	}
	for (size_t i = 0; i <= len; i++) {
		char c = i < len ? s[i] : ' ';
		if (c == ' ' || c == '-') {
			if (wl > 0) {
				if (n == max)
					return max + 1;
				out[n++] = st->host->hash(w, wl);
				wl = 0;
			}
		} else {
			if (wl == sizeof w)
				return st->host->fold_hashes(s, len, out, max);
			w[wl++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
		}
	}
	return n;
}

/* Read a whole file into a NUL-terminated buffer (caller frees). */
static char *rg_slurp(const char *path, size_t *len, struct nt_error *err)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;
	if (f == NULL) {
		rg_err(err, errno == ENOENT ? NT_ENOTFOUND : NT_EIO, "%s: %s", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		if (cap - n < 65536) {
			size_t ncap = cap ? cap * 2 : 262144;
			char *nb;
			if (ncap > ((size_t)1 << 30)) {
				rg_err(err, NT_EFORMAT, "%s: file too large", path);
				free(buf);
				fclose(f);
				return NULL;
			}
			nb = realloc(buf, ncap + 1);
			if (nb == NULL) {
				rg_err(err, NT_ENOMEM, "%s: out of memory", path);
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
			cap = ncap;
		}
		size_t r = fread(buf + n, 1, cap - n, f);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		rg_err(err, NT_EIO, "%s: read error", path);
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	if (memchr(buf, '\0', n) != NULL) {
		rg_err(err, NT_EFORMAT, "%s: byte %zu: NUL byte in a text file", path,
		       (size_t)((char *)memchr(buf, '\0', n) - buf));
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

/* Split line [s, e) on tabs into at most max fields; returns the count (max+1 if more). */
static size_t rg_fields(const char *s, const char *e, const char **f, size_t *fl, size_t max)
{
	size_t n = 0;
	const char *p = s;
	for (;;) {
		const char *t = memchr(p, '\t', (size_t)(e - p));
		const char *end = t ? t : e;
		if (n == max)
			return max + 1;
		f[n] = p;
		fl[n] = (size_t)(end - p);
		n++;
		if (t == NULL)
			break;
		p = t + 1;
	}
	return n;
}

/* ---------------------------------------------------------------- loading */

static int rg_load_region_map(struct rg_state *st, const char *path, struct nt_error *err)
{
	size_t len = 0, line = 0;
	char *buf = rg_slurp(path, &len, err);
	const char *p, *end;
	int rc = NT_OK;
	if (buf == NULL)
		return err ? err->code : NT_EIO;
	p = buf;
	end = buf + len;
	while (p < end && rc == NT_OK) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		const char *f[3];
		size_t fl[3], nf;
		line++;
		if (e > p && e[-1] == '\r')
			e--;
		if (line == 1) {
			if ((size_t)(e - p) != strlen("#newstag-region-map\t1") ||
			    memcmp(p, "#newstag-region-map\t1", (size_t)(e - p)) != 0) {
				rg_err(err, NT_EFORMAT, "%s:1: not a region map (expected the header "
				       "\"#newstag-region-map<TAB>1\")", path);
				rc = NT_EFORMAT;
			}
		} else if (e > p && *p != '#') {
			nf = rg_fields(p, e, f, fl, 2);
			if (nf != 2 || !rg_is_code(f[0], fl[0]) || fl[1] == 0 || fl[1] >= 32) {
				rg_err(err, NT_EFORMAT, "%s:%zu: expected CODE<TAB>region", path, line);
				rc = NT_EFORMAT;
				break;
			}
			for (size_t i = 0; i < fl[1]; i++) {
				char c = f[1][i];
				if (!((c >= 'a' && c <= 'z') || c == '-' || (c >= '0' && c <= '9'))) {
					rg_err(err, NT_EFORMAT, "%s:%zu: region name must be lower case "
					       "letters, digits and '-'", path, line);
					rc = NT_EFORMAT;
					break;
				}
			}
			if (rc != NT_OK)
				break;
			size_t r;
			for (r = 0; r < st->nregions; r++)
				if (strlen(st->regions[r]) == fl[1] && memcmp(st->regions[r], f[1], fl[1]) == 0)
					break;
			if (r == st->nregions) {
				if (st->nregions >= RG_MAX_REGIONS) {
					rg_err(err, NT_EFORMAT, "%s:%zu: more than %d regions", path, line,
					       RG_MAX_REGIONS);
					rc = NT_EFORMAT;
					break;
				}
				memcpy(st->regions[r], f[1], fl[1]);
				st->regions[r][fl[1]] = '\0';
				st->nregions++;
			}
			int c = rg_country(st, f[0], 1);
			if (c < 0) {
				rg_err(err, NT_EFORMAT, "%s:%zu: too many countries", path, line);
				rc = NT_EFORMAT;
				break;
			}
			if (st->region_of[c] >= 0) {
				rg_err(err, NT_EFORMAT, "%s:%zu: country %.2s listed twice", path, line, f[0]);
				rc = NT_EFORMAT;
				break;
			}
			st->region_of[c] = (int16_t)r;
		}
		p = nl ? nl + 1 : end;
	}
	if (rc == NT_OK && line == 0) {
		rg_err(err, NT_EFORMAT, "%s:1: empty file (expected the header \"#newstag-region-map<TAB>1\")",
		       path);
		rc = NT_EFORMAT;
	}
	free(buf);
	return rc;
}

/* Key of a multi-word phrase in st->pairs: a mix of its first two token hashes. */
static uint64_t rg_pair_key(uint64_t h0, uint64_t h1)
{
	return h0 ^ (h1 * 0x9E3779B97F4A7C15ull) ^ (h1 >> 17);
}

/* The filter bit of hash h (bits 40..56, which the table slots barely use): 0 = h is not
 * the first token of a phrase. */
static unsigned rg_bloom_bit(const uint64_t *bloom, uint64_t h)
{
	return (unsigned)(bloom[(h >> 46) & 2047] >> ((h >> 40) & 63)) & 1u;
}

static void rg_bloom_add(uint64_t *bloom, uint64_t h)
{
	bloom[(h >> 46) & 2047] |= (uint64_t)1 << ((h >> 40) & 63);
}

/* Is h the first token of some phrase? (The filter has no false negatives: most words
 * are answered without a probe.) */
static int rg_is_firstword(const struct rg_state *st, uint64_t h)
{
	return rg_bloom_bit(st->bloom, h) != 0 && rg_ph_get(&st->pfirst, h) >= 0;
}

/* Find the entry whose tokens are exactly h[0..n). */
static int32_t rg_find_entry(const struct rg_state *st, const uint64_t *h, size_t n)
{
	if (n == 1) {
		int32_t v = rg_map_get(&st->first, h[0]);
		return v < 0 || (v & RG_FIRST_NONE) == RG_FIRST_NONE ? -1 : (v & RG_FIRST_NONE);
	}
	int32_t e = rg_map_get(&st->pairs, rg_pair_key(h[0], h[1]));
	for (; e >= 0; e = st->entries[e].next) {
		const struct rg_entry *en = &st->entries[e];
		if (en->ntok == n && memcmp(&st->toks[en->tok_off], h, n * sizeof *h) == 0)
			return e;
	}
	return -1;
}

static int rg_load_gazetteer(struct rg_state *st, const char *path, struct nt_error *err)
{
	size_t len = 0, line = 0, cap_e = 0, cap_t = 0, cap_c = 0, ncuew = 0;
	char *buf = rg_slurp(path, &len, err);
	const char *p, *end;
	int rc = NT_OK;
	if (buf == NULL)
		return err ? err->code : NT_EIO;
	/* pass 1: count lines to size the arrays */
	for (const char *q = buf; (q = memchr(q, '\n', (size_t)(buf + len - q))) != NULL; q++)
		cap_e++;
	cap_e += 2;
	if (cap_e >= RG_FIRST_NONE) {
		free(buf);
		rg_err(err, NT_EFORMAT, "%s: too many lines", path);
		return NT_EFORMAT;
	}
	cap_t = cap_e * 3;
	st->entries = calloc(cap_e, sizeof *st->entries);
	st->toks = calloc(cap_t, sizeof *st->toks);
	if (st->entries == NULL || st->toks == NULL || rg_map_init(&st->first, cap_e, cap_e <= 512) != NT_OK ||
	    rg_map_init(&st->pairs, cap_e, cap_e <= 512) != NT_OK) {
		free(buf);
		rg_err(err, NT_ENOMEM, "%s: out of memory", path);
		return NT_ENOMEM;
	}
	p = buf;
	end = buf + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		const char *f[6];
		size_t fl[6], nf;
		uint64_t h[RG_MAX_TOK + 1];
		size_t nh;
		line++;
		if (e > p && e[-1] == '\r')
			e--;
		if (line == 1) {
			if ((size_t)(e - p) != strlen("#newstag-gazetteer\t1") ||
			    memcmp(p, "#newstag-gazetteer\t1", (size_t)(e - p)) != 0) {
				rg_err(err, NT_EFORMAT, "%s:1: not a newstag gazetteer of format 1 (expected "
				       "the header \"#newstag-gazetteer<TAB>1\")", path);
				rc = NT_EFORMAT;
				break;
			}
			p = nl ? nl + 1 : end;
			continue;
		}
		if (e == p || *p == '#') {
			p = nl ? nl + 1 : end;
			continue;
		}
		nf = rg_fields(p, e, f, fl, 5);
		if (fl[0] == 4 && memcmp(f[0], "@cue", 4) == 0) {
			/* @cue phrase CODE words */
			int32_t en;
			int c;
			if (nf != 4 || !rg_is_code(f[2], fl[2]) || fl[1] == 0 || fl[3] == 0) {
				rg_err(err, NT_EFORMAT, "%s:%zu: expected @cue<TAB>phrase<TAB>CODE<TAB>words",
				       path, line);
				rc = NT_EFORMAT;
				break;
			}
			nh = rg_phrase_hashes(st, f[1], fl[1], h, RG_MAX_TOK + 1);
			en = (nh >= 1 && nh <= RG_MAX_TOK) ? rg_find_entry(st, h, nh) : -1;
			if (en < 0) {
				rg_err(err, NT_EFORMAT, "%s:%zu: cue for phrase \"%.*s\" that is not in the "
				       "gazetteer (cues must follow their phrase)", path, line, (int)fl[1], f[1]);
				rc = NT_EFORMAT;
				break;
			}
			c = rg_country(st, f[2], 1);
			if (c < 0) {
				rg_err(err, NT_EFORMAT, "%s:%zu: too many countries", path, line);
				rc = NT_EFORMAT;
				break;
			}
			/* each word of the cue list */
			uint64_t wh[64];
			size_t nw = st->host->fold_hashes(f[3], fl[3], wh, 64);
			if (nw == 0 || nw > 64) {
				rg_err(err, NT_EFORMAT, "%s:%zu: cue needs 1 to 64 words", path, line);
				rc = NT_EFORMAT;
				break;
			}
			if (st->ncues + nw > cap_c) {
				size_t ncap = (cap_c + nw) * 2;
				struct rg_cue *nc = realloc(st->cues, ncap * sizeof *nc);
				if (nc == NULL) {
					rg_err(err, NT_ENOMEM, "%s: out of memory", path);
					rc = NT_ENOMEM;
					break;
				}
				st->cues = nc;
				cap_c = ncap;
			}
			st->entries[en].has_cues = 1;
			for (size_t i = 0; i < nw; i++) {
				st->cues[st->ncues].entry = (uint32_t)en;
				st->cues[st->ncues].code = (uint16_t)c;
				st->cues[st->ncues].hash = wh[i];
				st->ncues++;
			}
			ncuew += nw;
			p = nl ? nl + 1 : end;
			continue;
		}
		if (nf != 5) {
			rg_err(err, NT_EFORMAT, "%s:%zu: expected 5 tab-separated fields "
			       "(phrase, codes, kind, flags, weight), found %zu", path, line,
			       nf > 5 ? (size_t)6 : nf);
			rc = NT_EFORMAT;
			break;
		}
		struct rg_entry *en = &st->entries[st->nentries];
		memset(en, 0, sizeof *en);
		en->line = (uint32_t)line;
		/* kind */
		size_t k;
		for (k = 0; k < RG_NKINDS; k++)
			if (fl[2] > 0 && rg_kind_names[k][0] == f[2][0] &&
			    strlen(rg_kind_names[k]) == fl[2] && memcmp(rg_kind_names[k], f[2], fl[2]) == 0)
				break;
		if (k == RG_NKINDS) {
			rg_err(err, NT_EFORMAT, "%s:%zu: unknown kind \"%.*s\"", path, line, (int)fl[2], f[2]);
			rc = NT_EFORMAT;
			break;
		}
		en->kind = (uint8_t)k;
		/* codes */
		if (fl[1] == 1 && f[1][0] == '-') {
			en->ncodes = 0;
		} else {
			size_t i = 0;
			while (i < fl[1]) {
				int c;
				if (en->ncodes == RG_MAX_CODES || i + 2 > fl[1] || !rg_is_code(f[1] + i, 2) ||
				    (i + 2 < fl[1] && f[1][i + 2] != '|')) {
					rg_err(err, NT_EFORMAT, "%s:%zu: codes must be 1 to %d ISO alpha-2 codes "
					       "separated by '|', or '-'", path, line, RG_MAX_CODES);
					rc = NT_EFORMAT;
					break;
				}
				c = rg_country(st, f[1] + i, 1);
				if (c < 0) {
					rg_err(err, NT_EFORMAT, "%s:%zu: too many countries", path, line);
					rc = NT_EFORMAT;
					break;
				}
				en->codes[en->ncodes++] = (uint16_t)c;
				i += 3;
			}
			if (rc != NT_OK)
				break;
			if (fl[1] && f[1][fl[1] - 1] == '|') { /* empty codes: the block check below */
				rg_err(err, NT_EFORMAT, "%s:%zu: trailing '|' in codes", path, line);
				rc = NT_EFORMAT;
				break;
			}
		}
		if ((en->ncodes == 0) != (en->kind == RG_BLOCK)) {
			rg_err(err, NT_EFORMAT, "%s:%zu: a block phrase has codes '-', and only a block "
			       "phrase", path, line);
			rc = NT_EFORMAT;
			break;
		}
		/* flags */
		if (!(fl[3] == 1 && f[3][0] == '-')) {
			for (size_t i = 0; i < fl[3]; i++) {
				switch (f[3][i]) {
				case 'U': en->flags |= RG_F_UPPER; break;
				case 'W': en->flags |= RG_F_WORD; break;
				case 'P': en->flags |= RG_F_PERSON; break;
				case 'D': en->flags |= RG_F_DOTTED; break;
				default:
					rg_err(err, NT_EFORMAT, "%s:%zu: unknown flag '%c' (U, W, P, D or '-')",
					       path, line, isprint((unsigned char)f[3][i]) ? f[3][i] : '?');
					rc = NT_EFORMAT;
				}
				if (rc != NT_OK)
					break;
			}
			if (rc != NT_OK)
				break;
		}
		if (!(en->flags & (RG_F_WORD | RG_F_PERSON | RG_F_DOTTED)) && en->kind != RG_CITY &&
		    en->kind != RG_CAPITAL && en->kind != RG_STATE && en->kind != RG_PLACE)
			en->flags |= RG_F_PLAIN;
		/* weight */
		double w;
		if (rg_parse_num(f[4], fl[4], &w) != 0 || !(w > 0.0 && w <= 1.0)) {
			rg_err(err, NT_EFORMAT, "%s:%zu: weight \"%.*s\" is not a number in (0,1]", path,
			       line, (int)fl[4], f[4]);
			rc = NT_EFORMAT;
			break;
		}
		en->weight = (float)w;
		/* phrase */
		if (fl[0] == 0) {
			rg_err(err, NT_EFORMAT, "%s:%zu: empty phrase", path, line);
			rc = NT_EFORMAT;
			break;
		}
		nh = rg_phrase_hashes(st, f[0], fl[0], h, RG_MAX_TOK + 1);
		if (nh == 0 || nh > RG_MAX_TOK) {
			rg_err(err, NT_EFORMAT, "%s:%zu: phrase \"%.*s\" must have 1 to %d words", path, line,
			       (int)fl[0], f[0], RG_MAX_TOK);
			rc = NT_EFORMAT;
			break;
		}
		if (rg_find_entry(st, h, nh) >= 0) {
			/* the same folded phrase twice (e.g. two spellings): keep the first */
			p = nl ? nl + 1 : end;
			continue;
		}
		if (st->ntoks + nh > cap_t) {
			size_t ncap = cap_t * 2 + nh;
			uint64_t *nt = realloc(st->toks, ncap * sizeof *nt);
			if (nt == NULL) {
				rg_err(err, NT_ENOMEM, "%s: out of memory", path);
				rc = NT_ENOMEM;
				break;
			}
			st->toks = nt;
			cap_t = ncap;
		}
		en->tok_off = (uint32_t)st->ntoks;
		en->ntok = (uint8_t)nh;
		memcpy(&st->toks[st->ntoks], h, nh * sizeof *h);
		st->ntoks += nh;
		/* index it: a one-word phrase by its hash, a longer one by its first two hashes
		 * (a chain, longest phrase first) */
		{
			int32_t idx = (int32_t)st->nentries;
			size_t s = rg_map_find(&st->first, h[0]);
			if (st->first.vals[s] < 0) {
				st->first.keys[s] = h[0];
				st->first.vals[s] = RG_FIRST_NONE;
			}
			rg_bloom_add(st->bloom, h[0]);
			en->next = -1;
			if (nh == 1) {
				/* (a repeated phrase was refused above) */
				st->first.vals[s] = (st->first.vals[s] & RG_FIRST_MULTI) | idx;
			} else {
				uint64_t key = rg_pair_key(h[0], h[1]);
				st->first.vals[s] |= RG_FIRST_MULTI;
				st->pairfilter[(key >> 49) & 511] |= (uint64_t)1 << ((key >> 43) & 63);
				s = rg_map_find(&st->pairs, key);
				if (st->pairs.vals[s] < 0) {
					st->pairs.keys[s] = key;
					st->pairs.vals[s] = idx;
				} else {
					int32_t *pp = &st->pairs.vals[s];
					while (*pp >= 0 && st->entries[*pp].ntok >= en->ntok)
						pp = &st->entries[*pp].next;
					en->next = *pp;
					*pp = idx;
				}
			}
		}
		st->nentries++;
		p = nl ? nl + 1 : end;
	}
	free(buf);
	if (rc == NT_OK && line == 0) {
		rg_err(err, NT_EFORMAT, "%s:1: empty file (expected the header \"#newstag-gazetteer<TAB>1\")",
		       path);
		rc = NT_EFORMAT;
	}
	if (rc == NT_OK && st->nentries == 0) {
		rg_err(err, NT_EFORMAT, "%s: no phrases", path);
		rc = NT_EFORMAT;
	}
	if (rc == NT_OK) {
		if (rg_map_init(&st->cuewords, ncuew + 1, ncuew + 1 <= 512) != NT_OK) {
			rg_err(err, NT_ENOMEM, "%s: out of memory", path);
			return NT_ENOMEM;
		}
		st->cue_next_word = malloc((st->ncues + 1) * sizeof *st->cue_next_word);
		st->cue_next_entry = malloc((st->ncues + 1) * sizeof *st->cue_next_entry);
		st->cue_head = malloc((st->nentries + 1) * sizeof *st->cue_head);
		if (st->cue_next_word == NULL || st->cue_next_entry == NULL || st->cue_head == NULL) {
			rg_err(err, NT_ENOMEM, "%s: out of memory", path);
			return NT_ENOMEM;
		}
		for (size_t e = 0; e < st->nentries; e++)
			st->cue_head[e] = -1;
		/* chains in ascending cue order: built from the last cue back */
		for (size_t i = st->ncues; i-- > 0;) {
			size_t s = rg_map_find(&st->cuewords, st->cues[i].hash);
			st->cue_next_word[i] = st->cuewords.vals[s]; /* -1 when new */
			st->cuewords.keys[s] = st->cues[i].hash;
			st->cuewords.vals[s] = (int32_t)i;
			st->cue_next_entry[i] = st->cue_head[st->cues[i].entry];
			st->cue_head[st->cues[i].entry] = (int32_t)i;
			st->cuefilter[(st->cues[i].hash >> 40) & 63] |= (uint64_t)1 << ((st->cues[i].hash >> 46) & 63);
		}
	}
	return rc;
}

/* ---------------------------------------------------------------- classification */

/* One matched mention. */
struct rg_mention {
	uint32_t first, last;    /* token range [first, last] */
	int32_t entry;           /* gazetteer entry */
	int16_t code;            /* resolved country index, -1 = unresolved/dropped */
	uint8_t zone;
	uint8_t dropped;
	double weight;
};

struct rg_ctx {
	const struct rg_state *st;
	const struct nt_doc *doc;
	uint32_t dateline_start; /* tokens [dateline_start, dateline_end) are a dateline (fallback) */
	uint32_t dateline_end;
	uint32_t trailer_start; /* tokens from here are a trailer (fallback; ntokens = none) */
};

static inline int rg_tok_is(const struct nt_doc *doc, size_t i, char c)
{
	/* a one-byte punctuation token's folded form is its byte (the text is the repaired
	 * copy), so no branch on the token's source string */
	const struct nt_token *t = &doc->tokens[i];
	return ((t->flags & NT_TOK_PUNCT) != 0) & (t->end - t->start == 1) &
	       (doc->norm[t->norm_off] == c);
}

/* Is the context of tokens [first, last] mostly capitalised words (a title-case or all-caps
 * headline)? Looks at up to 6 longer words on each side within the sentence. */
static int rg_capsy(struct rg_ctx *cx, size_t first, size_t last)
{
	const struct nt_doc *doc = cx->doc;
	uint32_t s = doc->tokens[first].sentence;
	size_t words = 0, caps = 0, seen = 0;
	/* counted without branches: longer words, and those capitalised */
	for (size_t i = first; i-- > 0 && seen < 6;) {
		const struct nt_token *t = &doc->tokens[i];
		if (t->sentence != s)
			break;
		size_t w = ((t->flags & NT_TOK_WORD) != 0) & (t->norm_len >= 4);
		seen += w;
		words += w;
		caps += w & ((t->flags & (NT_TOK_CAP | NT_TOK_UPPER)) != 0);
	}
	seen = 0;
	for (size_t i = last + 1; i < doc->ntokens && seen < 6; i++) {
		const struct nt_token *t = &doc->tokens[i];
		if (t->sentence != s)
			break;
		size_t w = ((t->flags & NT_TOK_WORD) != 0) & (t->norm_len >= 4);
		seen += w;
		words += w;
		caps += w & ((t->flags & (NT_TOK_CAP | NT_TOK_UPPER)) != 0);
	}
	return words >= 3 && caps * 4 >= words * 3;
}

/* Does the entry's phrase match the tokens from i? Sets *last to its last token. */
static int rg_match_rest(const struct rg_state *st, const struct nt_doc *doc, const struct rg_entry *en,
                         size_t i, size_t *last)
{
	const uint64_t *h = &st->toks[en->tok_off];
	size_t j = i;
	for (size_t k = 1; k < en->ntok; k++) {
		j++;
		if (j < doc->ntokens && (rg_tok_is(doc, j, '-') || rg_tok_is(doc, j, '.')) &&
		    doc->tokens[j].start == doc->tokens[j - 1].end)
			j++;   /* "Guinea-Bissau", "St. Lucia" */
		if (j >= doc->ntokens || doc->tokens[j].sentence != doc->tokens[i].sentence ||
		    !(doc->tokens[j].flags & (NT_TOK_WORD | NT_TOK_NUMBER)) || doc->tokens[j].hash != h[k])
			return 0;
	}
	if (en->flags & RG_F_UPPER) {
		for (size_t q = i; q <= j; q++)
			if ((doc->tokens[q].flags & NT_TOK_WORD) && !(doc->tokens[q].flags & NT_TOK_UPPER))
				return 0;
	}
	*last = j;
	return 1;
}

/* Is word token i capitalised and not the first of its sentence? */
static int rg_inner_cap(const struct nt_doc *doc, size_t i)
{
	const struct nt_token *t = &doc->tokens[i];
	return (t->flags & NT_TOK_WORD) && (t->flags & (NT_TOK_CAP | NT_TOK_UPPER)) &&
	       !(t->flags & NT_TOK_SENT_START);
}

/* The person-name and namesake rules. Returns 0 to drop the mention, else a weight factor. */
static double rg_rules(struct rg_ctx *cx, const struct rg_entry *en, size_t first, size_t last)
{
	const struct rg_state *st = cx->st;
	const struct nt_doc *doc = cx->doc;
	const struct nt_token *t = &doc->tokens[first];
	if (en->flags & RG_F_PLAIN) {
		/* most names and demonyms: of the rules below, only those on the word after apply
		 * (a currency, a company word) */
		const struct nt_token *nx = &doc->tokens[last + 1];
		double f = 1.0;
		if (last + 1 >= doc->ntokens || nx->sentence != t->sentence || nx->src != t->src ||
		    !(nx->flags & NT_TOK_WORD))
			return 1.0;
		unsigned nxm = rg_wordmask(st, nx->hash);
		if ((nxm >> RG_WS_CURRENCY) & 1u)
			f *= 0.15;
		if ((nx->flags & (NT_TOK_CAP | NT_TOK_UPPER)) && ((nxm >> RG_WS_ORGSUFFIX) & 1u))
			f *= en->kind == RG_METONYM ? 0.2 : 0.6;
		return f;
	}
	int has_prev = first > 0 && doc->tokens[first - 1].sentence == t->sentence &&
	               doc->tokens[first - 1].src == t->src;
	int has_next = last + 1 < doc->ntokens && doc->tokens[last + 1].sentence == t->sentence &&
	               doc->tokens[last + 1].src == t->src;
	const struct nt_token *pv = has_prev ? &doc->tokens[first - 1] : NULL;
	const struct nt_token *nx = has_next ? &doc->tokens[last + 1] : NULL;
	int placeish = en->kind == RG_CITY || en->kind == RG_CAPITAL || en->kind == RG_STATE ||
	               en->kind == RG_PLACE;
	double f = 1.0;

	/* "PONTIAC, Mich., March 27": a dotted abbreviation right after a comma */
	if (en->flags & RG_F_DOTTED) {
		const char *nm = doc->norm + doc->tokens[last].norm_off;
		size_t nl = doc->tokens[last].norm_len;
		if (!pv || !rg_tok_is(doc, first - 1, ','))
			return 0.0;
		if (!(nl > 0 && nm[nl - 1] == '.') &&
		    !(nx && rg_tok_is(doc, last + 1, '.') && nx->start == doc->tokens[last].end))
			return 0.0;
		return 1.0;
	}

	/* the word sets of the words before (only when a rule below asks) and after (one filter
	 * test each, a probe for few) */
	const int person_rules = ((en->flags & RG_F_PERSON) || placeish) && en->ntok == 1;
	const unsigned pvm = (person_rules || (en->flags & RG_F_WORD)) && pv && (pv->flags & NT_TOK_WORD) ?
	                     rg_wordmask(st, pv->hash) : 0u;
	const unsigned nxm = nx && (nx->flags & NT_TOK_WORD) ? rg_wordmask(st, nx->hash) : 0u;
#define PV_IN(ws) ((pvm >> (ws)) & 1u)
#define NX_IN(ws) ((nxm >> (ws)) & 1u)

	/* "Mr Jordan", "Dr Chad": a person */
	if (person_rules && PV_IN(RG_WS_HONORIFIC))
		return 0.0;
	if (person_rules && pv && rg_tok_is(doc, first - 1, '.') && first >= 2 &&
	    rg_in(st, RG_WS_HONORIFIC, doc->tokens[first - 2].hash))
		return 0.0;   /* "Mr. Jordan" */

	/* title-case and all-caps headlines: computed only when a rule needs them, and then
	 * only when the rule's other conditions hold (CAPSY() is evaluated last) */
	int capsy = -1;
	const int capsy_used = (en->flags & (RG_F_PERSON | RG_F_WORD)) || (placeish && en->ntok == 1);
#define CAPSY() (capsy < 0 ? (capsy = capsy_used ? rg_capsy(cx, first, last) : 0) : capsy)

	/* "Michael Jordan", "Paris Hilton", "Jordan Peterson": a capitalised name next to it */
	if (person_rules) {
		if (pv && rg_inner_cap(doc, first - 1) && !PV_IN(RG_WS_QUALIFIER) &&
		    !rg_is_firstword(st, pv->hash) && !CAPSY())
			return 0.0;
	}
	if (en->flags & RG_F_PERSON) {
		if (nx && rg_inner_cap(doc, last + 1) && !(nx->flags & NT_TOK_UPPER) &&
		    !NX_IN(RG_WS_INSTITUTION) && !rg_is_firstword(st, nx->hash) && !CAPSY())
			return 0.0;
	}

	/* common words: "Nice", "Reading", "Mobile", "Turkey", "Chad" */
	if (en->flags & RG_F_WORD) {
		if (placeish) {
			int ok = t->zone == NT_ZONE_DATELINE ||
			         (first >= cx->dateline_start && first < cx->dateline_end);
			if (pv && !(pv->flags & NT_TOK_CAP) && PV_IN(RG_WS_LOCATIVE))
				ok = 1;
			if (nx && rg_tok_is(doc, last + 1, ',') && last + 2 < doc->ntokens &&
			    (doc->tokens[last + 2].flags & NT_TOK_CAP) &&
			    rg_is_firstword(st, doc->tokens[last + 2].hash))
				ok = 1;   /* "Reading, England" */
			if (!ok)
				return 0.0;
		} else {
			if (PV_IN(RG_WS_DETERMINER))
				return 0.0;
			if ((t->flags & NT_TOK_SENT_START) || CAPSY())
				f *= 0.6;
		}
	}
	/* "U.S. dlrs", "Canadian dollar": a currency, not an actor */
	if (NX_IN(RG_WS_CURRENCY))
		f *= 0.15;
	/* "Midland Bank", "Japan Fund": a company named after a place ("China Airlines" is still
	 * China, with less weight) */
	if (nx && (nx->flags & (NT_TOK_CAP | NT_TOK_UPPER)) && NX_IN(RG_WS_ORGSUFFIX))
		f *= (placeish || en->kind == RG_METONYM) ? 0.2 : 0.6;
	/* a person-name country in a headline of capitalised words is weaker evidence */
	if ((en->flags & RG_F_PERSON) && CAPSY())
		f *= 0.8;
#undef CAPSY
#undef PV_IN
#undef NX_IN
	return f;
}

/* The dateline fallback: "SALVADOR, Feb 26 -" or "NEW YORK (Reuters) -" at the text start when
 * the core found no dateline zone. Sets *start to its first token and returns the token index
 * after the dateline's place words (0 when there is none). */
static uint32_t rg_dateline_fallback(const struct nt_doc *doc, uint32_t *dstart)
{
	size_t i = 0, n = doc->ntokens;
	*dstart = 0;
	if (doc->zones[NT_ZONE_DATELINE].ntokens > 0)
		return 0;
	/* skip the title: the title zone's tokens come first (a separate title's tokens are all
	 * in it), so jump over its range and check from there */
	if (doc->zones[NT_ZONE_TITLE].ntokens > 0 && doc->zones[NT_ZONE_TITLE].first_token == 0)
		i = doc->zones[NT_ZONE_TITLE].ntokens;
	while (i < n && doc->tokens[i].src == NT_SRC_TITLE)
		i++;
	if (i < n && doc->tokens[i].zone == NT_ZONE_TITLE) {
		while (i < n && doc->tokens[i].zone == NT_ZONE_TITLE)
			i++;
	}
	if (i >= n || !(doc->tokens[i].flags & NT_TOK_UPPER))
		return 0;
	size_t start = i, places_end = i;
	while (places_end < n && (doc->tokens[places_end].flags & NT_TOK_UPPER))
		places_end++;
	/* "PONTIAC, Mich.," and "DUBLIN, Calif.": the state after the comma belongs to it */
	if (places_end + 1 < n && rg_tok_is(doc, places_end, ',') &&
	    (doc->tokens[places_end + 1].flags & NT_TOK_CAP) &&
	    !(doc->tokens[places_end + 1].flags & NT_TOK_NUMBER))
		places_end += 2;
	*dstart = (uint32_t)start;
	for (size_t j = start; j < n && j < start + 12; j++) {
		if (rg_tok_is(doc, j, '-') || rg_tok_is(doc, j, '(') || rg_tok_is(doc, j, ':'))
			return (uint32_t)places_end;
		if (doc->tokens[j].sentence != doc->tokens[start].sentence)
			break;
	}
	return 0;
}

/* The trailer fallback: a short "Related Links" / "Read more" / "More from" line in the second
 * half of the text starts a trailer even when the core's trailer run stopped early (e.g. at a
 * headline ending with '?'). Returns the first trailer token, or ntokens. */
static uint32_t rg_trailer_fallback(const struct rg_state *st, const struct nt_doc *doc)
{
	size_t n = doc->ntokens;
	size_t lo = 0, hi = doc->nsentences;
	/* the sentences in the first half are skipped below: they come first (sentences are in
	 * token order), so start at the first one in the second half */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if ((size_t)doc->sentences[mid].first_token * 2 < n)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (size_t s = lo; s < doc->nsentences; s++) {
		const struct nt_sentence *se = &doc->sentences[s];
		size_t f = se->first_token, words = 0;
		if (se->src != NT_SRC_TEXT || f * 2 < n || se->ntokens == 0 || se->ntokens > 6 ||
		    doc->tokens[f].zone == NT_ZONE_TRAILER)
			continue;
		if (rg_ph_get(&st->ptrailer, doc->tokens[f].hash) < 0)
			continue;
		for (size_t i = f; i < f + se->ntokens && i < n; i++)
			if (doc->tokens[i].flags & NT_TOK_WORD)
				words++;
		if (words >= 2 && words <= 4)
			return (uint32_t)f;
	}
	return (uint32_t)n;
}

static int rg_code_in(const struct rg_entry *en, int code)
{
	for (size_t k = 0; k < en->ncodes; k++)
		if (en->codes[k] == code)
			return 1;
	return 0;
}

/* "City, State" pairs, for consecutive mentions a and b: "Atlanta, Georgia", "Paris, Texas",
 * "Birmingham, Alabama" (b resolved from a, or both from what they share). */
static void rg_city_state(const struct rg_state *st, const struct nt_doc *doc, struct rg_mention *a,
                          struct rg_mention *b)
{
	const struct rg_entry *ea = &st->entries[a->entry], *eb = &st->entries[b->entry];
	if (b->first != a->last + 2 || !rg_tok_is(doc, a->last + 1, ','))
		return;
	if (a->code >= 0 && b->code < 0 && rg_code_in(eb, a->code)) {
		b->code = a->code;
	} else if ((ea->kind == RG_CITY || ea->kind == RG_CAPITAL) &&
	           (eb->kind == RG_STATE || eb->kind == RG_NAME || eb->kind == RG_PLACE)) {
		int target = b->code >= 0 ? b->code : -1;
		if (target < 0) {
			for (size_t q = 0; q < eb->ncodes && target < 0; q++)
				if (rg_code_in(ea, eb->codes[q]))
					target = eb->codes[q];
			if (target >= 0)
				b->code = (int16_t)target;
		}
		if (target >= 0)
			a->code = (int16_t)target;   /* the city is in that state or country */
	}
}

/* Classify one document: see the file comment. */
/* Emit one label of facet with its evidence: the mentions order[e0, e1) of ms, at most
 * max of them. Returns the label index, or a negative status with err filled. */
/* Emit known label `id` (describe()'s list) with score and the evidence spans of mentions
 * order[e0, e1) (at most max of them), in one host call. */
static int rg_emit(const struct nt_host *host, struct nt_sink *sink, const struct nt_doc *doc,
                   size_t id, double score, const struct rg_mention *ms, const uint16_t *order,
                   size_t e0, size_t e1, size_t max, struct nt_error *err)
{
	struct nt_span sp[RG_MAX_EVIDENCE];
	size_t n = 0;
	if (max > RG_MAX_EVIDENCE)
		max = RG_MAX_EVIDENCE;
	if (e1 - e0 > max)
		e1 = e0 + max;
	for (size_t x = e0; x < e1; x++, n++) {
		const struct rg_mention *m = &ms[order[x]];
		const struct nt_token *a = &doc->tokens[m->first], *b = &doc->tokens[m->last];
		sp[n].start = a->start;
		sp[n].end = b->end;
		sp[n].src = a->src;
		sp[n].pad_ = 0;
		sp[n].weight = m->weight;
	}
	int li = host->emit_known(sink, id, score, sp, n);
	if (li < 0)
		rg_err(err, li, "cannot emit a label");
	return li;
}

/* The number of bits set in x (__builtin_popcount() is a library call without -mpopcnt). */
static inline size_t rg_popcount32(uint32_t x)
{
	x = x - ((x >> 1) & 0x55555555u);
	x = (x & 0x33333333u) + ((x >> 2) & 0x33333333u);
	x = (x + (x >> 4)) & 0x0F0F0F0Fu;
	return (size_t)((x * 0x01010101u) >> 24);
}

/* The evidence span of mention m. */
static inline void rg_span(const struct nt_doc *doc, const struct rg_mention *m, struct nt_span *sp)
{
	const struct nt_token *a = &doc->tokens[m->first], *b = &doc->tokens[m->last];
	sp->start = a->start;
	sp->end = b->end;
	sp->src = a->src;
	sp->pad_ = 0;
	sp->weight = m->weight;
}

/* rg_emit() for a short list of mentions (at most RG_SCAN_MENTIONS): the mentions ms[k] of
 * bit set `bits` (bit k), in text order, at most max of them. The spans are filled four at a
 * time with no branch per span: past the last mention, ms[0]'s span fills the rest of the
 * four, which is not passed on. */
static int rg_emit_bits(const struct nt_host *host, struct nt_sink *sink, const struct nt_doc *doc,
                        size_t id, double score, const struct rg_mention *ms, uint32_t bits,
                        size_t max, struct nt_error *err)
{
	struct nt_span sp[RG_SCAN_MENTIONS];
	size_t n = rg_popcount32(bits);
	uint64_t b = bits, none = (uint64_t)1 << RG_SCAN_MENTIONS; /* ctz when b is empty */
	if (n > max)
		n = max;
	for (size_t x = 0; x < n; x += 4) {
		size_t k0 = (size_t)__builtin_ctzll(b | none) % RG_SCAN_MENTIONS;
		b &= b - 1;
		size_t k1 = (size_t)__builtin_ctzll(b | none) % RG_SCAN_MENTIONS;
		b &= b - 1;
		size_t k2 = (size_t)__builtin_ctzll(b | none) % RG_SCAN_MENTIONS;
		b &= b - 1;
		size_t k3 = (size_t)__builtin_ctzll(b | none) % RG_SCAN_MENTIONS;
		b &= b - 1;
		rg_span(doc, &ms[k0], &sp[x]);
		rg_span(doc, &ms[k1], &sp[x + 1]);
		rg_span(doc, &ms[k2], &sp[x + 2]);
		rg_span(doc, &ms[k3], &sp[x + 3]);
	}
	int li = host->emit_known(sink, id, score, sp, n);
	if (li < 0)
		rg_err(err, li, "cannot emit a label");
	return li;
}

static int rg_classify(const void *state, const struct nt_doc *doc, struct nt_sink *sink,
                       struct nt_error *err)
{
	const struct rg_state *st = state;
	const struct nt_host *host = st->host;
	struct rg_ctx cx;
	struct rg_mention *ms;
	size_t nm = 0, cap_m;
	double *mass, *rmass;
	uint16_t *present;
	int16_t *slot_of;
	uint32_t *cand;
	uint16_t *qstart, *qfill, *byq, *byr, *rstart, *rfill;
	size_t nunres = 0; /* mentions with no code yet */

	if (doc->ntokens == 0)
		return NT_OK;
	cap_m = doc->ntokens < RG_MAX_MENTIONS ? doc->ntokens : RG_MAX_MENTIONS;
	{
		/* one scratch block: mentions, per-country sums */
		size_t o_ms = 0;
		size_t o_mass = o_ms + cap_m * sizeof *ms;
		size_t o_rmass = o_mass + cap_m * sizeof *mass;
		size_t o_present = o_rmass + (st->nregions + 1) * sizeof *rmass;
		size_t o_slot = o_present + ((cap_m * sizeof *present + 7) & ~(size_t)7);
		size_t o_cand = o_slot + ((st->ncountries * sizeof *slot_of + 7) & ~(size_t)7);
		size_t o_u16 = o_cand + RG_CAND_BLOCK * sizeof *cand;
		/* the evidence buckets: qstart, qfill, byq, byr (cap_m + 2 each), rstart, rfill */
		size_t total = o_u16 + (4 * (cap_m + 2) + 2 * (RG_MAX_REGIONS + 2)) * sizeof(uint16_t);
		char *blk = host->scratch(sink, total);
		if (blk == NULL) {
			rg_err(err, NT_ENOMEM, "out of memory");
			return NT_ENOMEM;
		}
		ms = (struct rg_mention *)(void *)(blk + o_ms);
		mass = (double *)(void *)(blk + o_mass);
		rmass = (double *)(void *)(blk + o_rmass);
		present = (uint16_t *)(void *)(blk + o_present);
		slot_of = (int16_t *)(void *)(blk + o_slot);
		cand = (uint32_t *)(void *)(blk + o_cand);
		qstart = (uint16_t *)(void *)(blk + o_u16);
		qfill = qstart + cap_m + 2;
		byq = qfill + cap_m + 2;
		byr = byq + cap_m + 2;
		rstart = byr + cap_m + 2;
		rfill = rstart + RG_MAX_REGIONS + 2;
	}
	memset(rmass, 0, (st->nregions + 1) * sizeof *rmass);
	cx.st = st;
	cx.doc = doc;
	cx.dateline_end = rg_dateline_fallback(doc, &cx.dateline_start);
	cx.trailer_start = rg_trailer_fallback(st, doc);

	/* pass 1: match, one hash probe per candidate: a capitalised word that passes the
	 * filter. The candidates are listed without branches, RG_CAND_BLOCK tokens at a time. */
	const uint8_t *capword = st->capword;
	size_t next = 0; /* tokens before this are inside the previous match */
	for (size_t blk0 = 0; blk0 < doc->ntokens && nm < cap_m; blk0 += RG_CAND_BLOCK) {
	size_t blk1 = blk0 + RG_CAND_BLOCK < doc->ntokens ? blk0 + RG_CAND_BLOCK : doc->ntokens;
	const struct nt_token *toks = doc->tokens;
	size_t ncaps = 0, ncand = 0, i0 = blk0;
	/* capitalised words (one table load per token) ... */
	for (; i0 + 4 <= blk1; i0 += 4) {
		cand[ncaps] = (uint32_t)i0;
		ncaps += capword[toks[i0].flags];
		cand[ncaps] = (uint32_t)i0 + 1;
		ncaps += capword[toks[i0 + 1].flags];
		cand[ncaps] = (uint32_t)i0 + 2;
		ncaps += capword[toks[i0 + 2].flags];
		cand[ncaps] = (uint32_t)i0 + 3;
		ncaps += capword[toks[i0 + 3].flags];
	}
	for (; i0 < blk1; i0++) {
		cand[ncaps] = (uint32_t)i0;
		ncaps += capword[toks[i0].flags];
	}
	/* ... that pass the filter */
	for (size_t c = 0; c < ncaps; c++) {
		uint32_t i = cand[c];
		cand[ncand] = i;
		ncand += rg_bloom_bit(st->bloom, toks[i].hash);
	}
	for (size_t c = 0; c < ncand && nm < cap_m; c++) {
		size_t i = cand[c];
		if (i < next)
			continue;
		const struct nt_token *t = &doc->tokens[i];
		int32_t e = -1, fv = rg_ph_get(&st->pfirst, t->hash);
		size_t last = i;
		if (fv < 0)
			continue;   /* passed the filter, but not the first word of a phrase */
		if (fv & RG_FIRST_MULTI) {
			/* multi-word phrases starting here: one probe with the next word's hash */
			size_t j = i + 1;
			if (j < doc->ntokens && (rg_tok_is(doc, j, '-') || rg_tok_is(doc, j, '.')) &&
			    doc->tokens[j].start == t->end)
				j++;
			if (j < doc->ntokens && doc->tokens[j].sentence == t->sentence &&
			    (doc->tokens[j].flags & (NT_TOK_WORD | NT_TOK_NUMBER))) {
				uint64_t key = rg_pair_key(t->hash, doc->tokens[j].hash);
				/* most pairs ("China said") stop at the filter */
				if ((st->pairfilter[(key >> 49) & 511] >> ((key >> 43) & 63)) & 1u)
					e = rg_ph_get(&st->ppairs, key);
				for (; e >= 0; e = st->entries[e].next)
					if (st->toks[st->entries[e].tok_off] == t->hash &&
					    rg_match_rest(st, doc, &st->entries[e], i, &last))
						break;
			}
		}
		if (e < 0 && (fv & RG_FIRST_NONE) != RG_FIRST_NONE) {
			/* the one-word phrase (rg_match_rest() for one token: an all-caps phrase
			 * needs an all-caps word; t is a word) */
			e = fv & RG_FIRST_NONE;
			last = i;
			if ((st->entries[e].flags & RG_F_UPPER) && !(t->flags & NT_TOK_UPPER))
				e = -1;
		}
		if (e < 0)
			continue;
		const struct rg_entry *en = &st->entries[e];
		if (en->kind != RG_BLOCK) {
			double f = rg_rules(&cx, en, i, last);
			if (f > 0.0) {
				struct rg_mention *m = &ms[nm++];
				uint8_t zone = t->zone;
				if (i >= cx.dateline_start && i < cx.dateline_end)
					zone = NT_ZONE_DATELINE;
				if (i >= cx.trailer_start)
					zone = NT_ZONE_TRAILER;
				/* "NEWPORT BEACH, Calif., March 9 -": the state after the dateline city */
				if (i >= 2 && rg_tok_is(doc, i - 1, ',') &&
				    doc->tokens[i - 2].zone == NT_ZONE_DATELINE && doc->tokens[i - 2].src == t->src)
					zone = NT_ZONE_DATELINE;
				m->first = (uint32_t)i;
				m->last = (uint32_t)last;
				m->entry = e;
				m->zone = zone;
				m->dropped = 0;
				m->code = en->ncodes == 1 ? (int16_t)en->codes[0] : -1;
				m->weight = rg_zone_weight[zone < NT_ZONE_COUNT ? zone : NT_ZONE_BODY] *
				            rg_kind_weight[en->kind] * en->weight * f;
				/* pass 2 on the fly: the pair this mention closes (the pairs in text
				 * order, as a separate pass would take them) */
				nunres += m->code < 0;
				if (nm >= 2) {
					struct rg_mention *a = &ms[nm - 2];
					int u0 = (a->code < 0) + (m->code < 0);
					rg_city_state(st, doc, a, m);
					nunres += (size_t)((a->code < 0) + (m->code < 0)) - (size_t)u0;
				}
			}
		}
		next = last + 1;
	}
	}

	/* pass 3: resolve the remaining ambiguous mentions by support and cues */
	if (nunres > 0) {
		double *support = host->scratch(sink, st->ncountries * sizeof *support + 1);
		uint8_t *cuehit = NULL;
		if (support == NULL) {
			rg_err(err, NT_ENOMEM, "out of memory");
			return NT_ENOMEM;
		}
		memset(support, 0, st->ncountries * sizeof *support);
		for (size_t k = 0; k < nm; k++)
			if (st->entries[ms[k].entry].ncodes == 1)
				support[ms[k].code] += 1.0;
		int need_cues = 0;
		for (size_t k = 0; k < nm && !need_cues; k++)
			if (ms[k].code < 0 && st->entries[ms[k].entry].has_cues)
				need_cues = 1;
		if (need_cues && st->ncues > 0) {
			cuehit = host->scratch(sink, st->ncues);
			if (cuehit == NULL) {
				rg_err(err, NT_ENOMEM, "out of memory");
				return NT_ENOMEM;
			}
			memset(cuehit, 0, st->ncues);
			/* words that pass the cue filter, listed without branches, then looked up */
			for (size_t blk0 = 0; blk0 < doc->ntokens; blk0 += RG_CAND_BLOCK) {
				size_t blk1 = blk0 + RG_CAND_BLOCK < doc->ntokens ? blk0 + RG_CAND_BLOCK :
				                                                     doc->ntokens;
				size_t ncw = 0;
				for (size_t i = blk0; i < blk1; i++) {
					uint64_t h = doc->tokens[i].hash;
					cand[ncw] = (uint32_t)i;
					ncw += (doc->tokens[i].flags & NT_TOK_WORD) &
					       (unsigned)(st->cuefilter[(h >> 40) & 63] >> ((h >> 46) & 63));
				}
				for (size_t w = 0; w < ncw; w++) {
					size_t i = cand[w];
					for (int32_t u = rg_ph_get(&st->pcuewords, doc->tokens[i].hash); u >= 0;
					     u = st->cue_next_word[u])
						cuehit[u] = 1;
				}
			}
		}
		for (size_t k = 0; k < nm; k++) {
			struct rg_mention *m = &ms[k];
			const struct rg_entry *en = &st->entries[m->entry];
			double best = -1.0;
			int bc = -1;
			if (m->code >= 0)
				continue;
			for (size_t q = 0; q < en->ncodes; q++) {
				int c = en->codes[q];
				/* other mentions of a country count for a name ("Korea" beside "North
				 * Korea"); a place needs a cue ("Tripoli" beside "Beirut") */
				double s = (q == 0 ? 1.0 : 0.0);
				if (en->kind <= RG_DEMONYM)
					s += support[c] > 3.0 ? 3.0 : support[c];
				if (cuehit != NULL)
					for (int32_t u = st->cue_head[m->entry]; u >= 0; u = st->cue_next_entry[u])
						if (cuehit[u] && st->cues[u].code == c)
							s += 1.0;
				if (s > best) {
					best = s;
					bc = c;
				}
			}
			m->code = (int16_t)bc;
		}
	}

	/* pass 4: sum per country (only the countries mentioned, in order of first mention),
	 * then regions. A short list of mentions is summed without branches, each country's and
	 * each region's mentions kept as a bit set (bit k: ms[k]); a long one is bucketed */
	double maxmass = 0.0;
	size_t npresent = 0;
	const int scan = nm <= RG_SCAN_MENTIONS;
	uint32_t cbits[RG_SCAN_MENTIONS + 1]; /* (scan) the mentions of country present[q] */
	uint32_t rbits[RG_MAX_REGIONS + 1];   /* (scan) the mentions in region r (the last: none);
	                                         only those of the regions in rseen are set */
	uint64_t rseen = 0;
	if (scan) {
		uint8_t qof[RG_MAX_COUNTRIES];  /* country -> its q, 0xFF until it is mentioned */
		memset(qof, 0xff, st->ncountries);
		for (size_t k = 0; k < nm; k++) {
			int c = ms[k].code;
			if (c < 0)
				continue;
			/* the next country's slot, cleared ahead: a new country starts from 0.0 as a
			 * separate start would (no branch on whether it is new) */
			mass[npresent] = 0.0;
			cbits[npresent] = 0;
			size_t q = qof[c];
			const size_t fresh = (size_t)0 - (size_t)(q == 0xFF); /* all ones when new */
			q = (q & ~fresh) | (npresent & fresh);
			qof[c] = (uint8_t)q;
			present[q] = (uint16_t)c;
			npresent -= fresh; /* + 1 when new */
			mass[q] += ms[k].weight;
			cbits[q] |= (uint32_t)1 << k;
			/* the masses only grow (weights are positive): the largest running sum is
			 * the largest final one */
			maxmass = mass[q] > maxmass ? mass[q] : maxmass;
			const size_t r = st->region_of[c] >= 0 ? (size_t)st->region_of[c] : RG_MAX_REGIONS;
			/* (a region's first mention sets its bits: the others add to them) */
			const uint32_t bit = (uint32_t)1 << k;
			rbits[r] = ((rseen >> r) & 1u) ? rbits[r] | bit : bit;
			rseen |= (uint64_t)1 << r;
		}
	} else {
		memset(slot_of, 0xff, st->ncountries * sizeof *slot_of);
		for (size_t k = 0; k < nm; k++) {
			int c = ms[k].code;
			if (c < 0)
				continue;
			if (slot_of[c] < 0) {
				slot_of[c] = (int16_t)npresent;
				present[npresent] = (uint16_t)c;
				mass[npresent] = 0.0;
				npresent++;
			}
			mass[slot_of[c]] += ms[k].weight;
		}
		for (size_t q = 0; q < npresent; q++)
			maxmass = mass[q] > maxmass ? mass[q] : maxmass;
	}
	if (maxmass <= 0.0)
		return NT_OK;
	/* a long list: the mentions of each country, and of each region, in text order by a
	 * stable counting sort (bucket q of country present[q] is byq[qstart[q], qstart[q + 1]);
	 * bucket r of region r is byr[rstart[r], rstart[r + 1]), the last bucket holds the
	 * mentions without a region), so no label walks every mention */
	size_t nreg = st->nregions;
	if (!scan) {
	memset(qstart, 0, (npresent + 1) * sizeof *qstart);
	memset(rstart, 0, (nreg + 2) * sizeof *rstart);
	for (size_t k = 0; k < nm; k++) {
		int c = ms[k].code;
		size_t rg = c >= 0 && st->region_of[c] >= 0 ? (size_t)st->region_of[c] : nreg;
		qstart[(c >= 0 ? (size_t)slot_of[c] : npresent) + 1]++;
		rstart[rg + 1]++;
	}
	for (size_t q = 0; q < npresent; q++)
		qstart[q + 1] = (uint16_t)(qstart[q + 1] + qstart[q]);
	for (size_t r = 0; r <= nreg; r++)
		rstart[r + 1] = (uint16_t)(rstart[r + 1] + rstart[r]);
	memcpy(qfill, qstart, (npresent + 1) * sizeof *qfill);
	memcpy(rfill, rstart, (nreg + 1) * sizeof *rfill);
	for (size_t k = 0; k < nm; k++) {
		int c = ms[k].code;
		size_t rg = c >= 0 && st->region_of[c] >= 0 ? (size_t)st->region_of[c] : nreg;
		if (c >= 0)
			byq[qfill[slot_of[c]]++] = (uint16_t)k;
		byr[rfill[rg]++] = (uint16_t)k;
	}
	}
	uint64_t rmask = 0; /* regions given mass */
	for (size_t q = 0; q < npresent; q++) {
		double s, rel;
		int li, c = present[q];
		size_t e0, e1;
		if (mass[q] < st->country_skip)
			continue;
		/* absolute evidence, tempered by how it compares with the article's main country */
		rel = mass[q] / maxmass;
		s = (1.0 - exp(-mass[q] / rg_k)) *
		    (rg_rel_base + (1.0 - rg_rel_base) * (rel > 0.5 ? 1.0 : rel * 2.0));
		if (s > 1.0)
			s = 1.0;
		if (s < st->min_score)
			continue;
		if (scan) {
			li = rg_emit_bits(host, sink, doc, (size_t)c, s, ms, cbits[q], RG_MAX_EVIDENCE, err);
		} else {
			e0 = qstart[q];
			e1 = qstart[q + 1];
			li = rg_emit(host, sink, doc, (size_t)c, s, ms, byq, e0, e1, RG_MAX_EVIDENCE, err);
		}
		if (li < 0)
			return li;
		if (st->region_of[c] >= 0) {
			rmass[st->region_of[c]] += mass[q];
			rmask |= (uint64_t)1 << st->region_of[c];
		}
	}
	double rmax = 0.0; /* (the regions outside rmask have no mass) */
	for (uint64_t mm = rmask; mm; mm &= mm - 1) {
		size_t r = (size_t)__builtin_ctzll(mm);
		rmax = rmass[r] > rmax ? rmass[r] : rmax;
	}
	for (; rmask; rmask &= rmask - 1) {
		size_t r = (size_t)__builtin_ctzll(rmask);
		double s;
		int li;
		size_t e0, e1;
		if (rmass[r] <= 0.0 || rmass[r] < st->region_skip)
			continue;
		/* grows with the region's mass; the primary region (largest mass) scores highest */
		s = (1.0 - exp(-rmass[r] / 2.0)) * (0.4 + 0.6 * rmass[r] / rmax);
		if (s < st->region_min_score)
			continue;
		if (scan) {
			li = rg_emit_bits(host, sink, doc, st->ncountries + r, s, ms, rbits[r],
			                  RG_MAX_REGION_EVIDENCE, err);
		} else {
			e0 = rstart[r];
			e1 = rstart[r + 1];
			li = rg_emit(host, sink, doc, st->ncountries + r, s, ms, byr, e0, e1,
			             RG_MAX_REGION_EVIDENCE, err);
		}
		if (li < 0)
			return li;
	}
	return NT_OK;
}

/* ---------------------------------------------------------------- open / close / describe */

static void rg_close(void *state)
{
	struct rg_state *st = state;
	if (st == NULL)
		return;
	free(st->entries);
	free(st->toks);
	free(st->cues);
	free(st->cue_next_word);
	free(st->cue_next_entry);
	free(st->cue_head);
	rg_map_free(&st->first);
	rg_map_free(&st->pairs);
	rg_map_free(&st->cuewords);
	rg_map_free(&st->words);
	rg_map_free(&st->trailer_words);
	rg_phash_free(&st->pfirst);
	rg_phash_free(&st->ppairs);
	rg_phash_free(&st->pcuewords);
	rg_phash_free(&st->pwords);
	rg_phash_free(&st->ptrailer);
	free(st->gazetteer_path);
	free(st->labels);
	free(st->label_text);
	free(st);
}

/* describe()'s label list: "country:XX" for country index c at position c, then
 * "region:NAME" for region r at position ncountries + r (the ids rg_emit() passes). */
static int rg_labels_build(struct rg_state *st)
{
	size_t n = st->ncountries + st->nregions, bytes = 0;
	for (size_t r = 0; r < st->nregions; r++)
		bytes += sizeof "region:" + strlen(st->regions[r]);
	bytes += st->ncountries * sizeof "country:XX";
	st->labels = calloc(n + 1, sizeof *st->labels);
	st->label_text = malloc(bytes);
	if (st->labels == NULL || st->label_text == NULL)
		return NT_ENOMEM;
	char *w = st->label_text;
	for (size_t i = 0; i < n; i++) {
		size_t room = bytes - (size_t)(w - st->label_text);
		int len = i < st->ncountries ? snprintf(w, room, "country:%.2s", st->codes[i]) :
		                               snprintf(w, room, "region:%s", st->regions[i - st->ncountries]);
		st->labels[i] = w;
		w += len + 1;
	}
	return NT_OK;
}

static int rg_open(const struct nt_host *host, const void *config, const char *models_dir,
                   void **state, struct nt_error *err)
{
	const struct rg_config *cf = config;
	struct rg_state *st;
	int rc;
	(void)models_dir;
	if (host->emit_known == NULL) {
		rg_err(err, NT_EABI, "needs a newstag core with plugin ABI 1.2 or later (host emit_known)");
		return NT_EABI;
	}
	if (cf->gazetteer == NULL || cf->region_map == NULL) {
		rg_err(err, NT_EINVAL, "options gazetteer and region_map are required");
		return NT_EINVAL;
	}
	if (!(cf->min_score >= 0.0 && cf->min_score <= 1.0) ||
	    !(cf->region_min_score >= 0.0 && cf->region_min_score <= 1.0)) {
		rg_err(err, NT_EINVAL, "min_score and region_min_score must be in [0,1]");
		return NT_EINVAL;
	}
	st = calloc(1, sizeof *st);
	if (st == NULL) {
		rg_err(err, NT_ENOMEM, "out of memory");
		return NT_ENOMEM;
	}
	st->host = host;
	for (unsigned f = 0; f < 256; f++)
		st->capword[f] = (f & (NT_TOK_WORD | NT_TOK_CAP)) == (NT_TOK_WORD | NT_TOK_CAP);
	for (size_t i = 0; i < 26 * 26; i++)
		st->code_index[i] = -1;
	st->min_score = cf->min_score;
	st->region_min_score = cf->region_min_score;
	/* a score is at most 1 - exp(-M) (country) or 1 - exp(-M/2) (region): masses well below
	 * these bounds are dropped without computing exp() (a margin of 1e-9, far above rounding) */
	st->country_skip = cf->min_score < 0.999 ? -log1p(-cf->min_score) * rg_k * (1.0 - 1e-9) : 0.0;
	st->region_skip = cf->region_min_score < 0.999 ? -2.0 * log1p(-cf->region_min_score) * (1.0 - 1e-9) : 0.0;
	rc = rg_load_region_map(st, cf->region_map, err);
	if (rc == NT_OK)
		rc = rg_load_gazetteer(st, cf->gazetteer, err);
	if (rc == NT_OK &&
	    (rg_wordsets_build(st) != NT_OK ||
	     rg_wordset_build(st, &st->trailer_words, rg_trailer_starts) != NT_OK)) {
		rg_err(err, NT_ENOMEM, "out of memory");
		rc = NT_ENOMEM;
	}
	if (rc == NT_OK &&
	    (rg_freeze(&st->first, &st->pfirst) != NT_OK || rg_freeze(&st->pairs, &st->ppairs) != NT_OK ||
	     rg_freeze(&st->cuewords, &st->pcuewords) != NT_OK || rg_freeze(&st->words, &st->pwords) != NT_OK ||
	     rg_freeze(&st->trailer_words, &st->ptrailer) != NT_OK)) {
		rg_err(err, NT_ENOMEM, "out of memory");
		rc = NT_ENOMEM;
	}
	if (rc == NT_OK) {
		/* (the loading tables are not probed after this) */
		rg_map_free(&st->first);
		rg_map_free(&st->pairs);
		rg_map_free(&st->cuewords);
		rg_map_free(&st->words);
		rg_map_free(&st->trailer_words);
	}
	if (rc == NT_OK && rg_labels_build(st) != NT_OK) {
		rg_err(err, NT_ENOMEM, "out of memory");
		rc = NT_ENOMEM;
	}
	if (rc == NT_OK) {
		st->gazetteer_path = strdup(cf->gazetteer);
		if (st->gazetteer_path == NULL) {
			rg_err(err, NT_ENOMEM, "out of memory");
			rc = NT_ENOMEM;
		}
	}
	if (rc != NT_OK) {
		rg_close(st);
		return rc;
	}
	if (host->digest_file == NULL || host->digest_file(cf->gazetteer, st->digest, sizeof st->digest) != NT_OK)
		st->digest[0] = '\0';
	st->facets[0] = "country";
	st->facets[1] = "region";
	st->facets[2] = NULL;
	*state = st;
	return NT_OK;
}

static int rg_describe(const void *state, struct nt_info *info)
{
	const struct rg_state *st = state;
	memset(info, 0, sizeof *info);
	info->facets = st->facets;
	info->labels = st->labels;
	info->model = st->gazetteer_path;
	info->model_digest = st->digest[0] ? st->digest : NULL;
	info->single_label = 0;
	return NT_OK;
}

static const struct nt_option rg_options[] = {
	{ "gazetteer", NT_OPT_PATH, offsetof(struct rg_config, gazetteer), "\"region/gazetteer.tsv\"",
	  "gazetteer table (phrase, codes, kind, flags, weight), built by build_gazetteer.py" },
	{ "region_map", NT_OPT_PATH, offsetof(struct rg_config, region_map), "\"region/region-map.tsv\"",
	  "country code -> region table; replace it to change the regions" },
	{ "min_score", NT_OPT_NUMBER, offsetof(struct rg_config, min_score), "0.5",
	  "a country is emitted (the article is about it) when its score reaches this" },
	{ "region_min_score", NT_OPT_NUMBER, offsetof(struct rg_config, region_min_score), "0.5",
	  "a region is emitted when its score reaches this" },
	{ NULL, 0, 0, NULL, NULL }
};

static const char *const rg_facets[] = { "country", "region", NULL };

static const struct nt_plugin rg_plugin = {
	NT_PLUGIN_HEADER,
	.name = "region",
	.version = RG_VERSION,
	.description = "countries (ISO 3166-1 alpha-2) and world regions an article is about, from a gazetteer",
	.facets = rg_facets,
	.options = rg_options,
	.config_size = sizeof(struct rg_config),
	.open = rg_open,
	.classify = rg_classify,
	.close = rg_close,
	.describe = rg_describe,
	.flags = NT_PLUGIN_OPEN_CONCURRENT,
	.train = NULL,
};

NT_PLUGIN_DEFINE(region, rg_plugin)
