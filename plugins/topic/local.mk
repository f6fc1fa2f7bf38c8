# plugins/topic/local.mk - the topic plugin (TF-IDF + one-vs-rest SVMs), its shipped model and tests
pkglib_LTLIBRARIES += plugins/topic/topic.la
plugins_topic_topic_la_SOURCES = plugins/topic/topic.c plugins/topic/topic_train.c plugins/topic/topic.h
plugins_topic_topic_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_topic_topic_la_LIBADD = $(SVM_LIBS) $(LINEAR_LIBS) $(CJSON_LIBS) $(LIBM)

nobase_dist_pkgdata_DATA += models/topic/manifest.json models/topic/vocab.tsv \
	models/topic/label-000.model models/topic/label-001.model models/topic/label-002.model

check_PROGRAMS += tests/check_topic
TESTS += tests/check_topic
tests_check_topic_SOURCES = tests/check_topic.c
tests_check_topic_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_topic_LDADD = core/libnewstag.la $(CHECK_LIBS) $(CJSON_LIBS)

EXTRA_DIST += plugins/topic/README.md plugins/topic/build_model.py models/topic/README.md \
	models/topic/train-labels.tsv models/topic/labels-extra.tsv models/topic/labels-extra.md \
	models/topic/select_extra.py models/topic/labels-agnews.tsv tests/bench/topic_eval.py tests/bench/topic_agnews.py tests/bench/topic_combine.py
