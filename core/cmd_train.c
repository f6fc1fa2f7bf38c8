/* cmd_train.c - `newstag train`: train a plugin's model for one facet from labelled JSONL */
#include "config.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "host.h"
#include "loader.h"
#include "newstag/newstag.h"
#include "options.h"
#include "trainset.h"
#include "util.h"

#define TRAIN_MAX_LINE (64u * 1024u * 1024u)

static void train_usage(FILE *fp)
{
	fputs("usage: newstag train --facet NAME --data FILE.jsonl --out DIR [options]\n"
	      "  --facet NAME        facet to train (labels are read from labels.NAME of each line)\n"
	      "  --data FILE         JSONL: {\"id\",\"title\",\"text\",\"labels\":{\"NAME\":[\"label\",...]}}\n"
	      "  --out DIR           model directory to write (replaced atomically)\n"
	      "  --plugin NAME       plugin that trains (default topic)\n"
	      "  --seed N            seed for the folds and solvers (default 1)\n"
	      "  --folds K           k of the k-fold cross-validation (default 5)\n"
	      "  --set KEY=VALUE     a plugin option (VALUE is JSON, or a string), repeatable\n"
	      "  --plugin-dir DIR    extra plugin directory (repeatable); --models DIR\n",
	      fp);
}

/* Does plugin p declare option `name`? */
static const struct nt_option *train_find_option(const struct nt_plugin *p, const char *name)
{
	for (const struct nt_option *o = p->options; o && o->name; o++)
		if (strcmp(o->name, name) == 0)
			return o;
	return NULL;
}

/* Read the labelled JSONL into a new training set. Errors name file:line. Lines
 * without labels.FACET are skipped and counted in *skipped. */
static int train_read(const char *path, const char *facet, struct nt_train_set **out, size_t *skipped,
                      struct nt_error *err)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "r");
	if (!fp)
		return nt_seterr(err, NT_EIO, "%s: %s", path, strerror(errno));
	struct nt_train_set *set = nt_trainset_new();
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t n;
	int rc = NT_OK;
	const char **labs = NULL;
	size_t labcap = 0;
	*skipped = 0;
	if (!set) {
		rc = nt_seterr(err, NT_ENOMEM, "out of memory");
		goto done;
	}
	while ((n = getline(&line, &cap, fp)) >= 0) {
		lineno++;
		if ((size_t)n > TRAIN_MAX_LINE) {
			rc = nt_seterr(err, NT_EFORMAT, "%s:%zu: line longer than %u bytes", path, lineno, TRAIN_MAX_LINE);
			goto done;
		}
		size_t k = 0;
		while (k < (size_t)n && (line[k] == ' ' || line[k] == '\t' || line[k] == '\r' || line[k] == '\n'))
			k++;
		if (k == (size_t)n)
			continue; /* blank line */
		if (memchr(line, '\0', (size_t)n)) {
			rc = nt_seterr(err, NT_EFORMAT, "%s:%zu: NUL byte in the line", path, lineno);
			goto done;
		}
		const char *end = NULL;
		cJSON *j = cJSON_ParseWithLengthOpts(line, (size_t)n + 1, &end, 1);
		if (!j) {
			rc = nt_seterr(err, NT_EFORMAT, "%s:%zu: not valid JSON (near byte %ld)", path, lineno,
			               end ? (long)(end - line) + 1 : 0L);
			goto done;
		}
		const cJSON *id = cJSON_GetObjectItemCaseSensitive(j, "id");
		const cJSON *title = cJSON_GetObjectItemCaseSensitive(j, "title");
		const cJSON *text = cJSON_GetObjectItemCaseSensitive(j, "text");
		const cJSON *labels = cJSON_GetObjectItemCaseSensitive(j, "labels");
		const char *what = NULL;
		char idbuf[64];
		const char *ids = idbuf;
		if (!cJSON_IsObject(j))
			what = "a line must be a JSON object";
		else if (!cJSON_IsString(text))
			what = "\"text\" must be a string";
		else if (title && !cJSON_IsString(title) && !cJSON_IsNull(title))
			what = "\"title\" must be a string";
		else if (id && !cJSON_IsString(id) && !cJSON_IsNumber(id))
			what = "\"id\" must be a string or a number";
		else if (!cJSON_IsObject(labels))
			what = "\"labels\" must be an object {\"FACET\": [\"label\", ...]}";
		if (what) {
			rc = nt_seterr(err, NT_EFORMAT, "%s:%zu: %s", path, lineno, what);
			cJSON_Delete(j);
			goto done;
		}
		if (cJSON_IsString(id))
			ids = id->valuestring;
		else if (cJSON_IsNumber(id))
			snprintf(idbuf, sizeof idbuf, "%.17g", id->valuedouble);
		else
			snprintf(idbuf, sizeof idbuf, "line %zu", lineno);
		const cJSON *fl = cJSON_GetObjectItemCaseSensitive(labels, facet);
		if (!fl) {
			(*skipped)++;
			cJSON_Delete(j);
			continue;
		}
		if (cJSON_IsString(fl)) {
			/* a single label may be given as a string */
		} else if (!cJSON_IsArray(fl)) {
			rc = nt_seterr(err, NT_EFORMAT, "%s:%zu: labels.%s must be an array of strings", path, lineno, facet);
			cJSON_Delete(j);
			goto done;
		}
		size_t nl = cJSON_IsString(fl) ? 1 : (size_t)cJSON_GetArraySize(fl);
		if (nl + 1 > labcap) {
			labcap = nl + 8;
			const char **p = realloc(labs, labcap * sizeof *p);
			if (!p) {
				rc = nt_seterr(err, NT_ENOMEM, "out of memory");
				cJSON_Delete(j);
				goto done;
			}
			labs = p;
		}
		if (cJSON_IsString(fl))
			labs[0] = fl->valuestring;
		else {
			size_t q = 0;
			const cJSON *e;
			cJSON_ArrayForEach(e, fl)
			{
				if (!cJSON_IsString(e) || !e->valuestring[0]) {
					rc = nt_seterr(err, NT_EFORMAT, "%s:%zu: labels.%s[%zu] must be a non-empty string", path,
					               lineno, facet, q);
					cJSON_Delete(j);
					goto done;
				}
				labs[q++] = e->valuestring;
			}
		}
		rc = nt_trainset_add(set, ids, cJSON_IsString(title) ? title->valuestring : NULL, text->valuestring,
		                     strlen(text->valuestring), labs, nl, err);
		cJSON_Delete(j);
		if (rc) {
			char m[sizeof err->msg];
			snprintf(m, sizeof m, "%s", err ? err->msg : "");
			rc = nt_seterr(err, rc, "%s:%zu: %s", path, lineno, m);
			goto done;
		}
	}
	if (ferror(fp))
		rc = nt_seterr(err, NT_EIO, "%s: read error", path);
done:
	free(line);
	free(labs);
	if (fp != stdin)
		fclose(fp);
	if (rc) {
		nt_trainset_free(set);
		return rc;
	}
	*out = set;
	return NT_OK;
}

/* Print the per-label cross-validated metrics a model manifest carries (if any). */
static void train_report(const char *out_dir, double secs, size_t ndocs)
{
	char *path = nt_path_join(out_dir, "manifest.json"), *buf = NULL;
	size_t len;
	printf("trained on %zu documents in %.2f s; model written to %s\n", ndocs, secs, out_dir);
	if (!path || nt_read_file(path, 64u << 20, &buf, &len, NULL) != NT_OK) {
		free(path);
		return;
	}
	cJSON *m = cJSON_Parse(buf);
	const cJSON *labels = cJSON_GetObjectItemCaseSensitive(m, "labels");
	if (cJSON_IsArray(labels)) {
		printf("cross-validated (%s):\n", cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(m, "single_label"))
		                                     ? "single-label, best label per document"
		                                     : "multi-label, per-label thresholds");
		printf("  %-24s %9s %9s %9s %8s %9s %8s\n", "label", "precision", "recall", "F1", "support", "threshold",
		       "C");
		const cJSON *l;
		cJSON_ArrayForEach(l, labels)
		{
			const cJSON *cv = cJSON_GetObjectItemCaseSensitive(l, "cv");
			const cJSON *nm = cJSON_GetObjectItemCaseSensitive(l, "label");
#define NUM(o, k) (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(o, k)) ? cJSON_GetObjectItemCaseSensitive(o, k)->valuedouble : NAN)
			printf("  %-24s %9.3f %9.3f %9.3f %8.0f %9.3f %8g\n", cJSON_IsString(nm) ? nm->valuestring : "?",
			       NUM(cv, "precision"), NUM(cv, "recall"), NUM(cv, "f1"), NUM(cv, "support"),
			       NUM(l, "threshold"), NUM(l, "C"));
		}
		const cJSON *cm = cJSON_GetObjectItemCaseSensitive(m, "cv_metrics");
		const cJSON *mi = cJSON_GetObjectItemCaseSensitive(cm, "micro");
		if (mi)
			printf("  %-24s %9.3f %9.3f %9.3f\n", "micro", NUM(mi, "precision"), NUM(mi, "recall"), NUM(mi, "f1"));
		if (cJSON_GetObjectItemCaseSensitive(cm, "macro_f1"))
			printf("  %-24s %9s %9s %9.3f\n", "macro", "", "", NUM(cm, "macro_f1"));
		if (cJSON_GetObjectItemCaseSensitive(cm, "accuracy"))
			printf("  accuracy %.4f\n", NUM(cm, "accuracy"));
#undef NUM
	}
	cJSON_Delete(m);
	free(buf);
	free(path);
}

int nt_cmd_train(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"facet", required_argument, 0, 'f'},
		{"data", required_argument, 0, 'd'},
		{"out", required_argument, 0, 'o'},
		{"plugin", required_argument, 0, 'p'},
		{"seed", required_argument, 0, 's'},
		{"folds", required_argument, 0, 'k'},
		{"set", required_argument, 0, 'S'},
		{"help", no_argument, 0, 'h'},
		NT_CLI_ENGINE_LONGOPTS,
		{0, 0, 0, 0}};
	struct nt_engine_options eo;
	const char *facet = NULL, *data = NULL, *out = NULL, *plugin = "topic";
	long seed = 1, folds = 5;
	int have_seed = 0, have_folds = 0, c, ret = NT_EXIT_OK;
	cJSON *opts = cJSON_CreateObject(), *raw = cJSON_CreateObject();
	struct nt_error err = {0, ""};
	struct nt_train_set *set = NULL;
	struct nt_loader *loader = NULL;
	void *cfg = NULL;
	const struct nt_module *mod = NULL;
	memset(&eo, 0, sizeof eo);
	if (!opts || !raw) {
		cJSON_Delete(opts);
		cJSON_Delete(raw);
		fprintf(stderr, "newstag train: out of memory\n");
		return NT_EXIT_INTERNAL;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "f:d:o:p:s:k:S:h", longopts, NULL)) != -1) {
		char *end;
		switch (c) {
		case 'f': facet = optarg; break;
		case 'd': data = optarg; break;
		case 'o': out = optarg; break;
		case 'p': plugin = optarg; break;
		case 's':
		case 'k': {
			errno = 0;
			long v = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || v < 0) {
				fprintf(stderr, "newstag train: --%s: \"%s\" is not a non-negative integer\n",
				        c == 's' ? "seed" : "folds", optarg);
				ret = NT_EXIT_USAGE;
				goto done;
			}
			if (c == 's') {
				seed = v;
				have_seed = 1;
			} else {
				folds = v;
				have_folds = 1;
			}
			break;
		}
		case 'S': {
			const char *eq = strchr(optarg, '=');
			if (!eq || eq == optarg) {
				fprintf(stderr, "newstag train: --set expects KEY=VALUE, got \"%s\"\n", optarg);
				ret = NT_EXIT_USAGE;
				goto done;
			}
			char key[128];
			size_t kl = (size_t)(eq - optarg);
			if (kl >= sizeof key) {
				fprintf(stderr, "newstag train: --set: key too long\n");
				ret = NT_EXIT_USAGE;
				goto done;
			}
			memcpy(key, optarg, kl);
			key[kl] = '\0';
			/* the raw text; typed once the plugin's option table is known */
			cJSON_DeleteItemFromObjectCaseSensitive(raw, key);
			cJSON_AddItemToObject(raw, key, cJSON_CreateString(eq + 1));
			break;
		}
		case 'h':
			train_usage(stdout);
			goto done;
		default:
			if (c >= NT_OPT_CONFIG && nt_cli_engine_option(c, optarg, &eo))
				break;
			train_usage(stderr);
			ret = NT_EXIT_USAGE;
			goto done;
		}
	}
	if (optind < argc || !facet || !data || !out) {
		fprintf(stderr, "newstag train: %s\n", optind < argc ? "unexpected argument" : "--facet, --data and --out are required");
		train_usage(stderr);
		ret = NT_EXIT_USAGE;
		goto done;
	}
	if (nt_loader_new(eo.plugin_dirs, &loader, &err) != NT_OK ||
	    nt_loader_load(loader, plugin, &mod, &err) != NT_OK) {
		fprintf(stderr, "newstag train: %s\n", err.msg);
		ret = NT_EXIT_PLUGIN;
		goto done;
	}
	const struct nt_plugin *p = mod->plugin;
	if (!p->train) {
		fprintf(stderr, "newstag train: plugin %s (%s) cannot train models\n", p->name, mod->path);
		ret = NT_EXIT_PLUGIN;
		goto done;
	}
	/* --set KEY=VALUE: a string for string and path options, JSON otherwise */
	const cJSON *rv;
	cJSON_ArrayForEach(rv, raw)
	{
		const struct nt_option *o = train_find_option(p, rv->string);
		cJSON *v = NULL;
		if (!o || (o->type != NT_OPT_STRING && o->type != NT_OPT_PATH))
			v = cJSON_ParseWithOpts(rv->valuestring, NULL, 1); /* the whole value must be JSON */
		if (!v)
			v = cJSON_CreateString(rv->valuestring);
		cJSON_AddItemToObject(opts, rv->string, v);
	}
	/* seed, folds and the data digest go to the plugin when it declares them */
	if (train_find_option(p, "seed") && !cJSON_GetObjectItemCaseSensitive(opts, "seed"))
		cJSON_AddNumberToObject(opts, "seed", (double)seed);
	else if (have_seed && !train_find_option(p, "seed"))
		fprintf(stderr, "newstag train: warning: plugin %s has no seed option; --seed ignored\n", p->name);
	if (train_find_option(p, "folds") && !cJSON_GetObjectItemCaseSensitive(opts, "folds"))
		cJSON_AddNumberToObject(opts, "folds", (double)folds);
	else if (have_folds && !train_find_option(p, "folds"))
		fprintf(stderr, "newstag train: warning: plugin %s has no folds option; --folds ignored\n", p->name);
	const struct nt_host *host = nt_host_get();
	if (train_find_option(p, "data_digest") && strcmp(data, "-") != 0) {
		char dg[80];
		if (host->digest_file(data, dg, sizeof dg) == NT_OK)
			cJSON_AddStringToObject(opts, "data_digest", dg);
	}
	if (nt_options_fill(p, opts, eo.models_dir, "command line", &cfg, &err) != NT_OK) {
		fprintf(stderr, "newstag train: %s\n", err.msg);
		ret = NT_EXIT_USAGE;
		goto done;
	}
	size_t skipped = 0;
	if (train_read(data, facet, &set, &skipped, &err) != NT_OK) {
		fprintf(stderr, "newstag train: %s\n", err.msg);
		ret = err.code == NT_ENOMEM ? NT_EXIT_INTERNAL : NT_EXIT_INPUT;
		goto done;
	}
	if (skipped)
		fprintf(stderr, "newstag train: %zu line(s) of %s have no labels.%s and were skipped\n", skipped, data,
		        facet);
	if (nt_trainset_count(set) == 0) {
		fprintf(stderr, "newstag train: %s: no document labelled for facet %s\n", data, facet);
		ret = NT_EXIT_INPUT;
		goto done;
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	int rc = p->train(host, cfg, facet, set, out, &err);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (rc != NT_OK) {
		fprintf(stderr, "newstag train: %s: %s\n", p->name, err.msg[0] ? err.msg : nt_strerror(rc));
		ret = rc == NT_ENOMEM ? NT_EXIT_INTERNAL : rc == NT_EIO ? NT_EXIT_INPUT : NT_EXIT_PLUGIN;
		goto done;
	}
	train_report(out, (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9,
	             nt_trainset_count(set));
done:
	if (cfg && mod)
		nt_options_free(mod->plugin, cfg);
	nt_trainset_free(set);
	nt_loader_free(loader);
	nt_cli_engine_options_free(&eo);
	cJSON_Delete(opts);
	cJSON_Delete(raw);
	return ret;
}
