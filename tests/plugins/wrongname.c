/* wrongname.c - fixture plugin: its descriptor names another plugin ("good") */
#include "newstag/plugin.h"

static int wn_classify(const void *s, const struct nt_doc *d, struct nt_sink *k, struct nt_error *e)
{
	(void)s; (void)d; (void)k; (void)e;
	return NT_OK;
}
static const char *const wn_facets[] = {"fixture", NULL};
static const struct nt_plugin wn_plugin = {
	NT_PLUGIN_HEADER,
	.name = "good", .version = "0.1", .facets = wn_facets, .classify = wn_classify,
};
NT_PLUGIN_DEFINE(wrongname, wn_plugin)
