/* conf.c - parse the pipeline configuration (JSON) with strict key and type checks */
#include "config.h"
#include "conf.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#define NT_CONFIG_MAX_BYTES (16u << 20)

int nt_policy_from_name(const char *s)
{
	static const char *const names[] = {"max", "mean", "weighted", "vote"};
	for (int i = 0; i < 4; i++)
		if (s && strcmp(s, names[i]) == 0)
			return i;
	return -1;
}

const char *nt_policy_name(int policy)
{
	static const char *const names[] = {"max", "mean", "weighted", "vote"};
	return policy >= 0 && policy < 4 ? names[policy] : "?";
}

/* Check that obj only has keys from allowed (NULL-terminated). */
static int check_keys(const cJSON *obj, const char *const *allowed, const char *path,
                      const char *where, struct nt_error *err)
{
	for (const cJSON *it = obj->child; it; it = it->next) {
		int ok = 0;
		for (int i = 0; allowed[i]; i++)
			if (strcmp(it->string, allowed[i]) == 0)
				ok = 1;
		if (!ok) {
			struct nt_buf b = {0};
			for (int i = 0; allowed[i]; i++)
				nt_buf_printf(&b, "%s%s", i ? ", " : "", allowed[i]);
			nt_seterr(err, NT_EINVAL, "%s: unknown key \"%s\" in %s (allowed: %s)", path,
			          it->string, where, b.data ? b.data : "");
			nt_buf_free(&b);
			return NT_EINVAL;
		}
		/* duplicate keys are an error too: cJSON keeps both */
		for (const cJSON *j = it->next; j; j = j->next)
			if (strcmp(j->string, it->string) == 0)
				return nt_seterr(err, NT_EINVAL, "%s: key \"%s\" appears twice in %s", path,
				                 it->string, where);
	}
	return NT_OK;
}

static int type_err(struct nt_error *err, const char *path, const char *key, const char *where,
                    const char *want)
{
	return nt_seterr(err, NT_EINVAL, "%s: \"%s\" in %s must be %s", path, key, where, want);
}

static int parse_named(const cJSON *obj, const char *path, const char *key, const char *where,
                       struct nt_named **out, size_t *n, int unit, struct nt_error *err)
{
	if (!cJSON_IsObject(obj))
		return type_err(err, path, key, where, "an object of numbers");
	size_t cnt = (size_t)cJSON_GetArraySize(obj);
	*out = calloc(cnt ? cnt : 1, sizeof **out);
	if (!*out)
		return nt_seterr(err, NT_ENOMEM, "out of memory");
	for (const cJSON *it = obj->child; it; it = it->next) {
		if (!cJSON_IsNumber(it) || (unit && (it->valuedouble < 0 || it->valuedouble > 1)) ||
		    (!unit && it->valuedouble < 0))
			return nt_seterr(err, NT_EINVAL, "%s: \"%s\" in %s.%s must be a number %s", path,
			                 it->string, where, key, unit ? "in [0, 1]" : ">= 0");
		(*out)[*n].name = nt_strdup(it->string);
		(*out)[*n].value = it->valuedouble;
		if (!(*out)[*n].name)
			return nt_seterr(err, NT_ENOMEM, "out of memory");
		(*n)++;
	}
	return NT_OK;
}

static int parse_facet(const cJSON *f, const char *path, struct nt_facet_cfg *fc,
                       struct nt_error *err)
{
	static const char *const keys[] = {"policy", "weights", "threshold", "thresholds", "top_k",
	                                   "single", "description", NULL};
	char where[200];
	snprintf(where, sizeof where, "facets.%s", f->string);
	fc->threshold = 0.5;
	if (!(fc->facet = nt_strdup(f->string)))
		return nt_seterr(err, NT_ENOMEM, "out of memory");
	if (!cJSON_IsObject(f))
		return nt_seterr(err, NT_EINVAL, "%s: %s must be an object", path, where);
	int rc = check_keys(f, keys, path, where, err);
	if (rc != NT_OK)
		return rc;
	const cJSON *v;
	if ((v = cJSON_GetObjectItemCaseSensitive(f, "policy"))) {
		if (!cJSON_IsString(v) || (fc->policy = nt_policy_from_name(v->valuestring)) < 0)
			return type_err(err, path, "policy", where, "one of \"max\", \"mean\", \"weighted\", \"vote\"");
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(f, "threshold"))) {
		if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 1)
			return type_err(err, path, "threshold", where, "a number in [0, 1]");
		fc->threshold = v->valuedouble;
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(f, "thresholds")) &&
	    (rc = parse_named(v, path, "thresholds", where, &fc->thresholds, &fc->nthresholds, 1, err)) != NT_OK)
		return rc;
	if ((v = cJSON_GetObjectItemCaseSensitive(f, "weights")) &&
	    (rc = parse_named(v, path, "weights", where, &fc->weights, &fc->nweights, 0, err)) != NT_OK)
		return rc;
	if ((v = cJSON_GetObjectItemCaseSensitive(f, "top_k"))) {
		if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble != floor(v->valuedouble) ||
		    v->valuedouble > 1e6)
			return type_err(err, path, "top_k", where, "a non-negative integer");
		fc->top_k = (long)v->valuedouble;
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(f, "single"))) {
		if (!cJSON_IsBool(v))
			return type_err(err, path, "single", where, "true or false");
		fc->single = cJSON_IsTrue(v);
		fc->single_set = 1;
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(f, "description")) && !cJSON_IsString(v))
		return type_err(err, path, "description", where, "a string");
	return NT_OK;
}

static int valid_ident(const char *s)
{
	if (!s || !*s || strlen(s) > 64)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      *s == '_' || *s == '-' || *s == '.'))
			return 0;
	return 1;
}

int nt_config_add_instance(struct nt_config *c, const char *plugin, const char *name,
                           cJSON *options, struct nt_error *err)
{
	const char *path = c->path ? c->path : "(config)";
	if (!valid_ident(plugin) || strchr(plugin, '.')) {
		cJSON_Delete(options);
		return nt_seterr(err, NT_EINVAL, "%s: plugin name \"%s\" is not a valid name", path,
		                 plugin ? plugin : "");
	}
	if (!name)
		name = plugin;
	if (!valid_ident(name)) {
		cJSON_Delete(options);
		return nt_seterr(err, NT_EINVAL, "%s: instance name \"%s\" is not a valid name", path, name);
	}
	for (size_t i = 0; i < c->ninst; i++)
		if (strcmp(c->inst[i].name, name) == 0) {
			cJSON_Delete(options);
			return nt_seterr(err, NT_EINVAL,
			                 "%s: instance \"%s\" appears twice in the pipeline (give one a \"name\")",
			                 path, name);
		}
	struct nt_instance_cfg *ni = realloc(c->inst, (c->ninst + 1) * sizeof *ni);
	if (!ni) {
		cJSON_Delete(options);
		return nt_seterr(err, NT_ENOMEM, "out of memory");
	}
	c->inst = ni;
	struct nt_instance_cfg *ic = &c->inst[c->ninst];
	memset(ic, 0, sizeof *ic);
	ic->plugin = nt_strdup(plugin);
	ic->name = nt_strdup(name);
	ic->options = options;
	c->ninst++;
	if (!ic->plugin || !ic->name)
		return nt_seterr(err, NT_ENOMEM, "out of memory");
	return NT_OK;
}

int nt_config_parse(const char *json, size_t len, const char *path, const char *models_dir,
                    struct nt_config **out, struct nt_error *err)
{
	*out = NULL;
	struct nt_config *c = calloc(1, sizeof *c);
	if (!c || !(c->path = nt_strdup(path ? path : "(config)"))) {
		free(c);
		return nt_seterr(err, NT_ENOMEM, "out of memory");
	}
	(void)models_dir;
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(json, len, &end, 0);
	int rc = NT_OK;
	if (!root) {
		size_t off = end && end >= json ? (size_t)(end - json) : 0;
		size_t line = 1;
		for (size_t i = 0; i < off && i < len; i++)
			line += json[i] == '\n';
		rc = nt_seterr(err, NT_EFORMAT, "%s:%zu: invalid JSON near byte %zu", c->path, line, off);
		goto done;
	}
	if (end) {
		while ((size_t)(end - json) < len && (*end == ' ' || *end == '\n' || *end == '\t' || *end == '\r'))
			end++;
		if ((size_t)(end - json) < len && *end) {
			rc = nt_seterr(err, NT_EFORMAT, "%s: trailing text after the JSON object at byte %zu",
			               c->path, (size_t)(end - json));
			goto done;
		}
	}
	if (!cJSON_IsObject(root)) {
		rc = nt_seterr(err, NT_EFORMAT, "%s: the config must be a JSON object", c->path);
		goto done;
	}
	static const char *const top[] = {"pipeline", "facets", "schema", "description", NULL};
	if ((rc = check_keys(root, top, c->path, "the top level", err)) != NT_OK)
		goto done;
	const cJSON *pipe = cJSON_GetObjectItemCaseSensitive(root, "pipeline");
	if (!cJSON_IsArray(pipe)) {
		rc = nt_seterr(err, NT_EINVAL, "%s: \"pipeline\" must be an array of plugin instances",
		               c->path);
		goto done;
	}
	const cJSON *sv = cJSON_GetObjectItemCaseSensitive(root, "schema");
	if (sv && (!cJSON_IsNumber(sv) || sv->valuedouble != 1)) {
		rc = nt_seterr(err, NT_EINVAL, "%s: \"schema\" must be 1", c->path);
		goto done;
	}
	int idx = 0;
	for (const cJSON *it = pipe->child; it && rc == NT_OK; it = it->next, idx++) {
		char where[64];
		snprintf(where, sizeof where, "pipeline[%d]", idx);
		if (!cJSON_IsObject(it)) {
			rc = nt_seterr(err, NT_EINVAL, "%s: %s must be an object", c->path, where);
			break;
		}
		static const char *const ik[] = {"plugin", "name", "options", "description", NULL};
		if ((rc = check_keys(it, ik, c->path, where, err)) != NT_OK)
			break;
		const cJSON *pl = cJSON_GetObjectItemCaseSensitive(it, "plugin");
		const cJSON *nm = cJSON_GetObjectItemCaseSensitive(it, "name");
		const cJSON *op = cJSON_GetObjectItemCaseSensitive(it, "options");
		if (!cJSON_IsString(pl)) {
			rc = type_err(err, c->path, "plugin", where, "a string (the plugin's name)");
			break;
		}
		if (nm && !cJSON_IsString(nm)) {
			rc = type_err(err, c->path, "name", where, "a string");
			break;
		}
		if (op && !cJSON_IsObject(op)) {
			rc = type_err(err, c->path, "options", where, "an object");
			break;
		}
		cJSON *opts = op ? cJSON_Duplicate(op, 1) : NULL;
		if (op && !opts) {
			rc = nt_seterr(err, NT_ENOMEM, "out of memory");
			break;
		}
		rc = nt_config_add_instance(c, pl->valuestring, nm ? nm->valuestring : NULL, opts, err);
	}
	if (rc != NT_OK)
		goto done;
	const cJSON *facets = cJSON_GetObjectItemCaseSensitive(root, "facets");
	if (facets) {
		if (!cJSON_IsObject(facets)) {
			rc = nt_seterr(err, NT_EINVAL, "%s: \"facets\" must be an object", c->path);
			goto done;
		}
		size_t n = (size_t)cJSON_GetArraySize(facets);
		c->facets = calloc(n ? n : 1, sizeof *c->facets);
		if (!c->facets) {
			rc = nt_seterr(err, NT_ENOMEM, "out of memory");
			goto done;
		}
		for (const cJSON *f = facets->child; f && rc == NT_OK; f = f->next) {
			for (size_t i = 0; i < c->nfacets; i++)
				if (strcmp(c->facets[i].facet, f->string) == 0)
					rc = nt_seterr(err, NT_EINVAL, "%s: facet \"%s\" appears twice", c->path,
					               f->string);
			if (rc == NT_OK)
				rc = parse_facet(f, c->path, &c->facets[c->nfacets++], err);
		}
	}
done:
	cJSON_Delete(root);
	if (rc != NT_OK) {
		nt_config_free(c);
		return rc;
	}
	*out = c;
	return NT_OK;
}

int nt_config_load(const char *path, const char *models_dir, struct nt_config **out,
                   struct nt_error *err)
{
	char *data;
	size_t len;
	int rc = nt_read_file(path, NT_CONFIG_MAX_BYTES, &data, &len, err);
	if (rc != NT_OK)
		return rc;
	rc = nt_config_parse(data, len, path, models_dir, out, err);
	free(data);
	return rc;
}

int nt_config_add_facet(struct nt_config *c, const char *facet, double threshold, int single)
{
	if (nt_config_facet(c, facet))
		return NT_OK;
	struct nt_facet_cfg *nf = realloc(c->facets, (c->nfacets + 1) * sizeof *nf);
	if (!nf)
		return NT_ENOMEM;
	c->facets = nf;
	struct nt_facet_cfg *f = &c->facets[c->nfacets];
	memset(f, 0, sizeof *f);
	if (!(f->facet = nt_strdup(facet)))
		return NT_ENOMEM;
	f->threshold = threshold;
	f->single = single;
	f->single_set = 1;
	c->nfacets++;
	return NT_OK;
}

const struct nt_facet_cfg *nt_config_facet(const struct nt_config *c, const char *facet)
{
	for (size_t i = 0; i < c->nfacets; i++)
		if (strcmp(c->facets[i].facet, facet) == 0)
			return &c->facets[i];
	return NULL;
}

void nt_config_free(struct nt_config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->ninst; i++) {
		free(c->inst[i].plugin);
		free(c->inst[i].name);
		free(c->inst[i].base_dir);
		cJSON_Delete(c->inst[i].options);
	}
	free(c->inst);
	for (size_t i = 0; i < c->nfacets; i++) {
		struct nt_facet_cfg *f = &c->facets[i];
		free(f->facet);
		for (size_t j = 0; j < f->nthresholds; j++)
			free(f->thresholds[j].name);
		for (size_t j = 0; j < f->nweights; j++)
			free(f->weights[j].name);
		free(f->thresholds);
		free(f->weights);
	}
	free(c->facets);
	free(c->path);
	free(c);
}
