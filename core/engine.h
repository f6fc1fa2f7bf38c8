/* engine.h - core-internal engine calls (records as text or cJSON trees, pipeline introspection) */
#ifndef NT_ENGINE_H
#define NT_ENGINE_H

#include <cjson/cJSON.h>
#include "newstag/newstag.h"
#include "util.h"

/* A warning the caller adds to a record (batch: repairs made to the input line). */
struct nt_warning {
	const char *code;
	const char *message;
	long long byte;          /* byte offset it refers to, < 0: none */
};

/* Tag one article and append its record to out as compact JSON (schema 1, no
 * newline): id, title, facets, meta, provenance, warnings (the engine's own, then
 * extra[0..nextra)), errors. Thread-safe. Same contract as nt_engine_tag(); on an
 * error out is left as it was. */
int nt_engine_tag_text(struct nt_engine *e, const struct nt_article *a, const struct nt_warning *extra,
                       size_t nextra, struct nt_buf *out, struct nt_error *err);

/* Tag one article into a record tree (caller frees with cJSON_Delete). Thread-safe.
 * Same contract as nt_engine_tag(). */
int nt_engine_tag_json(struct nt_engine *e, const struct nt_article *a, cJSON **record,
                       struct nt_error *err);

/* The facets the pipeline emits and, per facet, whether it is single-label. */
size_t nt_engine_facet_count(const struct nt_engine *e);
const char *nt_engine_facet_name(const struct nt_engine *e, size_t i);
int nt_engine_facet_single(const struct nt_engine *e, size_t i);



/* Introspection of pipeline instance i (for `newstag plugins`): its instance name,
 * plugin descriptor and describe() output (zeroed when the plugin has none).
 * Returns NT_OK or NT_ENOTFOUND when i is out of range. */
size_t nt_engine_instance_count(const struct nt_engine *e);
int nt_engine_instance(const struct nt_engine *e, size_t i, const char **name,
                       const struct nt_plugin **plugin, struct nt_info *info, const char **path);
/* The models directory and config file the engine uses. */
const char *nt_engine_models_dir(const struct nt_engine *e);
#endif /* NT_ENGINE_H */
