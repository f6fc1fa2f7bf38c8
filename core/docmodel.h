/* docmodel.h - build the shared document model (zones, sentences, tokens) of one article */
#ifndef NT_DOCMODEL_H
#define NT_DOCMODEL_H

#include <stddef.h>
#include <stdint.h>
#include "newstag/plugin.h"

/* A reusable builder: holds the buffers of one document; reuse it across articles
 * on one thread to avoid allocation. Not thread-safe; use one per thread. */
struct nt_docbuf;

/* Create a builder. Returns NULL when out of memory. */
struct nt_docbuf *nt_docbuf_new(void);

/* Release a builder and the document it holds. NULL is accepted. */
void nt_docbuf_free(struct nt_docbuf *b);

/* Build the document model of one article into b. text (text_len bytes, need not be
 * NUL terminated) is copied; invalid UTF-8 is replaced by U+FFFD and each repair is
 * counted (nt_docbuf_repairs). title may be NULL; when title_in_text is nonzero and
 * title is NULL, a first line followed by a blank line is the title zone.
 * The returned document is valid until the next build or free of b.
 * Returns NT_OK or NT_ENOMEM, or NT_EINVAL when the text is over 4 GiB. */
int nt_doc_build(struct nt_docbuf *b, const char *id, const char *title, size_t title_len,
                 const char *text, size_t text_len, int title_in_text,
                 const struct nt_doc **out, struct nt_error *err);

/* Number of invalid UTF-8 sequences repaired in the last build, and the byte offset
 * (in the input as given) of the first one, or -1. */
size_t nt_docbuf_repairs(const struct nt_docbuf *b, long long *first_offset);

/* Replace, in place, each byte of an invalid UTF-8 sequence and each NUL byte of
 * s[0, n) by '?', so byte offsets are kept. Returns the number of bytes replaced and
 * sets *first to the offset of the first (or -1). */
size_t nt_utf8_repair(char *s, size_t n, long long *first);

/* FNV-1a 64-bit hash, the hash of every folded token. */
uint64_t nt_hash64(const char *s, size_t len);

/* Fold s like the document model folds tokens and write the hashes of its word and
 * number tokens into out (at most max); returns how many tokens s has. */
size_t nt_fold_hashes(const char *s, size_t len, uint64_t *out, size_t max);

#endif /* NT_DOCMODEL_H */
