/* conf.h - the pipeline configuration: plugin instances and per-facet combiner policies */
#ifndef NT_CONF_H
#define NT_CONF_H

#include <stddef.h>
#include <cjson/cJSON.h>
#include "newstag/plugin.h"

enum nt_policy { NT_POLICY_MAX = 0, NT_POLICY_MEAN, NT_POLICY_WEIGHTED, NT_POLICY_VOTE };

/* One plugin instance of the pipeline. */
struct nt_instance_cfg {
	char *plugin;     /* plugin (module) name */
	char *name;       /* instance name (defaults to the plugin name), unique */
	cJSON *options;   /* the "options" object, owned, or NULL */
	char *base_dir;   /* directory PATH options resolve against (the models dir) */
};

/* A named number (label threshold or instance weight). */
struct nt_named {
	char *name;
	double value;
};

/* The combiner policy of one facet. */
struct nt_facet_cfg {
	char *facet;
	int policy;                  /* enum nt_policy */
	double threshold;            /* default 0.5 */
	struct nt_named *thresholds; /* per label */
	size_t nthresholds;
	struct nt_named *weights;    /* per instance, for NT_POLICY_WEIGHTED (default 1) */
	size_t nweights;
	long top_k;                  /* 0 = no limit */
	int single;                  /* keep only the best label */
	int single_set;              /* "single" was given explicitly */
};

struct nt_config {
	char *path;                  /* the file read, for messages */
	struct nt_instance_cfg *inst;
	size_t ninst;
	struct nt_facet_cfg *facets;
	size_t nfacets;
};

/* Parse a pipeline config from JSON text (len bytes). path names it in errors;
 * models_dir is where PATH options resolve. Unknown keys and wrong types are errors
 * naming the key and the file. On success *out is set; free with nt_config_free. */
int nt_config_parse(const char *json, size_t len, const char *path, const char *models_dir,
                    struct nt_config **out, struct nt_error *err);

/* Read and parse a config file. */
int nt_config_load(const char *path, const char *models_dir, struct nt_config **out,
                   struct nt_error *err);

/* Append an instance (used by `tag --model DIR`): plugin, instance name and options
 * (options is taken over, even on failure). */
int nt_config_add_instance(struct nt_config *c, const char *plugin, const char *name,
                           cJSON *options, struct nt_error *err);

/* Add a facet policy with the given threshold and single flag (other fields at their
 * defaults) unless the config already names the facet. NT_OK or NT_ENOMEM. */
int nt_config_add_facet(struct nt_config *c, const char *facet, double threshold, int single);

/* The policy of facet, or NULL when the config does not name it. */
const struct nt_facet_cfg *nt_config_facet(const struct nt_config *c, const char *facet);

/* Policy name <-> enum; -1 for an unknown name. */
int nt_policy_from_name(const char *s);
const char *nt_policy_name(int policy);

void nt_config_free(struct nt_config *c);

#endif /* NT_CONF_H */
