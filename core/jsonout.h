/* jsonout.h - compact JSON printing of record trees, faster than cJSON's for numbers */
#ifndef NT_JSONOUT_H
#define NT_JSONOUT_H

#include <cjson/cJSON.h>

/* Print item as compact JSON (no whitespace), like cJSON_PrintUnformatted but with
 * exact, locale-independent numbers: integers as integers, numbers with at most 4
 * decimals as such, anything else with 17 significant digits; NaN and infinities
 * as null. Returns a malloc'd NUL-terminated string (free() it) or NULL when out of
 * memory. */
char *nt_json_print(const cJSON *item);

#endif /* NT_JSONOUT_H */
