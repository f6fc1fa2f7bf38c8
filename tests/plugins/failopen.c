/* failopen.c - fixture plugin: open() always fails with a message */
#include <stdio.h>
#include "newstag/plugin.h"

static int fo_open(const struct nt_host *h, const void *c, const char *m, void **s, struct nt_error *e)
{
	(void)h; (void)c; (void)m; (void)s;
	if (e)
		snprintf(e->msg, sizeof e->msg, "model file missing (fixture)");
	return NT_ENOTFOUND;
}
static int fo_classify(const void *s, const struct nt_doc *d, struct nt_sink *k, struct nt_error *e)
{
	(void)s; (void)d; (void)k; (void)e;
	return NT_OK;
}
static const char *const fo_facets[] = {"fixture", NULL};
static const struct nt_plugin fo_plugin = {
	NT_PLUGIN_HEADER,
	.name = "failopen", .version = "0.1", .facets = fo_facets, .open = fo_open,
	.classify = fo_classify, .flags = NT_PLUGIN_OPEN_CONCURRENT,
};
NT_PLUGIN_DEFINE(failopen, fo_plugin)
