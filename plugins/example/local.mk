# plugins/example/local.mk - the template plugin users copy to start their own
pkglib_LTLIBRARIES += plugins/example/example.la
plugins_example_example_la_SOURCES = plugins/example/example.c
plugins_example_example_la_LDFLAGS = $(PLUGIN_LDFLAGS)
