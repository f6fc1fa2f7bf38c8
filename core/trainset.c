/* trainset.c - labelled documents handed to a plugin's train() */
#include "config.h"
#include "trainset.h"
#include "docmodel.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

struct train_item {
	struct nt_docbuf *buf;
	const struct nt_doc *doc;
	char *id;
	char **labels; /* NULL-terminated */
};

struct nt_train_set {
	struct train_item *items;
	size_t n, cap;
};

struct nt_train_set *nt_trainset_new(void)
{
	return calloc(1, sizeof(struct nt_train_set));
}

int nt_trainset_add(struct nt_train_set *s, const char *id, const char *title, const char *text,
                    size_t text_len, const char *const *labels, size_t nlabels,
                    struct nt_error *err)
{
	if (s->n == s->cap) {
		size_t c = s->cap ? s->cap * 2 : 64;
		struct train_item *p = realloc(s->items, c * sizeof *p);
		if (!p)
			return nt_seterr(err, NT_ENOMEM, "out of memory");
		s->items = p;
		s->cap = c;
	}
	struct train_item *it = &s->items[s->n];
	memset(it, 0, sizeof *it);
	it->id = nt_strdup(id);
	it->buf = nt_docbuf_new();
	it->labels = calloc(nlabels + 1, sizeof *it->labels);
	int rc = NT_ENOMEM;
	if (it->id && it->buf && it->labels) {
		rc = NT_OK;
		for (size_t i = 0; i < nlabels && rc == NT_OK; i++)
			if (!(it->labels[i] = nt_strdup(labels[i])))
				rc = NT_ENOMEM;
		if (rc == NT_OK)
			rc = nt_doc_build(it->buf, it->id, title, title ? strlen(title) : 0, text, text_len,
			                  0, &it->doc, err);
	}
	if (rc != NT_OK) {
		for (size_t i = 0; it->labels && it->labels[i]; i++)
			free(it->labels[i]);
		free(it->labels);
		free(it->id);
		nt_docbuf_free(it->buf);
		if (rc == NT_ENOMEM)
			nt_seterr(err, rc, "out of memory");
		return rc;
	}
	s->n++;
	return NT_OK;
}

void nt_trainset_free(struct nt_train_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		for (size_t j = 0; s->items[i].labels[j]; j++)
			free(s->items[i].labels[j]);
		free(s->items[i].labels);
		free(s->items[i].id);
		nt_docbuf_free(s->items[i].buf);
	}
	free(s->items);
	free(s);
}

size_t nt_trainset_count(const struct nt_train_set *s)
{
	return s ? s->n : 0;
}

const struct nt_doc *nt_trainset_doc(const struct nt_train_set *s, size_t i)
{
	return s && i < s->n ? s->items[i].doc : NULL;
}

const char *const *nt_trainset_labels(const struct nt_train_set *s, size_t i)
{
	return s && i < s->n ? (const char *const *)s->items[i].labels : NULL;
}
