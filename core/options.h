/* options.h - fill a plugin's config struct from a JSON object, by its option table */
#ifndef NT_OPTIONS_H
#define NT_OPTIONS_H

#include <cjson/cJSON.h>
#include "newstag/plugin.h"

/* Allocate a zeroed config of p->config_size bytes and fill it from the defaults,
 * then from obj (may be NULL). Unknown keys and wrong types are errors naming the
 * key, the plugin and `file`. PATH values are resolved against models_dir unless
 * absolute. On success *cfg is set; free it with nt_options_free(p, cfg). */
int nt_options_fill(const struct nt_plugin *p, const cJSON *obj, const char *models_dir,
                    const char *file, void **cfg, struct nt_error *err);

/* Free a config made by nt_options_fill (its strings too). NULL is accepted. */
void nt_options_free(const struct nt_plugin *p, void *cfg);

#endif /* NT_OPTIONS_H */
