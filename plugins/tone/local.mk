# plugins/tone/local.mk - the tone plugin (lexicon + rules + learned correction), its model and tests
pkglib_LTLIBRARIES += plugins/tone/tone.la
plugins_tone_tone_la_SOURCES = plugins/tone/tone.c plugins/common/phash.h
plugins_tone_tone_la_LDFLAGS = $(PLUGIN_LDFLAGS)
plugins_tone_tone_la_LIBADD = $(LIBM)

nobase_dist_pkgdata_DATA += models/tone/lexicon.tsv models/tone/correction.txt \
	models/tone/news-overrides.tsv models/tone/README.md models/tone/LICENSE-VADER.txt \
	models/tone/LICENSE-AFINN.txt

check_PROGRAMS += tests/check_tone
TESTS += tests/check_tone
tests_check_tone_SOURCES = tests/check_tone.c
tests_check_tone_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
tests_check_tone_LDADD = core/libnewstag.la $(CHECK_LIBS) $(CJSON_LIBS) $(LIBM)

EXTRA_DIST += plugins/tone/README.md plugins/tone/build_model.py plugins/tone/tonelib.py plugins/tone/svr_fit.py \
	plugins/tone/news-tone-extra.tsv plugins/tone/news-tone-trial3.tsv plugins/tone/news-tone-extra2.tsv \
	plugins/tone/news-tone-extra3.tsv plugins/tone/news-tone-extra4.tsv plugins/tone/news-tone-extra5.tsv \
	plugins/tone/news-tone-agnews.tsv plugins/tone/news-tone-agreement.tsv plugins/tone/news-tone-agreement2.tsv \
	plugins/tone/news-tone-agnews-agreement.tsv tests/bench/label_agreement.py \
	plugins/tone/select_news_labels.py plugins/tone/embed.py \
	tests/bench/tone_eval.py tests/bench/vader_ref.py tests/bench/tone_speed.c tests/bench/nyt_raters.py \
	tests/bench/tone_text_stack.py
