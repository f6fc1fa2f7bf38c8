/* fuzz_batch.c - libFuzzer target: `newstag batch` JSONL reading and per-line processing */
#include "fuzz_common.h"
/* the reader and process() are static: compile the command into the target */
#include "../../core/cmd_batch.c"

#include <fcntl.h>

static struct nt_engine *fz_eng;
static struct idset fz_done;

/* An engine with the rules plugin on a small rule file (plugins from $NT_FUZZ_PLUGIN_DIR). */
static void open_engine(void)
{
	static const char rules[] =
		"{\"rules\": [{\"facet\": \"topic\", \"label\": \"middle-east\", \"scale\": 0.9,"
		" \"terms\": {\"gaza\": 1.5, \"iran\": 1.0, \"west bank\": 1.2},"
		" \"case_terms\": {\"IDF\": 1.0}}]}";
	static const char pipe[] =
		"{\"pipeline\": [{\"plugin\": \"rules\", \"options\": {\"rules\": \"r.json\"}}],"
		" \"facets\": {\"topic\": {\"policy\": \"max\", \"threshold\": 0.2}}}";
	fz_write("r.json", rules, sizeof rules - 1);
	fz_write("pipeline.json", pipe, sizeof pipe - 1);
	const char *pdir = getenv("NT_FUZZ_PLUGIN_DIR");
	const char *dirs[] = {pdir, NULL};
	struct nt_engine_options o = {0};
	o.models_dir = fz_dir;
	o.plugin_dirs = pdir ? dirs : NULL;
	o.explain = 1;
	struct nt_error err = {0};
	if (nt_engine_open(&o, &fz_eng, &err) != NT_OK) {
		fprintf(stderr, "fuzz_batch: cannot open the engine (set NT_FUZZ_PLUGIN_DIR): %s\n", err.msg);
		abort();
	}
	idset_add(&fz_done, "7");
	idset_add(&fz_done, "done");
}

/* Whole reader path, output to /dev/null: with -j1 (tagged on the reading thread) when
 * size is even, else with two worker threads that write what they finish. */
static void run_reader(const uint8_t *data, size_t size, size_t max, int ordered, int resume)
{
	struct batch b;
	memset(&b, 0, sizeof b);
	b.eng = fz_eng;
	b.ordered = ordered;
	b.max = max;
	b.done_ids = resume ? &fz_done : NULL;
	b.cap = 4;
	b.out_name = "/dev/null";
	b.out_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	b.slots = calloc(b.cap, sizeof *b.slots);
	pthread_mutex_init(&b.mu, NULL);
	pthread_cond_init(&b.can_read, NULL);
	pthread_cond_init(&b.can_work, NULL);
	b.t0 = now_s();
	b.threaded = size & 1;
	pthread_t worker[2];
	for (int i = 0; b.threaded && i < 2; i++)
		pthread_create(&worker[i], NULL, worker_main, &b);
	FILE *f = fmemopen((void *)data, size ? size : 1, "rb");
	if (f) {
		if (size)
			read_jsonl(&b, f, "fuzz");
		fclose(f);
	}
	pthread_mutex_lock(&b.mu);
	b.reading_done = 1;
	pthread_cond_broadcast(&b.can_work);
	pthread_mutex_unlock(&b.mu);
	for (int i = 0; b.threaded && i < 2; i++)
		pthread_join(worker[i], NULL);
	out_flush(&b);
	if (b.inflight || b.articles + b.skipped != b.next_seq)
		abort(); /* an item was read and never written */
	close(b.out_fd);
	nt_buf_free(&b.obuf);
	free(b.slots);
	pthread_mutex_destroy(&b.mu);
	pthread_cond_destroy(&b.can_read);
	pthread_cond_destroy(&b.can_work);
}

/* Input: byte 0 = mode (bit 0: whole reader instead of one line, bit 1: unordered,
 * bit 2: resume ids, bits 3-7: --max-bytes = 16 << bits, 0 = default), then the bytes. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	int mode = data[0];
	data++;
	size--;
	size_t max = (mode >> 3) ? (size_t)16 << (mode >> 3) : NT_BATCH_DEFAULT_MAX;
	if (max > NT_BATCH_DEFAULT_MAX)
		max = NT_BATCH_DEFAULT_MAX;
	if (mode & 1) {
		run_reader(data, size, max, !(mode & 2), mode & 4);
		return 0;
	}
	/* one line as the reader hands it over: NUL terminated, no newline */
	struct batch b;
	memset(&b, 0, sizeof b);
	b.eng = fz_eng;
	b.max = max;
	b.done_ids = (mode & 4) ? &fz_done : NULL;
	struct item it;
	memset(&it, 0, sizeof it);
	it.data = malloc(size + 1);
	memcpy(it.data, data, size);
	it.data[size] = '\0';
	it.len = size;
	it.source = "fuzz";
	it.line = 7;
	if (mode & 2) { /* a .txt article from a directory */
		it.is_file = 1;
		it.id = nt_strdup("dir/a.txt");
	}
	process(&b, &it);
	if (it.out) {
		/* every output line is one JSON object with an id */
		cJSON *o = cJSON_Parse(it.out);
		if (!o || !cJSON_IsObject(o) || !cJSON_GetObjectItemCaseSensitive(o, "id"))
			abort();
		if (strchr(it.out, '\n'))
			abort();
		cJSON_Delete(o);
	}
	item_clear(&it);
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_init();
	open_engine();
	return 0;
}

/* nt_cmd_batch() (never called here) needs these from main.c, whose main() would
 * clash with libFuzzer's. */
int nt_cli_engine_option(int opt, const char *arg, struct nt_engine_options *eo)
{
	(void)opt;
	(void)arg;
	(void)eo;
	return 0;
}

void nt_cli_engine_options_free(struct nt_engine_options *eo)
{
	(void)eo;
}
