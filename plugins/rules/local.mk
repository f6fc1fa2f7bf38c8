# plugins/rules/local.mk - the rules plugin: a classifier from a JSON rule file
pkglib_LTLIBRARIES += plugins/rules/rules.la
plugins_rules_rules_la_SOURCES = plugins/rules/rules.c
plugins_rules_rules_la_CFLAGS = $(AM_CFLAGS)
plugins_rules_rules_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_rules_rules_la_LIBADD = $(CJSON_LIBS) $(LIBM)

nobase_dist_pkgdata_DATA += models/rules/topic-keywords.json
EXTRA_DIST += plugins/rules/README.md
