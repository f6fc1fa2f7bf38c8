/* loader.c - find classifier plugins and check their descriptors; the only user of libltdl */
#include "config.h"
#include "loader.h"
#include "util.h"

#include <dirent.h>
#include <limits.h>
#include <ltdl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct loaded {
	struct nt_module mod;
	lt_dlhandle handle;
	char *name;
};

struct nt_loader {
	char **dirs;          /* search path, in order */
	size_t ndirs;
	struct loaded **mods;  /* each allocated alone: module pointers stay valid */
	size_t nmods, cap;
	int ltdl_ready;
};

/* The entry function every plugin exports (libtool strips NAME_LTX_). */
typedef const struct nt_plugin *(*entry_fn)(void);

/*
 * Preloaded plugins (configure --enable-static-plugins). libtool links a program made
 * with -dlpreopen together with a symbol table lt_preloaded_symbols listing every
 * preopened module's NAME_LTX_nt_plugin_entry. The reference is weak: libnewstag.so
 * and programs that preload nothing link without it, and then it is NULL.
 */
#pragma weak lt__PROGRAM__LTX_preloaded_symbols

#define ENTRY_SUFFIX "_LTX_nt_plugin_entry"

/* The program's preloaded symbol table, or NULL. */
static const lt_dlsymlist *preloaded_table(void)
{
	const lt_dlsymlist *syms = lt_preloaded_symbols;
	return syms;
}

/* If symbol entry s is a plugin entry symbol, copy its module name into buf
 * (size n) and return 1; else 0. */
static int preloaded_entry_name(const lt_dlsymlist *s, char *buf, size_t n)
{
	size_t len = strlen(s->name), sl = strlen(ENTRY_SUFFIX);
	if (!s->address || len <= sl || len - sl >= n || strcmp(s->name + len - sl, ENTRY_SUFFIX) != 0)
		return 0;
	memcpy(buf, s->name, len - sl);
	buf[len - sl] = '\0';
	return 1;
}

/* Nonzero when a plugin called name was linked into the program (dlpreopen). */
static int preloaded_has(const char *name)
{
	const lt_dlsymlist *syms = preloaded_table();
	char buf[256];
	for (const lt_dlsymlist *s = syms; s && s->name; s++)
		if (preloaded_entry_name(s, buf, sizeof buf) && strcmp(buf, name) == 0)
			return 1;
	return 0;
}

static int add_dir(struct nt_loader *l, const char *d)
{
	if (!d || !*d)
		return NT_OK;
	for (size_t i = 0; i < l->ndirs; i++)
		if (strcmp(l->dirs[i], d) == 0)
			return NT_OK;
	char **nd = realloc(l->dirs, (l->ndirs + 1) * sizeof *nd);
	if (!nd)
		return NT_ENOMEM;
	l->dirs = nd;
	if (!(l->dirs[l->ndirs] = nt_strdup(d)))
		return NT_ENOMEM;
	l->ndirs++;
	return NT_OK;
}

/* Nonzero when the running program lives in the build tree NT_BUILDDIR. */
static int running_in_build_tree(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return 0;
	exe[n] = '\0';
	size_t bl = strlen(NT_BUILDDIR);
	return (size_t)n > bl && strncmp(exe, NT_BUILDDIR, bl) == 0 && exe[bl] == '/';
}

/* Add every subdirectory of NT_BUILDDIR/plugins (one per plugin), sorted. */
static int add_build_tree(struct nt_loader *l)
{
	char *root = nt_path_join(NT_BUILDDIR, "plugins");
	if (!root)
		return NT_ENOMEM;
	struct dirent **list = NULL;
	int n = scandir(root, &list, NULL, alphasort);
	int rc = NT_OK;
	for (int i = 0; i < n; i++) {
		if (rc == NT_OK && list[i]->d_name[0] != '.') {
			char *p = nt_path_join(root, list[i]->d_name);
			if (!p)
				rc = NT_ENOMEM;
			else if (nt_is_dir(p))
				rc = add_dir(l, p);
			free(p);
		}
		free(list[i]);
	}
	free(list);
	free(root);
	return rc;
}

int nt_loader_new(const char *const *extra_dirs, struct nt_loader **out, struct nt_error *err)
{
	*out = NULL;
	struct nt_loader *l = calloc(1, sizeof *l);
	if (!l)
		return nt_seterr(err, NT_ENOMEM, "out of memory");
	if (lt_dlinit() != 0) {
		free(l);
		return nt_seterr(err, NT_EINTERNAL, "libltdl initialisation failed: %s", lt_dlerror());
	}
	l->ltdl_ready = 1;
	/* make the preloaded modules visible to lt_dlopen (a no-op when already added) */
	if (preloaded_table() && lt_dlpreload(preloaded_table()) != 0) {
		nt_loader_free(l);
		return nt_seterr(err, NT_EINTERNAL, "libltdl: preloaded modules: %s", lt_dlerror());
	}
	int rc = NT_OK;
	for (size_t i = 0; extra_dirs && extra_dirs[i] && rc == NT_OK; i++)
		rc = add_dir(l, extra_dirs[i]);
	const char *env = getenv("NEWSTAG_PLUGIN_PATH");
	if (env && rc == NT_OK) {
		char *copy = nt_strdup(env);
		if (!copy)
			rc = NT_ENOMEM;
		for (char *save = NULL, *d = copy ? strtok_r(copy, ":", &save) : NULL; d && rc == NT_OK;
		     d = strtok_r(NULL, ":", &save))
			rc = add_dir(l, d);
		free(copy);
	}
	if (rc == NT_OK && running_in_build_tree())
		rc = add_build_tree(l);
	if (rc == NT_OK)
		rc = add_dir(l, NT_PKGLIBDIR);
	if (rc != NT_OK) {
		nt_loader_free(l);
		return nt_seterr(err, rc, "out of memory");
	}
	*out = l;
	return NT_OK;
}

/* Base name of path without directory and extension, malloc'd. */
static char *module_name(const char *path)
{
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	char *n = nt_strdup(b);
	if (!n)
		return NULL;
	char *dot = strchr(n, '.');
	if (dot)
		*dot = '\0';
	return n;
}

static struct loaded *find_loaded(struct nt_loader *l, const char *name)
{
	for (size_t i = 0; i < l->nmods; i++)
		if (strcmp(l->mods[i]->name, name) == 0)
			return l->mods[i];
	return NULL;
}

/* Check a descriptor before any of its operations runs. */
static int check_descriptor(const struct nt_plugin *p, const char *path, const char *name,
                            struct nt_error *err)
{
	const size_t min_size = offsetof(struct nt_plugin, flags); /* the ABI 1.0 fields */
	if (!p)
		return nt_seterr(err, NT_EABI, "%s: the entry function returned no descriptor", path);
	if (p->abi_major != NT_PLUGIN_ABI_MAJOR)
		return nt_seterr(err, NT_EABI,
		                 "%s: plugin ABI major version %u, expected %u (rebuild the plugin against "
		                 "this newstag's plugin.h)",
		                 path, (unsigned)p->abi_major, (unsigned)NT_PLUGIN_ABI_MAJOR);
	if (p->struct_size < min_size)
		return nt_seterr(err, NT_EABI,
		                 "%s: descriptor struct_size %u, expected at least %zu for ABI %u.0",
		                 path, (unsigned)p->struct_size, min_size, (unsigned)NT_PLUGIN_ABI_MAJOR);
	if (!p->name || strcmp(p->name, name) != 0)
		return nt_seterr(err, NT_EABI, "%s: descriptor name \"%s\", expected \"%s\" (the file's name)",
		                 path, p->name ? p->name : "(null)", name);
	if (!p->version || !*p->version)
		return nt_seterr(err, NT_EABI, "%s: descriptor has no version string", path);
	if (!p->classify)
		return nt_seterr(err, NT_EABI, "%s: descriptor has no classify operation", path);
	if (p->options && p->config_size == 0)
		return nt_seterr(err, NT_EABI, "%s: descriptor has options but config_size 0", path);
	return NT_OK;
}

/* Open path (with or without extension) and check it; on success add it to l.
 * preloaded: path is the name of a module linked into the program (dlpreopen). */
static int open_module(struct nt_loader *l, const char *path, const char *want_name, int preloaded,
                       const struct nt_module **out, struct nt_error *err)
{
	char *name = want_name ? nt_strdup(want_name) : module_name(path);
	if (!name)
		return nt_seterr(err, NT_ENOMEM, "out of memory");
	lt_dladvise adv;
	if (lt_dladvise_init(&adv) != 0 ||
	    (preloaded ? lt_dladvise_preload(&adv) : lt_dladvise_ext(&adv)) != 0 ||
	    lt_dladvise_local(&adv) != 0) {
		free(name);
		return nt_seterr(err, NT_EINTERNAL, "libltdl: %s", lt_dlerror());
	}
	lt_dlhandle h = lt_dlopenadvise(path, adv);
	lt_dladvise_destroy(&adv);
	if (!h) {
		const char *why = lt_dlerror();
		free(name);
		return nt_seterr(err, NT_ENOTFOUND, "%s: cannot load%s: %s", path,
		                 preloaded ? " the built-in plugin" : "", why ? why : "unknown error");
	}
	const lt_dlinfo *info = lt_dlgetinfo(h);
	char builtin[300];
	snprintf(builtin, sizeof builtin, "built-in:%s", name);
	const char *file = preloaded ? builtin : info && info->filename ? info->filename : path;
	/* the same file loaded twice comes back with the same handle */
	for (size_t i = 0; i < l->nmods; i++)
		if (l->mods[i]->handle == h) {
			lt_dlclose(h);
			free(name);
			*out = &l->mods[i]->mod;
			return NT_OK;
		}
	entry_fn entry = (entry_fn)lt_dlsym(h, "nt_plugin_entry");
	if (!entry) {
		nt_seterr(err, NT_EABI, "%s: no entry symbol: expected %s_LTX_nt_plugin_entry or "
		          "nt_plugin_entry (use NT_PLUGIN_DEFINE)", file, name);
		lt_dlclose(h);
		free(name);
		return err ? err->code : NT_EABI;
	}
	const struct nt_plugin *p = entry();
	int rc = check_descriptor(p, file, name, err);
	if (rc == NT_OK) {
		struct loaded *dup = find_loaded(l, name);
		if (dup)
			rc = nt_seterr(err, NT_EABI, "%s: duplicate plugin name \"%s\": already loaded from %s",
			               file, name, dup->mod.path);
	}
	if (rc == NT_OK && l->nmods == l->cap) {
		size_t c = l->cap ? l->cap * 2 : 8;
		struct loaded **m = realloc(l->mods, c * sizeof *m);
		if (!m)
			rc = nt_seterr(err, NT_ENOMEM, "out of memory");
		else {
			l->mods = m;
			l->cap = c;
		}
	}
	char *fcopy = rc == NT_OK ? nt_strdup(file) : NULL;
	struct loaded *m = rc == NT_OK ? calloc(1, sizeof *m) : NULL;
	if (rc == NT_OK && (!fcopy || !m))
		rc = nt_seterr(err, NT_ENOMEM, "out of memory");
	if (rc != NT_OK) {
		free(fcopy);
		free(m);
		lt_dlclose(h);
		free(name);
		return rc;
	}
	l->mods[l->nmods++] = m;
	m->handle = h;
	m->name = name;
	m->mod.plugin = p;
	m->mod.path = fcopy;
	*out = &m->mod;
	return NT_OK;
}

int nt_loader_load(struct nt_loader *l, const char *name, const struct nt_module **out,
                   struct nt_error *err)
{
	*out = NULL;
	if (!name || !*name || strchr(name, '/') || name[0] == '.')
		return nt_seterr(err, NT_EINVAL, "invalid plugin name \"%s\"", name ? name : "");
	struct loaded *have = find_loaded(l, name);
	if (have) {
		*out = &have->mod;
		return NT_OK;
	}
	/* plugins linked into the program come first (configure --enable-static-plugins) */
	if (preloaded_has(name))
		return open_module(l, name, name, 1, out, err);
	struct nt_error last = {0};
	int found_broken = 0;
	for (size_t i = 0; i < l->ndirs; i++) {
		char *base = nt_path_join(l->dirs[i], name);
		if (!base)
			return nt_seterr(err, NT_ENOMEM, "out of memory");
		char *la = malloc(strlen(base) + 4), *so = malloc(strlen(base) + 4);
		int exists = 0;
		if (la && so) {
			strcpy(la, base);
			strcat(la, ".la");
			strcpy(so, base);
			strcat(so, ".so");
			exists = nt_is_file(la) || nt_is_file(so);
		}
		free(la);
		free(so);
		if (!exists) {
			free(base);
			continue;
		}
		int rc = open_module(l, base, name, 0, out, &last);
		free(base);
		if (rc == NT_OK)
			return NT_OK;
		found_broken = 1;
		break; /* the first file of that name decides; never fall through to another */
	}
	if (found_broken) {
		if (err)
			*err = last;
		return last.code ? last.code : NT_EABI;
	}
	struct nt_buf b = {0};
	for (size_t i = 0; i < l->ndirs; i++)
		nt_buf_printf(&b, "%s%s", i ? ":" : "", l->dirs[i]);
	nt_seterr(err, NT_ENOTFOUND, "plugin \"%s\" not found in %s", name, b.data ? b.data : "(no directories)");
	nt_buf_free(&b);
	return NT_ENOTFOUND;
}

int nt_loader_load_file(struct nt_loader *l, const char *path, const struct nt_module **out,
                        struct nt_error *err)
{
	*out = NULL;
	if (!nt_is_file(path))
		return nt_seterr(err, NT_ENOTFOUND, "%s: no such file", path);
	/* a bare file name means the current directory: libltdl would search its path */
	if (!strchr(path, '/')) {
		char *rel = malloc(strlen(path) + 3);
		if (!rel)
			return nt_seterr(err, NT_ENOMEM, "out of memory");
		sprintf(rel, "./%s", path);
		int rc = open_module(l, rel, NULL, 0, out, err);
		free(rel);
		return rc;
	}
	return open_module(l, path, NULL, 0, out, err);
}

struct each_ctx {
	struct nt_loader *l;
	nt_loader_visit_fn fn;
	void *ctx;
	char **seen;
	size_t nseen;
};

static int each_file(const char *filename, void *data)
{
	struct each_ctx *c = data;
	char *name = module_name(filename);
	if (!name)
		return 1;
	/* only files that look like modules: NAME.la or NAME.so */
	char *la = malloc(strlen(filename) + 4), *so = malloc(strlen(filename) + 4);
	int looks = 0;
	if (la && so) {
		sprintf(la, "%s.la", filename);
		sprintf(so, "%s.so", filename);
		looks = nt_is_file(la) || nt_is_file(so);
	}
	free(la);
	free(so);
	int seen = 0;
	for (size_t i = 0; i < c->nseen; i++)
		if (strcmp(c->seen[i], name) == 0)
			seen = 1;
	if (!looks || seen) {
		free(name);
		return 0;
	}
	char **ns = realloc(c->seen, (c->nseen + 1) * sizeof *ns);
	if (!ns) {
		free(name);
		return 1;
	}
	c->seen = ns;
	c->seen[c->nseen++] = name;
	struct nt_error err = {0};
	const struct nt_module *m = NULL;
	struct loaded *have = find_loaded(c->l, name);
	if (have)
		m = &have->mod;
	else if (open_module(c->l, filename, name, 0, &m, &err) != NT_OK)
		m = NULL;
	c->fn(c->ctx, m, m ? m->path : filename, m ? NULL : &err);
	return 0;
}

int nt_loader_each(struct nt_loader *l, nt_loader_visit_fn fn, void *ctx)
{
	struct each_ctx c = {l, fn, ctx, NULL, 0};
	/* the built-in (preloaded) plugins first: they win over files of the same name */
	const lt_dlsymlist *syms = preloaded_table();
	char buf[256];
	for (const lt_dlsymlist *s = syms; s && s->name; s++) {
		if (!preloaded_entry_name(s, buf, sizeof buf))
			continue;
		int seen = 0;
		for (size_t i = 0; i < c.nseen; i++)
			seen |= strcmp(c.seen[i], buf) == 0;
		char *copy = seen ? NULL : nt_strdup(buf);
		char **ns = copy ? realloc(c.seen, (c.nseen + 1) * sizeof *ns) : NULL;
		if (!ns) {
			free(copy);
			continue;
		}
		c.seen = ns;
		c.seen[c.nseen++] = copy;
		struct nt_error err = {0};
		const struct nt_module *m = NULL;
		if (nt_loader_load(l, buf, &m, &err) != NT_OK)
			m = NULL;
		fn(ctx, m, m ? m->path : buf, m ? NULL : &err);
	}
	for (size_t i = 0; i < l->ndirs; i++)
		if (nt_is_dir(l->dirs[i]))
			lt_dlforeachfile(l->dirs[i], each_file, &c);
	for (size_t i = 0; i < c.nseen; i++)
		free(c.seen[i]);
	free(c.seen);
	return NT_OK;
}

void nt_loader_free(struct nt_loader *l)
{
	if (!l)
		return;
	/* NEWSTAG_NO_DLCLOSE=1 keeps modules mapped so leak checkers can name plugin frames */
	int keep = getenv("NEWSTAG_NO_DLCLOSE") != NULL;
	for (size_t i = 0; i < l->nmods; i++) {
		if (!keep)
			lt_dlclose(l->mods[i]->handle);
		free(l->mods[i]->name);
		free(l->mods[i]->mod.path);
		free(l->mods[i]);
	}
	free(l->mods);
	for (size_t i = 0; i < l->ndirs; i++)
		free(l->dirs[i]);
	free(l->dirs);
	if (l->ltdl_ready && !keep)
		lt_dlexit();
	free(l);
}
