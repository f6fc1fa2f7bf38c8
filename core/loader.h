/* loader.h - find classifier plugins, check their descriptors, open their modules */
#ifndef NT_LOADER_H
#define NT_LOADER_H

#include "newstag/plugin.h"

struct nt_loader;

/* A loaded plugin module. Owned by the loader; valid until nt_loader_free(). */
struct nt_module {
	const struct nt_plugin *plugin; /* the checked descriptor */
	char *path;                     /* the file it came from */
};

/* Create a loader searching, in order: extra_dirs (NULL-terminated, may be NULL),
 * $NEWSTAG_PLUGIN_PATH (':'-separated), the build tree when the running program is
 * in it, then the installed plugin directory. Never the current directory. */
int nt_loader_new(const char *const *extra_dirs, struct nt_loader **out, struct nt_error *err);

/* Load the plugin called name from the search path and check its descriptor (ABI,
 * struct size, name, duplicates) before any plugin code other than the entry
 * function runs. Loading the same name twice returns the same module. */
int nt_loader_load(struct nt_loader *l, const char *name, const struct nt_module **out,
                   struct nt_error *err);

/* Load a plugin from an explicit file path (for plugin-check), with the same checks. */
int nt_loader_load_file(struct nt_loader *l, const char *path, const struct nt_module **out,
                        struct nt_error *err);

/* Call fn for every loadable plugin on the search path (the first of each name).
 * Rejected files are reported through fn with module NULL and err filled. */
typedef void (*nt_loader_visit_fn)(void *ctx, const struct nt_module *module,
                                   const char *path, const struct nt_error *err);
int nt_loader_each(struct nt_loader *l, nt_loader_visit_fn fn, void *ctx);

/* Unload every module and free the loader. NULL is accepted. Plugin states must
 * have been closed before. */
void nt_loader_free(struct nt_loader *l);

#endif /* NT_LOADER_H */
