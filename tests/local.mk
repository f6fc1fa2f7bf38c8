# tests/local.mk - Check unit suites, fixture plugins and CLI tests (make check)

AM_TESTS_ENVIRONMENT = \
	NEWSTAG_PLUGIN_PATH='$(abs_top_builddir)/tests/plugins'; \
	for d in $(abs_top_builddir)/plugins/*/; do NEWSTAG_PLUGIN_PATH="$$NEWSTAG_PLUGIN_PATH:$${d%/}"; done; \
	NEWSTAG_MODELS='$(abs_top_srcdir)/models'; \
	NEWSTAG_BIN='$(abs_top_builddir)/core/newstag'; \
	NEWSTAG_FIXTURES='$(abs_top_srcdir)/tests/fixtures'; \
	export NEWSTAG_PLUGIN_PATH NEWSTAG_MODELS NEWSTAG_BIN NEWSTAG_FIXTURES;

TEST_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
TEST_LIBS = core/libnewstag.la $(CHECK_LIBS) $(CJSON_LIBS) $(LIBM)

# fixture plugins for the loader tests (never installed)
check_LTLIBRARIES += tests/plugins/good.la tests/plugins/badabi.la tests/plugins/noentry.la \
	tests/plugins/failopen.la tests/plugins/wrongname.la tests/plugins/failclassify.la
tests_plugins_good_la_SOURCES = tests/plugins/good.c
tests_plugins_good_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)
tests_plugins_badabi_la_SOURCES = tests/plugins/badabi.c
tests_plugins_badabi_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)
tests_plugins_noentry_la_SOURCES = tests/plugins/noentry.c
tests_plugins_noentry_la_LDFLAGS = -module -avoid-version -shared -no-undefined -rpath /nowhere
tests_plugins_failopen_la_SOURCES = tests/plugins/failopen.c
tests_plugins_failopen_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)
tests_plugins_wrongname_la_SOURCES = tests/plugins/wrongname.c
tests_plugins_wrongname_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)
tests_plugins_failclassify_la_SOURCES = tests/plugins/failclassify.c
tests_plugins_failclassify_la_LDFLAGS = $(TEST_PLUGIN_LDFLAGS)

check_PROGRAMS += tests/check_docmodel tests/check_loader tests/check_conf tests/check_combiner \
	tests/check_engine tests/check_rules
TESTS += tests/check_docmodel tests/check_loader tests/check_conf tests/check_combiner \
	tests/check_engine tests/check_rules tests/cli/run.sh
tests_check_docmodel_SOURCES = tests/check_docmodel.c
tests_check_docmodel_CFLAGS = $(TEST_CFLAGS)
tests_check_docmodel_LDADD = $(TEST_LIBS)
tests_check_loader_SOURCES = tests/check_loader.c
tests_check_loader_CFLAGS = $(TEST_CFLAGS)
tests_check_loader_LDADD = $(TEST_LIBS)
tests_check_conf_SOURCES = tests/check_conf.c
tests_check_conf_CFLAGS = $(TEST_CFLAGS)
tests_check_conf_LDADD = $(TEST_LIBS)
tests_check_combiner_SOURCES = tests/check_combiner.c
tests_check_combiner_CFLAGS = $(TEST_CFLAGS)
tests_check_combiner_LDADD = $(TEST_LIBS)
tests_check_engine_SOURCES = tests/check_engine.c
tests_check_engine_CFLAGS = $(TEST_CFLAGS)
tests_check_engine_LDADD = $(TEST_LIBS)
tests_check_rules_SOURCES = tests/check_rules.c
tests_check_rules_CFLAGS = $(TEST_CFLAGS)
tests_check_rules_LDADD = $(TEST_LIBS)

EXTRA_DIST += tests/cli/run.sh tests/fixtures tests/bench/docmodel_speed.sh

# benchmark drivers (built by make check, run only by tests/bench/*.sh)
check_PROGRAMS += tests/bench/bench_docmodel
tests_bench_bench_docmodel_SOURCES = tests/bench/bench_docmodel.c
tests_bench_bench_docmodel_CFLAGS = $(AM_CFLAGS)
tests_bench_bench_docmodel_LDADD = core/libnewstag.la $(CJSON_LIBS)

# tests/sdk: the plugin SDK (out-of-tree build against a temporary install) and
# classifiers made from data alone (a rules file, a trained facet) - issue 7
AM_TESTS_ENVIRONMENT += NEWSTAG_TOP_SRCDIR='$(abs_top_srcdir)'; NEWSTAG_CC='$(CC)'; \
	export NEWSTAG_TOP_SRCDIR NEWSTAG_CC;
TESTS += tests/sdk/rules_facet.sh tests/sdk/trained_facet.sh tests/sdk/outoftree.sh
EXTRA_DIST += tests/sdk/rules_facet.sh tests/sdk/trained_facet.sh tests/sdk/outoftree.sh
if NT_STATIC_PLUGINS
AM_TESTS_ENVIRONMENT += NEWSTAG_STATIC_PLUGINS=1; export NEWSTAG_STATIC_PLUGINS;
endif
TESTS += tests/sdk/static.sh
EXTRA_DIST += tests/sdk/static.sh

# hardening (issue 8): hostile input through the CLI; fuzz targets, lint and valgrind
# scripts are run by .ci/run, not by make check
TESTS += tests/hostile.sh
EXTRA_DIST += tests/hostile.sh tests/fuzz
check_PROGRAMS += tests/check_hostile
TESTS += tests/check_hostile
tests_check_hostile_SOURCES = tests/check_hostile.c
tests_check_hostile_CFLAGS = $(TEST_CFLAGS)
tests_check_hostile_LDADD = $(TEST_LIBS)

check_PROGRAMS += tests/check_jsonout
TESTS += tests/check_jsonout
tests_check_jsonout_SOURCES = tests/check_jsonout.c
tests_check_jsonout_CFLAGS = $(TEST_CFLAGS)
tests_check_jsonout_LDADD = $(TEST_LIBS)
EXTRA_DIST += tests/lint.sh tests/valgrind-cli.sh

check_PROGRAMS += tests/check_jsonin
TESTS += tests/check_jsonin
tests_check_jsonin_SOURCES = tests/check_jsonin.c
tests_check_jsonin_CFLAGS = $(TEST_CFLAGS)
tests_check_jsonin_LDADD = $(TEST_LIBS)
