/* check_loader.c - loader tests through real module loading of fixture plugins */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loader.h"
#include "newstag/newstag.h"

static char fixture_dir[4096];

static void find_fixture_dir(void)
{
	const char *p = getenv("NEWSTAG_PLUGIN_PATH");
	ck_assert_msg(p != NULL, "NEWSTAG_PLUGIN_PATH must be set (make check sets it)");
	size_t n = strcspn(p, ":");
	ck_assert_uint_lt(n, sizeof fixture_dir);
	memcpy(fixture_dir, p, n);
	fixture_dir[n] = '\0';
}

static struct nt_loader *new_loader(void)
{
	struct nt_loader *l = NULL;
	struct nt_error err = {0};
	ck_assert_int_eq(nt_loader_new(NULL, &l, &err), NT_OK);
	return l;
}

START_TEST(test_load_good)
{
	struct nt_loader *l = new_loader();
	const struct nt_module *m = NULL, *m2 = NULL;
	struct nt_error err = {0};
	ck_assert_int_eq(nt_loader_load(l, "good", &m, &err), NT_OK);
	ck_assert_str_eq(m->plugin->name, "good");
	ck_assert_str_eq(m->plugin->version, "0.1");
	ck_assert_ptr_nonnull(strstr(m->path, "good"));
	ck_assert_int_eq(nt_loader_load(l, "good", &m2, &err), NT_OK);
	ck_assert_ptr_eq(m, m2);
	nt_loader_free(l);
}
END_TEST

START_TEST(test_reject_abi)
{
	struct nt_loader *l = new_loader();
	const struct nt_module *m = NULL;
	struct nt_error err = {0};
	ck_assert_int_eq(nt_loader_load(l, "badabi", &m, &err), NT_EABI);
	ck_assert_ptr_null(m);
	ck_assert_msg(strstr(err.msg, "ABI major version 2, expected 1") != NULL, "%s", err.msg);
	ck_assert_msg(strstr(err.msg, "badabi") != NULL, "names the file: %s", err.msg);
	nt_loader_free(l);
}
END_TEST

START_TEST(test_reject_no_entry)
{
	struct nt_loader *l = new_loader();
	const struct nt_module *m = NULL;
	struct nt_error err = {0};
	ck_assert_int_eq(nt_loader_load(l, "noentry", &m, &err), NT_EABI);
	ck_assert_msg(strstr(err.msg, "no entry symbol") != NULL, "%s", err.msg);
	ck_assert_msg(strstr(err.msg, "noentry_LTX_nt_plugin_entry") != NULL, "%s", err.msg);
	nt_loader_free(l);
}
END_TEST

START_TEST(test_reject_wrong_name)
{
	struct nt_loader *l = new_loader();
	const struct nt_module *m = NULL;
	struct nt_error err = {0};
	ck_assert_int_eq(nt_loader_load(l, "wrongname", &m, &err), NT_EABI);
	ck_assert_msg(strstr(err.msg, "descriptor name \"good\", expected \"wrongname\"") != NULL, "%s",
	              err.msg);
	nt_loader_free(l);
}
END_TEST

START_TEST(test_reject_duplicate)
{
	find_fixture_dir();
	char tmpl[] = "/tmp/nt-loader-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	char cmd[8192];
	snprintf(cmd, sizeof cmd, "cp '%s/.libs/good.so' '%s/good.so'", fixture_dir, tmpl);
	ck_assert_int_eq(system(cmd), 0);
	struct nt_loader *l = new_loader();
	const struct nt_module *m = NULL;
	struct nt_error err = {0};
	ck_assert_int_eq(nt_loader_load(l, "good", &m, &err), NT_OK);
	char path[4200];
	snprintf(path, sizeof path, "%s/good.so", tmpl);
	ck_assert_int_eq(nt_loader_load_file(l, path, &m, &err), NT_EABI);
	ck_assert_msg(strstr(err.msg, "duplicate plugin name \"good\"") != NULL, "%s", err.msg);
	nt_loader_free(l);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpl);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

START_TEST(test_not_found_lists_dirs)
{
	struct nt_loader *l = new_loader();
	const struct nt_module *m = NULL;
	struct nt_error err = {0};
	ck_assert_int_eq(nt_loader_load(l, "nosuchplugin", &m, &err), NT_ENOTFOUND);
	ck_assert_msg(strstr(err.msg, "plugin \"nosuchplugin\" not found in") != NULL, "%s", err.msg);
	ck_assert_int_eq(nt_loader_load(l, "../good", &m, &err), NT_EINVAL);
	nt_loader_free(l);
}
END_TEST

START_TEST(test_never_current_directory)
{
	find_fixture_dir();
	char tmpl[] = "/tmp/nt-cwd-XXXXXX";
	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	char cmd[8192];
	snprintf(cmd, sizeof cmd, "cp '%s/.libs/good.so' '%s/cwdplug.so'", fixture_dir, tmpl);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(chdir(tmpl), 0);
	struct nt_loader *l = new_loader();
	const struct nt_module *m = NULL;
	struct nt_error err = {0};
	ck_assert_int_eq(nt_loader_load(l, "cwdplug", &m, &err), NT_ENOTFOUND);
	nt_loader_free(l);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpl);
	ck_assert_int_eq(system(cmd), 0);
}
END_TEST

struct visit_log {
	int good, rejected_badabi;
};

static void visit(void *ctx, const struct nt_module *m, const char *path, const struct nt_error *err)
{
	struct visit_log *v = ctx;
	if (m && strcmp(m->plugin->name, "good") == 0)
		v->good++;
	if (!m && strstr(path, "badabi") && err && err->code == NT_EABI)
		v->rejected_badabi++;
}

START_TEST(test_each)
{
	struct nt_loader *l = new_loader();
	struct visit_log v = {0};
	ck_assert_int_eq(nt_loader_each(l, visit, &v), NT_OK);
	ck_assert_int_eq(v.good, 1);
	ck_assert_int_eq(v.rejected_badabi, 1);
	nt_loader_free(l);
}
END_TEST

START_TEST(test_failing_open_names_plugin)
{
	char tmpl[] = "/tmp/nt-cfg-XXXXXX";
	int fd = mkstemp(tmpl);
	ck_assert_int_ge(fd, 0);
	const char *cfg = "{\"pipeline\": [{\"plugin\": \"failopen\"}]}";
	ck_assert_int_eq(write(fd, cfg, strlen(cfg)), (ssize_t)strlen(cfg));
	close(fd);
	struct nt_engine_options o = {0};
	o.config_path = tmpl;
	o.models_dir = "/tmp";
	struct nt_engine *e = NULL;
	struct nt_error err = {0};
	ck_assert_int_eq(nt_engine_open(&o, &e, &err), NT_ENOTFOUND);
	ck_assert_ptr_null(e);
	ck_assert_msg(strstr(err.msg, "plugin failopen") && strstr(err.msg, "model file missing"), "%s",
	              err.msg);
	unlink(tmpl);
}
END_TEST

static Suite *loader_suite(void)
{
	Suite *s = suite_create("loader");
	TCase *tc = tcase_create("core");
	tcase_add_test(tc, test_load_good);
	tcase_add_test(tc, test_reject_abi);
	tcase_add_test(tc, test_reject_no_entry);
	tcase_add_test(tc, test_reject_wrong_name);
	tcase_add_test(tc, test_reject_duplicate);
	tcase_add_test(tc, test_not_found_lists_dirs);
	tcase_add_test(tc, test_never_current_directory);
	tcase_add_test(tc, test_each);
	tcase_add_test(tc, test_failing_open_names_plugin);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(loader_suite());
	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
