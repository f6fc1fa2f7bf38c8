/* docmodel.c - build the shared document model (UTF-8 repair, zones, sentences, tokens) */
#include "config.h"
#include "docmodel.h"
#include "util.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

/* Zero bytes after the NUL that ends the text and title copies: the tokenizer reads
 * 16 bytes at a time. */
#define TEXT_PAD 16

struct nt_docbuf {
	struct nt_doc doc;          /* what plugins see */
	char *text;                 /* repaired copy of the text */
	size_t text_cap;
	char *title;                /* repaired copy of a separate title */
	size_t title_cap;
	char *norm;                 /* folded forms */
	size_t norm_cap;
	size_t norm_len;
	struct nt_token *tok;
	size_t tok_cap;
	size_t ntok;
	struct nt_sentence *sent;
	size_t sent_cap;
	size_t nsent;
	size_t repairs;
	long long first_repair;
};

/* ---------------------------------------------------------------- hashing */

#define FNV_OFFSET 1469598103934665603ULL
#define FNV_PRIME 1099511628211ULL

uint64_t nt_hash64(const char *s, size_t len)
{
	uint64_t h = FNV_OFFSET;
	for (size_t i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= FNV_PRIME;
	}
	return h;
}

/* ---------------------------------------------------------------- UTF-8 */

/* Length of the valid UTF-8 sequence at p (at most n bytes available), or 0 if invalid.
 * Rejects overlong forms, surrogates and code points above U+10FFFF. */
static size_t utf8_valid_len(const unsigned char *p, size_t n)
{
	unsigned c = p[0];
	if (c < 0x80)
		return 1;
	if (c < 0xC2)
		return 0;
	if (c < 0xE0) {
		if (n < 2 || (p[1] & 0xC0) != 0x80)
			return 0;
		return 2;
	}
	if (c < 0xF0) {
		if (n < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
			return 0;
		if (c == 0xE0 && p[1] < 0xA0)
			return 0; /* overlong */
		if (c == 0xED && p[1] >= 0xA0)
			return 0; /* surrogate */
		return 3;
	}
	if (c < 0xF5) {
		if (n < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
			return 0;
		if (c == 0xF0 && p[1] < 0x90)
			return 0;
		if (c == 0xF4 && p[1] >= 0x90)
			return 0;
		return 4;
	}
	return 0;
}

/* Copy s[i..n) to dst while it is ASCII other than NUL; returns where that stops. */
static inline size_t ascii_run(char *dst, const unsigned char *s, size_t i, size_t n)
{
#ifdef __SSE2__
	while (i + 16 <= n) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
		unsigned m = (unsigned)_mm_movemask_epi8(v) |
		             (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_setzero_si128()));
		_mm_storeu_si128((__m128i *)(void *)(dst + i), v);
		if (m)
			return i + (size_t)__builtin_ctz(m);
		i += 16;
	}
#endif
	while (i + 8 <= n) {
		uint64_t w;
		memcpy(&w, s + i, 8);
		/* a byte >= 0x80 or a zero byte in w? */
		if ((w & 0x8080808080808080ULL) ||
		    ((w - 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL))
			break;
		memcpy(dst + i, &w, 8);
		i += 8;
	}
	while (i < n && s[i] != 0 && s[i] < 0x80) {
		dst[i] = (char)s[i];
		i++;
	}
	return i;
}

/* Copy src to dst (same length), replacing each byte of an invalid sequence and each
 * NUL byte by '?', so byte offsets stay those of the input. Returns repairs made. */
static size_t utf8_copy_repair(char *dst, const char *src, size_t n, long long *first)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t repairs = 0, i = 0;
	while (i < n) {
		i = ascii_run(dst, s, i, n);
		if (i >= n)
			break;
		if (s[i] == 0) {
			if (!repairs++)
				*first = (long long)i;
			dst[i++] = '?';
			continue;
		}
		size_t l = utf8_valid_len(s + i, n - i);
		if (l == 0) {
			if (!repairs++)
				*first = (long long)i;
			dst[i++] = '?';
			continue;
		}
		for (size_t k = 0; k < l; k++)
			dst[i + k] = (char)s[i + k];
		i += l;
	}
	return repairs;
}

size_t nt_utf8_repair(char *s, size_t n, long long *first)
{
	*first = -1;
	return utf8_copy_repair(s, s, n, first);
}

/* Decode the (valid) UTF-8 sequence at p of length l. */
static unsigned utf8_decode(const unsigned char *p, size_t l)
{
	switch (l) {
	case 2: return ((p[0] & 0x1Fu) << 6) | (p[1] & 0x3Fu);
	case 3: return ((p[0] & 0x0Fu) << 12) | ((p[1] & 0x3Fu) << 6) | (p[2] & 0x3Fu);
	case 4: return ((p[0] & 0x07u) << 18) | ((p[1] & 0x3Fu) << 12) | ((p[2] & 0x3Fu) << 6) | (p[3] & 0x3Fu);
	default: return p[0];
	}
}

/* Folding of U+00C0..U+017F: the ASCII letters it folds to ("" = keep as is). */
static const char *const latin_fold[0x180 - 0xC0] = {
	/* C0 */ "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	/* D0 */ "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "ss",
	/* E0 */ "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
	/* F0 */ "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "y",
	/* 100 */ "a", "a", "a", "a", "a", "a", "c", "c", "c", "c", "c", "c", "c", "c", "d", "d",
	/* 110 */ "d", "d", "e", "e", "e", "e", "e", "e", "e", "e", "e", "e", "g", "g", "g", "g",
	/* 120 */ "g", "g", "g", "g", "h", "h", "h", "h", "i", "i", "i", "i", "i", "i", "i", "i",
	/* 130 */ "i", "i", "ij", "ij", "j", "j", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l",
	/* 140 */ "l", "l", "l", "n", "n", "n", "n", "n", "n", "n", "n", "n", "o", "o", "o", "o",
	/* 150 */ "o", "o", "oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s", "s", "s", "s", "s",
	/* 160 */ "s", "s", "t", "t", "t", "t", "t", "t", "u", "u", "u", "u", "u", "u", "u", "u",
	/* 170 */ "u", "u", "u", "u", "w", "w", "y", "y", "y", "z", "z", "z", "z", "z", "z", "s",
};

/* Is code point cp (>= 0x80) a letter for tokenization? Unicode punctuation,
 * spaces, symbols and the replacement character are not. */
static int cp_is_letter(unsigned cp)
{
	if (cp < 0xC0)
		return cp == 0xAA || cp == 0xB5 || cp == 0xBA;
	if (cp == 0xD7 || cp == 0xF7)
		return 0;
	if (cp >= 0x2000 && cp <= 0x2BFF)
		return 0; /* general punctuation, currency, arrows, math, box drawing ... */
	if (cp >= 0x3000 && cp <= 0x303F)
		return 0;
	if (cp >= 0xFE30 && cp <= 0xFE4F)
		return 0;
	if (cp >= 0xFF00 && cp <= 0xFF0F)
		return 0;
	if (cp == 0xFFFD || cp == 0xFEFF)
		return 0;
	if (cp >= 0x1F000 && cp <= 0x1FAFF)
		return 0; /* emoji and pictographs */
	return 1;
}

/* Is code point cp a space (NBSP and the Unicode spaces)? */
static int cp_is_space(unsigned cp)
{
	return cp == 0xA0 || (cp >= 0x2000 && cp <= 0x200B) || cp == 0x202F || cp == 0x205F ||
	       cp == 0x3000 || cp == 0xFEFF || cp == 0x2028 || cp == 0x2029;
}

/* ---------------------------------------------------------------- character classes */

/* C_SPACE and C_NL come first (the tokenizer tests k <= C_NL); C_END is the NUL after the text. */
enum { C_SPACE = 0, C_NL, C_LETTER, C_UPPER, C_DIGIT, C_PUNCT, C_HIGH, C_APOS, C_DOT, C_END };

static unsigned char cls[256];
static unsigned char lower_tab[256];
static unsigned char alnum_tab[256]; /* ASCII letters and digits -> folded byte, else 0 */
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;
/* bytes after a run of ASCII letters and digits that may continue a word or change its
 * folded form: apostrophe, dot and the lead bytes of non-ASCII characters */
static unsigned char word_more[256];
static void init_abbrevs(void);
static void init_markers(void);

static void init_tables(void)
{
	for (int c = 0; c < 256; c++) {
		unsigned char k;
		if (c >= 'a' && c <= 'z')
			k = C_LETTER;
		else if (c >= 'A' && c <= 'Z')
			k = C_UPPER;
		else if (c >= '0' && c <= '9')
			k = C_DIGIT;
		else if (c == '\n')
			k = C_NL;
		else if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v')
			k = C_SPACE;
		else if (c >= 0x80)
			k = C_HIGH;
		else if (c == '\'')
			k = C_APOS;
		else if (c == '.')
			k = C_DOT;
		else if (c < 0x20 || c == 0x7F)
			k = C_SPACE;
		else
			k = C_PUNCT;
		cls[c] = k;
		lower_tab[c] = (unsigned char)((c >= 'A' && c <= 'Z') ? c + 32 : c);
		alnum_tab[c] = (k == C_LETTER || k == C_UPPER || k == C_DIGIT) ? lower_tab[c] : 0;
		word_more[c] = c == '\'' || c == '.' || c >= 0x80;
	}
	cls[0] = C_END;
	init_abbrevs();
	init_markers();
}

/* Classify the character at p (n bytes left): its class and byte length; for
 * non-ASCII, C_LETTER/C_UPPER/C_SPACE/C_PUNCT/C_APOS by code point. */
static int char_class(const unsigned char *p, size_t n, size_t *len, unsigned *cp_out)
{
	unsigned char c = p[0];
	if (c < 0x80) {
		*len = 1;
		*cp_out = c;
		return cls[c];
	}
	size_t l = utf8_valid_len(p, n);
	if (l == 0) {
		*len = 1;
		*cp_out = 0xFFFD;
		return C_PUNCT;
	}
	unsigned cp = utf8_decode(p, l);
	*len = l;
	*cp_out = cp;
	if (cp == 0x2019 || cp == 0x2018)
		return C_APOS;
	if (cp_is_space(cp))
		return cp == 0x2028 || cp == 0x2029 ? C_NL : C_SPACE;
	if (!cp_is_letter(cp))
		return C_PUNCT;
	if ((cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) ||
	    (cp >= 0x100 && cp <= 0x17F && !(cp & 1) && cp != 0x138) ||
	    (cp >= 0x391 && cp <= 0x3A9) || (cp >= 0x410 && cp <= 0x42F))
		return C_UPPER;
	return C_LETTER;
}

/* ---------------------------------------------------------------- builder */

struct nt_docbuf *nt_docbuf_new(void)
{
	pthread_once(&tables_once, init_tables);
	return calloc(1, sizeof(struct nt_docbuf));
}

void nt_docbuf_free(struct nt_docbuf *b)
{
	if (!b)
		return;
	free(b->text);
	free(b->title);
	free(b->norm);
	free(b->tok);
	free(b->sent);
	free(b);
}

size_t nt_docbuf_repairs(const struct nt_docbuf *b, long long *first_offset)
{
	if (first_offset)
		*first_offset = b->repairs ? b->first_repair : -1;
	return b->repairs;
}

/* Set while nt_fold_hashes builds into fixed buffers: growing one must fail, not realloc. */
static _Thread_local int grow_fixed;

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need > *cap && grow_fixed)
		return NT_ENOMEM;
	if (need <= *cap)
		return NT_OK;
	size_t c = *cap ? *cap : 64;
	while (c < need)
		c *= 2;
	if (c > ((size_t)-1) / elem)
		return NT_ENOMEM;
	void *q = realloc(*p, c * elem);
	if (!q)
		return NT_ENOMEM;
	*p = q;
	*cap = c;
	return NT_OK;
}

/* Tokenizer state for one source string. */
struct tokctx {
	struct nt_docbuf *b;
	const unsigned char *s; /* NUL terminated at s[n], no other NUL (repaired) */
	size_t n;
	uint8_t src;
	/* zone boundaries in bytes (for NT_SRC_TEXT) */
	size_t title_end, lead_end, trailer_start;
	int cur_zone;      /* zone of the open sentence, -1 before the first */
	unsigned brk;      /* BRK_FORCE and/or BRK_SENT: see below */
	unsigned lead_sents; /* sentences started in the lead zone so far */
	size_t npunct;     /* punctuation tokens pushed so far (the others are words) */
	uint8_t zone;      /* zone_of() the current token */
	uint8_t tzone;     /* the zone tokens of the open sentence get (the lead trimmed) */
	uint32_t sentno;   /* index of the open sentence */
	size_t zfirst[NT_ZONE_COUNT]; /* first token given each zone ((size_t)-1: none) */
};

/* t->brk: BRK_FORCE: the next token starts a new sentence (newline, zone change);
 * BRK_SENT (= NT_TOK_CAP | NT_TOK_NUMBER): the next capitalised word or number does
 * ('.', '!', '?'), so `brk & (flags | BRK_FORCE)` says whether a token starts one. */
#define BRK_FORCE 0x100u
#define BRK_SENT (NT_TOK_CAP | NT_TOK_NUMBER)

static inline uint8_t zone_of(const struct tokctx *t, size_t off)
{
	if (t->src == NT_SRC_TITLE)
		return NT_ZONE_TITLE;
	if (off < t->title_end)
		return NT_ZONE_TITLE;
	if (off < t->lead_end)
		return NT_ZONE_LEAD;
	if (off >= t->trailer_start)
		return NT_ZONE_TRAILER;
	return NT_ZONE_BODY;
}

/* The first zone boundary after off: zone_of() is constant on [off, zone_limit(off)). */
static size_t zone_limit(const struct tokctx *t, size_t off)
{
	size_t lim = (size_t)-1;
	if (t->src == NT_SRC_TITLE)
		return lim;
	if (t->title_end > off && t->title_end < lim)
		lim = t->title_end;
	if (t->lead_end > off && t->lead_end < lim)
		lim = t->lead_end;
	if (t->trailer_start > off && t->trailer_start < lim)
		lim = t->trailer_start;
	return lim;
}

/* Abbreviations whose following '.' does not end a sentence (folded forms). */
static const char *const abbrevs[] = {
	"mr", "mrs", "ms", "dr", "gen", "col", "lt", "sgt", "st", "jr", "sr", "prof", "rep", "sen",
	"gov", "capt", "cmdr", "adm", "maj", "no", "vs", "inc", "corp", "ltd", "co", "jan", "feb",
	"aug", "sept", "sep", "oct", "nov", "dec", "rev", "fig", "approx", "mt", "ft", "pres"};

/* Open-addressed set of the abbreviations packed little-endian into 64-bit keys
 * (at most 6 bytes, so a key is never 0). */
#define ABBREV_SLOTS 128
static uint64_t abbrev_set[ABBREV_SLOTS];

static inline uint64_t abbrev_key(const char *w, size_t l)
{
	uint64_t v = 0;
	for (size_t i = 0; i < l; i++)
		v |= (uint64_t)(unsigned char)w[i] << (8 * i);
	return v;
}

static inline unsigned abbrev_slot(uint64_t v)
{
	return (unsigned)((v * 0x9E3779B97F4A7C15ULL) >> 57);
}

static void init_abbrevs(void)
{
	for (size_t i = 0; i < sizeof abbrevs / sizeof abbrevs[0]; i++) {
		uint64_t v = abbrev_key(abbrevs[i], strlen(abbrevs[i]));
		unsigned h = abbrev_slot(v);
		while (abbrev_set[h])
			h = (h + 1) & (ABBREV_SLOTS - 1);
		abbrev_set[h] = v;
	}
}

/* Is the folded word w (l bytes) an abbreviation or an initial? */
static int is_abbrev(const char *w, size_t l)
{
	if (l == 1)
		return 1; /* initials: "J. Smith" */
	if (l > 6 || l == 0)
		return 0;
	uint64_t v = abbrev_key(w, l);
	for (unsigned h = abbrev_slot(v); abbrev_set[h]; h = (h + 1) & (ABBREV_SLOTS - 1))
		if (abbrev_set[h] == v)
			return 1;
	return 0;
}

/* Open a sentence at token first_tok of zone `zone`. The lead keeps its first two
 * sentences: later ones are body (sentence and tokens). Returns the zone its tokens
 * get, or -1 when out of memory. */
static __attribute__((noinline)) int start_sentence(struct tokctx *t, size_t first_tok,
                                                    uint8_t zone)
{
	struct nt_docbuf *b = t->b;
	if (grow((void **)&b->sent, &b->sent_cap, b->nsent + 1, sizeof *b->sent) != NT_OK)
		return -1;
	if (zone == NT_ZONE_LEAD && ++t->lead_sents > 2)
		zone = NT_ZONE_BODY;
	if (t->zfirst[zone] > first_tok)
		t->zfirst[zone] = first_tok;
	struct nt_sentence *s = &b->sent[b->nsent++];
	s->first_token = (uint32_t)first_tok;
	s->ntokens = 0; /* set by finish_sentences() */
	s->zone = zone;
	s->src = t->src;
	return zone;
}

/* Sentences are contiguous runs of tokens: set their token counts. */
static void finish_sentences(struct nt_docbuf *b)
{
	for (size_t i = 0; i < b->nsent; i++) {
		size_t end = i + 1 < b->nsent ? b->sent[i + 1].first_token : b->ntok;
		b->sent[i].ntokens = (uint32_t)(end - b->sent[i].first_token);
	}
}

/* Is the token [start, i) of ASCII letters and digits all upper case (>= 2 letters)? */
static inline int ascii_all_upper(const unsigned char *s, size_t start, size_t i)
{
	int nupper = 0, nletters = 0;
	for (size_t j = start; j < i; j++) {
		unsigned char ch = s[j];
		if ((unsigned)(ch - 'A') < 26u) {
			nupper++;
			nletters++;
		} else if ((unsigned)(ch - 'a') < 26u) {
			nletters++;
		}
	}
	return nletters >= 2 && nupper == nletters;
}

/* A word being built: its end, folded length, flags and hash. */
struct word {
	size_t i;
	size_t ol;
	unsigned flags;
	uint64_t h;
};

/* Finish the word starting at `start` whose leading run of ASCII letters and digits,
 * [start, w->i), is folded into out[0, w->ol) and hashed into w->h (the run may be
 * empty when the word starts with a non-ASCII letter): non-ASCII letters, inner
 * apostrophes and dots, "U.S.", possessives, case flags. */
static __attribute__((noinline)) void word_tail(const unsigned char *s, size_t n, size_t start,
                                                char *out, struct word *w)
{
	size_t i = w->i, ol = w->ol, clen = 1;
	unsigned cp = 0;
	int k = C_END;
	int nupper = 0, nletters = 0, nonascii = 0, appended = 0;
	const size_t hashed_len = ol;
	if (i < n) {
		unsigned char c = s[i];
		k = cls[c];
		cp = c;
		if (k == C_HIGH)
			k = char_class(s + i, n - i, &clen, &cp);
	}
	while (i < n) {
		if (k == C_LETTER || k == C_UPPER || k == C_DIGIT) {
			if (k != C_DIGIT && clen > 1) {
				/* ASCII letters are counted below, from the span */
				nletters++;
				if (k == C_UPPER)
					nupper++;
			}
			if (clen == 1) {
				out[ol++] = (char)lower_tab[s[i]];
			} else {
				nonascii = 1;
				if (cp >= 0xC0 && cp < 0x180 && latin_fold[cp - 0xC0][0]) {
					const char *f = latin_fold[cp - 0xC0];
					while (*f)
						out[ol++] = *f++;
				} else if (cp >= 0x391 && cp <= 0x3A9) {
					unsigned lc = cp + 0x20; /* Greek capitals */
					out[ol++] = (char)(0xC0 | (lc >> 6));
					out[ol++] = (char)(0x80 | (lc & 0x3F));
				} else if (cp >= 0x410 && cp <= 0x42F) {
					unsigned lc = cp + 0x20; /* Cyrillic capitals */
					out[ol++] = (char)(0xC0 | (lc >> 6));
					out[ol++] = (char)(0x80 | (lc & 0x3F));
				} else {
					memcpy(out + ol, s + i, clen);
					ol += clen;
				}
			}
			appended = 1;
			i += clen;
		} else if (k == C_APOS || k == C_DOT) {
			/* inner apostrophe or dot: kept only when a letter follows */
			if (i + clen >= n)
				break;
			size_t l2;
			unsigned cp2;
			int k2 = cls[s[i + clen]] == C_HIGH ?
			         char_class(s + i + clen, n - i - clen, &l2, &cp2) :
			         cls[s[i + clen]];
			if (k2 != C_LETTER && k2 != C_UPPER)
				break;
			out[ol++] = k == C_DOT ? '.' : '\'';
			appended = 1;
			i += clen;
		} else {
			break;
		}
		if (i >= n)
			break;
		unsigned char c = s[i];
		k = cls[c];
		if (k == C_HIGH)
			k = char_class(s + i, n - i, &clen, &cp);
		else {
			clen = 1;
			cp = c;
		}
	}
	/* "U.S.": a final dot after single-letter dotted parts */
	if (i < n && s[i] == '.' && ol >= 3 && out[ol - 2] == '.' &&
	    (ol == 3 || out[ol - 4] == '.' || ol <= 5)) {
		out[ol++] = '.';
		i++;
	}
	/* possessive: drop a trailing 's, and a bare trailing apostrophe */
	if (appended && ol >= 3 && out[ol - 1] == 's' && out[ol - 2] == '\'')
		ol -= 2;
	if (i < n && (s[i] == '\'' || (s[i] == 0xE2 && i + 2 < n && s[i + 1] == 0x80 &&
	                               s[i + 2] == 0x99)) &&
	    ol && out[ol - 1] == 's') {
		i += s[i] == '\'' ? 1 : 3; /* "Reuters'" */
	}
	if (w->flags & NT_TOK_CAP) {
		for (size_t j = start; j < i; j++) {
			unsigned char ch = s[j];
			if ((unsigned)(ch - 'A') < 26u) {
				nupper++;
				nletters++;
			} else if ((unsigned)(ch - 'a') < 26u) {
				nletters++;
			}
		}
		if (nletters >= 2 && nupper == nletters)
			w->flags |= NT_TOK_UPPER;
	}
	if (nonascii)
		w->flags |= NT_TOK_NONASCII;
	if (appended || ol != hashed_len) {
		uint64_t h = FNV_OFFSET;
		for (size_t j = 0; j < ol; j++)
			h = (h ^ (unsigned char)out[j]) * FNV_PRIME;
		w->h = h;
	}
	w->i = i;
	w->ol = ol;
}

/* A punctuation token of one non-ASCII character (clen bytes, code point cp) at s:
 * its folded form (’ and ‘ become ') into out; returns its length. */
static size_t punct_high(const unsigned char *s, size_t clen, unsigned cp, char *out)
{
	if (cp == 0x2019 || cp == 0x2018) {
		out[0] = '\'';
		return 1;
	}
	memcpy(out, s, clen);
	return clen;
}

/* Tokenize t->s into b. The hot state is a few locals (cursors into the folded forms
 * and the tokens); what changes only at sentence and zone starts stays in *t. */
static int tokenize(struct tokctx *t)
{
	struct nt_docbuf *b = t->b;
	const unsigned char *const s = t->s;
	char *outp = b->norm + b->norm_len;      /* where the next folded form goes */
	struct nt_token *o = b->tok + b->ntok;   /* where the next token goes */
	struct nt_token *o_end = b->tok + b->tok_cap;
	unsigned brk = t->brk;
	size_t zlim = 0; /* t->zone is valid for tokens starting before zlim */
	size_t i = 0;
	int rc = NT_OK;
	t->tzone = 0;
	t->sentno = (uint32_t)(b->nsent - 1);
	for (;;) {
		unsigned c = s[i];
		int k = cls[c];
		if (k == C_SPACE) {
			i++;
			continue;
		}
		if (k == C_NL) {
			brk |= BRK_FORCE;
			i++;
			continue;
		}
		const size_t start = i;
		char *const out = outp;
		size_t ol;
		unsigned flags;
		uint64_t h = FNV_OFFSET;
		if (k == C_LETTER || k == C_UPPER) {
			/* a word: the run of ASCII letters and digits, hashed as it is folded
			 * (the text is NUL terminated and holds no other NUL) */
			flags = NT_TOK_WORD | (k == C_UPPER ? NT_TOK_CAP : 0);
#if defined(__SSE2__) && defined(__x86_64__)
			/* 16 bytes at a time: fold with |0x20 (digits keep their value; what follows
			 * the run is overwritten), run length from the letter and digit masks (the
			 * text has 16 readable bytes after its NUL) */
			{
				const __m128i k20 = _mm_set1_epi8(0x20);
				const __m128i ka = _mm_set1_epi8((char)(0x80 - 'a'));
				const __m128i k26 = _mm_set1_epi8((char)(0x80 + 26));
				const __m128i k0 = _mm_set1_epi8((char)(0x80 - '0'));
				const __m128i k10 = _mm_set1_epi8((char)(0x80 + 10));
				__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
				__m128i v20 = _mm_or_si128(v, k20);
				__m128i m = _mm_or_si128(_mm_cmplt_epi8(_mm_add_epi8(v20, ka), k26),
				                         _mm_cmplt_epi8(_mm_add_epi8(v, k0), k10));
				_mm_storeu_si128((__m128i *)(void *)out, v20);
				unsigned r = (unsigned)__builtin_ctz(~(unsigned)_mm_movemask_epi8(m));
				uint64_t x = (uint64_t)_mm_cvtsi128_si64(v20); /* the first 8 folded bytes */
				const __m128i first16 = v20;
				ol = r;
				while (__builtin_expect(r == 16, 0)) {
					v = _mm_loadu_si128((const __m128i *)(const void *)(s + i + ol));
					v20 = _mm_or_si128(v, k20);
					m = _mm_or_si128(_mm_cmplt_epi8(_mm_add_epi8(v20, ka), k26),
					                 _mm_cmplt_epi8(_mm_add_epi8(v, k0), k10));
					_mm_storeu_si128((__m128i *)(void *)(out + ol), v20);
					r = (unsigned)__builtin_ctz(~(unsigned)_mm_movemask_epi8(m));
					ol += r;
				}
				/* hash: the first 8 bytes without a branch (every prefix's hash kept,
				 * the one of length ol picked; a loop exit here mispredicted on every
				 * word), then any rest */
				uint64_t hs[9];
				hs[0] = h;
#define NT_FNV_STEP(j) (h = (h ^ (x & 0xFF)) * FNV_PRIME, x >>= 8, hs[(j) + 1] = h)
				NT_FNV_STEP(0); NT_FNV_STEP(1); NT_FNV_STEP(2); NT_FNV_STEP(3);
				NT_FNV_STEP(4); NT_FNV_STEP(5); NT_FNV_STEP(6); NT_FNV_STEP(7);
				h = hs[ol < 8 ? ol : 8];
				if (__builtin_expect(ol > 8, 0)) {
					/* the same for bytes 8-15, then a loop for any more */
					x = (uint64_t)_mm_cvtsi128_si64(_mm_srli_si128(first16, 8));
					hs[0] = h;
					NT_FNV_STEP(0); NT_FNV_STEP(1); NT_FNV_STEP(2); NT_FNV_STEP(3);
					NT_FNV_STEP(4); NT_FNV_STEP(5); NT_FNV_STEP(6); NT_FNV_STEP(7);
					h = hs[ol < 16 ? ol - 8 : 8];
					for (size_t j = 16; j < ol; j++)
						h = (h ^ (unsigned char)out[j]) * FNV_PRIME;
				}
#undef NT_FNV_STEP
				i += ol;
			}
#else
			{
				const unsigned char *p = s + i;
				unsigned char f = alnum_tab[c];
				ol = 0;
				do {
					out[ol++] = (char)f;
					h = (h ^ f) * FNV_PRIME;
					f = alnum_tab[*++p];
				} while (f);
				i = (size_t)(p - s);
			}
#endif
			if (__builtin_expect(word_more[s[i]], 0)) {
				/* apostrophe, dot or non-ASCII next: the general word rules */
				struct word w = {i, ol, flags, h};
				word_tail(s, t->n, start, out, &w);
				i = w.i;
				ol = w.ol;
				flags = w.flags;
				h = w.h;
			} else if (__builtin_expect((k == C_UPPER) & ((unsigned)(s[start + 1] - 'a') >= 26u), 0) &&
			           ascii_all_upper(s, start, i)) {
				flags |= NT_TOK_UPPER; /* capitalised, and not "Xy...": count the letters */
			}
		} else if (k == C_DIGIT) {
			flags = NT_TOK_NUMBER;
			ol = 0;
			for (;;) {
				if (k == C_DIGIT || k == C_LETTER || k == C_UPPER) {
					unsigned char f = lower_tab[c];
					out[ol++] = (char)f;
					h = (h ^ f) * FNV_PRIME;
				} else if ((c == '.' || c == ',') && cls[s[i + 1]] == C_DIGIT) {
					out[ol++] = (char)c;
					h = (h ^ c) * FNV_PRIME;
				} else {
					break;
				}
				c = s[++i];
				k = cls[c]; /* C_HIGH and the final NUL end the number */
			}
		} else if (k == C_HIGH) {
			size_t clen;
			unsigned cp;
			k = char_class(s + i, t->n - i, &clen, &cp);
			if (k == C_SPACE || k == C_NL) {
				if (k == C_NL)
					brk |= BRK_FORCE;
				i += clen;
				continue;
			}
			if (k == C_LETTER || k == C_UPPER) {
				struct word w = {i, 0, NT_TOK_WORD | (k == C_UPPER ? NT_TOK_CAP : 0),
				                 FNV_OFFSET};
				word_tail(s, t->n, start, out, &w);
				i = w.i;
				ol = w.ol;
				flags = w.flags;
				h = w.h;
			} else {
				flags = NT_TOK_PUNCT;
				t->npunct++;
				ol = punct_high(s + i, clen, cp, out);
				for (size_t j = 0; j < ol; j++)
					h = (h ^ (unsigned char)out[j]) * FNV_PRIME;
				i += clen;
			}
		} else if (__builtin_expect(k == C_END, 0)) {
			if (i >= t->n)
				break;
			i++; /* not reached: the text holds no NUL before s[n] */
			continue;
		} else {
			/* one ASCII punctuation character */
			flags = NT_TOK_PUNCT;
			t->npunct++;
			out[0] = (char)c;
			ol = 1;
			h = (h ^ c) * FNV_PRIME;
			i++;
			if (c == '.' || c == '!' || c == '?') {
				/* a sentence end unless it follows an abbreviation */
				const struct nt_token *prev = o != b->tok ? o - 1 : NULL;
				if (!(c == '.' && prev && (prev->flags & NT_TOK_WORD) && prev->end == start &&
				      is_abbrev(b->norm + prev->norm_off, prev->norm_len)))
					brk |= BRK_SENT;
			} else if (c == '-' && o != b->tok) {
				struct nt_token *prev = o - 1;
				if ((prev->flags & NT_TOK_WORD) && prev->end == start && i < t->n &&
				    (cls[s[i]] == C_UPPER || cls[s[i]] == C_LETTER || cls[s[i]] == C_HIGH))
					prev->flags |= NT_TOK_HYPHEN_NEXT;
			}
		}
		out[ol] = '\0';
		if (__builtin_expect(start >= zlim, 0)) {
			t->zone = zone_of(t, start);
			zlim = zone_limit(t, start);
			if (t->zone != t->cur_zone)
				brk |= BRK_FORCE;
		}
		if (__builtin_expect((brk & (flags | BRK_FORCE)) != 0, 0)) {
			int z = start_sentence(t, (size_t)(o - b->tok), t->zone);
			if (z < 0) {
				rc = NT_ENOMEM;
				break;
			}
			t->tzone = (uint8_t)z;
			t->sentno = (uint32_t)(b->nsent - 1);
			t->cur_zone = t->zone;
			brk &= ~BRK_FORCE;
			flags |= NT_TOK_SENT_START;
		}
		if (flags & (NT_TOK_WORD | NT_TOK_NUMBER))
			brk &= ~BRK_SENT;
		if (__builtin_expect(o == o_end, 0)) {
			size_t ntok = (size_t)(o - b->tok);
			if (grow((void **)&b->tok, &b->tok_cap, ntok + 1, sizeof *b->tok) != NT_OK) {
				rc = NT_ENOMEM;
				break;
			}
			o = b->tok + ntok;
			o_end = b->tok + b->tok_cap;
		}
		o->start = (uint32_t)start;
		o->end = (uint32_t)i;
		o->norm_off = (uint32_t)(out - b->norm);
		o->norm_len = (uint16_t)(ol > 0xFFFF ? 0xFFFF : ol);
		o->zone = t->tzone;
		o->flags = (uint8_t)flags;
		o->sentence = t->sentno;
		o->src = t->src;
		memset(o->pad_, 0, sizeof o->pad_);
		o->hash = h;
		o++;
		outp = out + ol + 1;
	}
	b->norm_len = (size_t)(outp - b->norm);
	b->ntok = (size_t)(o - b->tok);
	t->brk = brk;
	return rc;
}

/* ---------------------------------------------------------------- zones */

/* Find the end of the line starting at p (offset of '\n' or n). */
static size_t line_end(const char *s, size_t n, size_t p)
{
	const char *q = memchr(s + p, '\n', n - p);
	return q ? (size_t)(q - s) : n;
}

/* The start of the line that ends at e: just after the last '\n' before e, or 0.
 * Eight bytes at a time, then bytewise. */
static size_t line_start(const char *s, size_t e)
{
	size_t a = e;
	while (a >= 8) {
		uint64_t w;
		memcpy(&w, s + a - 8, 8);
		w ^= 0x0a0a0a0a0a0a0a0aULL; /* a '\n' byte becomes zero */
		if ((w - 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL)
			break;
		a -= 8;
	}
	while (a > 0 && s[a - 1] != '\n')
		a--;
	return a;
}

static int is_blank(const char *s, size_t a, size_t e)
{
	for (size_t i = a; i < e; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

/* Trailer markers: a short line containing one of these starts or joins a trailer. */
static const char *const trailer_markers[] = {"related", "read more", "sign up", "newsletter",
	"subscribe", "follow us", "click here", "more from", "recommended", "share this",
	"all rights reserved", "copyright", "most read", "more on this", "see also",
	"you may also like", "advertisement", "top stories", "more stories", "latest news"};
#define N_MARKERS (sizeof trailer_markers / sizeof trailer_markers[0])
static unsigned char marker_len[N_MARKERS];
static uint32_t marker_char[3][256]; /* bit k of [j][c]: byte j of marker k is c (lower case) */

static void init_markers(void)
{
	for (size_t k = 0; k < N_MARKERS; k++) {
		marker_len[k] = (unsigned char)strlen(trailer_markers[k]);
		for (int j = 0; j < 3; j++) /* every marker has at least 3 bytes */
			marker_char[j][(unsigned char)trailer_markers[k][j]] |= (uint32_t)1 << k;
	}
}

/* Does s[a, e) (at most 120 bytes) contain a trailer marker, case-insensitively? One
 * pass: only the markers whose first three letters are here are compared (s is the
 * text copy, readable 2 bytes past e). */
static int is_trailer_marker(const char *s, size_t a, size_t e)
{
	if (e - a > 120)
		return 0;
	for (size_t i = a; i < e; i++) {
		uint32_t m = marker_char[0][lower_tab[(unsigned char)s[i]]] &
		             marker_char[1][lower_tab[(unsigned char)s[i + 1]]] &
		             marker_char[2][lower_tab[(unsigned char)s[i + 2]]];
		while (m) {
			unsigned k = (unsigned)__builtin_ctz(m);
			size_t len = marker_len[k], j = 1;
			m &= m - 1;
			if (i + len > e)
				continue;
			while (j < len && (char)lower_tab[(unsigned char)s[i + j]] == trailer_markers[k][j])
				j++;
			if (j == len)
				return 1;
		}
	}
	return 0;
}

/* A short headline-like line: no sentence-final punctuation, under 100 bytes. */
static int is_headline_line(const char *s, size_t a, size_t e)
{
	while (e > a && (s[e - 1] == ' ' || s[e - 1] == '\r' || s[e - 1] == '\t'))
		e--;
	if (e <= a || e - a > 100)
		return 0;
	char last = s[e - 1];
	/* a headline may end in '?' ("What we know?"); prose lines are longer than 100 bytes */
	return last != '.' && last != '"' && last != '!' && last != ':' &&
	       !(e - a >= 3 && (unsigned char)s[e - 1] == 0x9D && (unsigned char)s[e - 3] == 0xE2);
}

/* Compute title_end, body_start, lead_end and trailer_start of the text. */
static void find_zones(struct tokctx *t, int title_in_text)
{
	const char *s = (const char *)t->s;
	size_t n = t->n;
	size_t p = 0;
	t->title_end = 0;
	/* skip leading blank lines */
	while (p < n) {
		size_t e = line_end(s, n, p);
		if (!is_blank(s, p, e))
			break;
		p = e + 1;
	}
	if (title_in_text && p < n) {
		size_t e = line_end(s, n, p);
		/* a blank line must follow: a lone line at the end of the text is body */
		if (e + 1 < n) {
			size_t e2 = line_end(s, n, e + 1);
			if (is_blank(s, e + 1, e2) && e - p <= 400) {
				t->title_end = e;
				p = e2 < n ? e2 + 1 : n;
			}
		}
	}
	/* lead: the first non-blank paragraph of the body */
	while (p < n) {
		size_t e = line_end(s, n, p);
		if (!is_blank(s, p, e))
			break;
		p = e + 1;
	}
	size_t body_start = p < n ? p : n;
	t->lead_end = body_start < n ? line_end(s, n, body_start) : n;
	/* trailer: walk back over marker and headline lines */
	size_t tr = n, e = n, headlines = 0;
	int marker = 0;
	while (e > t->lead_end) {
		size_t a = line_start(s, e);
		if (a < t->lead_end)
			break;
		if (is_blank(s, a, e)) {
			/* blank lines inside the candidate run are fine */
		} else if (is_trailer_marker(s, a, e)) {
			marker = 1;
			tr = a;
		} else if (is_headline_line(s, a, e)) {
			headlines++;
			tr = a;
		} else {
			break;
		}
		if (a == 0)
			break;
		e = a - 1;
	}
	if (!(marker || headlines >= 3))
		tr = n;
	t->trailer_start = tr;
}

/* Retag a leading dateline ("BAGHDAD (Reuters) -", "WASHINGTON --", "Paris, France:")
 * of the body as NT_ZONE_DATELINE. Returns the token after it (first when none). */
static size_t find_dateline(struct nt_docbuf *b, size_t first)
{
	size_t limit = first + 12 < b->ntok ? first + 12 : b->ntok;
	int has_upper = 0, has_paren = 0;
	for (size_t i = first; i < limit; i++) {
		const struct nt_token *k = &b->tok[i];
		if (k->src != NT_SRC_TEXT || (k->zone != NT_ZONE_LEAD && k->zone != NT_ZONE_BODY))
			return first;
		if (k->flags & NT_TOK_PUNCT) {
			char c = b->norm[k->norm_off];
			unsigned char c0 = (unsigned char)b->norm[k->norm_off];
			int dash = c == '-' || c == ':' || (c0 == 0xE2 && k->norm_len == 3);
			if (dash && i > first && (has_upper || has_paren)) {
				size_t end = i + 1;
				while (end < b->ntok && (b->tok[end].flags & NT_TOK_PUNCT) &&
				       b->norm[b->tok[end].norm_off] == '-')
					end++;
				for (size_t j = first; j < end; j++)
					b->tok[j].zone = NT_ZONE_DATELINE;
				return end;
			}
			if (c == '(' || c == ')') {
				has_paren = 1;
				continue;
			}
			if (c == ',' || c == '/' || c == '.')
				continue; /* "PONTIAC, Mich., -" */
			return first;
		}
		if (k->flags & NT_TOK_NUMBER)
			continue; /* "SALVADOR, Feb 26 -" */
		if (!(k->flags & NT_TOK_WORD) || !(k->flags & NT_TOK_CAP)) {
			if (has_paren && (k->flags & NT_TOK_WORD))
				continue; /* "(dpa)" */
			return first;
		}
		if (k->flags & NT_TOK_UPPER)
			has_upper = 1;
	}
	return first;
}

int nt_doc_build(struct nt_docbuf *b, const char *id, const char *title, size_t title_len,
                 const char *text, size_t text_len, int title_in_text, const struct nt_doc **out,
                 struct nt_error *err)
{
	if (text_len > 0xFFFFFFF0u || title_len > 0xFFFFFFF0u)
		return nt_seterr(err, NT_EINVAL, "article %s: text over 4 GiB", id ? id : "?");
	pthread_once(&tables_once, init_tables);
	b->ntok = b->nsent = b->norm_len = 0;
	b->repairs = 0;
	b->first_repair = -1;
	size_t total = text_len + (title ? title_len : 0);
	if (grow((void **)&b->text, &b->text_cap, text_len + 1 + TEXT_PAD, 1) != NT_OK ||
	    grow((void **)&b->norm, &b->norm_cap, 2 * total + 64, 1) != NT_OK ||
	    grow((void **)&b->tok, &b->tok_cap, total / 6 + 16, sizeof *b->tok) != NT_OK)
		return nt_seterr(err, NT_ENOMEM, "article %s: out of memory", id ? id : "?");
	b->repairs = utf8_copy_repair(b->text, text, text_len, &b->first_repair);
	memset(b->text + text_len, 0, 1 + TEXT_PAD);
	struct tokctx t = {0};
	t.b = b;
	t.cur_zone = -1;
	for (int z = 0; z < NT_ZONE_COUNT; z++)
		t.zfirst[z] = (size_t)-1;
	if (title) {
		if (grow((void **)&b->title, &b->title_cap, title_len + 1 + TEXT_PAD, 1) != NT_OK)
			return nt_seterr(err, NT_ENOMEM, "article %s: out of memory", id ? id : "?");
		long long f = -1;
		size_t r = utf8_copy_repair(b->title, title, title_len, &f);
		if (r && !b->repairs)
			b->first_repair = f;
		b->repairs += r;
		memset(b->title + title_len, 0, 1 + TEXT_PAD);
		t.s = (const unsigned char *)b->title;
		t.n = title_len;
		t.src = NT_SRC_TITLE;
		t.title_end = title_len;
		if (tokenize(&t) != NT_OK)
			return nt_seterr(err, NT_ENOMEM, "article %s: out of memory", id ? id : "?");
		t.brk |= BRK_FORCE;
	}
	t.s = (const unsigned char *)b->text;
	t.n = text_len;
	t.src = NT_SRC_TEXT;
	find_zones(&t, title_in_text && !title);
	if (tokenize(&t) != NT_OK)
		return nt_seterr(err, NT_ENOMEM, "article %s: out of memory", id ? id : "?");
	/* bound[z]: the first token whose zone is >= z. Token zones never decrease along
	 * the tokens (the title, then the text's zones in byte order, the lead's sentences
	 * after its second being body), so these come from the first token of each zone
	 * seen at sentence starts; then the dateline retags tokens [body_first, dl_end). */
	size_t bound[NT_ZONE_COUNT + 1];
	bound[NT_ZONE_COUNT] = b->ntok;
	for (int z = NT_ZONE_COUNT - 1; z >= 0; z--)
		bound[z] = t.zfirst[z] < bound[z + 1] ? t.zfirst[z] : bound[z + 1];
	bound[0] = 0;
	size_t body_first = bound[1]; /* the dateline starts at the first token after the title */
	size_t dl_end = find_dateline(b, body_first);
	for (int z = 2; z < NT_ZONE_COUNT; z++)
		if (bound[z] < dl_end)
			bound[z] = dl_end;
	finish_sentences(b);

	struct nt_doc *d = &b->doc;
	memset(d, 0, sizeof *d);
	d->id = id ? id : "";
	d->title = title ? b->title : NULL;
	d->title_len = title ? title_len : 0;
	d->text = b->text;
	d->text_len = text_len;
	d->norm = b->norm;
	d->tokens = b->tok;
	d->ntokens = b->ntok;
	d->sentences = b->sent;
	d->nsentences = b->nsent;
	for (int z = 0; z < NT_ZONE_COUNT; z++) {
		size_t lo = bound[z], hi = bound[z + 1];
		d->zones[z].first_token = (uint32_t)(lo < hi ? lo : b->ntok);
		d->zones[z].ntokens = (uint32_t)(hi - lo);
	}
	d->nwords = b->ntok - t.npunct;
	*out = d;
	return NT_OK;
}

size_t nt_fold_hashes(const char *s, size_t len, uint64_t *out, size_t max)
{
	/* Plugins call this once per lexicon entry at open(): build into buffers carved
	 * from one block (on the stack for short phrases), sized so nothing ever grows. */
	_Alignas(16) char stackbuf[16384];
	size_t ncap = len + 32; /* >= what nt_doc_build reserves up front */
	size_t tok_bytes = ncap * sizeof(struct nt_token);
	size_t sent_bytes = ncap * sizeof(struct nt_sentence);
	size_t bytes = tok_bytes + sent_bytes + (len + 1 + TEXT_PAD) + (2 * len + 64);
	char *mem = bytes <= sizeof stackbuf ? stackbuf : malloc(bytes);
	if (!mem)
		return 0;
	struct nt_docbuf b;
	memset(&b, 0, sizeof b);
	b.tok = (struct nt_token *)(void *)mem;
	b.tok_cap = ncap;
	b.sent = (struct nt_sentence *)(void *)(mem + tok_bytes);
	b.sent_cap = ncap;
	b.text = mem + tok_bytes + sent_bytes;
	b.text_cap = len + 1 + TEXT_PAD;
	b.norm = b.text + len + 1 + TEXT_PAD;
	b.norm_cap = 2 * len + 64;
	const struct nt_doc *d;
	size_t n = 0;
	grow_fixed = 1;
	int rc = nt_doc_build(&b, "", NULL, 0, s, len, 0, &d, NULL);
	grow_fixed = 0;
	struct nt_docbuf *heap = NULL;
	if (rc == NT_ENOMEM && (heap = nt_docbuf_new()) != NULL) /* a buffer was too small */
		rc = nt_doc_build(heap, "", NULL, 0, s, len, 0, &d, NULL);
	if (rc == NT_OK) {
		for (size_t i = 0; i < d->ntokens; i++) {
			if (!(d->tokens[i].flags & (NT_TOK_WORD | NT_TOK_NUMBER)))
				continue;
			if (n < max)
				out[n] = d->tokens[i].hash;
			n++;
		}
	}
	nt_docbuf_free(heap);
	if (mem != stackbuf)
		free(mem);
	return n;
}
