/* fuzz_model.c - libFuzzer target: a plugin's model loader, through its open() as the engine calls it */
#include "fuzz_common.h"
#include "docmodel.h"
#include "host.h"
#include "options.h"
#include "sink.h"

/* Built once per model kind with -DFZ_KIND_<KIND> and the plugin's sources linked in
 * (run.sh). The input is: byte 0 picks which of the kind's model files is replaced,
 * the rest is that file's new content; the other files come from the valid base
 * model in $NT_FUZZ_BASE/<kind>/ (tests/fuzz/base). */
#if defined(FZ_KIND_RULES)
#define FZ_ENTRY rules_LTX_nt_plugin_entry
#define FZ_KIND "rules"
#define FZ_SUBDIR ""
static const char *const fz_files[] = {"rules.json", NULL};
#define FZ_OPTIONS "{\"rules\": \"rules.json\"}"
#elif defined(FZ_KIND_REGION)
#define FZ_ENTRY region_LTX_nt_plugin_entry
#define FZ_KIND "region"
#define FZ_SUBDIR ""
static const char *const fz_files[] = {"gazetteer.tsv", "region-map.tsv", NULL};
#define FZ_OPTIONS "{\"gazetteer\": \"gazetteer.tsv\", \"region_map\": \"region-map.tsv\"}"
#elif defined(FZ_KIND_TONE)
#define FZ_ENTRY tone_LTX_nt_plugin_entry
#define FZ_KIND "tone"
#define FZ_SUBDIR ""
static const char *const fz_files[] = {"lexicon.tsv", "correction.txt", NULL};
#define FZ_OPTIONS "{\"lexicon\": \"lexicon.tsv\", \"correction\": \"correction.txt\"}"
#elif defined(FZ_KIND_TOPIC)
#define FZ_ENTRY topic_LTX_nt_plugin_entry
#define FZ_KIND "topic"
#define FZ_SUBDIR "m/"
static const char *const fz_files[] = {"manifest.json", "vocab.tsv", "label-000.model",
                                       "label-001.model", NULL};
#define FZ_OPTIONS "{\"model\": \"m\"}"
#else
#error "define FZ_KIND_RULES, FZ_KIND_REGION, FZ_KIND_TONE or FZ_KIND_TOPIC"
#endif

const struct nt_plugin *FZ_ENTRY(void);

static const struct nt_plugin *fz_p;
static void *fz_cfg;
static size_t fz_nfiles;
static char *fz_base[8];
static size_t fz_base_len[8];
static struct nt_docbuf *fz_db;
static const struct nt_doc *fz_doc;

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		abort();
	}
	char *buf = NULL;
	size_t cap = 0, n = 0, r;
	do {
		if (n == cap) {
			char *nb = realloc(buf, cap = cap * 2 + 4096);
			if (!nb)
				abort();
			buf = nb;
		}
		r = fread(buf + n, 1, cap - n, f);
		n += r;
	} while (r > 0);
	fclose(f);
	*len = n;
	return buf;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_init();
	const char *base = getenv("NT_FUZZ_BASE");
	if (!base) {
		fprintf(stderr, "fuzz_model: set NT_FUZZ_BASE to tests/fuzz/base\n");
		abort();
	}
	char path[512];
	if (FZ_SUBDIR[0]) {
		snprintf(path, sizeof path, "%s/%s", fz_dir, FZ_SUBDIR);
		mkdir(path, 0700);
	}
	for (fz_nfiles = 0; fz_files[fz_nfiles]; fz_nfiles++) {
		snprintf(path, sizeof path, "%s/" FZ_KIND "/%s", base, fz_files[fz_nfiles]);
		fz_base[fz_nfiles] = slurp(path, &fz_base_len[fz_nfiles]);
	}
	fz_p = FZ_ENTRY();
	cJSON *o = cJSON_Parse(FZ_OPTIONS);
	struct nt_error err = {0};
	if (!o || nt_options_fill(fz_p, o, fz_dir, "fuzz", &fz_cfg, &err) != NT_OK) {
		fprintf(stderr, "fuzz_model: options: %s\n", err.msg);
		abort();
	}
	cJSON_Delete(o);
	static const char text[] =
		"TEHRAN (Reuters) - Iran said on Monday it was not a very good plan, but the "
		"French and IDF officials in Gaza disagreed. The rocket launch and the apple harvest "
		"were terrible news for the defence budget.\n\nRelated: Paris, Ala.";
	fz_db = nt_docbuf_new();
	if (!fz_db || nt_doc_build(fz_db, "fz", "Iran plan", 9, text, sizeof text - 1, 0, &fz_doc, &err))
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t pick = data[0] % fz_nfiles;
	for (size_t i = 0; i < fz_nfiles; i++) {
		char name[128];
		snprintf(name, sizeof name, FZ_SUBDIR "%s", fz_files[i]);
		if (i == pick)
			fz_write(name, data + 1, size - 1);
		else
			fz_write(name, fz_base[i], fz_base_len[i]);
	}
	void *state = NULL;
	struct nt_error err = {0};
	int rc = fz_p->open(nt_host_get(), fz_cfg, fz_dir, &state, &err);
	if (rc != NT_OK) {
		/* a damaged model is an error that says what is wrong, never a crash */
		if (!err.msg[0])
			abort();
		return 0;
	}
	struct nt_sink sink;
	struct nt_known known;
	memset(&sink, 0, sizeof sink);
	nt_sink_reset(&sink, FZ_KIND);
	/* the labels describe() lists, interned as the engine does, for emit_known() */
	if (nt_known_build(&known, fz_p, state) != NT_OK)
		abort();
	nt_sink_set_known(&sink, &known);
	struct nt_error cerr = {0};
	if (fz_p->classify(state, fz_doc, &sink, &cerr) != NT_OK && !cerr.msg[0])
		abort(); /* a failure says what failed */
	if (fz_p->describe) {
		struct nt_info info;
		memset(&info, 0, sizeof info);
		(void)fz_p->describe(state, &info);
	}
	nt_sink_release(&sink);
	nt_known_free(&known);
	if (fz_p->close)
		fz_p->close(state);
	return 0;
}
