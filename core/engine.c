/* engine.c - open a pipeline of plugins and tag articles into schema-1 records */
#include "config.h"
#include "engine.h"
#include "combiner.h"
#include "conf.h"
#include "docmodel.h"
#include "host.h"
#include "jsonout.h"
#include "loader.h"
#include "options.h"
#include "sink.h"
#include "util.h"

#include <limits.h>
#include <stddef.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char nt_version[] = NT_VERSION_STRING;

/* One opened plugin instance. */
struct instance {
	const struct nt_plugin *plugin;
	void *config;            /* filled config struct (owned) */
	void *state;             /* plugin state from open() */
	int opened;
	const char *name;        /* borrowed from the config */
	const char *const *facets;
	int single;
	const char *path;        /* module file (borrowed from the loader) */
	struct nt_known known;   /* its describe() labels, for host->emit_known() (owned) */
};

/* Per-thread buffers: a document builder and one sink per instance. */
struct workspace {
	struct nt_docbuf *doc;
	struct nt_sink *sinks;
	struct nt_sink **ptrs;
	int *status;             /* per instance: what classify() returned */
	struct nt_error *errs;   /* per instance: its error message */
	struct workspace *next;
	struct nt_engine *eng;   /* owner, for the thread-exit destructor */
	int idle;                /* its thread exited: free for another thread (under eng->lock) */
};
static void workspace_release(void *p);

struct nt_engine {
	char *models_dir;
	struct nt_config *cfg;
	struct nt_loader *loader;
	struct instance *inst;
	size_t ninst;
	struct nt_combiner comb;
	cJSON *provenance;       /* the provenance array, built at open */
	char *provenance_json;   /* the same, printed: copied into every record */
	int explain;
	pthread_key_t key;
	int key_ready;
	pthread_mutex_t lock;    /* guards the workspace list */
	struct workspace *spaces;
};

const char *nt_strerror(int status)
{
	switch (status) {
	case NT_OK: return "success";
	case NT_ENOMEM: return "out of memory";
	case NT_EINVAL: return "invalid argument or configuration";
	case NT_EIO: return "input/output error";
	case NT_EFORMAT: return "malformed input";
	case NT_EABI: return "plugin ABI mismatch";
	case NT_ENOTFOUND: return "not found";
	case NT_EUNSUPPORTED: return "operation not supported";
	case NT_EINTERNAL: return "internal error";
	default: return "unknown error";
	}
}

/* Short machine-readable code names for record error entries. */
static const char *status_code(int status)
{
	switch (status) {
	case NT_ENOMEM: return "out-of-memory";
	case NT_EINVAL: return "invalid";
	case NT_EIO: return "io";
	case NT_EFORMAT: return "format";
	case NT_EABI: return "abi";
	case NT_ENOTFOUND: return "not-found";
	case NT_EUNSUPPORTED: return "unsupported";
	default: return "internal";
	}
}

/* The models directory: explicit, $NEWSTAG_MODELS, the source tree when running
 * from the build tree, else the installed one. */
static char *default_models_dir(void)
{
	const char *env = getenv("NEWSTAG_MODELS");
	if (env && *env)
		return nt_strdup(env);
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n > 0) {
		exe[n] = '\0';
		size_t bl = strlen(NT_BUILDDIR);
		if ((size_t)n > bl && strncmp(exe, NT_BUILDDIR, bl) == 0 && exe[bl] == '/')
			return nt_path_join(NT_SRCDIR, "models");
	}
	return nt_path_join(NT_PKGDATADIR, "models");
}

/* Add the instance a trained model directory names (`tag --model DIR`). */
static int add_model_dir(struct nt_config *cfg, const char *dir, struct nt_error *err)
{
	char abs[PATH_MAX];
	if (!realpath(dir, abs) || !nt_is_dir(abs))
		return nt_seterr(err, NT_ENOTFOUND, "%s: not a model directory", dir);
	char *mf = nt_path_join(abs, "manifest.json");
	if (!mf)
		return nt_seterr(err, NT_ENOMEM, "out of memory");
	char *data;
	size_t len;
	int rc = nt_read_file(mf, 16u << 20, &data, &len, err);
	if (rc != NT_OK) {
		free(mf);
		return rc;
	}
	cJSON *m = cJSON_ParseWithLength(data, len);
	free(data);
	const cJSON *pl = m ? cJSON_GetObjectItemCaseSensitive(m, "plugin") : NULL;
	const cJSON *fc = m ? cJSON_GetObjectItemCaseSensitive(m, "facet") : NULL;
	if (!m || !cJSON_IsObject(m) || (pl && !cJSON_IsString(pl)) || !cJSON_IsString(fc)) {
		rc = nt_seterr(err, NT_EFORMAT,
		               "%s: not a model manifest (needs a JSON object with a \"facet\" string)", mf);
		cJSON_Delete(m);
		free(mf);
		return rc;
	}
	free(mf);
	char name[96];
	snprintf(name, sizeof name, "%.60s-model", fc->valuestring);
	for (int k = 2; k < 100; k++) {
		int used = 0;
		for (size_t i = 0; i < cfg->ninst; i++)
			used |= strcmp(cfg->inst[i].name, name) == 0;
		if (!used)
			break;
		snprintf(name, sizeof name, "%.60s-model%d", fc->valuestring, k);
	}
	cJSON *opts = cJSON_CreateObject();
	if (!opts || !cJSON_AddStringToObject(opts, "model", abs)) {
		cJSON_Delete(opts);
		cJSON_Delete(m);
		return nt_seterr(err, NT_ENOMEM, "out of memory");
	}
	rc = nt_config_add_instance(cfg, pl ? pl->valuestring : "topic", name, opts, err);
	/* the model applies its own per-label thresholds: unless the config sets a policy
	 * for its facet, keep every label it emits */
	const cJSON *sl = cJSON_GetObjectItemCaseSensitive(m, "single_label");
	if (rc == NT_OK &&
	    nt_config_add_facet(cfg, fc->valuestring, 0.0, cJSON_IsTrue(sl)) != NT_OK)
		rc = nt_seterr(err, NT_ENOMEM, "out of memory");
	cJSON_Delete(m);
	return rc;
}

static void workspace_free(struct workspace *w, size_t ninst)
{
	if (!w)
		return;
	nt_docbuf_free(w->doc);
	for (size_t i = 0; w->sinks && i < ninst; i++)
		nt_sink_release(&w->sinks[i]);
	free(w->sinks);
	free(w->ptrs);
	free(w->status);
	free(w->errs);
	free(w);
}

/* Opening the pipeline's instances: a shared cursor over them for the opener threads. */
struct opener {
	struct nt_engine *e;
	pthread_mutex_t mu;
	size_t next;
	int *rc;                 /* per instance */
	struct nt_error *errs;   /* per instance */
};

static int open_concurrent(const struct instance *in)
{
	return in->plugin->open && in->plugin->struct_size > offsetof(struct nt_plugin, flags) &&
	       (in->plugin->flags & NT_PLUGIN_OPEN_CONCURRENT);
}

static void open_one(struct opener *o, size_t i)
{
	struct instance *in = &o->e->inst[i];
	o->rc[i] = in->plugin->open ? in->plugin->open(nt_host_get(), in->config, o->e->models_dir,
	                                               &in->state, &o->errs[i])
	                            : NT_OK;
	in->opened = o->rc[i] == NT_OK;
}

/* Opener thread (and the calling thread): open concurrent-safe instances until none is left. */
static void *opener_main(void *arg)
{
	struct opener *o = arg;
	for (;;) {
		pthread_mutex_lock(&o->mu);
		while (o->next < o->e->ninst && !open_concurrent(&o->e->inst[o->next]))
			o->next++;
		size_t i = o->next++;
		pthread_mutex_unlock(&o->mu);
		if (i >= o->e->ninst)
			return NULL;
		open_one(o, i);
	}
}

/* Open every instance: those whose plugin sets NT_PLUGIN_OPEN_CONCURRENT each on its own
 * thread (this one included), the others one by one on this thread. The error
 * reported is that of the first failing instance in pipeline order. */
static int open_instances(struct nt_engine *e, struct nt_error *err)
{
	struct opener o = {.e = e};
	o.rc = calloc(e->ninst + 1, sizeof *o.rc);
	o.errs = calloc(e->ninst + 1, sizeof *o.errs);
	if (!o.rc || !o.errs) {
		free(o.rc);
		free(o.errs);
		return nt_seterr(err, NT_ENOMEM, "out of memory");
	}
	pthread_mutex_init(&o.mu, NULL);
	size_t nconc = 0;
	for (size_t i = 0; i < e->ninst; i++)
		nconc += open_concurrent(&e->inst[i]);
	/* one thread per instance (up to 16 with this one), not per core: the opens differ
	 * in length by up to 10x and which is long is unknown, so the scheduler balancing
	 * them gives about max(longest, total / cores) */
	size_t nthreads = nconc > 1 ? nconc - 1 : 0;
	if (nthreads > 15)
		nthreads = 15;
	pthread_t th[15];
	size_t started = 0;
	for (; started < nthreads; started++)
		if (pthread_create(&th[started], NULL, opener_main, &o) != 0)
			break;
	for (size_t i = 0; i < e->ninst; i++)
		if (!open_concurrent(&e->inst[i]))
			open_one(&o, i);
	opener_main(&o);
	for (size_t t = 0; t < started; t++)
		pthread_join(th[t], NULL);
	pthread_mutex_destroy(&o.mu);
	int rc = NT_OK;
	for (size_t i = 0; i < e->ninst && rc == NT_OK; i++)
		if (o.rc[i] != NT_OK)
			rc = nt_seterr(err, o.rc[i] < 0 ? o.rc[i] : NT_EINTERNAL, "plugin %s (instance %s): %s",
			               e->inst[i].plugin->name, e->inst[i].name,
			               o.errs[i].msg[0] ? o.errs[i].msg : nt_strerror(o.rc[i]));
	free(o.rc);
	free(o.errs);
	return rc;
}

int nt_engine_open(const struct nt_engine_options *opt, struct nt_engine **out,
                   struct nt_error *err)
{
	*out = NULL;
	struct nt_engine_options none = {0};
	if (!opt)
		opt = &none;
	struct nt_engine *e = calloc(1, sizeof *e);
	if (!e)
		return nt_seterr(err, NT_ENOMEM, "out of memory");
	pthread_mutex_init(&e->lock, NULL);
	e->explain = opt->explain;
	int rc = NT_OK;
	e->models_dir = opt->models_dir ? nt_strdup(opt->models_dir) : default_models_dir();
	if (!e->models_dir) {
		rc = nt_seterr(err, NT_ENOMEM, "out of memory");
		goto fail;
	}
	if (!nt_is_dir(e->models_dir)) {
		rc = nt_seterr(err, NT_ENOTFOUND, "%s: models directory not found (use --models DIR)",
		               e->models_dir);
		goto fail;
	}
	char *cpath = opt->config_path ? nt_strdup(opt->config_path)
	                               : nt_path_join(e->models_dir, "pipeline.json");
	if (!cpath) {
		rc = nt_seterr(err, NT_ENOMEM, "out of memory");
		goto fail;
	}
	rc = nt_config_load(cpath, e->models_dir, &e->cfg, err);
	free(cpath);
	if (rc != NT_OK)
		goto fail;
	for (size_t i = 0; opt->model_dirs && opt->model_dirs[i] && rc == NT_OK; i++)
		rc = add_model_dir(e->cfg, opt->model_dirs[i], err);
	if (rc != NT_OK)
		goto fail;
	if ((rc = nt_loader_new(opt->plugin_dirs, &e->loader, err)) != NT_OK)
		goto fail;
	e->inst = calloc(e->cfg->ninst + 1, sizeof *e->inst);
	e->provenance = cJSON_CreateArray();
	if (!e->inst || !e->provenance) {
		rc = nt_seterr(err, NT_ENOMEM, "out of memory");
		goto fail;
	}
	/* load every module and fill every config first (libltdl and the loader are not
	 * thread-safe), then open the instances, in parallel where plugins allow it */
	for (size_t i = 0; i < e->cfg->ninst; i++) {
		const struct nt_instance_cfg *ic = &e->cfg->inst[i];
		struct instance *in = &e->inst[i];
		const struct nt_module *mod;
		in->name = ic->name;
		if ((rc = nt_loader_load(e->loader, ic->plugin, &mod, err)) != NT_OK)
			goto fail;
		in->plugin = mod->plugin;
		in->path = mod->path;
		e->ninst = i + 1;
		if ((rc = nt_options_fill(in->plugin, ic->options, e->models_dir, e->cfg->path, &in->config,
		                          err)) != NT_OK)
			goto fail;
	}
	if ((rc = open_instances(e, err)) != NT_OK)
		goto fail;
	for (size_t i = 0; i < e->cfg->ninst; i++) {
		const struct nt_instance_cfg *ic = &e->cfg->inst[i];
		struct instance *in = &e->inst[i];
		in->facets = in->plugin->facets;
		struct nt_info info = {0};
		if (in->plugin->describe && in->plugin->describe(in->state, &info) == NT_OK) {
			if (info.facets)
				in->facets = info.facets;
			in->single = info.single_label;
		}
		if (nt_known_build(&in->known, in->plugin, in->state) != NT_OK) {
			rc = nt_seterr(err, NT_ENOMEM, "out of memory");
			goto fail;
		}
		cJSON *p = cJSON_CreateObject();
		if (!p) {
			rc = nt_seterr(err, NT_ENOMEM, "out of memory");
			goto fail;
		}
		cJSON_AddStringToObject(p, "plugin", in->plugin->name);
		if (strcmp(ic->name, in->plugin->name) != 0)
			cJSON_AddStringToObject(p, "instance", ic->name);
		cJSON_AddStringToObject(p, "version", in->plugin->version);
		if (info.model_digest)
			cJSON_AddStringToObject(p, "model", info.model_digest);
		cJSON_AddItemToArray(e->provenance, p);
	}
	{
		const char *const **facets = calloc(e->ninst + 1, sizeof *facets);
		int *single = calloc(e->ninst + 1, sizeof *single);
		if (!facets || !single) {
			free(facets);
			free(single);
			rc = nt_seterr(err, NT_ENOMEM, "out of memory");
			goto fail;
		}
		for (size_t i = 0; i < e->ninst; i++) {
			facets[i] = e->inst[i].facets;
			single[i] = e->inst[i].single;
		}
		rc = nt_combiner_init(&e->comb, e->cfg, facets, single, err);
		free(facets);
		free(single);
		if (rc != NT_OK)
			goto fail;
	}
	if (!(e->provenance_json = nt_json_print(e->provenance))) {
		rc = nt_seterr(err, NT_ENOMEM, "out of memory");
		goto fail;
	}
	if (pthread_key_create(&e->key, workspace_release) != 0) {
		rc = nt_seterr(err, NT_EINTERNAL, "pthread_key_create failed");
		goto fail;
	}
	e->key_ready = 1;
	*out = e;
	return NT_OK;
fail:
	nt_engine_close(e);
	return rc;
}

void nt_engine_close(struct nt_engine *e)
{
	if (!e)
		return;
	for (size_t i = 0; i < e->ninst; i++) {
		struct instance *in = &e->inst[i];
		if (in->opened && in->plugin->close)
			in->plugin->close(in->state);
		nt_known_free(&in->known);
		if (in->plugin)
			nt_options_free(in->plugin, in->config);
	}
	struct workspace *w = e->spaces;
	while (w) {
		struct workspace *nx = w->next;
		workspace_free(w, e->ninst);
		w = nx;
	}
	if (e->key_ready)
		pthread_key_delete(e->key);
	nt_combiner_free(&e->comb);
	cJSON_Delete(e->provenance);
	free(e->provenance_json);
	free(e->inst);
	nt_loader_free(e->loader);
	nt_config_free(e->cfg);
	free(e->models_dir);
	pthread_mutex_destroy(&e->lock);
	free(e);
}

/* Thread-exit destructor of e->key: the workspace goes back to the engine for reuse,
 * so threads that come and go do not grow the engine without bound. */
static void workspace_release(void *p)
{
	struct workspace *w = p;
	pthread_mutex_lock(&w->eng->lock);
	w->idle = 1;
	pthread_mutex_unlock(&w->eng->lock);
}

static struct workspace *get_workspace(struct nt_engine *e)
{
	struct workspace *w = pthread_getspecific(e->key);
	if (w)
		return w;
	pthread_mutex_lock(&e->lock);
	for (w = e->spaces; w && !w->idle; w = w->next)
		;
	if (w)
		w->idle = 0;
	pthread_mutex_unlock(&e->lock);
	if (w) {
		pthread_setspecific(e->key, w);
		return w;
	}
	w = calloc(1, sizeof *w);
	if (!w)
		return NULL;
	w->doc = nt_docbuf_new();
	w->sinks = calloc(e->ninst + 1, sizeof *w->sinks);
	w->ptrs = calloc(e->ninst + 1, sizeof *w->ptrs);
	w->status = calloc(e->ninst + 1, sizeof *w->status);
	w->errs = calloc(e->ninst + 1, sizeof *w->errs);
	if (!w->doc || !w->sinks || !w->ptrs || !w->status || !w->errs) {
		workspace_free(w, e->ninst);
		return NULL;
	}
	for (size_t i = 0; i < e->ninst; i++)
		nt_sink_set_known(&w->sinks[i], &e->inst[i].known);
	w->eng = e;
	pthread_setspecific(e->key, w);
	pthread_mutex_lock(&e->lock);
	w->next = e->spaces;
	e->spaces = w;
	pthread_mutex_unlock(&e->lock);
	return w;
}

/* Append one {"code","message"[,"byte"]} warning object. */
static int put_warning(struct nt_buf *b, int first, const char *code, const char *msg, long long byte)
{
	if (nt_buf_append(b, first ? "{\"code\":" : ",{\"code\":", first ? 8 : 9) != NT_OK ||
	    nt_json_put_string(b, code) != NT_OK || nt_buf_append(b, ",\"message\":", 11) != NT_OK ||
	    nt_json_put_string(b, msg) != NT_OK)
		return NT_ENOMEM;
	if (byte >= 0 && (nt_buf_append(b, ",\"byte\":", 8) != NT_OK ||
	                  nt_json_put_number(b, (double)byte) != NT_OK))
		return NT_ENOMEM;
	return nt_buf_append(b, "}", 1);
}

int nt_engine_tag_text(struct nt_engine *e, const struct nt_article *a, const struct nt_warning *extra,
                       size_t nextra, struct nt_buf *out, struct nt_error *err)
{
	struct workspace *w = get_workspace(e);
	if (!w)
		return nt_seterr(err, NT_ENOMEM, "out of memory");
	const struct nt_doc *doc;
	const char *id = a->id ? a->id : "";
	int rc = nt_doc_build(w->doc, id, a->title, a->title ? strlen(a->title) : 0, a->text,
	                      a->text_len, a->title_in_text, &doc, err);
	if (rc != NT_OK)
		return rc;
	int *failed = w->status;
	struct nt_error *perr = w->errs;
	size_t nfailed = 0;
	for (size_t i = 0; i < e->ninst; i++) {
		struct instance *in = &e->inst[i];
		struct nt_sink *s = &w->sinks[i];
		nt_sink_reset(s, in->name);
		perr[i].msg[0] = '\0';
		int prc = in->plugin->classify(in->state, doc, s, &perr[i]);
		if (prc == NT_OK && s->overflow)
			prc = nt_seterr(&perr[i], NT_ENOMEM, "out of memory while emitting labels");
		failed[i] = prc;
		w->ptrs[i] = prc == NT_OK ? s : NULL;
		nfailed += prc != NT_OK;
	}
	size_t start = out->len;
	int orc = nt_buf_append(out, "{\"id\":", 6);
	if (orc == NT_OK)
		orc = nt_json_put_string(out, id);
	if (orc == NT_OK && a->title) {
		if (nt_buf_append(out, ",\"title\":", 9) != NT_OK || nt_json_put_string(out, doc->title) != NT_OK)
			orc = NT_ENOMEM;
	} else if (orc == NT_OK && doc->zones[NT_ZONE_TITLE].ntokens) {
		const struct nt_token *f = &doc->tokens[doc->zones[NT_ZONE_TITLE].first_token];
		const struct nt_token *l = f + doc->zones[NT_ZONE_TITLE].ntokens - 1;
		char *t = malloc(l->end - f->start + 1);
		if (!t) {
			orc = NT_ENOMEM;
		} else {
			memcpy(t, doc->text + f->start, l->end - f->start);
			t[l->end - f->start] = '\0';
			if (nt_buf_append(out, ",\"title\":", 9) != NT_OK || nt_json_put_string(out, t) != NT_OK)
				orc = NT_ENOMEM;
			free(t);
		}
	}
	if (orc == NT_OK)
		orc = nt_buf_append(out, ",\"facets\":", 10);
	if (orc == NT_OK)
		orc = nt_combine(&e->comb, w->ptrs, e->ninst, doc, e->explain ? NT_COMBINE_EXPLAIN : 0, out);
	if (orc == NT_OK && a->meta_json) {
		cJSON *meta = cJSON_Parse(a->meta_json);
		if (meta && cJSON_IsObject(meta) && meta->child &&
		    (nt_buf_append(out, ",\"meta\":", 8) != NT_OK || nt_json_put(out, meta) != NT_OK))
			orc = NT_ENOMEM;
		cJSON_Delete(meta);
	}
	if (orc == NT_OK && (nt_buf_append(out, ",\"provenance\":", 14) != NT_OK ||
	                     nt_buf_append(out, e->provenance_json, strlen(e->provenance_json)) != NT_OK))
		orc = NT_ENOMEM;
	long long first;
	size_t repairs = nt_docbuf_repairs(w->doc, &first);
	if (orc == NT_OK && (repairs || nextra)) {
		orc = nt_buf_append(out, ",\"warnings\":[", 13);
		if (orc == NT_OK && repairs) {
			char msg[160];
			snprintf(msg, sizeof msg, "%zu invalid UTF-8 byte%s replaced by '?', the first at byte %lld",
			         repairs, repairs == 1 ? "" : "s", first);
			orc = put_warning(out, 1, "invalid-utf8", msg, first);
		}
		for (size_t i = 0; i < nextra && orc == NT_OK; i++)
			orc = put_warning(out, i == 0 && !repairs, extra[i].code, extra[i].message, extra[i].byte);
		if (orc == NT_OK)
			orc = nt_buf_append(out, "]", 1);
	}
	if (orc == NT_OK && nfailed) {
		orc = nt_buf_append(out, ",\"errors\":[", 11);
		size_t k = 0;
		for (size_t i = 0; i < e->ninst && orc == NT_OK; i++) {
			if (failed[i] == NT_OK)
				continue;
			int first_err = k++ == 0;
			if (nt_buf_append(out, first_err ? "{\"plugin\":" : ",{\"plugin\":", first_err ? 10 : 11) != NT_OK ||
			    nt_json_put_string(out, e->inst[i].name) != NT_OK ||
			    nt_buf_append(out, ",\"code\":", 8) != NT_OK ||
			    nt_json_put_string(out, status_code(failed[i])) != NT_OK ||
			    nt_buf_append(out, ",\"message\":", 11) != NT_OK ||
			    nt_json_put_string(out, perr[i].msg[0] ? perr[i].msg : nt_strerror(failed[i])) != NT_OK)
				orc = NT_ENOMEM;
			else
				orc = nt_buf_append(out, "}", 1);
		}
		if (orc == NT_OK)
			orc = nt_buf_append(out, "]", 1);
	}
	if (orc == NT_OK)
		orc = nt_buf_append(out, "}", 1);
	if (orc != NT_OK) {
		out->len = start;
		if (out->data)
			out->data[start] = '\0';
		return nt_seterr(err, NT_ENOMEM, "out of memory");
	}
	return NT_OK;
}

int nt_engine_tag_json(struct nt_engine *e, const struct nt_article *a, cJSON **record,
                       struct nt_error *err)
{
	struct nt_buf b = {0};
	*record = NULL;
	int rc = nt_engine_tag_text(e, a, NULL, 0, &b, err);
	if (rc == NT_OK && !(*record = cJSON_ParseWithLength(b.data, b.len)))
		rc = nt_seterr(err, NT_ENOMEM, "out of memory");
	nt_buf_free(&b);
	return rc;
}

int nt_engine_tag(struct nt_engine *e, const struct nt_article *a, int pretty, char **record,
                  struct nt_error *err)
{
	struct nt_buf b = {0};
	*record = NULL;
	int rc = nt_engine_tag_text(e, a, NULL, 0, &b, err);
	if (rc != NT_OK) {
		nt_buf_free(&b);
		return rc;
	}
	if (!pretty) {
		*record = b.data;
		return NT_OK;
	}
	/* hand out memory the caller frees with free() */
	cJSON *rec = cJSON_ParseWithLength(b.data, b.len);
	nt_buf_free(&b);
	char *p = rec ? cJSON_Print(rec) : NULL;
	cJSON_Delete(rec);
	if (p) {
		size_t n = strlen(p);
		if ((*record = malloc(n + 1)) != NULL)
			memcpy(*record, p, n + 1);
		cJSON_free(p);
	}
	if (!*record)
		return nt_seterr(err, NT_ENOMEM, "out of memory");
	return NT_OK;
}

size_t nt_engine_facet_count(const struct nt_engine *e)
{
	return e->comb.nfacets;
}

const char *nt_engine_facet_name(const struct nt_engine *e, size_t i)
{
	return i < e->comb.nfacets ? e->comb.facets[i].facet : NULL;
}

int nt_engine_facet_single(const struct nt_engine *e, size_t i)
{
	return i < e->comb.nfacets ? e->comb.facets[i].cfg.single : 0;
}

size_t nt_engine_instance_count(const struct nt_engine *e)
{
	return e->ninst;
}

int nt_engine_instance(const struct nt_engine *e, size_t i, const char **name,
                       const struct nt_plugin **plugin, struct nt_info *info, const char **path)
{
	if (i >= e->ninst)
		return NT_ENOTFOUND;
	const struct instance *in = &e->inst[i];
	*name = in->name;
	*plugin = in->plugin;
	memset(info, 0, sizeof *info);
	if (in->plugin->describe)
		in->plugin->describe(in->state, info);
	if (!info->facets)
		info->facets = in->facets;
	*path = in->path;
	return NT_OK;
}

const char *nt_engine_models_dir(const struct nt_engine *e)
{
	return e->models_dir;
}
