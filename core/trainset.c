/* trainset.c - labelled documents handed to a plugin's train(), built on demand */
#include "config.h"
#include "trainset.h"
#include "docmodel.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* One labelled article: its strings in one allocation (id, title, text, labels). */
struct train_item {
	char *id;
	char *title;       /* NULL when none was given */
	char *text;
	size_t text_len;
	char **labels;     /* NULL-terminated, point into the same block */
};

/*
 * The set keeps the articles' text, not their document models: a model is about ten
 * times the size of its text (40 bytes per token), which does not fit in memory for
 * 100k+ articles. nt_trainset_doc() builds document i into a small cache of document
 * builders; a returned document stays valid until NT_TRAINSET_CACHE further calls
 * for other documents (train() runs on one thread, so the cache needs no lock).
 */
#define NT_TRAINSET_CACHE 2

struct nt_train_set {
	struct train_item *items;
	size_t n, cap;
	struct nt_docbuf *buf[NT_TRAINSET_CACHE]; /* builders, reused */
	const struct nt_doc *doc[NT_TRAINSET_CACHE];
	size_t which[NT_TRAINSET_CACHE];          /* item held by each builder, or SIZE_MAX */
	size_t next;                              /* builder to reuse next */
};

struct nt_train_set *nt_trainset_new(void)
{
	struct nt_train_set *s = calloc(1, sizeof *s);
	if (!s)
		return NULL;
	for (size_t k = 0; k < NT_TRAINSET_CACHE; k++) {
		s->which[k] = SIZE_MAX;
		if (!(s->buf[k] = nt_docbuf_new())) {
			nt_trainset_free(s);
			return NULL;
		}
	}
	return s;
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
	/* one block: label pointers, then id, title, text and label strings */
	size_t idl = strlen(id), tl = title ? strlen(title) : 0, size = (nlabels + 1) * sizeof(char *);
	size += idl + 1 + (title ? tl + 1 : 0) + text_len + 1;
	for (size_t i = 0; i < nlabels; i++)
		size += strlen(labels[i]) + 1;
	char *block = malloc(size);
	if (!block)
		return nt_seterr(err, NT_ENOMEM, "out of memory");
	struct train_item *it = &s->items[s->n];
	it->labels = (char **)(void *)block;
	char *p = block + (nlabels + 1) * sizeof(char *);
	it->id = p;
	memcpy(p, id, idl + 1);
	p += idl + 1;
	it->title = NULL;
	if (title) {
		it->title = p;
		memcpy(p, title, tl + 1);
		p += tl + 1;
	}
	it->text = p;
	it->text_len = text_len;
	memcpy(p, text, text_len);
	p[text_len] = '\0';
	p += text_len + 1;
	for (size_t i = 0; i < nlabels; i++) {
		size_t ll = strlen(labels[i]);
		it->labels[i] = p;
		memcpy(p, labels[i], ll + 1);
		p += ll + 1;
	}
	it->labels[nlabels] = NULL;
	/* build it once now, so that a text the document model rejects fails here, naming it */
	const struct nt_doc *d;
	int rc = nt_doc_build(s->buf[0], it->id, it->title, tl, it->text, it->text_len, 0, &d, err);
	s->which[0] = SIZE_MAX;
	if (rc != NT_OK) {
		free(block);
		return rc;
	}
	s->n++;
	return NT_OK;
}

void nt_trainset_free(struct nt_train_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		free(s->items[i].labels); /* the block */
	for (size_t k = 0; k < NT_TRAINSET_CACHE; k++)
		nt_docbuf_free(s->buf[k]);
	free(s->items);
	free(s);
}

size_t nt_trainset_count(const struct nt_train_set *s)
{
	return s ? s->n : 0;
}

const struct nt_doc *nt_trainset_doc(const struct nt_train_set *cs, size_t i)
{
	if (!cs || i >= cs->n)
		return NULL;
	struct nt_train_set *s = (struct nt_train_set *)cs; /* the cache is internal state */
	for (size_t k = 0; k < NT_TRAINSET_CACHE; k++)
		if (s->which[k] == i)
			return s->doc[k];
	size_t k = s->next;
	s->next = (s->next + 1) % NT_TRAINSET_CACHE;
	const struct train_item *it = &s->items[i];
	s->which[k] = SIZE_MAX;
	if (nt_doc_build(s->buf[k], it->id, it->title, it->title ? strlen(it->title) : 0, it->text,
	                 it->text_len, 0, &s->doc[k], NULL) != NT_OK)
		return NULL;
	s->which[k] = i;
	return s->doc[k];
}

const char *const *nt_trainset_labels(const struct nt_train_set *s, size_t i)
{
	return s && i < s->n ? (const char *const *)s->items[i].labels : NULL;
}
