/* fuzz_config.c - libFuzzer target: pipeline config parser, option tables and the combiner plan */
#include "fuzz_common.h"
#include "combiner.h"
#include "conf.h"
#include "docmodel.h"
#include "host.h"
#include "options.h"

/* A plugin descriptor with one option of every type, as a plugin declares them. */
struct fz_cfg {
	char *str;
	char *path;
	double num;
	long n;
	int flag;
};

static const struct nt_option fz_options[] = {
	{"s", NT_OPT_STRING, offsetof(struct fz_cfg, str), "\"x\"", "a string"},
	{"rules", NT_OPT_PATH, offsetof(struct fz_cfg, path), "\"rules/x.json\"", "a path"},
	{"min_score", NT_OPT_NUMBER, offsetof(struct fz_cfg, num), "0.5", "a number"},
	{"evidence", NT_OPT_INT, offsetof(struct fz_cfg, n), "5", "an integer"},
	{"bigrams", NT_OPT_BOOL, offsetof(struct fz_cfg, flag), "true", "a flag"},
	{NULL, 0, 0, NULL, NULL},
};

static const char *const fz_facets[] = {"topic", "tone", "region", NULL};

static const struct nt_plugin fz_plugin = {
	.abi_major = NT_PLUGIN_ABI_MAJOR,
	.abi_minor = NT_PLUGIN_ABI_MINOR,
	.struct_size = sizeof(struct nt_plugin),
	.name = "fz",
	.version = "0",
	.description = "fuzz",
	.facets = fz_facets,
	.options = fz_options,
	.config_size = sizeof(struct fz_cfg),
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nt_config *c = NULL;
	struct nt_error err = {0};
	char *json = malloc(size ? size : 1);
	memcpy(json, data, size);
	int rc = nt_config_parse(json, size, "fuzz.json", "/models", &c, &err);
	free(json);
	if (rc != NT_OK) {
		if (c || !err.msg[0])
			abort(); /* an error must leave nothing and say what is wrong */
		return 0;
	}
	const struct nt_host *h = nt_host_get();
	size_t n = c->ninst;
	const char *const **facets = calloc(n + 1, sizeof *facets);
	int *single = calloc(n + 1, sizeof *single);
	struct nt_sink *sinks = calloc(n + 1, sizeof *sinks);
	struct nt_sink **sp = calloc(n + 1, sizeof *sp);
	for (size_t i = 0; i < n; i++) {
		void *cfg = NULL;
		if (nt_options_fill(&fz_plugin, c->inst[i].options, "/models", c->path, &cfg, &err) == NT_OK)
			nt_options_free(&fz_plugin, cfg);
		(void)nt_config_facet(c, c->inst[i].name);
		facets[i] = fz_facets;
		single[i] = (int)(i & 1);
	}
	struct nt_combiner comb;
	memset(&comb, 0, sizeof comb);
	if (nt_combiner_init(&comb, c, facets, single, &err) == NT_OK) {
		/* every instance says something about every facet, then combine */
		static const char *const labels[] = {"a", "b", "middle-east", "positive", "c"};
		for (size_t i = 0; i < n; i++) {
			nt_sink_reset(&sinks[i], c->inst[i].name);
			for (size_t f = 0; fz_facets[f]; f++)
				for (size_t l = 0; l < 5; l++)
					h->emit_label(&sinks[i], fz_facets[f], labels[(i + l) % 5],
					              (double)((i * 7 + l * 3 + f) % 11) / 10.0);
			sp[i] = (i % 3 == 2) ? NULL : &sinks[i];
		}
		struct nt_docbuf *db = nt_docbuf_new();
		const struct nt_doc *doc = NULL;
		if (db && nt_doc_build(db, "f", NULL, 0, "a b c", 5, 0, &doc, &err) == NT_OK) {
			struct nt_buf out = {0};
			if (nt_combine(&comb, sp, n, doc, NT_COMBINE_EXPLAIN, &out) == NT_OK) {
				/* the facets object is JSON text: it must parse */
				cJSON *o = cJSON_Parse(out.data);
				if (!o)
					abort();
				cJSON_Delete(o);
			}
			nt_buf_free(&out);
		}
		nt_docbuf_free(db);
	}
	nt_combiner_free(&comb); /* also after a failed init, as nt_engine_close() does */
	for (size_t i = 0; i < n; i++)
		nt_sink_release(&sinks[i]);
	free(sinks);
	free(sp);
	free(facets);
	free(single);
	nt_config_free(c);
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("NEWSTAG_LOG", "-1", 1);
	return 0;
}
