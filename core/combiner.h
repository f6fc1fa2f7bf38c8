/* combiner.h - merge what the plugins said into one labelled facet object per facet */
#ifndef NT_COMBINER_H
#define NT_COMBINER_H

#include <stddef.h>
#include "conf.h"
#include "sink.h"
#include "util.h"

/* The resolved policy of one facet: its config and which instances emit it. */
struct nt_facet_plan {
	char *facet;
	struct nt_facet_cfg cfg;   /* copy of the config policy (names borrowed from the config) */
	size_t *inst;              /* indices of the instances that emit this facet */
	double *weight;            /* their weights (1 unless configured) */
	size_t ninst;
};

struct nt_combiner {
	struct nt_facet_plan *facets;
	size_t nfacets;
};

/* Build a plan: the facets the instances declare, in pipeline order, then facets
 * only the config names. inst_facets[i] is the NULL-terminated
 * facet list of instance i (borrowed). single_hint[i] nonzero makes facets of
 * instance i single-label unless the config says otherwise. */
int nt_combiner_init(struct nt_combiner *c, const struct nt_config *cfg,
                     const char *const *const *inst_facets, const int *single_hint,
                     struct nt_error *err);

#define NT_COMBINE_EXPLAIN 1 /* add "explain" arrays (evidence words and weights) */

/* Merge sinks[0..n) (one per instance, in pipeline order; a NULL sink = the instance
 * failed) and append the "facets" object to out as compact JSON: one member per
 * planned facet, in plan order. flags: NT_COMBINE_*; doc gives the text of evidence
 * for explain mode. Returns NT_OK or NT_ENOMEM (out then holds a partial object). */
int nt_combine(const struct nt_combiner *c, struct nt_sink *const *sinks, size_t n,
               const struct nt_doc *doc, int flags, struct nt_buf *out);

void nt_combiner_free(struct nt_combiner *c);

#endif /* NT_COMBINER_H */
