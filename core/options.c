/* options.c - fill a plugin's config struct from a JSON object, by its option table */
#include "config.h"
#include "options.h"
#include "util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *type_name(int t)
{
	switch (t) {
	case NT_OPT_STRING: return "a string";
	case NT_OPT_PATH: return "a path string";
	case NT_OPT_NUMBER: return "a number";
	case NT_OPT_INT: return "an integer";
	case NT_OPT_BOOL: return "true or false";
	default: return "?";
	}
}

/* Nonzero when the relative path s has a ".." component (it could leave the models
 * directory it is resolved against). */
static int leaves_dir(const char *s)
{
	for (const char *c = s; *c;) {
		size_t n = strcspn(c, "/");
		if (n == 2 && c[0] == '.' && c[1] == '.')
			return 1;
		c += n;
		while (*c == '/')
			c++;
	}
	return 0;
}

/* Store value v (already parsed JSON) for option o into cfg. */
static int set_one(const struct nt_plugin *p, const struct nt_option *o, const cJSON *v,
                   const char *models_dir, const char *file, const char *what, void *cfg,
                   struct nt_error *err)
{
	char *field = (char *)cfg + o->offset;
	switch (o->type) {
	case NT_OPT_STRING:
	case NT_OPT_PATH: {
		if (!cJSON_IsString(v))
			break;
		char *s;
		if (o->type == NT_OPT_PATH && v->valuestring[0] != '/' && leaves_dir(v->valuestring))
			return nt_seterr(err, NT_EINVAL,
			                 "%s: %s option \"%s\" of plugin %s: \"%s\" leaves the models directory "
			                 "(give an absolute path to use a file outside it)",
			                 file, what, o->name, p->name, v->valuestring);
		if (o->type == NT_OPT_PATH && v->valuestring[0] != '/' && models_dir)
			s = nt_path_join(models_dir, v->valuestring);
		else
			s = nt_strdup(v->valuestring);
		if (!s)
			return nt_seterr(err, NT_ENOMEM, "out of memory");
		char **slot = (char **)(void *)field;
		free(*slot);
		*slot = s;
		return NT_OK;
	}
	case NT_OPT_NUMBER:
		if (!cJSON_IsNumber(v))
			break;
		*(double *)(void *)field = v->valuedouble;
		return NT_OK;
	case NT_OPT_INT:
		if (!cJSON_IsNumber(v) || v->valuedouble != floor(v->valuedouble) ||
		    fabs(v->valuedouble) > 9e15)
			break;
		*(long *)(void *)field = (long)v->valuedouble;
		return NT_OK;
	case NT_OPT_BOOL:
		if (!cJSON_IsBool(v))
			break;
		*(int *)(void *)field = cJSON_IsTrue(v) ? 1 : 0;
		return NT_OK;
	default:
		return nt_seterr(err, NT_EABI, "plugin %s: option \"%s\" has unknown type %d", p->name,
		                 o->name, o->type);
	}
	return nt_seterr(err, NT_EINVAL, "%s: %s option \"%s\" of plugin %s must be %s", file, what,
	                 o->name, p->name, type_name(o->type));
}

int nt_options_fill(const struct nt_plugin *p, const cJSON *obj, const char *models_dir,
                    const char *file, void **cfg_out, struct nt_error *err)
{
	*cfg_out = NULL;
	if (!file)
		file = "(config)";
	void *cfg = calloc(1, p->config_size ? p->config_size : 1);
	if (!cfg)
		return nt_seterr(err, NT_ENOMEM, "out of memory");
	int rc = NT_OK;
	for (const struct nt_option *o = p->options; o && o->name && rc == NT_OK; o++) {
		if (o->offset >= p->config_size) {
			rc = nt_seterr(err, NT_EABI, "plugin %s: option \"%s\" lies outside its config struct",
			               p->name, o->name);
			break;
		}
		if (!o->def)
			continue;
		cJSON *d = cJSON_Parse(o->def);
		if (!d) {
			rc = nt_seterr(err, NT_EABI, "plugin %s: default of option \"%s\" is not JSON: %s",
			               p->name, o->name, o->def);
			break;
		}
		rc = set_one(p, o, d, models_dir, "plugin defaults", "default of", cfg, err);
		cJSON_Delete(d);
	}
	if (rc == NT_OK && obj) {
		if (!cJSON_IsObject(obj))
			rc = nt_seterr(err, NT_EINVAL, "%s: \"options\" of plugin %s must be an object", file,
			               p->name);
		for (const cJSON *it = obj->child; it && rc == NT_OK; it = it->next) {
			const struct nt_option *o = p->options;
			while (o && o->name && strcmp(o->name, it->string) != 0)
				o++;
			if (!o || !o->name) {
				struct nt_buf known = {0};
				for (o = p->options; o && o->name; o++)
					nt_buf_printf(&known, "%s%s", known.len ? ", " : "", o->name);
				rc = nt_seterr(err, NT_EINVAL, "%s: unknown option \"%s\" for plugin %s (known: %s)",
				               file, it->string, p->name, known.data ? known.data : "none");
				nt_buf_free(&known);
				break;
			}
			rc = set_one(p, o, it, models_dir, file, "", cfg, err);
		}
	}
	if (rc != NT_OK) {
		nt_options_free(p, cfg);
		return rc;
	}
	*cfg_out = cfg;
	return NT_OK;
}

void nt_options_free(const struct nt_plugin *p, void *cfg)
{
	if (!cfg)
		return;
	for (const struct nt_option *o = p->options; o && o->name; o++)
		if ((o->type == NT_OPT_STRING || o->type == NT_OPT_PATH) && o->offset < p->config_size)
			free(*(char **)(void *)((char *)cfg + o->offset));
	free(cfg);
}
