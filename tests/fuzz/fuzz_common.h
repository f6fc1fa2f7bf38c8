/* fuzz_common.h - shared helpers of the libFuzzer targets (temp dirs, files, a quiet host) */
#ifndef NT_FUZZ_COMMON_H
#define NT_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* A per-process scratch directory (created once, removed at exit), for model files
 * written from the fuzz input. */
static char fz_dir[64];

static void fz_cleanup(void)
{
	char cmd[128];
	if (fz_dir[0]) {
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", fz_dir);
		if (system(cmd) != 0)
			fprintf(stderr, "fuzz: could not remove %s\n", fz_dir);
	}
}

/* Make the scratch directory and silence plugin logging (NEWSTAG_LOG=-1). */
static void fz_init(void)
{
	setenv("NEWSTAG_LOG", "-1", 1);
	if (fz_dir[0])
		return;
	snprintf(fz_dir, sizeof fz_dir, "/tmp/nt-fuzz.XXXXXX");
	if (!mkdtemp(fz_dir)) {
		perror("fuzz: mkdtemp");
		abort();
	}
	atexit(fz_cleanup);
}

/* Write n bytes to fz_dir/name (overwriting); aborts on I/O failure (not a finding). */
static void fz_write(const char *name, const void *data, size_t n)
{
	char path[256];
	snprintf(path, sizeof path, "%s/%s", fz_dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || (n && fwrite(data, 1, n, f) != n) || fclose(f) != 0) {
		perror(path);
		abort();
	}
}

#endif /* NT_FUZZ_COMMON_H */
