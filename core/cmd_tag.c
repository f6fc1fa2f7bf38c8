/* cmd_tag.c - `newstag tag [FILE...|-]`: one record per article file */
#include "config.h"
#include "cli.h"
#include "engine.h"
#include "util.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NT_TAG_DEFAULT_MAX (64u << 20)

static const char tag_usage[] =
	"Usage: newstag tag [OPTIONS] [FILE...|-]\n"
	"Tag each FILE (one article; its first line is the title when a blank line follows)\n"
	"or standard input ('-', the default) and print one record per article.\n"
	"\n"
	"  --format pretty|jsonl  output format (default: pretty for one article on a terminal,\n"
	"                         JSONL otherwise)\n"
	"  --explain              add to every label the words that decided it, with weights\n"
	"  --max-bytes N          refuse articles larger than N bytes (default 64 MiB)\n"
	"  --config FILE, --models DIR, --plugin-dir DIR, --model DIR   see newstag --help\n";

/* Read all of stdin. */
static int read_stdin(size_t max, char **data, size_t *len, struct nt_error *err)
{
	struct nt_buf b = {0};
	for (;;) {
		if (nt_buf_reserve(&b, 65536) != NT_OK) {
			nt_buf_free(&b);
			return nt_seterr(err, NT_ENOMEM, "standard input: out of memory");
		}
		size_t n = fread(b.data + b.len, 1, 65536, stdin);
		b.len += n;
		if (b.len > max) {
			nt_buf_free(&b);
			return nt_seterr(err, NT_EINVAL, "standard input: larger than the limit of %zu bytes", max);
		}
		if (n == 0)
			break;
	}
	if (ferror(stdin)) {
		nt_buf_free(&b);
		return nt_seterr(err, NT_EIO, "standard input: read error: %s", strerror(errno));
	}
	if (nt_buf_reserve(&b, 1) != NT_OK) {
		nt_buf_free(&b);
		return nt_seterr(err, NT_ENOMEM, "standard input: out of memory");
	}
	b.data[b.len] = '\0';
	*data = b.data;
	*len = b.len;
	return NT_OK;
}

/* Reject input that is not an article: empty, or binary (a NUL byte). */
static int check_article_text(const char *name, const char *data, size_t len, struct nt_error *err)
{
	size_t i = 0;
	while (i < len && (data[i] == ' ' || data[i] == '\n' || data[i] == '\t' || data[i] == '\r'))
		i++;
	if (i == len)
		return nt_seterr(err, NT_EFORMAT, "%s: empty article (%zu bytes, no text)", name, len);
	const char *nul = memchr(data, '\0', len);
	if (nul)
		return nt_seterr(err, NT_EFORMAT, "%s: binary file, not text (NUL byte at offset %zu)",
		                 name, (size_t)(nul - data));
	return NT_OK;
}

int nt_cmd_tag(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"format", required_argument, 0, 'f'},
		{"explain", no_argument, 0, 'e'},
		{"max-bytes", required_argument, 0, 'm'},
		{"help", no_argument, 0, 'h'},
		NT_CLI_ENGINE_LONGOPTS,
		{0, 0, 0, 0},
	};
	struct nt_engine_options eo = {0};
	int format = -1; /* -1 auto, 0 jsonl, 1 pretty */
	size_t max = NT_TAG_DEFAULT_MAX;
	int c;
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (nt_cli_engine_option(c, optarg, &eo))
			continue;
		switch (c) {
		case 'f':
			if (strcmp(optarg, "pretty") == 0)
				format = 1;
			else if (strcmp(optarg, "jsonl") == 0)
				format = 0;
			else {
				fprintf(stderr, "newstag tag: --format must be pretty or jsonl, not \"%s\"\n", optarg);
				nt_cli_engine_options_free(&eo);
				return NT_EXIT_USAGE;
			}
			break;
		case 'e':
			eo.explain = 1;
			break;
		case 'm': {
			char *end;
			errno = 0;
			unsigned long long v = strtoull(optarg, &end, 10);
			if (errno || *end || v == 0 || optarg[0] == '-') {
				fprintf(stderr, "newstag tag: --max-bytes needs a positive number, not \"%s\"\n",
				        optarg);
				nt_cli_engine_options_free(&eo);
				return NT_EXIT_USAGE;
			}
			max = (size_t)v;
			break;
		}
		case 'h':
			fputs(tag_usage, stdout);
			nt_cli_engine_options_free(&eo);
			return NT_EXIT_OK;
		default:
			if (optopt)
				fprintf(stderr, "newstag tag: option -%c is unknown or needs a value\n", optopt);
			else
				fprintf(stderr, "newstag tag: unknown option \"%s\" or missing value\n",
				        argv[optind - 1]);
			fputs(tag_usage, stderr);
			nt_cli_engine_options_free(&eo);
			return NT_EXIT_USAGE;
		}
	}
	char *stdin_only[] = {(char *)"-", NULL};
	char **files = optind < argc ? argv + optind : stdin_only;
	int nfiles = optind < argc ? argc - optind : 1;
	if (format < 0)
		format = nfiles == 1 && isatty(STDOUT_FILENO) ? 1 : 0;

	struct nt_engine *eng;
	struct nt_error err = {0};
	if (nt_engine_open(&eo, &eng, &err) != NT_OK) {
		fprintf(stderr, "newstag tag: %s\n", err.msg);
		nt_cli_engine_options_free(&eo);
		return NT_EXIT_PLUGIN;
	}
	int status = NT_EXIT_OK;
	for (int i = 0; i < nfiles; i++) {
		const char *name = files[i];
		int is_stdin = strcmp(name, "-") == 0;
		char *data = NULL;
		size_t len = 0;
		int rc = is_stdin ? read_stdin(max, &data, &len, &err)
		                  : nt_read_file(name, max, &data, &len, &err);
		if (rc == NT_OK)
			rc = check_article_text(is_stdin ? "standard input" : name, data, len, &err);
		if (rc != NT_OK) {
			fprintf(stderr, "newstag tag: %s\n", err.msg);
			free(data);
			if (rc == NT_ENOMEM)
				status = NT_EXIT_INTERNAL;
			else if (status == NT_EXIT_OK)
				status = NT_EXIT_INPUT;
			continue;
		}
		struct nt_article a = {0};
		a.id = is_stdin ? "-" : name;
		a.text = data;
		a.text_len = len;
		a.title_in_text = 1;
		char *rec = NULL;
		rc = nt_engine_tag(eng, &a, format == 1, &rec, &err);
		free(data);
		if (rc != NT_OK) {
			fprintf(stderr, "newstag tag: %s: %s\n", name, err.msg);
			status = NT_EXIT_INTERNAL;
			continue;
		}
		fputs(rec, stdout);
		fputc('\n', stdout);
		free(rec);
	}
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "newstag tag: writing the output failed: %s\n", strerror(errno));
		status = NT_EXIT_INTERNAL;
	}
	nt_engine_close(eng);
	nt_cli_engine_options_free(&eo);
	return status;
}
