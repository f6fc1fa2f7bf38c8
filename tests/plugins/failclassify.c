/* failclassify.c - fixture plugin: classify() fails on articles containing "boom" */
#include <stdio.h>
#include <string.h>
#include "newstag/plugin.h"

struct fc_state { const struct nt_host *host; };
static struct fc_state fc_the_state;

static int fc_open(const struct nt_host *h, const void *c, const char *m, void **s, struct nt_error *e)
{
	(void)c; (void)m; (void)e;
	fc_the_state.host = h;
	*s = &fc_the_state;
	return NT_OK;
}
static int fc_classify(const void *vs, const struct nt_doc *d, struct nt_sink *k, struct nt_error *e)
{
	const struct fc_state *s = vs;
	for (size_t i = 0; i < d->ntokens; i++)
		if (strcmp(NT_TOKEN_NORM(d, i), "boom") == 0) {
			s->host->emit_label(k, "fragile", "half-done", 0.9); /* discarded by the core */
			if (e)
				snprintf(e->msg, sizeof e->msg, "cannot handle \"boom\" at byte %u",
				         (unsigned)d->tokens[i].start);
			return NT_EFORMAT;
		}
	s->host->emit_label(k, "fragile", "fine", 0.8);
	return NT_OK;
}
static const char *const fc_facets[] = {"fragile", NULL};
static const struct nt_plugin fc_plugin = {
	NT_PLUGIN_HEADER,
	.name = "failclassify", .version = "0.1", .facets = fc_facets, .open = fc_open,
	.classify = fc_classify,
};
NT_PLUGIN_DEFINE(failclassify, fc_plugin)
