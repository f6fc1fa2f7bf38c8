/* jsonout.h - compact JSON writing: strings, numbers and whole cJSON trees into a buffer */
#ifndef NT_JSONOUT_H
#define NT_JSONOUT_H

#include <cjson/cJSON.h>
#include "util.h"

/* Print item as compact JSON (no whitespace), like cJSON_PrintUnformatted but with
 * exact, locale-independent numbers: integers as integers, numbers with at most 4
 * decimals as such, anything else with 17 significant digits; NaN and infinities
 * as null. Returns a malloc'd NUL-terminated string (free() it) or NULL when out of
 * memory. */
char *nt_json_print(const cJSON *item);

/* Append item to b as nt_json_print() prints it. Returns NT_OK or NT_ENOMEM. */
int nt_json_put(struct nt_buf *b, const cJSON *item);

/* Append s (NUL-terminated UTF-8) to b as a JSON string: quotes, \" \\ \b \f \n \r \t
 * escaped, other control bytes as \u00XX, everything else as is. NT_OK or NT_ENOMEM. */
int nt_json_put_string(struct nt_buf *b, const char *s);

/* Append v to b as nt_json_print() prints numbers. NT_OK or NT_ENOMEM. */
int nt_json_put_number(struct nt_buf *b, double v);

#endif /* NT_JSONOUT_H */
