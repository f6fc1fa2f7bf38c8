/* plugin.h - the newstag classifier plugin ABI (descriptor, document model, host API) */
#ifndef NT_PLUGIN_H
#define NT_PLUGIN_H

/*
 * OWNERSHIP AND THREADING (the rules, stated once)
 *
 * 1. Whoever allocates frees. The core never frees plugin memory and a plugin never
 *    frees core memory. Plugin state lives from open() until close().
 * 2. Everything the core passes in (document, config struct, strings, paths) is
 *    BORROWED for the duration of the call only. A plugin copies what it keeps.
 * 3. Results go into the caller's sink through host->emit_*(); the core copies them.
 *    Scratch memory for one call comes from host->scratch(sink, n): it is freed by
 *    the core when the call returns, so classify() never needs malloc/free.
 * 4. Strings a plugin returns through describe() are owned by the plugin state and
 *    must stay valid until close().
 * 5. classify() is called from many threads at once with the same state: state is
 *    READ-ONLY after open() returns. open(), describe(), close() and train() are
 *    called from one thread, never concurrently with classify(). One exception, by
 *    choice: a plugin whose descriptor sets NT_PLUGIN_OPEN_CONCURRENT (ABI 1.1) may have
 *    open() called on several threads at once (one call per pipeline instance, also
 *    two instances of the same plugin), so that models load in parallel.
 * 6. A plugin never prints. It logs through host->log(), which prefixes its name.
 *
 * VERSIONING
 * NT_PLUGIN_ABI_MAJOR changes on any incompatible change and must match exactly.
 * NT_PLUGIN_ABI_MINOR grows when a field is appended to struct nt_plugin or
 * struct nt_host; the core reads a descriptor field only when
 * offsetof(field) < descriptor->struct_size. Fields are only ever appended.
 * Host functions are appended in place of reserved slots, which older cores leave
 * NULL: a plugin checks such a function against NULL (or host->abi_minor) in open()
 * before it relies on it.
 *
 * ENTRY SYMBOL
 * Each plugin exports exactly one symbol, written with NT_PLUGIN_DEFINE(name, desc):
 *     const struct nt_plugin *NAME_LTX_nt_plugin_entry(void);
 * The libtool prefix lets many plugins be preloaded into one binary (dlpreopen);
 * lt_dlsym() strips it when the plugin is a shared module.
 */

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define NT_PLUGIN_ABI_MAJOR 1
#define NT_PLUGIN_ABI_MINOR 3

/* Status codes: NT_OK or a negative value. nt_strerror() (newstag.h) names them. */
enum nt_status {
	NT_OK = 0,
	NT_ENOMEM = -1,       /* out of memory */
	NT_EINVAL = -2,       /* invalid argument or configuration */
	NT_EIO = -3,          /* read or write failed */
	NT_EFORMAT = -4,      /* malformed file or input */
	NT_EABI = -5,         /* plugin ABI mismatch */
	NT_ENOTFOUND = -6,    /* file, plugin, facet or label not found */
	NT_EUNSUPPORTED = -7, /* operation not provided */
	NT_EINTERNAL = -8     /* a bug */
};

/* Error details, in caller storage. Every function taking one may get NULL. */
struct nt_error {
	int code;       /* an enum nt_status */
	char msg[256];  /* human readable, no trailing newline */
};

/* ---------------------------------------------------------------- document model */

/* Zones of an article, in reading order. */
enum nt_zone {
	NT_ZONE_TITLE = 0,    /* the headline */
	NT_ZONE_DATELINE = 1, /* "BAGHDAD (Reuters) -" at the start of the body */
	NT_ZONE_LEAD = 2,     /* the first paragraph (or first two sentences) */
	NT_ZONE_BODY = 3,     /* the rest of the story */
	NT_ZONE_TRAILER = 4,  /* related-link lists, headline lists, newsletter lines */
	NT_ZONE_COUNT = 5
};

/* Token flags (struct nt_token.flags). */
#define NT_TOK_WORD   0x01u /* letters (may contain digits, apostrophes, inner dots) */
#define NT_TOK_NUMBER 0x02u /* starts with a digit */
#define NT_TOK_PUNCT  0x04u /* a single punctuation or symbol character */
#define NT_TOK_CAP    0x08u /* first letter is upper case */
#define NT_TOK_UPPER  0x10u /* every letter is upper case (and at least two letters) */
#define NT_TOK_NONASCII 0x20u /* contains bytes >= 0x80 */
#define NT_TOK_SENT_START 0x40u /* first token of a sentence */
#define NT_TOK_HYPHEN_NEXT 0x80u /* followed immediately by '-' and another word ("Israel-Iran") */

/* One token. Spans are [start, end) byte offsets into the source string named by
 * `src` (NT_SRC_TEXT: doc->text, NT_SRC_TITLE: doc->title when the title was given
 * as a separate field). The folded form is lower case, diacritics removed for Latin
 * letters, possessive "'s" removed; it is NUL terminated at doc->norm + norm_off. */
struct nt_token {
	uint32_t start;      /* byte offset of the first byte */
	uint32_t end;        /* byte offset one past the last byte */
	uint32_t norm_off;   /* offset of the folded form in doc->norm */
	uint16_t norm_len;   /* length of the folded form in bytes */
	uint8_t zone;        /* enum nt_zone */
	uint8_t flags;       /* NT_TOK_* */
	uint32_t sentence;   /* index into doc->sentences */
	uint8_t src;         /* NT_SRC_TEXT or NT_SRC_TITLE */
	uint8_t pad_[3];
	uint64_t hash;       /* nt_hash64() of the folded form */
};

#define NT_SRC_TEXT 0
#define NT_SRC_TITLE 1

/* A sentence: a run of tokens. */
struct nt_sentence {
	uint32_t first_token; /* index of its first token */
	uint32_t ntokens;     /* number of tokens */
	uint8_t zone;         /* zone of its first token */
	uint8_t src;          /* NT_SRC_TEXT or NT_SRC_TITLE */
};

/* Where a zone lies in the token array: tokens [first_token, first_token + ntokens). */
struct nt_zone_range {
	uint32_t first_token;
	uint32_t ntokens;
};

/* The shared document model, built once per article by the core. Read-only for plugins. */
struct nt_doc {
	const char *id;           /* article id, never NULL */
	const char *title;        /* separate title field, or NULL (then the title, if any, is a zone of text) */
	size_t title_len;
	const char *text;         /* the article text as given, valid UTF-8 (invalid bytes were replaced) */
	size_t text_len;
	const char *norm;         /* folded forms, each NUL terminated */
	const struct nt_token *tokens;
	size_t ntokens;
	const struct nt_sentence *sentences;
	size_t nsentences;
	struct nt_zone_range zones[NT_ZONE_COUNT];
	size_t nwords;            /* tokens with NT_TOK_WORD or NT_TOK_NUMBER */
};

/* Returns the folded form of token i of doc. */
#define NT_TOKEN_NORM(doc, i) ((doc)->norm + (doc)->tokens[(i)].norm_off)

/* ---------------------------------------------------------------- options */

/* Option types for a plugin's declarative config table. */
enum nt_opt_type {
	NT_OPT_STRING = 1, /* const char *: a JSON string (borrowed for open()) */
	NT_OPT_PATH = 2,   /* const char *: a JSON string, resolved by the core against the models
	                      directory unless absolute; the file is not opened by the core */
	NT_OPT_NUMBER = 3, /* double */
	NT_OPT_INT = 4,    /* long: a JSON number with no fractional part */
	NT_OPT_BOOL = 5    /* int: JSON true/false */
};

/* One accepted key of a plugin's config object. The core checks the JSON types,
 * rejects unknown keys (naming the key and the file) and fills a zeroed struct of
 * descriptor->config_size bytes before open(). A NULL name ends the table. */
struct nt_option {
	const char *name;        /* JSON key */
	int type;                /* enum nt_opt_type */
	size_t offset;           /* offsetof() the field in the plugin's config struct */
	const char *def;         /* default as JSON text ("0.5", "true", "\"region/gazetteer.tsv\""), or NULL = zero/NULL */
	const char *help;        /* one line for `newstag plugins` */
};

/* ---------------------------------------------------------------- host API */

struct nt_sink;       /* where classify() puts its labels (opaque, core-owned) */

/* One evidence span for emit_known() (ABI 1.2): as emit_evidence()'s arguments. */
struct nt_span {
	uint32_t start;      /* byte offset of the first byte */
	uint32_t end;        /* one past the last byte (end >= start) */
	uint32_t src;        /* NT_SRC_TEXT or NT_SRC_TITLE */
	uint32_t pad_;       /* zero */
	double weight;       /* how much it moved the score */
};
struct nt_train_set;  /* labelled documents for train() (opaque, core-owned) */

enum nt_log_level { NT_LOG_ERROR = 0, NT_LOG_WARNING = 1, NT_LOG_INFO = 2, NT_LOG_DEBUG = 3 };

/* Functions the core offers to plugins. Plugins never link against core symbols. */
struct nt_host {
	uint16_t abi_major;  /* NT_PLUGIN_ABI_MAJOR of the core */
	uint16_t abi_minor;  /* NT_PLUGIN_ABI_MINOR of the core */
	uint32_t struct_size; /* sizeof(struct nt_host) of the core */

	/* Log a message, prefixed with the plugin's name. Thread-safe. */
	void (*log)(int level, const char *plugin, const char *fmt, ...)
#if defined(__GNUC__)
		__attribute__((format(printf, 3, 4)))
#endif
		;

	/* Emit one label for `facet` with a score in [0,1]. The core copies the strings.
	 * Returns the label's index for emit_evidence(), or a negative status. */
	int (*emit_label)(struct nt_sink *sink, const char *facet, const char *label, double score);

	/* Attach evidence to the label with index `label_idx` (from emit_label): the
	 * byte span [start, end) of token source `src` (NT_SRC_TEXT or NT_SRC_TITLE) and
	 * a weight (how much it moved the score; used to order --explain output). */
	int (*emit_evidence)(struct nt_sink *sink, int label_idx, int src, uint32_t start, uint32_t end,
	                     double weight);

	/* Set a named number in the facet object ("value" for tone, or a component such
	 * as "positive_share"). Keys "labels" and "scores" are reserved. */
	int (*emit_number)(struct nt_sink *sink, const char *facet, const char *key, double value);

	/* Record the raw score of every label of a facet (before thresholds) under
	 * facet.scores, for facets that want it in the record. */
	int (*emit_score)(struct nt_sink *sink, const char *facet, const char *label, double score);

	/* Scratch memory for the current call, 16-byte aligned, freed when the call
	 * returns. Returns NULL when out of memory. */
	void *(*scratch)(struct nt_sink *sink, size_t size);

	/* Hash bytes the way the document model hashes folded tokens (FNV-1a 64). */
	uint64_t (*hash)(const char *s, size_t len);

	/* Fold a string the way the document model folds tokens and tokenize it into
	 * hashes: fills out[0..n) with the hashes of the word tokens of s (at most max),
	 * returns n. Use it to compile phrase lists that match doc tokens. */
	size_t (*fold_hashes)(const char *s, size_t len, uint64_t *out, size_t max);

	/* Compute "sha256:<hex>" of a file into out (72 bytes at least). NT_OK or status. */
	int (*digest_file)(const char *path, char *out, size_t outlen);

	/* Training support (for train()): number of documents, document i, and its labels
	 * for the facet being trained (NULL-terminated array, borrowed, valid while the set
	 * lives). Documents are built on demand: the one train_doc() returns stays valid
	 * only until the second next train_doc() call, so use one document at a time. */
	size_t (*train_count)(const struct nt_train_set *set);
	const struct nt_doc *(*train_doc)(const struct nt_train_set *set, size_t i);
	const char *const *(*train_labels)(const struct nt_train_set *set, size_t i);

	/* Report training progress (done of total) on a terminal; no-op otherwise. */
	void (*progress)(const char *what, size_t done, size_t total);

	/* ABI 1.2 (NULL in older cores). Emit label number `id` of the NULL-terminated
	 * "facet:label" list that describe() returned for this state, with a score in
	 * [0,1] and its n evidence spans (spans may be NULL when n is 0): what emit_label()
	 * and one emit_evidence() per span do, in one call and without copying or
	 * comparing names (the core interned the list after open(); the list must not
	 * change while the state lives). Nothing is emitted when it fails. Returns the
	 * label's index (for further emit_evidence()) or a negative status: NT_EINVAL for
	 * an id past the list, an entry that is not "facet:label" (each part 1..127 bytes)
	 * or a bad span; NT_EUNSUPPORTED when the plugin has no describe() labels. */
	int (*emit_known)(struct nt_sink *sink, size_t id, double score, const struct nt_span *spans,
	                  size_t n);

	/* ABI 1.3 (NULL in older cores). Set numbers first .. first + n - 1 of the
	 * NULL-terminated "facet:key" list that the descriptor's describe_numbers() returned for
	 * this state to values[0 .. n): what one emit_number() per value does, in one call and
	 * without copying or comparing names (the core interned the list after open()). Nothing
	 * is set when it fails. Returns NT_OK, or NT_EINVAL for numbers past the list, an entry
	 * that is not "facet:key" (each part 1..127 bytes; the keys "labels" and "scores" are
	 * reserved) or values NULL with n > 0; NT_EUNSUPPORTED when the plugin lists no numbers. */
	int (*emit_known_numbers)(struct nt_sink *sink, size_t first, const double *values, size_t n);

	void *reserved[6];  /* for appended functions; always NULL so far */
};

/* ---------------------------------------------------------------- descriptor */

/* What describe() reports. All strings are borrowed from the plugin state and
 * stay valid until close(). */
struct nt_info {
	const char *const *facets;   /* NULL-terminated facets emitted with this config */
	const char *const *labels;   /* NULL-terminated "facet:label" strings it may emit, or NULL */
	const char *model;           /* model file or directory in use, or NULL */
	const char *model_digest;    /* "sha256:<hex>" of the model, or NULL */
	int single_label;            /* nonzero: each of its facets has exactly one label */
};

/* The plugin descriptor. Only appended to; see VERSIONING above. */
struct nt_plugin {
	uint16_t abi_major;       /* NT_PLUGIN_ABI_MAJOR the plugin was built with */
	uint16_t abi_minor;       /* NT_PLUGIN_ABI_MINOR the plugin was built with */
	uint32_t struct_size;     /* sizeof(struct nt_plugin) the plugin was built with */
	const char *name;         /* must equal the module file's base name */
	const char *version;      /* the plugin's own version, e.g. "1.0.0" */
	const char *description;  /* one line */
	const char *const *facets; /* NULL-terminated facets it can emit; "*" = decided by its model */

	const struct nt_option *options; /* config keys, NULL-name terminated; may be NULL */
	size_t config_size;              /* size of the config struct the options fill */

	/* Create the state from a filled config struct (borrowed) and the models
	 * directory. On error returns a status, fills err and leaves *state unset. */
	int (*open)(const struct nt_host *host, const void *config, const char *models_dir,
	            void **state, struct nt_error *err);

	/* Classify one document into sink. Called concurrently; state is read-only.
	 * On error returns a status and fills err; labels already emitted are discarded. */
	int (*classify)(const void *state, const struct nt_doc *doc, struct nt_sink *sink,
	                struct nt_error *err);

	/* Release the state. May be NULL when open() allocates nothing. */
	void (*close)(void *state);

	/* Optional (NULL): describe facets, labels and model of an opened state. */
	int (*describe)(const void *state, struct nt_info *info);

	/* Optional (NULL): train a model for `facet` from set and write it to out_dir
	 * (created by the plugin; written atomically). config as for open(). */
	int (*train)(const struct nt_host *host, const void *config, const char *facet,
	             const struct nt_train_set *set, const char *out_dir, struct nt_error *err);

	/* ABI 1.1: NT_PLUGIN_* capability bits (0 in plugins built for 1.0, whose
	 * descriptor has a NULL reserved slot here). */
	uintptr_t flags;

	/* ABI 1.3, optional (NULL, as in plugins built for older ABIs): set *names to the
	 * NULL-terminated "facet:key" names of the numbers classify() sets through
	 * host->emit_known_numbers(), for this opened state. The list and its strings are owned
	 * by the state and unchanged until close(). Called from one thread, after open(). */
	int (*describe_numbers)(const void *state, const char *const **names);

	void *reserved[6];        /* for appended operations; NULL */
};

/* flags: open() keeps to its own state and the host API, with no unguarded global or
 * static data, so the core may run it at the same time as other open() calls. */
#define NT_PLUGIN_OPEN_CONCURRENT 1u

/* Define the plugin entry symbol. `name` must be the module name (a C identifier). */
#define NT_PLUGIN_DEFINE(name, descriptor)                                         \
	const struct nt_plugin *name##_LTX_nt_plugin_entry(void);                  \
	const struct nt_plugin *name##_LTX_nt_plugin_entry(void) { return &(descriptor); }

/* Fill the identity fields of a descriptor: NT_PLUGIN_HEADER, .name = ..., */
#define NT_PLUGIN_HEADER                                                         \
	.abi_major = NT_PLUGIN_ABI_MAJOR, .abi_minor = NT_PLUGIN_ABI_MINOR,        \
	.struct_size = (uint32_t)sizeof(struct nt_plugin)

#ifdef __cplusplus
}
#endif

#endif /* NT_PLUGIN_H */
