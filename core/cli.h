/* cli.h - exit codes and subcommand entry points of the newstag command line */
#ifndef NT_CLI_H
#define NT_CLI_H

/* Exit codes (documented in newstag.1 and the README). */
enum nt_exit {
	NT_EXIT_OK = 0,       /* success */
	NT_EXIT_PARTIAL = 1,  /* done, but some articles could not be tagged (error records written) */
	NT_EXIT_USAGE = 2,    /* bad command line */
	NT_EXIT_INPUT = 3,    /* an input file could not be read or is malformed */
	NT_EXIT_PLUGIN = 4,   /* a plugin, config or model could not be loaded */
	NT_EXIT_INTERNAL = 5  /* out of memory or a bug */
};

/* Each subcommand gets argv with argv[0] = the subcommand name, parses its own
 * options (getopt_long) and returns an enum nt_exit. Messages go to stderr
 * prefixed "newstag <cmd>: ". */
int nt_cmd_tag(int argc, char **argv);
int nt_cmd_batch(int argc, char **argv);
int nt_cmd_plugins(int argc, char **argv);
int nt_cmd_train(int argc, char **argv);
int nt_cmd_eval(int argc, char **argv);
int nt_cmd_plugin_check(int argc, char **argv);

/* Common engine options shared by subcommands: --config FILE, --models DIR,
 * --plugin-dir DIR (repeatable), --model DIR (repeatable). Returns 1 when opt was
 * one of them (and consumed optarg), 0 otherwise. */
struct nt_engine_options;
int nt_cli_engine_option(int opt, const char *optarg_, struct nt_engine_options *eo);

/* getopt_long option codes for the common options (>= 256 so they never clash). */
#define NT_OPT_CONFIG 256
#define NT_OPT_MODELS 257
#define NT_OPT_PLUGIN_DIR 258
#define NT_OPT_MODEL 259
#define NT_CLI_ENGINE_LONGOPTS                                      \
	{"config", required_argument, 0, NT_OPT_CONFIG},            \
	{"models", required_argument, 0, NT_OPT_MODELS},            \
	{"plugin-dir", required_argument, 0, NT_OPT_PLUGIN_DIR},    \
	{"model", required_argument, 0, NT_OPT_MODEL}

/* Free what nt_cli_engine_option() allocated in eo. */
void nt_cli_engine_options_free(struct nt_engine_options *eo);

#endif /* NT_CLI_H */
