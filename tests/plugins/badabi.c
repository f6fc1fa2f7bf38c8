/* badabi.c - fixture plugin: built for a future, incompatible ABI major version */
#include "newstag/plugin.h"

static int badabi_classify(const void *s, const struct nt_doc *d, struct nt_sink *k, struct nt_error *e)
{
	(void)s; (void)d; (void)k; (void)e;
	return NT_OK;
}
static const char *const badabi_facets[] = {"fixture", NULL};
static const struct nt_plugin badabi_plugin = {
	.abi_major = NT_PLUGIN_ABI_MAJOR + 1, .abi_minor = 0,
	.struct_size = (uint32_t)sizeof(struct nt_plugin),
	.name = "badabi", .version = "0.1", .facets = badabi_facets, .classify = badabi_classify,
};
NT_PLUGIN_DEFINE(badabi, badabi_plugin)
