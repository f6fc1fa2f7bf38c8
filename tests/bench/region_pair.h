/* region_pair.h - the two region plugins (an earlier revision's and this tree's) that region_ab.c and region_equiv.c compare */
#ifndef NT_BENCH_REGION_PAIR_H
#define NT_BENCH_REGION_PAIR_H

#include <stdio.h>

#include "host.h"
#include "sink.h"

/* The entry points of the two translation units the driver scripts generate from an earlier
 * plugins/region/region.c and this tree's (equiv.sh, region_ab.sh). */
const struct nt_plugin *old_plugin(void);
const struct nt_plugin *new_plugin(void);

/* the region plugin's config struct (plugins/region/region.c, struct rg_config) */
struct region_config {
	const char *gazetteer, *region_map;
	double min_score, region_min_score;
};

/* Open both plugins on the tables of models_dir with the default thresholds: 0, or 2 after
 * printing "prog: message". *po and *pn receive the descriptors, *so and *sn the states,
 * *ko and *kn their describe() labels for a sink's emit_known() (nt_known_free() them). */
static inline int region_pair_open(const char *prog, const char *models_dir, const struct nt_plugin **po,
                                   const struct nt_plugin **pn, void **so, void **sn,
                                   struct nt_known *ko, struct nt_known *kn)
{
	static char gaz[4200], map[4200];
	snprintf(gaz, sizeof gaz, "%s/region/gazetteer.tsv", models_dir);
	snprintf(map, sizeof map, "%s/region/region-map.tsv", models_dir);
	struct region_config cf = {gaz, map, 0.5, 0.5};
	struct nt_error err = {0};
	*po = old_plugin();
	*pn = new_plugin();
	if ((*po)->open(nt_host_get(), &cf, models_dir, so, &err) != NT_OK ||
	    (*pn)->open(nt_host_get(), &cf, models_dir, sn, &err) != NT_OK) {
		fprintf(stderr, "%s: %s\n", prog, err.msg);
		return 2;
	}
	if (nt_known_build(ko, *po, *so) != NT_OK || nt_known_build(kn, *pn, *sn) != NT_OK) {
		fprintf(stderr, "%s: out of memory\n", prog);
		return 2;
	}
	return 0;
}

#endif
