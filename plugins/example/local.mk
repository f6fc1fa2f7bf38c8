# plugins/example/local.mk - the template plugin users copy to start their own
pkglib_LTLIBRARIES += plugins/example/example.la
plugins_example_example_la_SOURCES = plugins/example/example.c
plugins_example_example_la_LDFLAGS = $(PLUGIN_LDFLAGS)

# the plugin guide and this example, installed for people who build plugins against
# the installed SDK: $(docdir)/plugins/README.md and example.c
sdkdocdir = $(docdir)/plugins
dist_sdkdoc_DATA = plugins/README.md plugins/example/example.c
