/* cmd_plugins.c - `newstag plugins`: the plugins found and the pipeline in use */
#include "config.h"
#include "cli.h"
#include "engine.h"
#include "loader.h"
#include "util.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char plugins_usage[] =
	"Usage: newstag plugins [--json] [--config FILE] [--models DIR] [--plugin-dir DIR]\n"
	"List every plugin found on the search path (name, version, facets, file), then the\n"
	"pipeline in use (instances, facets, labels, models).\n";

static void print_list(const char *const *l, const char *sep)
{
	for (size_t i = 0; l && l[i]; i++)
		printf("%s%s", i ? sep : "", l[i]);
}

static void visit(void *ctx, const struct nt_module *m, const char *path, const struct nt_error *err)
{
	(void)path;
	cJSON *arr = ctx;
	if (!m) {
		if (arr) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "path", path);
			cJSON_AddStringToObject(o, "error", err->msg);
			cJSON_AddItemToArray(arr, o);
		} else {
			printf("  (rejected) %s\n", err->msg);
		}
		return;
	}
	const struct nt_plugin *p = m->plugin;
	if (arr) {
		cJSON *o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", p->name);
		cJSON_AddStringToObject(o, "version", p->version);
		if (p->description)
			cJSON_AddStringToObject(o, "description", p->description);
		cJSON *f = cJSON_AddArrayToObject(o, "facets");
		for (size_t i = 0; p->facets && p->facets[i]; i++)
			cJSON_AddItemToArray(f, cJSON_CreateString(p->facets[i]));
		cJSON_AddStringToObject(o, "path", m->path);
		cJSON *opts = cJSON_AddArrayToObject(o, "options");
		for (const struct nt_option *op = p->options; opts && op && op->name; op++) {
			cJSON *x = cJSON_CreateObject();
			cJSON_AddStringToObject(x, "name", op->name);
			if (op->def)
				cJSON_AddStringToObject(x, "default", op->def);
			if (op->help)
				cJSON_AddStringToObject(x, "help", op->help);
			cJSON_AddItemToArray(opts, x);
		}
		cJSON_AddItemToArray(arr, o);
		return;
	}
	printf("  %-10s %-8s facets: ", p->name, p->version);
	print_list(p->facets, ",");
	printf("\n  %-10s %s\n  %-10s %s\n", "", p->description ? p->description : "", "", m->path);
	for (const struct nt_option *o = p->options; o && o->name; o++)
		printf("  %-10s option %s = %s: %s\n", "", o->name, o->def ? o->def : "(none)",
		       o->help ? o->help : "");
}

int nt_cmd_plugins(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"json", no_argument, 0, 'j'},
		{"help", no_argument, 0, 'h'},
		NT_CLI_ENGINE_LONGOPTS,
		{0, 0, 0, 0},
	};
	struct nt_engine_options eo = {0};
	int json = 0, c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (nt_cli_engine_option(c, optarg, &eo))
			continue;
		if (c == 'j') {
			json = 1;
		} else if (c == 'h') {
			fputs(plugins_usage, stdout);
			nt_cli_engine_options_free(&eo);
			return NT_EXIT_OK;
		} else {
			fprintf(stderr, "newstag plugins: unknown option \"%s\"\n", argv[optind - 1]);
			fputs(plugins_usage, stderr);
			nt_cli_engine_options_free(&eo);
			return NT_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "newstag plugins: unexpected argument \"%s\"\n", argv[optind]);
		nt_cli_engine_options_free(&eo);
		return NT_EXIT_USAGE;
	}
	struct nt_error err = {0};
	struct nt_loader *l;
	if (nt_loader_new(eo.plugin_dirs, &l, &err) != NT_OK) {
		fprintf(stderr, "newstag plugins: %s\n", err.msg);
		nt_cli_engine_options_free(&eo);
		return NT_EXIT_PLUGIN;
	}
	cJSON *root = json ? cJSON_CreateObject() : NULL;
	cJSON *found = json ? cJSON_AddArrayToObject(root, "plugins") : NULL;
	if (!json)
		printf("Plugins found:\n");
	nt_loader_each(l, visit, found);
	nt_loader_free(l);

	struct nt_engine *eng;
	int status = NT_EXIT_OK;
	if (nt_engine_open(&eo, &eng, &err) != NT_OK) {
		fprintf(stderr, "newstag plugins: pipeline: %s\n", err.msg);
		status = NT_EXIT_PLUGIN;
	} else {
		cJSON *pipe = json ? cJSON_AddArrayToObject(root, "pipeline") : NULL;
		if (!json)
			printf("\nPipeline (models: %s):\n", nt_engine_models_dir(eng));
		for (size_t i = 0; i < nt_engine_instance_count(eng); i++) {
			const char *name, *path;
			const struct nt_plugin *p;
			struct nt_info info;
			nt_engine_instance(eng, i, &name, &p, &info, &path);
			if (json) {
				cJSON *o = cJSON_CreateObject();
				cJSON_AddStringToObject(o, "instance", name);
				cJSON_AddStringToObject(o, "plugin", p->name);
				cJSON_AddStringToObject(o, "version", p->version);
				cJSON *f = cJSON_AddArrayToObject(o, "facets");
				for (size_t k = 0; info.facets && info.facets[k]; k++)
					cJSON_AddItemToArray(f, cJSON_CreateString(info.facets[k]));
				if (info.labels) {
					cJSON *lb = cJSON_AddArrayToObject(o, "labels");
					for (size_t k = 0; info.labels[k]; k++)
						cJSON_AddItemToArray(lb, cJSON_CreateString(info.labels[k]));
				}
				if (info.model)
					cJSON_AddStringToObject(o, "model", info.model);
				if (info.model_digest)
					cJSON_AddStringToObject(o, "model_digest", info.model_digest);
				cJSON_AddStringToObject(o, "path", path);
				cJSON_AddItemToArray(pipe, o);
				continue;
			}
			printf("  %s (plugin %s %s)\n    facets: ", name, p->name, p->version);
			print_list(info.facets, ", ");
			if (info.labels) {
				/* a long list (region: 260) shortened to its ends; --json lists all */
				size_t n = 0;
				while (info.labels[n])
					n++;
				printf("\n    labels: ");
				if (n <= 16) {
					print_list(info.labels, ", ");
				} else {
					for (size_t k = 0; k < 6; k++)
						printf("%s, ", info.labels[k]);
					printf("... %s, %s (%zu labels; --json lists them all)", info.labels[n - 2],
					       info.labels[n - 1], n);
				}
			}
			if (info.model)
				printf("\n    model:  %s%s%s", info.model, info.model_digest ? " " : "",
				       info.model_digest ? info.model_digest : "");
			printf("\n    path:   %s\n", path);
		}
		nt_engine_close(eng);
	}
	if (json) {
		char *s = cJSON_Print(root);
		if (s)
			puts(s);
		cJSON_free(s);
		cJSON_Delete(root);
	}
	nt_cli_engine_options_free(&eo);
	return status;
}
