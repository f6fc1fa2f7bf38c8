/* sink.h - what one plugin said about one article (labels, evidence, numbers, scratch) */
#ifndef NT_SINK_H
#define NT_SINK_H

#include <stddef.h>
#include <stdint.h>
#include "newstag/plugin.h"

/* A bump allocator of 16-byte aligned blocks, reset between articles. */
struct nt_arena_chunk;
struct nt_arena {
	struct nt_arena_chunk *head;
};
void *nt_arena_alloc(struct nt_arena *a, size_t n);
void nt_arena_reset(struct nt_arena *a);
void nt_arena_free(struct nt_arena *a);

struct nt_sink_label {
	const char *facet;   /* arena copy */
	const char *label;   /* arena copy */
	uint64_t h;          /* hash of facet and label, to find repeats without strcmp */
	double score;
};

struct nt_sink_evidence {
	int label;           /* index into labels */
	uint8_t src;         /* NT_SRC_TEXT or NT_SRC_TITLE */
	uint32_t start, end;
	double weight;
};

struct nt_sink_number {
	const char *facet;
	const char *key;     /* "value", "positive_share", ... or a label (for scores) */
	uint64_t h;          /* hash of facet and key */
	double value;
};

/* The labels a plugin instance listed in describe(), interned for host->emit_known(), and
 * the numbers it listed in describe_numbers() (ABI 1.3), for host->emit_known_numbers():
 * entry i is "facet:label" (or "facet:key") number i, split, with the hash emit_label()
 * (or emit_number()) would give it (facet NULL: the entry was not "facet:name" with parts
 * of 1..127 bytes, or it names a reserved number key). Owned by whoever built it (the
 * engine, per instance); sinks borrow it. */
struct nt_known_label {
	const char *facet;
	const char *label;               /* the label, or the number's key */
	uint64_t h;
};
struct nt_known {
	struct nt_known_label *v;        /* the labels */
	size_t n;
	char *strings;                   /* the split copies (one block) */
	struct nt_known_label *num;      /* the numbers */
	size_t nnum;
	char *num_strings;
};

/* Build k from the describe() and describe_numbers() of an opened plugin state (empty lists
 * when the plugin has neither or lists nothing). NT_OK or NT_ENOMEM (k is then empty). */
int nt_known_build(struct nt_known *k, const struct nt_plugin *p, const void *state);
/* Release what nt_known_build() allocated; k becomes an empty table. */
void nt_known_free(struct nt_known *k);

/* One plugin's output for one article. Owned by the thread tagging the article. */
struct nt_sink {
	const char *instance;            /* the pipeline instance name (borrowed) */
	struct nt_sink_label *labels;
	size_t nlabels, labels_cap;
	struct nt_sink_evidence *ev;
	size_t nev, ev_cap;
	struct nt_sink_number *numbers;
	size_t nnumbers, numbers_cap;
	struct nt_sink_number *scores;   /* facet, label (in key), raw score */
	size_t nscores, scores_cap;
	int overflow;                    /* an emit failed for lack of memory */
	const char *last_facet;          /* arena copy of the last facet name seen, reused */
	uint64_t last_facet_h;
	const struct nt_known *known;    /* the instance's labels for emit_known() (borrowed), or NULL */
	struct nt_arena arena;           /* strings and plugin scratch */
};

/* Empty the sink for the next call (keeps its memory and its known labels). */
void nt_sink_reset(struct nt_sink *s, const char *instance);
/* Give the sink the known labels of the instance whose classify() writes into it (NULL:
 * none; emit_known() then fails with NT_EUNSUPPORTED). k is borrowed and must outlive
 * the sink's use. */
void nt_sink_set_known(struct nt_sink *s, const struct nt_known *k);
/* Release everything the sink holds. */
void nt_sink_release(struct nt_sink *s);

#endif /* NT_SINK_H */
