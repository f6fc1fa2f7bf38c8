/* trainset.h - labelled documents handed to a plugin's train() */
#ifndef NT_TRAINSET_H
#define NT_TRAINSET_H

#include <stddef.h>
#include "newstag/plugin.h"

/* Number of documents in the set. */
size_t nt_trainset_count(const struct nt_train_set *s);
/* Document i, built on demand: valid until the second next call of this function. */
const struct nt_doc *nt_trainset_doc(const struct nt_train_set *s, size_t i);
/* NULL-terminated gold labels of document i for the facet being trained. */
const char *const *nt_trainset_labels(const struct nt_train_set *s, size_t i);



/* Building a set (used by `newstag train`). */
struct nt_train_set *nt_trainset_new(void);
/* Add one document with its gold labels (copied). NT_OK or a status. */
int nt_trainset_add(struct nt_train_set *s, const char *id, const char *title, const char *text,
                    size_t text_len, const char *const *labels, size_t nlabels,
                    struct nt_error *err);
void nt_trainset_free(struct nt_train_set *s);
#endif /* NT_TRAINSET_H */
