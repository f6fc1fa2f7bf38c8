/* cmd_batch.c - `newstag batch`: JSONL / directories in, one JSONL line per input out */
#include "config.h"
#include "cli.h"
#include "docmodel.h"
#include "engine.h"
#include "jsonin.h"
#include "jsonout.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define NT_BATCH_DEFAULT_MAX (16u << 20) /* bytes per article/line */

static const char batch_usage[] =
	"Usage: newstag batch [OPTIONS] [IN...] [-o OUT]\n"
	"Tag every article of each IN and write one JSONL line per input line: the record,\n"
	"or an error record {\"id\", \"error\": {\"line\", \"code\", \"message\"}}.\n"
	"IN is a JSONL file ({\"id\",\"title\",\"text\",...} per line; other fields go to \"meta\"),\n"
	"a directory (every .txt below it; id = path relative to it), or '-' (stdin, the default).\n"
	"\n"
	"  -o, --output OUT       write to OUT (default: stdout)\n"
	"  -j, --jobs N           worker threads (default: the number of cores)\n"
	"      --unordered        write records as they are done, not in input order\n"
	"      --resume           continue an interrupted run into OUT: drop a torn last line,\n"
	"                         skip ids already in OUT, append the rest\n"
	"      --max-bytes N      error record for articles/lines over N bytes (default 16 MiB)\n"
	"      --explain          evidence words and weights in every record\n"
	"      --progress / --no-progress   progress on stderr (default: when it is a terminal)\n"
	"  -q, --quiet            no summary line at the end\n"
	"  --config FILE, --models DIR, --plugin-dir DIR, --model DIR   see newstag --help\n";

/* ---------------------------------------------------------------- id set (resume) */

struct idset {
	char **slot;
	size_t cap, n;
};

static uint64_t str_hash(const char *s)
{
	return nt_hash64(s, strlen(s));
}

static int idset_add(struct idset *s, const char *id)
{
	if ((s->n + 1) * 2 > s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 1024;
		char **ns = calloc(nc, sizeof *ns);
		if (!ns)
			return NT_ENOMEM;
		for (size_t i = 0; i < s->cap; i++)
			if (s->slot[i]) {
				size_t j = str_hash(s->slot[i]) & (nc - 1);
				while (ns[j])
					j = (j + 1) & (nc - 1);
				ns[j] = s->slot[i];
			}
		free(s->slot);
		s->slot = ns;
		s->cap = nc;
	}
	size_t j = str_hash(id) & (s->cap - 1);
	while (s->slot[j]) {
		if (strcmp(s->slot[j], id) == 0)
			return NT_OK;
		j = (j + 1) & (s->cap - 1);
	}
	if (!(s->slot[j] = nt_strdup(id)))
		return NT_ENOMEM;
	s->n++;
	return NT_OK;
}

static int idset_has(const struct idset *s, const char *id)
{
	if (!s->cap)
		return 0;
	size_t j = str_hash(id) & (s->cap - 1);
	while (s->slot[j]) {
		if (strcmp(s->slot[j], id) == 0)
			return 1;
		j = (j + 1) & (s->cap - 1);
	}
	return 0;
}

static void idset_free(struct idset *s)
{
	for (size_t i = 0; i < s->cap; i++)
		free(s->slot[i]);
	free(s->slot);
	memset(s, 0, sizeof *s);
}

/* ---------------------------------------------------------------- work queue */

enum slot_state { SLOT_EMPTY = 0, SLOT_INPUT, SLOT_BUSY, SLOT_DONE };

struct item {
	int state;
	unsigned long long seq;
	char *data;            /* JSONL line or file contents (owned), NULL for a pre-made error */
	size_t len;
	int is_file;           /* data is a whole .txt article */
	char *id;              /* file id (relative path), or NULL for JSONL */
	const char *source;    /* input name (borrowed; lives for the run) */
	unsigned long long line;
	char *err_code;        /* reader-side error (too large, unreadable) */
	char *err_msg;
	char *out;             /* output line without newline (owned), NULL = skipped */
	int is_error;
};

struct batch {
	struct nt_engine *eng;
	int ordered, explain;
	size_t max;
	const struct idset *done_ids;
	struct item *slots;
	size_t cap, inflight;
	unsigned long long next_seq, write_seq;
	int reading_done;
	int threaded;          /* 0: -j1, the reader tags and writes each item itself */
	pthread_mutex_t mu;
	pthread_cond_t can_read, can_work;
	int reader_waiting;    /* the reader sleeps on can_read until the queue is half empty */
	int idle_workers;      /* workers sleeping on can_work */
	int writing;           /* a worker is writing finished items (outside the lock) */
	/* output */
	int out_fd;
	const char *out_name;
	struct nt_buf obuf;
	int write_failed;
	/* stats */
	unsigned long long articles, errors, skipped;
	unsigned long long bytes_in;
	unsigned long long total_bytes;   /* 0 = unknown */
	int progress;
	double t0, last_progress;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---------------------------------------------------------------- processing */

static char *error_record(const char *id, const char *source, unsigned long long line,
                          const char *code, const char *msg)
{
	cJSON *o = cJSON_CreateObject();
	if (!o)
		return NULL;
	if (id)
		cJSON_AddStringToObject(o, "id", id);
	else
		cJSON_AddNumberToObject(o, "id", (double)line);
	cJSON *e = cJSON_AddObjectToObject(o, "error");
	if (e) {
		cJSON_AddNumberToObject(e, "line", (double)line);
		cJSON_AddStringToObject(e, "source", source);
		cJSON_AddStringToObject(e, "code", code);
		cJSON_AddStringToObject(e, "message", msg);
	}
	char *s = nt_json_print(o);
	cJSON_Delete(o);
	return s;
}

/* The id of a parsed JSONL object as a string: strings as they are, integers
 * within +-2^53 (the ones a double holds exactly) in decimal; anything else,
 * fractions and larger magnitudes included -> NULL. */
static char *id_string(const cJSON *id)
{
	if (cJSON_IsString(id))
		return nt_strdup(id->valuestring);
	/* the range test comes first: converting a double outside long long's range is undefined */
	if (cJSON_IsNumber(id) && fabs(id->valuedouble) <= 9007199254740992.0 &&
	    id->valuedouble == floor(id->valuedouble)) {
		char b[32];
		snprintf(b, sizeof b, "%lld", (long long)id->valuedouble);
		return nt_strdup(b);
	}
	return NULL;
}

/* Rewrite each JSON escape \u0000 in s[0, n) to \uFFFD in place (same length), so a
 * NUL in a string cannot silently cut the text short (cJSON strings end at a NUL).
 * Returns how many were rewritten. */
static size_t nul_escapes_to_fffd(char *s, size_t n)
{
	size_t count = 0;
	char *end = s + n;
	for (char *p = memchr(s, '\\', n); p && p + 1 < end; p = memchr(p, '\\', (size_t)(end - p))) {
		if (p[1] == 'u' && end - p > 5 && memcmp(p + 2, "0000", 4) == 0) {
			memcpy(p + 2, "FFFD", 4);
			count++;
		}
		p += 2; /* skip the escaped character (so \\u0000 stays text) */
	}
	return count;
}

/* Whether --resume found this line's id (or, without one, its line number) in OUT. */
static int already_done(const struct batch *b, const char *id, unsigned long long line)
{
	if (!b->done_ids)
		return 0;
	if (id)
		return idset_has(b->done_ids, id);
	char lid[32];
	snprintf(lid, sizeof lid, "%llu", line);
	return idset_has(b->done_ids, lid);
}

/* Tag one item into it->out. Runs on a worker thread, without the lock. */
static void process(struct batch *b, struct item *it)
{
	char msg[300];
	if (it->err_code) {
		it->out = error_record(it->id, it->source, it->line, it->err_code, it->err_msg);
		it->is_error = 1;
		return;
	}
	struct nt_article a = {0};
	cJSON *obj = NULL;
	char *dec = NULL; /* decoded strings of a line taken by the fast path */
	char *id = NULL;
	long long first_bad = -1;
	size_t nuls = 0;
	size_t repaired = nt_utf8_repair(it->data, it->len, &first_bad);
	if (it->is_file) {
		id = nt_strdup(it->id);
		if (b->done_ids && idset_has(b->done_ids, id)) {
			free(id);
			return; /* already in OUT */
		}
		a.title_in_text = 1;
		a.text = it->data;
		a.text_len = it->len;
		size_t k = 0;
		while (k < it->len && (it->data[k] == ' ' || it->data[k] == '\n' || it->data[k] == '\t' ||
		                       it->data[k] == '\r'))
			k++;
		if (k == it->len) {
			it->out = error_record(id, it->source, it->line, "empty", "empty article (no text)");
			it->is_error = 1;
			free(id);
			return;
		}
	} else {
		nuls = nul_escapes_to_fffd(it->data, it->len);
		struct nt_jsonin in;
		dec = malloc(it->len + 4);
		if (dec && nt_jsonin_article(it->data, it->len, dec, &in) && in.text) {
			/* the common line: string members only, decoded without building a tree */
			id = in.id ? nt_strdup(in.id) : NULL;
			if (already_done(b, id, it->line)) {
				free(id);
				free(dec);
				return;
			}
			a.text = in.text;
			a.text_len = in.text_len;
			a.title = in.title;
		}
	}
	if (!it->is_file && !a.text) {
		const char *end = NULL;
		obj = cJSON_ParseWithLengthOpts(it->data, it->len + 1, &end, 1);
		const char *code = NULL;
		if (!obj) {
			size_t off = end && end >= it->data ? (size_t)(end - it->data) : 0;
			snprintf(msg, sizeof msg, "invalid JSON near byte %zu of the line", off);
			code = "invalid-json";
		} else if (!cJSON_IsObject(obj)) {
			snprintf(msg, sizeof msg, "the line is JSON but not an object");
			code = "not-object";
		}
		if (!code) {
			const cJSON *jid = cJSON_GetObjectItemCaseSensitive(obj, "id");
			id = jid ? id_string(jid) : NULL;
			if (already_done(b, id, it->line)) {
				free(id);
				free(dec);
				cJSON_Delete(obj);
				return;
			}
			const cJSON *text = cJSON_GetObjectItemCaseSensitive(obj, "text");
			const cJSON *title = cJSON_GetObjectItemCaseSensitive(obj, "title");
			if (jid && !id) {
				snprintf(msg, sizeof msg, "\"id\" must be a string or an integer within +-2^53");
				code = "bad-id";
			} else if (!text) {
				snprintf(msg, sizeof msg, "no \"text\" field");
				code = "missing-text";
			} else if (!cJSON_IsString(text)) {
				snprintf(msg, sizeof msg, "\"text\" must be a string");
				code = "text-not-string";
			} else if (title && !cJSON_IsString(title) && !cJSON_IsNull(title)) {
				snprintf(msg, sizeof msg, "\"title\" must be a string");
				code = "title-not-string";
			} else {
				a.text = text->valuestring;
				a.text_len = strlen(text->valuestring);
				a.title = cJSON_IsString(title) ? title->valuestring : NULL;
			}
		}
		if (code) {
			it->out = error_record(id, it->source, it->line, code, msg);
			it->is_error = 1;
			free(id);
			free(dec);
			cJSON_Delete(obj);
			return;
		}
	}
	if (!id) {
		char lid[32];
		snprintf(lid, sizeof lid, "%llu", it->line);
		id = nt_strdup(lid);
	}
	a.id = id;
	/* the line's other fields go under "meta", as compact JSON */
	struct nt_buf meta = {0};
	int meta_ok = 1;
	for (const cJSON *c = obj ? obj->child : NULL; c && meta_ok; c = c->next) {
		if (!strcmp(c->string, "id") || !strcmp(c->string, "title") || !strcmp(c->string, "text"))
			continue;
		meta_ok = nt_buf_append(&meta, meta.len ? "," : "{", 1) == NT_OK &&
		          nt_json_put_string(&meta, c->string) == NT_OK && nt_buf_append(&meta, ":", 1) == NT_OK &&
		          nt_json_put(&meta, c) == NT_OK;
	}
	if (meta_ok && meta.len)
		meta_ok = nt_buf_append(&meta, "}", 1) == NT_OK;
	a.meta_json = meta.len ? meta.data : NULL;
	struct nt_warning warn[2];
	char wmsg[2][160];
	size_t nwarn = 0;
	if (repaired && !it->is_file) {
		snprintf(wmsg[nwarn], sizeof wmsg[nwarn],
		         "%zu invalid UTF-8 byte%s in the line replaced by '?', the first at byte %lld", repaired,
		         repaired == 1 ? "" : "s", first_bad);
		warn[nwarn].code = "invalid-utf8-line";
		warn[nwarn].message = wmsg[nwarn];
		warn[nwarn].byte = first_bad;
		nwarn++;
	}
	if (nuls) {
		snprintf(wmsg[nwarn], sizeof wmsg[nwarn], "%zu \\u0000 escape%s in the line replaced by U+FFFD", nuls,
		         nuls == 1 ? "" : "s");
		warn[nwarn].code = "nul-escape";
		warn[nwarn].message = wmsg[nwarn];
		warn[nwarn].byte = -1;
		nwarn++;
	}
	struct nt_buf rec = {0};
	struct nt_error err = {0};
	if (!id || !meta_ok || nt_buf_reserve(&rec, 2048) != NT_OK ||
	    nt_engine_tag_text(b->eng, &a, warn, nwarn, &rec, &err) != NT_OK) {
		nt_buf_free(&rec);
		it->out = error_record(id, it->source, it->line, "tag-failed",
		                       id && meta_ok && err.msg[0] ? err.msg : "out of memory");
		it->is_error = 1;
	} else {
		it->out = rec.data;
	}
	nt_buf_free(&meta);
	free(dec);
	free(id);
	cJSON_Delete(obj);
}

/* ---------------------------------------------------------------- output */

static void out_flush(struct batch *b)
{
	size_t off = 0;
	while (off < b->obuf.len && !b->write_failed) {
		ssize_t n = write(b->out_fd, b->obuf.data + off, b->obuf.len - off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "newstag batch: writing %s failed: %s\n", b->out_name, strerror(errno));
			b->write_failed = 1;
			break;
		}
		off += (size_t)n;
	}
	b->obuf.len = 0;
}

/* Append one line; the buffer only ever holds whole lines, so a kill leaves at most
 * one torn line (from a partial write()). */
static void out_line(struct batch *b, const char *s)
{
	size_t n = strlen(s);
	if (b->obuf.len + n + 1 > 65536)
		out_flush(b);
	if (nt_buf_append(&b->obuf, s, n) != NT_OK || nt_buf_append(&b->obuf, "\n", 1) != NT_OK) {
		out_flush(b);
		b->write_failed = 1;
	}
}

static void show_progress(struct batch *b, int final)
{
	double t = now_s() - b->t0;
	double mbs = t > 0 ? (double)b->bytes_in / 1e6 / t : 0;
	char eta[48] = "";
	if (b->total_bytes && b->bytes_in && !final) {
		double rest = t * ((double)b->total_bytes / (double)b->bytes_in - 1.0);
		snprintf(eta, sizeof eta, ", ETA %.0fs", rest > 0 ? rest : 0);
	}
	fprintf(stderr, "\r\033[Knewstag batch: %llu articles, %.1f MB/s, %llu errors%s%s", b->articles,
	        mbs, b->errors, eta, final ? "\n" : "");
}

static void item_clear(struct item *it)
{
	free(it->data);
	free(it->id);
	free(it->err_code);
	free(it->err_msg);
	free(it->out);
	memset(it, 0, sizeof *it);
}

/* Write one finished item (its record or error record, or nothing when skipped) and
 * count it; frees the item's memory. Only one thread writes at a time. */
static void write_item(struct batch *b, struct item *it)
{
	if (it->out) {
		out_line(b, it->out);
		if (it->is_error)
			b->errors++;
		b->articles++;
	} else {
		b->skipped++;
	}
	b->bytes_in += it->len;
	if (b->progress) {
		double t = now_s();
		if (t - b->last_progress > 0.5) {
			b->last_progress = t;
			show_progress(b, 0);
		}
	}
	item_clear(it);
}

/* Write every finished item that may go out now (in input order unless --unordered),
 * in runs taken out of the queue under the lock and written outside it. Call with the
 * lock held; returns with it held. If another worker is writing, it picks up what this
 * one finished before it lets go of the writer role, so nothing is left behind. */
static void drain(struct batch *b)
{
	enum { RUN = 32 };
	struct item run[RUN];
	if (b->writing)
		return;
	b->writing = 1;
	for (;;) {
		size_t n = 0;
		while (n < RUN) {
			struct item *ready = NULL;
			for (size_t i = 0; i < b->cap; i++) {
				struct item *it = &b->slots[i];
				if (it->state != SLOT_DONE)
					continue;
				if (b->ordered && it->seq != b->write_seq)
					continue;
				if (!ready || it->seq < ready->seq)
					ready = it;
			}
			if (!ready)
				break;
			run[n++] = *ready;
			memset(ready, 0, sizeof *ready); /* SLOT_EMPTY */
			b->inflight--;
			b->write_seq++;
		}
		if (n == 0)
			break;
		if (b->reader_waiting && b->inflight <= b->cap / 2)
			pthread_cond_signal(&b->can_read);
		pthread_mutex_unlock(&b->mu);
		for (size_t i = 0; i < n; i++)
			write_item(b, &run[i]);
		pthread_mutex_lock(&b->mu);
	}
	if (b->inflight == 0 && !b->ordered)
		out_flush(b);
	b->writing = 0;
}

static void *worker_main(void *arg)
{
	struct batch *b = arg;
	pthread_mutex_lock(&b->mu);
	for (;;) {
		struct item *next = NULL;
		for (size_t i = 0; i < b->cap; i++)
			if (b->slots[i].state == SLOT_INPUT && (!next || b->slots[i].seq < next->seq))
				next = &b->slots[i];
		if (!next) {
			if (b->reading_done)
				break;
			b->idle_workers++;
			pthread_cond_wait(&b->can_work, &b->mu);
			b->idle_workers--;
			continue;
		}
		next->state = SLOT_BUSY;
		pthread_mutex_unlock(&b->mu);
		process(b, next);
		pthread_mutex_lock(&b->mu);
		next->state = SLOT_DONE;
		drain(b);
	}
	pthread_mutex_unlock(&b->mu);
	return NULL;
}

/* Hand one input to the workers (blocks while the queue is full), or with -j1 tag and
 * write it right here. Takes ownership of data, id, code and msg. */
static void submit(struct batch *b, const char *source, unsigned long long line, char *data,
                   size_t len, int is_file, char *id, const char *code, const char *msg)
{
	struct item local;
	struct item *it = &local;
	if (b->threaded) {
		pthread_mutex_lock(&b->mu);
		while (b->inflight >= b->cap || (b->ordered && b->next_seq - b->write_seq >= b->cap)) {
			b->reader_waiting = 1;
			pthread_cond_wait(&b->can_read, &b->mu);
			b->reader_waiting = 0;
		}
		size_t free_slot = 0; /* inflight < cap: some slot is empty */
		while (free_slot + 1 < b->cap && b->slots[free_slot].state != SLOT_EMPTY)
			free_slot++;
		it = &b->slots[free_slot];
	}
	memset(it, 0, sizeof *it);
	it->state = SLOT_INPUT;
	it->seq = b->next_seq++;
	it->data = data;
	it->len = len;
	it->is_file = is_file;
	it->id = id;
	it->source = source;
	it->line = line;
	it->err_code = code ? nt_strdup(code) : NULL;
	it->err_msg = msg ? nt_strdup(msg) : NULL;
	if (!b->threaded) {
		process(b, it);
		b->write_seq++;
		write_item(b, it);
		return;
	}
	b->inflight++;
	if (b->idle_workers)
		pthread_cond_signal(&b->can_work);
	pthread_mutex_unlock(&b->mu);
}

/* ---------------------------------------------------------------- readers */

/* Read a JSONL stream line by line; lines over max bytes become error items
 * without being held in memory. Returns NT_OK or NT_EIO. */
static int read_jsonl(struct batch *b, FILE *f, const char *source)
{
	struct nt_buf line = {0};
	unsigned long long lineno = 0;
	int too_long = 0, rc = NT_OK;
	size_t long_len = 0;
	char chunk[65536];
	for (;;) {
		size_t n = fread(chunk, 1, sizeof chunk, f);
		if (n == 0)
			break;
		size_t p = 0;
		while (p < n) {
			char *nl = memchr(chunk + p, '\n', n - p);
			size_t seg = nl ? (size_t)(nl - (chunk + p)) : n - p;
			if (too_long) {
				long_len += seg;
			} else if (line.len + seg > b->max) {
				too_long = 1;
				long_len = line.len + seg;
				line.len = 0;
			} else if (nt_buf_append(&line, chunk + p, seg) != NT_OK) {
				too_long = 1; /* out of memory: report the line as too large */
				long_len = line.len + seg;
				line.len = 0;
			}
			p += seg;
			if (!nl)
				break;
			p++; /* the newline */
			lineno++;
			if (too_long) {
				char msg[160];
				snprintf(msg, sizeof msg, "line of %zu bytes is over the limit of %zu (--max-bytes)",
				         long_len, b->max);
				submit(b, source, lineno, NULL, long_len, 0, NULL, "too-large", msg);
				too_long = 0;
				long_len = 0;
			} else {
				size_t k = 0;
				while (k < line.len && (line.data[k] == ' ' || line.data[k] == '\t' || line.data[k] == '\r'))
					k++;
				if (k < line.len) {
					char *d = malloc(line.len + 1);
					if (!d) {
						submit(b, source, lineno, NULL, line.len, 0, NULL, "too-large", "out of memory");
					} else {
						memcpy(d, line.data, line.len);
						d[line.len] = '\0';
						submit(b, source, lineno, d, line.len, 0, NULL, NULL, NULL);
					}
				}
			}
			line.len = 0;
		}
	}
	if (ferror(f)) {
		fprintf(stderr, "newstag batch: %s: read error after line %llu: %s\n", source, lineno,
		        strerror(errno));
		rc = NT_EIO;
	}
	/* a last line without newline */
	lineno++;
	if (too_long) {
		char msg[160];
		snprintf(msg, sizeof msg, "line of %zu bytes is over the limit of %zu (--max-bytes)", long_len,
		         b->max);
		submit(b, source, lineno, NULL, long_len, 0, NULL, "too-large", msg);
	} else if (line.len) {
		size_t k = 0;
		while (k < line.len && (line.data[k] == ' ' || line.data[k] == '\t' || line.data[k] == '\r'))
			k++;
		if (k < line.len) {
			char *d = malloc(line.len + 1);
			if (d) {
				memcpy(d, line.data, line.len);
				d[line.len] = '\0';
			}
			submit(b, source, lineno, d, d ? line.len : 0, 0, NULL, d ? NULL : "too-large",
			       d ? NULL : "out of memory");
		}
	}
	nt_buf_free(&line);
	return rc;
}

static int cmp_strp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every .txt file below dir, relative paths, sorted. */
static int list_txt(const char *root, const char *rel, char ***out, size_t *n, size_t *cap)
{
	char *path = rel[0] ? nt_path_join(root, rel) : nt_strdup(root);
	if (!path)
		return NT_ENOMEM;
	DIR *d = opendir(path);
	if (!d) {
		fprintf(stderr, "newstag batch: %s: %s\n", path, strerror(errno));
		free(path);
		return NT_EIO;
	}
	struct dirent *de;
	int rc = NT_OK;
	while ((de = readdir(d)) != NULL && rc == NT_OK) {
		if (de->d_name[0] == '.')
			continue;
		char *r = rel[0] ? nt_path_join(rel, de->d_name) : nt_strdup(de->d_name);
		char *full = r ? nt_path_join(root, r) : NULL;
		if (!r || !full) {
			free(r);
			free(full);
			rc = NT_ENOMEM;
			break;
		}
		struct stat st;
		if (stat(full, &st) == 0 && S_ISDIR(st.st_mode)) {
			rc = list_txt(root, r, out, n, cap);
			free(r);
		} else {
			size_t l = strlen(r);
			if (l > 4 && strcmp(r + l - 4, ".txt") == 0) {
				if (*n == *cap) {
					size_t nc = *cap ? *cap * 2 : 64;
					char **p = realloc(*out, nc * sizeof *p);
					if (!p) {
						free(r);
						free(full);
						rc = NT_ENOMEM;
						break;
					}
					*out = p;
					*cap = nc;
				}
				(*out)[(*n)++] = r;
			} else {
				free(r);
			}
		}
		free(full);
	}
	closedir(d);
	free(path);
	return rc;
}

static int read_dir(struct batch *b, const char *dir)
{
	char **files = NULL;
	size_t n = 0, cap = 0;
	int rc = list_txt(dir, "", &files, &n, &cap);
	if (n)
		qsort(files, n, sizeof *files, cmp_strp);
	for (size_t i = 0; i < n; i++) {
		char *full = nt_path_join(dir, files[i]);
		char *data = NULL;
		size_t len = 0;
		struct nt_error err = {0};
		int r = full ? nt_read_file(full, b->max, &data, &len, &err)
		             : nt_seterr(&err, NT_ENOMEM, "out of memory");
		free(full);
		if (r != NT_OK)
			submit(b, dir, i + 1, NULL, 0, 1, files[i],
			       r == NT_EINVAL ? "too-large" : "unreadable", err.msg);
		else
			submit(b, dir, i + 1, data, len, 1, files[i], NULL, NULL);
	}
	free(files);
	return rc;
}

/* ---------------------------------------------------------------- resume */

/* Truncate a torn last line of path and load the ids it holds. */
static int load_done(const char *path, struct idset *ids, unsigned long long *count)
{
	int fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? NT_OK : NT_EIO;
	FILE *f = fdopen(fd, "r+");
	if (!f) {
		close(fd);
		return NT_EIO;
	}
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	off_t good = 0;
	int rc = NT_OK;
	while ((n = getline(&line, &cap, f)) > 0) {
		if (line[n - 1] != '\n')
			break; /* torn last line */
		cJSON *o = cJSON_ParseWithLength(line, (size_t)n);
		const cJSON *id = o ? cJSON_GetObjectItemCaseSensitive(o, "id") : NULL;
		char *s = id ? id_string(id) : NULL;
		if (s) {
			if (idset_add(ids, s) != NT_OK)
				rc = NT_ENOMEM;
			(*count)++;
		}
		free(s);
		cJSON_Delete(o);
		if (!id) {
			break; /* not one of our lines: treat the rest as torn */
		}
		good += n;
	}
	free(line);
	fflush(f);
	if (rc == NT_OK && ftruncate(fd, good) != 0)
		rc = NT_EIO;
	fclose(f);
	return rc;
}

/* ---------------------------------------------------------------- command */

int nt_cmd_batch(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"output", required_argument, 0, 'o'},
		{"jobs", required_argument, 0, 'j'},
		{"unordered", no_argument, 0, 'u'},
		{"resume", no_argument, 0, 'r'},
		{"max-bytes", required_argument, 0, 'm'},
		{"explain", no_argument, 0, 'e'},
		{"progress", no_argument, 0, 'p'},
		{"no-progress", no_argument, 0, 'P'},
		{"quiet", no_argument, 0, 'q'},
		{"help", no_argument, 0, 'h'},
		NT_CLI_ENGINE_LONGOPTS,
		{0, 0, 0, 0},
	};
	struct nt_engine_options eo = {0};
	const char *out = NULL;
	long jobs = sysconf(_SC_NPROCESSORS_ONLN);
	int ordered = 1, resume = 0, quiet = 0, progress = isatty(STDERR_FILENO);
	size_t max = NT_BATCH_DEFAULT_MAX;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "o:j:qh", longopts, NULL)) != -1) {
		if (nt_cli_engine_option(c, optarg, &eo))
			continue;
		char *end;
		switch (c) {
		case 'o': out = optarg; break;
		case 'j':
			errno = 0;
			jobs = strtol(optarg, &end, 10);
			if (errno || *end || jobs < 1 || jobs > 256) {
				fprintf(stderr, "newstag batch: -j needs a number from 1 to 256, not \"%s\"\n", optarg);
				nt_cli_engine_options_free(&eo);
				return NT_EXIT_USAGE;
			}
			break;
		case 'u': ordered = 0; break;
		case 'r': resume = 1; break;
		case 'm': {
			errno = 0;
			unsigned long long v = strtoull(optarg, &end, 10);
			if (errno || *end || v == 0 || optarg[0] == '-') {
				fprintf(stderr, "newstag batch: --max-bytes needs a positive number, not \"%s\"\n", optarg);
				nt_cli_engine_options_free(&eo);
				return NT_EXIT_USAGE;
			}
			max = (size_t)v;
			break;
		}
		case 'e': eo.explain = 1; break;
		case 'p': progress = 1; break;
		case 'P': progress = 0; break;
		case 'q': quiet = 1; break;
		case 'h':
			fputs(batch_usage, stdout);
			nt_cli_engine_options_free(&eo);
			return NT_EXIT_OK;
		default:
			fprintf(stderr, "newstag batch: unknown option \"%s\" or missing value\n", argv[optind - 1]);
			fputs(batch_usage, stderr);
			nt_cli_engine_options_free(&eo);
			return NT_EXIT_USAGE;
		}
	}
	if (jobs < 1)
		jobs = 1;
	if (resume && !out) {
		fprintf(stderr, "newstag batch: --resume needs -o OUT\n");
		nt_cli_engine_options_free(&eo);
		return NT_EXIT_USAGE;
	}
	char *stdin_only[] = {(char *)"-", NULL};
	char **ins = optind < argc ? argv + optind : stdin_only;
	int nins = optind < argc ? argc - optind : 1;
	/* check the inputs before any work */
	unsigned long long total = 0;
	for (int i = 0; i < nins; i++) {
		if (strcmp(ins[i], "-") == 0) {
			total = 0;
			continue;
		}
		struct stat st;
		if (stat(ins[i], &st) != 0) {
			fprintf(stderr, "newstag batch: %s: %s\n", ins[i], strerror(errno));
			nt_cli_engine_options_free(&eo);
			return NT_EXIT_INPUT;
		}
		if (S_ISREG(st.st_mode))
			total += (unsigned long long)st.st_size;
	}
	struct batch b = {0};
	b.ordered = ordered;
	b.max = max;
	b.progress = progress;
	b.total_bytes = total;
	b.cap = (size_t)jobs * 8 + 16;
	b.out_name = out ? out : "standard output";
	struct idset done = {0};
	unsigned long long already = 0;
	if (resume) {
		int r = load_done(out, &done, &already);
		if (r != NT_OK) {
			fprintf(stderr, "newstag batch: --resume: cannot read %s: %s\n", out, nt_strerror(r));
			nt_cli_engine_options_free(&eo);
			idset_free(&done);
			return NT_EXIT_INPUT;
		}
		b.done_ids = &done;
	}
	struct nt_error err = {0};
	if (nt_engine_open(&eo, &b.eng, &err) != NT_OK) {
		fprintf(stderr, "newstag batch: %s\n", err.msg);
		nt_cli_engine_options_free(&eo);
		idset_free(&done);
		return NT_EXIT_PLUGIN;
	}
	if (out) {
		b.out_fd = open(out, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | (resume ? 0 : O_TRUNC), 0644);
		if (b.out_fd < 0) {
			fprintf(stderr, "newstag batch: %s: %s\n", out, strerror(errno));
			nt_engine_close(b.eng);
			nt_cli_engine_options_free(&eo);
			idset_free(&done);
			return NT_EXIT_INPUT;
		}
	} else {
		b.out_fd = STDOUT_FILENO;
	}
	b.slots = calloc(b.cap, sizeof *b.slots);
	pthread_t *workers = calloc((size_t)jobs, sizeof *workers);
	if (!b.slots || !workers) {
		fprintf(stderr, "newstag batch: out of memory\n");
		free(b.slots);
		free(workers);
		if (out)
			close(b.out_fd);
		nt_engine_close(b.eng);
		nt_cli_engine_options_free(&eo);
		idset_free(&done);
		return NT_EXIT_INTERNAL;
	}
	pthread_mutex_init(&b.mu, NULL);
	pthread_cond_init(&b.can_read, NULL);
	pthread_cond_init(&b.can_work, NULL);
	b.t0 = now_s();
	b.threaded = jobs > 1;
	long started = 0;
	for (; b.threaded && started < jobs; started++)
		if (pthread_create(&workers[started], NULL, worker_main, &b) != 0)
			break;
	if (b.threaded && started == 0) {
		fprintf(stderr, "newstag batch: cannot start worker threads; tagging on this thread\n");
		b.threaded = 0;
	}
	int input_failed = 0;
	for (int i = 0; i < nins; i++) {
		const char *in = ins[i];
		if (strcmp(in, "-") == 0) {
			if (read_jsonl(&b, stdin, "stdin") != NT_OK)
				input_failed = 1;
		} else if (nt_is_dir(in)) {
			if (read_dir(&b, in) != NT_OK)
				input_failed = 1;
		} else {
			FILE *f = fopen(in, "rb");
			if (!f) {
				fprintf(stderr, "newstag batch: %s: %s\n", in, strerror(errno));
				input_failed = 1;
				continue;
			}
			if (read_jsonl(&b, f, in) != NT_OK)
				input_failed = 1;
			fclose(f);
		}
	}
	pthread_mutex_lock(&b.mu);
	b.reading_done = 1;
	pthread_cond_broadcast(&b.can_work);
	pthread_mutex_unlock(&b.mu);
	for (long i = 0; i < started; i++)
		pthread_join(workers[i], NULL);
	out_flush(&b);
	double secs = now_s() - b.t0;
	if (b.progress)
		show_progress(&b, 1);
	if (!quiet)
		fprintf(stderr,
		        "newstag batch: %llu articles, %llu errors, %llu skipped (already in %s), %.2f s, "
		        "%.1f MB/s, %.0f articles/s\n",
		        b.articles, b.errors, b.skipped, out ? out : "output", secs,
		        secs > 0 ? (double)b.bytes_in / 1e6 / secs : 0,
		        secs > 0 ? (double)b.articles / secs : 0);
	if (out && close(b.out_fd) != 0 && !b.write_failed) {
		fprintf(stderr, "newstag batch: closing %s failed: %s\n", out, strerror(errno));
		b.write_failed = 1;
	}
	nt_engine_close(b.eng);
	nt_buf_free(&b.obuf);
	free(b.slots);
	free(workers);
	idset_free(&done);
	nt_cli_engine_options_free(&eo);
	pthread_mutex_destroy(&b.mu);
	pthread_cond_destroy(&b.can_read);
	pthread_cond_destroy(&b.can_work);
	if (b.write_failed)
		return NT_EXIT_INTERNAL;
	if (input_failed)
		return NT_EXIT_INPUT;
	return b.errors ? NT_EXIT_PARTIAL : NT_EXIT_OK;
}
