/* newstag.h - the newstag embedding API: open an engine, tag articles into records */
#ifndef NT_NEWSTAG_H
#define NT_NEWSTAG_H

/*
 * OWNERSHIP: every nt_*_open/new returns an object the caller releases with the
 * matching nt_*_close/free. Strings passed in are borrowed for the call. A record
 * string returned by nt_engine_tag() is owned by the caller (free() it).
 * THREADING: one nt_engine may be used by many threads at once for nt_engine_tag()
 * once nt_engine_open() has returned; open and close are not concurrent.
 * ERRORS: functions return NT_OK (0) or a negative enum nt_status and fill an
 * optional struct nt_error (see plugin.h).
 */

#include <stddef.h>
#include "newstag/plugin.h"

#ifdef __cplusplus
extern "C" {
#endif

#define NT_VERSION_STRING "0.1.0"
#define NT_RECORD_SCHEMA 1

/* Run-time library version, to detect a header/library mismatch. */
extern const char nt_version[];

/* Options for nt_engine_open(); zero-initialise and set what you need. */
struct nt_engine_options {
	const char *config_path;       /* pipeline config (JSON); NULL = models_dir/pipeline.json */
	const char *models_dir;        /* models directory; NULL = the built-in default */
	const char *const *plugin_dirs; /* extra plugin directories searched first, NULL-terminated */
	const char *const *model_dirs;  /* trained model directories to add (`tag --model`), NULL-terminated */
	int explain;                   /* nonzero: records carry evidence weights and words */
};

struct nt_engine;

/* Open an engine: read the config, load and open every plugin of its pipeline.
 * On error returns a status, fills err (naming the file and the problem) and
 * sets *engine to NULL. */
int nt_engine_open(const struct nt_engine_options *opt, struct nt_engine **engine,
                   struct nt_error *err);

/* One article to tag. text need not be NUL terminated; invalid UTF-8 is repaired
 * (each repair is reported in the record's "warnings"). */
struct nt_article {
	const char *id;        /* required */
	const char *title;     /* NULL: none given separately */
	const char *text;      /* required */
	size_t text_len;
	const char *meta_json; /* a JSON object of extra fields for "meta", or NULL */
	int title_in_text;     /* nonzero: the first line of text is the title when a blank line follows */
};

/* Tag one article. On success *record is a NUL-terminated JSON object (schema 1)
 * without a trailing newline, pretty-printed when `pretty` is nonzero; free() it.
 * A plugin failing on the article does not fail the call: it adds an "errors"
 * entry. Returns a status only when no record can be made (out of memory). */
int nt_engine_tag(struct nt_engine *engine, const struct nt_article *article, int pretty,
                  char **record, struct nt_error *err);

/* Close an engine and every plugin it opened. NULL is accepted. */
void nt_engine_close(struct nt_engine *engine);

/* Static text for a status code ("out of memory", ...). Never NULL. */
const char *nt_strerror(int status);

#ifdef __cplusplus
}
#endif

#endif /* NT_NEWSTAG_H */
