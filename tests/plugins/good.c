/* good.c - fixture plugin: a well-formed plugin that emits one label (by name or by describe() id) and optionally a number */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "newstag/plugin.h"

struct good_config { const char *label; double score; int known; int number; };
struct good_state {
	const struct nt_host *host;
	char label[64];
	double score;
	int known;                /* emit through emit_known() (ABI 1.2) */
	int number;               /* also set fixture.score through emit_known_numbers() (ABI 1.3) */
	char entry[80];           /* "fixture:<label>", describe()'s one label */
	const char *labels[2];
	const char *facets[2];
};

static const struct nt_option good_options[] = {
	{"label", NT_OPT_STRING, offsetof(struct good_config, label), "\"yes\"", "label to emit"},
	{"score", NT_OPT_NUMBER, offsetof(struct good_config, score), "0.9", "its score"},
	{"known", NT_OPT_BOOL, offsetof(struct good_config, known), "false",
	 "emit it by its describe() id (emit_known) instead of by name"},
	{"number", NT_OPT_BOOL, offsetof(struct good_config, number), "false",
	 "also set the number fixture.score to the score (emit_known_numbers)"},
	{NULL, 0, 0, NULL, NULL},
};

static int good_open(const struct nt_host *host, const void *config, const char *models_dir,
                     void **state, struct nt_error *err)
{
	(void)models_dir; (void)err;
	const struct good_config *c = config;
	struct good_state *s = calloc(1, sizeof *s);
	if (!s)
		return NT_ENOMEM;
	s->host = host;
	strncpy(s->label, c->label ? c->label : "yes", sizeof s->label - 1);
	s->score = c->score;
	s->known = c->known;
	s->number = c->number;
	if ((s->known && host->emit_known == NULL) || (s->number && host->emit_known_numbers == NULL)) {
		free(s);
		return NT_EABI;
	}
	snprintf(s->entry, sizeof s->entry, "fixture:%s", s->label);
	s->labels[0] = s->entry;
	s->facets[0] = "fixture";
	*state = s;
	return NT_OK;
}

static int good_classify(const void *state, const struct nt_doc *doc, struct nt_sink *sink,
                         struct nt_error *err)
{
	(void)err;
	const struct good_state *s = state;
	if (s->number) {
		int rc = s->host->emit_known_numbers(sink, 0, &s->score, 1);
		if (rc != NT_OK)
			return rc;
	}
	if (s->known) {
		struct nt_span sp = {0, 0, NT_SRC_TEXT, 0, 1.0};
		if (doc->ntokens) {
			sp.start = doc->tokens[0].start;
			sp.end = doc->tokens[0].end;
			sp.src = doc->tokens[0].src;
		}
		int k = s->host->emit_known(sink, 0, s->score, &sp, doc->ntokens ? 1 : 0);
		return k < 0 ? k : NT_OK;
	}
	int i = s->host->emit_label(sink, "fixture", s->label, s->score);
	if (i < 0)
		return i;
	if (doc->ntokens)
		s->host->emit_evidence(sink, i, doc->tokens[0].src, doc->tokens[0].start,
		                       doc->tokens[0].end, 1.0);
	return NT_OK;
}

static int good_describe(const void *state, struct nt_info *info)
{
	const struct good_state *s = state;
	memset(info, 0, sizeof *info);
	info->facets = s->facets;
	info->labels = s->labels;
	return NT_OK;
}

static const char *const good_numbers[] = {"fixture:score", NULL};
static int good_describe_numbers(const void *state, const char *const **names)
{
	const struct good_state *s = state;
	*names = s->number ? good_numbers : NULL;
	return NT_OK;
}

static void good_close(void *state) { free(state); }

static const char *const good_facets[] = {"fixture", NULL};
static const struct nt_plugin good_plugin = {
	NT_PLUGIN_HEADER,
	.name = "good", .version = "0.1", .description = "fixture: always one label",
	.facets = good_facets, .options = good_options, .config_size = sizeof(struct good_config),
	.open = good_open, .classify = good_classify, .close = good_close, .describe = good_describe,
	.flags = NT_PLUGIN_OPEN_CONCURRENT, .describe_numbers = good_describe_numbers,
};
NT_PLUGIN_DEFINE(good, good_plugin)
