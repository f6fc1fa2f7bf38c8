/* noentry.c - fixture plugin: a module that exports no newstag entry symbol */
int noentry_something(void);
int noentry_something(void) { return 42; }
