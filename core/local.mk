# core/local.mk - libnewstag (the engine) and the newstag command line

lib_LTLIBRARIES += core/libnewstag.la
core_libnewstag_la_SOURCES = \
	core/util.c core/util.h \
	core/docmodel.c core/docmodel.h \
	core/sha256.c core/sha256.h \
	core/host.c core/host.h core/sink.h \
	core/loader.c core/loader.h \
	core/options.c core/options.h \
	core/conf.c core/conf.h \
	core/combiner.c core/combiner.h \
	core/engine.c core/engine.h \
	core/jsonout.c core/jsonout.h \
	core/jsonin.c core/jsonin.h \
	core/trainset.c core/trainset.h
core_libnewstag_la_CFLAGS = $(AM_CFLAGS) -pthread
core_libnewstag_la_LIBADD = $(LIBLTDL) $(CJSON_LIBS) $(PTHREAD_LIBS) $(LIBM)
core_libnewstag_la_LDFLAGS = -version-info 0:0:0 -no-undefined -export-symbols-regex '^nt_'

bin_PROGRAMS += core/newstag
core_newstag_SOURCES = core/main.c core/cli.h \
	core/cmd_tag.c core/cmd_batch.c core/cmd_plugins.c core/cmd_plugin_check.c \
	core/cmd_train.c core/cmd_eval.c
core_newstag_CFLAGS = $(AM_CFLAGS) -pthread
core_newstag_LDADD = core/libnewstag.la $(CJSON_LIBS) $(PTHREAD_LIBS) $(LIBM)

# configure --enable-static-plugins: every shipped plugin (pkglib_LTLIBRARIES) is
# preopened into one newstag binary with libnewstag linked statically; the loader
# finds them by name before any directory. Their own libraries are linked here.
if NT_STATIC_PLUGINS
core_newstag_LDFLAGS = -static-libtool-libs $(pkglib_LTLIBRARIES:%=-dlpreopen %)
core_newstag_LDADD += $(SVM_LIBS) $(LINEAR_LIBS) -lstdc++
EXTRA_core_newstag_DEPENDENCIES = $(pkglib_LTLIBRARIES)
endif
