/* main.c - the newstag command line: subcommand dispatch, common options, help */
#include "config.h"
#include "cli.h"
#include "newstag/newstag.h"
#include "util.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage_text[] =
	"Usage: newstag COMMAND [OPTIONS] [ARGS]\n"
	"Tag news articles by region, topic and tone with classifier plugins.\n"
	"\n"
	"Commands:\n"
	"  tag [FILE...|-]        tag articles (one per file; '-' = stdin) and print a record each\n"
	"  batch [IN...] [-o OUT] tag JSONL / directories of .txt into JSONL (threads, resume)\n"
	"  train                  train a model for a facet from labelled JSONL\n"
	"  eval                   precision / recall / F1 against labelled JSONL\n"
	"  plugins                list the plugins found and the pipeline in use\n"
	"  plugin-check FILE      load a plugin file, check it and run it on a sample article\n"
	"\n"
	"Common options (tag, batch, eval, plugins):\n"
	"  --config FILE          pipeline config (default: MODELS/pipeline.json)\n"
	"  --models DIR           models directory (default: the shipped models)\n"
	"  --plugin-dir DIR       search DIR for plugins first (repeatable)\n"
	"  --model DIR            add the facet of a trained model directory (repeatable)\n"
	"  -h, --help             help for newstag or a command\n"
	"  -V, --version          print the version\n"
	"\n"
	"Exit codes: 0 ok, 1 some articles failed (error records written), 2 usage,\n"
	"3 input unreadable or malformed, 4 plugin/config/model could not be loaded, 5 internal.\n"
	"See newstag(1).\n";

int nt_cli_engine_option(int opt, const char *arg, struct nt_engine_options *eo)
{
	const char ***list;
	switch (opt) {
	case NT_OPT_CONFIG:
		free((char *)eo->config_path);
		eo->config_path = nt_strdup(arg);
		return 1;
	case NT_OPT_MODELS:
		free((char *)eo->models_dir);
		eo->models_dir = nt_strdup(arg);
		return 1;
	case NT_OPT_PLUGIN_DIR:
		list = (const char ***)&eo->plugin_dirs;
		break;
	case NT_OPT_MODEL:
		list = (const char ***)&eo->model_dirs;
		break;
	default:
		return 0;
	}
	size_t n = 0;
	while (*list && (*list)[n])
		n++;
	const char **nl = realloc((void *)*list, (n + 2) * sizeof *nl);
	if (!nl) {
		fprintf(stderr, "newstag: out of memory\n");
		exit(NT_EXIT_INTERNAL);
	}
	nl[n] = nt_strdup(arg);
	nl[n + 1] = NULL;
	*list = nl;
	return 1;
}

void nt_cli_engine_options_free(struct nt_engine_options *eo)
{
	free((char *)eo->config_path);
	free((char *)eo->models_dir);
	for (size_t i = 0; eo->plugin_dirs && eo->plugin_dirs[i]; i++)
		free((char *)eo->plugin_dirs[i]);
	for (size_t i = 0; eo->model_dirs && eo->model_dirs[i]; i++)
		free((char *)eo->model_dirs[i]);
	free((void *)eo->plugin_dirs);
	free((void *)eo->model_dirs);
	memset(eo, 0, sizeof *eo);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage_text, stderr);
		return NT_EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
		fputs(usage_text, stdout);
		return NT_EXIT_OK;
	}
	if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
		printf("newstag %s (record schema %d, plugin ABI %d.%d)\n", nt_version, NT_RECORD_SCHEMA,
		       NT_PLUGIN_ABI_MAJOR, NT_PLUGIN_ABI_MINOR);
		return NT_EXIT_OK;
	}
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} cmds[] = {
		{"tag", nt_cmd_tag},
		{"batch", nt_cmd_batch},
		{"train", nt_cmd_train},
		{"eval", nt_cmd_eval},
		{"plugins", nt_cmd_plugins},
		{"plugin-check", nt_cmd_plugin_check},
	};
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		if (strcmp(cmd, cmds[i].name) == 0)
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "newstag: unknown command \"%s\" (try newstag --help)\n", cmd);
	return NT_EXIT_USAGE;
}
