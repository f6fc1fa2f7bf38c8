/* cmd_plugin_check.c - `newstag plugin-check FILE`: load, open, run and close one plugin */
#include "config.h"
#include "cli.h"
#include "docmodel.h"
#include "host.h"
#include "loader.h"
#include "options.h"
#include "sink.h"
#include "util.h"
#include "newstag/newstag.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char check_usage[] =
	"Usage: newstag plugin-check [--options JSON|@FILE] [--models DIR] FILE\n"
	"Load the plugin FILE the way the engine does, report its ABI, name, version and\n"
	"facets, open it with its default options (or the given JSON object), classify a\n"
	"built-in sample article, close it. Exits non-zero with the reason on any failure.\n";

/* A sample article written for this check. */
static const char sample_title[] = "Ministers agree new budget after talks in Brussels";
static const char sample_text[] =
	"BRUSSELS (Newstag) - European ministers agreed on Tuesday to raise defence spending and "
	"to fund new air-defence systems, after two days of talks that officials called difficult "
	"but constructive.\n"
	"The agreement follows months of pressure from Washington. Germany and France said the plan "
	"would be reviewed next year, while Poland welcomed it.\n";

/* Report an interned describe() label list or describe_numbers() list (nothing when empty):
 * its size on stdout ("head" first), its first malformed entry and the failure on stderr.
 * Returns 1 when every entry is usable. */
static int known_list_ok(const struct nt_known_label *v, size_t n, const char *head, const char *fn,
                         const char *what, const char *form, const char *emit)
{
	size_t bad = 0;
	if (n == 0)
		return 1;
	for (size_t i = 0; i < n; i++)
		if (v[i].facet == NULL && bad++ == 0)
			fprintf(stderr, "newstag plugin-check: %s: %s %zu is not %s; %s rejects it\n", fn, what, i,
			        form, emit);
	printf("%s%zu listed by %s%s\n", head, n, fn, bad ? ", some malformed" : "");
	if (bad)
		fprintf(stderr, "newstag plugin-check: FAIL: %s: %zu malformed %s%s\n", fn, bad, what,
		        bad == 1 ? "" : "s");
	return bad == 0;
}

int nt_cmd_plugin_check(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"options", required_argument, 0, 'o'},
		{"models", required_argument, 0, 'm'},
		{"help", no_argument, 0, 'h'},
		{0, 0, 0, 0},
	};
	const char *opts_arg = NULL, *models = NULL;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o': opts_arg = optarg; break;
		case 'm': models = optarg; break;
		case 'h': fputs(check_usage, stdout); return NT_EXIT_OK;
		default:
			fprintf(stderr, "newstag plugin-check: unknown option \"%s\" or missing value\n",
			        argv[optind - 1]);
			fputs(check_usage, stderr);
			return NT_EXIT_USAGE;
		}
	}
	if (optind != argc - 1) {
		fputs(check_usage, stderr);
		return NT_EXIT_USAGE;
	}
	const char *file = argv[optind];
	struct nt_error err = {0};
	cJSON *opts = NULL;
	if (opts_arg) {
		char *data = NULL;
		size_t len = strlen(opts_arg);
		const char *src = opts_arg;
		if (opts_arg[0] == '@') {
			if (nt_read_file(opts_arg + 1, 16u << 20, &data, &len, &err) != NT_OK) {
				fprintf(stderr, "newstag plugin-check: %s\n", err.msg);
				return NT_EXIT_INPUT;
			}
			src = data;
		}
		opts = cJSON_ParseWithLength(src, len);
		free(data);
		if (!cJSON_IsObject(opts)) {
			fprintf(stderr, "newstag plugin-check: --options must be a JSON object\n");
			cJSON_Delete(opts);
			return NT_EXIT_USAGE;
		}
	}
	char *models_dir = models ? nt_strdup(models) : NULL;
	if (!models_dir) {
		const char *env = getenv("NEWSTAG_MODELS");
		models_dir = nt_strdup(env ? env : NT_PKGDATADIR "/models");
	}
	struct nt_loader *l = NULL;
	const struct nt_module *m = NULL;
	int status = NT_EXIT_PLUGIN;
	void *cfg = NULL, *state = NULL;
	int opened = 0;
	struct nt_docbuf *db = NULL;
	struct nt_sink sink = {0};
	struct nt_known known = {0};
	if (nt_loader_new(NULL, &l, &err) != NT_OK || nt_loader_load_file(l, file, &m, &err) != NT_OK) {
		fprintf(stderr, "newstag plugin-check: FAIL: %s\n", err.msg);
		goto out;
	}
	const struct nt_plugin *p = m->plugin;
	printf("file:     %s\nplugin:   %s %s\nABI:      %u.%u (host %d.%d), descriptor %u bytes\n",
	       m->path, p->name, p->version, (unsigned)p->abi_major, (unsigned)p->abi_minor,
	       NT_PLUGIN_ABI_MAJOR, NT_PLUGIN_ABI_MINOR, (unsigned)p->struct_size);
	printf("facets:   ");
	for (size_t i = 0; p->facets && p->facets[i]; i++)
		printf("%s%s", i ? "," : "", p->facets[i]);
	printf("\noptions:  ");
	for (const struct nt_option *o = p->options; o && o->name; o++)
		printf("%s%s", o == p->options ? "" : ", ", o->name);
	printf("\n");
	if (nt_options_fill(p, opts, models_dir, "--options", &cfg, &err) != NT_OK) {
		fprintf(stderr, "newstag plugin-check: FAIL: %s\n", err.msg);
		goto out;
	}
	if (p->open) {
		struct nt_error perr = {0};
		int rc = p->open(nt_host_get(), cfg, models_dir, &state, &perr);
		if (rc != NT_OK) {
			fprintf(stderr, "newstag plugin-check: FAIL: open: %s\n",
			        perr.msg[0] ? perr.msg : nt_strerror(rc));
			goto out;
		}
	}
	opened = 1;
	printf("open:     ok\n");
	if (nt_known_build(&known, p, state) != NT_OK) {
		fprintf(stderr, "newstag plugin-check: out of memory\n");
		status = NT_EXIT_INTERNAL;
		goto out;
	}
	if (!known_list_ok(known.v, known.n, "labels:   ", "describe()", "label", "\"facet:label\" (each part 1..127 bytes)",
	                   "emit_known()") ||
	    !known_list_ok(known.num, known.nnum, "numbers:  ", "describe_numbers()", "number",
	                   "\"facet:key\" (each part 1..127 bytes, key not \"labels\" or \"scores\")",
	                   "emit_known_numbers()"))
		goto out;
	db = nt_docbuf_new();
	const struct nt_doc *doc;
	if (!db || nt_doc_build(db, "plugin-check-sample", sample_title, strlen(sample_title),
	                        sample_text, strlen(sample_text), 0, &doc, &err) != NT_OK) {
		fprintf(stderr, "newstag plugin-check: out of memory\n");
		status = NT_EXIT_INTERNAL;
		goto out;
	}
	nt_sink_reset(&sink, p->name);
	nt_sink_set_known(&sink, &known);
	struct nt_error perr = {0};
	int rc = p->classify(state, doc, &sink, &perr);
	if (rc != NT_OK) {
		fprintf(stderr, "newstag plugin-check: FAIL: classify: %s\n",
		        perr.msg[0] ? perr.msg : nt_strerror(rc));
		goto out;
	}
	printf("classify: ok, %zu label%s on the sample article\n", sink.nlabels,
	       sink.nlabels == 1 ? "" : "s");
	for (size_t i = 0; i < sink.nlabels; i++)
		printf("          %s: %s %.4f\n", sink.labels[i].facet, sink.labels[i].label,
		       sink.labels[i].score);
	status = NT_EXIT_OK;
out:
	if (opened && m->plugin->close)
		m->plugin->close(state);
	if (opened)
		printf("close:    ok\n");
	if (m && cfg)
		nt_options_free(m->plugin, cfg);
	nt_sink_release(&sink);
	nt_known_free(&known);
	nt_docbuf_free(db);
	nt_loader_free(l);
	cJSON_Delete(opts);
	free(models_dir);
	if (status == NT_EXIT_OK)
		printf("result:   PASS\n");
	return status;
}
