/* example.c - a template plugin: tags an article's length; copy it to start your own */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

#include "newstag/plugin.h"

/*
 * How a plugin works, in four steps (see plugins/README.md for the full guide):
 * 1. Declare the options it accepts in a table; the core fills a struct with them.
 * 2. open() makes the state from the options (read models here, never later).
 * 3. classify() reads the shared document model and emits labels through the host.
 *    It runs on many threads at once, so it must not write to the state.
 * 4. close() frees the state.
 * The one exported symbol comes from NT_PLUGIN_DEFINE at the end of the file.
 */

/* 1. The options, filled by the core from the pipeline config. */
struct example_config {
	long short_words;   /* articles under this many words are "short" */
	long long_words;    /* articles from this many words are "long" */
};

static const struct nt_option example_options[] = {
	{"short_words", NT_OPT_INT, offsetof(struct example_config, short_words), "150",
	 "articles under this many words are short"},
	{"long_words", NT_OPT_INT, offsetof(struct example_config, long_words), "800",
	 "articles with at least this many words are long"},
	{NULL, 0, 0, NULL, NULL},
};

/* The state: read-only once open() returns. */
struct example_state {
	const struct nt_host *host;  /* keep the host to call it from classify() */
	struct example_config cfg;
};

/* 2. open(): check the options and build the state. */
static int example_open(const struct nt_host *host, const void *config, const char *models_dir,
                        void **state, struct nt_error *err)
{
	(void)models_dir;
	const struct example_config *cfg = config;
	if (cfg->short_words < 1 || cfg->long_words <= cfg->short_words) {
		if (err) {
			err->code = NT_EINVAL;
			snprintf(err->msg, sizeof err->msg,
			         "need 0 < short_words < long_words (got %ld and %ld)", cfg->short_words,
			         cfg->long_words);
		}
		return NT_EINVAL;
	}
	struct example_state *s = malloc(sizeof *s);
	if (!s)
		return NT_ENOMEM;
	s->host = host;
	s->cfg = *cfg; /* copy: the config struct is only borrowed for this call */
	*state = s;
	return NT_OK;
}

/* 3. classify(): one label for facet "length", with the title as evidence. */
static int example_classify(const void *state, const struct nt_doc *doc, struct nt_sink *sink,
                            struct nt_error *err)
{
	(void)err;
	const struct example_state *s = state;
	const char *label = doc->nwords < (size_t)s->cfg.short_words ? "short"
	                    : doc->nwords >= (size_t)s->cfg.long_words ? "long"
	                                                              : "medium";
	int idx = s->host->emit_label(sink, "length", label, 1.0);
	if (idx < 0)
		return idx;
	/* evidence: the title tokens, if the article has a title */
	const struct nt_zone_range *z = &doc->zones[NT_ZONE_TITLE];
	if (z->ntokens) {
		const struct nt_token *first = &doc->tokens[z->first_token];
		const struct nt_token *last = first + z->ntokens - 1;
		s->host->emit_evidence(sink, idx, first->src, first->start, last->end, 1.0);
	}
	s->host->emit_number(sink, "length", "words", (double)doc->nwords);
	return NT_OK;
}

/* 4. close(): free the state. */
static void example_close(void *state)
{
	free(state);
}

static const char *const example_facets[] = {"length", NULL};

static const struct nt_plugin example_plugin = {
	NT_PLUGIN_HEADER,
	.name = "example",
	.version = "1.0.0",
	.description = "template plugin: tags the article length (short, medium, long)",
	.facets = example_facets,
	.options = example_options,
	.config_size = sizeof(struct example_config),
	.open = example_open,
	.classify = example_classify,
	.close = example_close,
	/* open() writes only its own state: the core may open instances in parallel */
	.flags = NT_PLUGIN_OPEN_CONCURRENT,
};

/* The only exported symbol: example_LTX_nt_plugin_entry. */
NT_PLUGIN_DEFINE(example, example_plugin)
