# plugins/region/local.mk - the region plugin (gazetteer matching), its shipped tables and tests
pkglib_LTLIBRARIES += plugins/region/region.la
plugins_region_region_la_SOURCES = plugins/region/region.c plugins/common/phash.h
plugins_region_region_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_region_region_la_LIBADD = $(LIBM)

nobase_dist_pkgdata_DATA += models/region/gazetteer.tsv models/region/region-map.tsv \
	models/region/README.md

check_PROGRAMS += tests/check_region
TESTS += tests/check_region
tests_check_region_SOURCES = tests/check_region.c
tests_check_region_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_region_LDADD = core/libnewstag.la $(CHECK_LIBS) $(CJSON_LIBS) $(LIBM)

EXTRA_DIST += plugins/region/README.md plugins/region/build_gazetteer.py plugins/region/curated.tsv \
	tests/bench/region_eval.py tests/bench/region_speed.py tests/bench/region_speed.c tests/bench/region_stages.py \
	tests/bench/region_ab.c tests/bench/region_ab.sh tests/bench/reuters_places.py
