/* fuzz_docmodel.c - libFuzzer target: the document model (UTF-8 repair, tokens, sentences, zones) */
#include "fuzz_common.h"
#include "docmodel.h"

/* Abort (a finding) when the document breaks an invariant plugins rely on. */
static void check_doc(const struct nt_doc *d)
{
	size_t words = 0;
	for (size_t i = 0; i < d->ntokens; i++) {
		const struct nt_token *t = &d->tokens[i];
		size_t lim = t->src == NT_SRC_TITLE ? d->title_len : d->text_len;
		if (t->src > NT_SRC_TITLE || (t->src == NT_SRC_TITLE && !d->title))
			abort();
		if (t->start > t->end || t->end > lim || t->zone >= NT_ZONE_COUNT)
			abort();
		if (t->sentence >= d->nsentences && d->nsentences)
			abort();
		const char *n = d->norm + t->norm_off;
		if (strlen(n) != t->norm_len)
			abort();
		if (t->flags & (NT_TOK_WORD | NT_TOK_NUMBER))
			words++;
	}
	if (words != d->nwords)
		abort();
	for (size_t s = 0; s < d->nsentences; s++) {
		const struct nt_sentence *se = &d->sentences[s];
		if ((size_t)se->first_token + se->ntokens > d->ntokens)
			abort();
	}
	for (int z = 0; z < NT_ZONE_COUNT; z++)
		if ((size_t)d->zones[z].first_token + d->zones[z].ntokens > d->ntokens)
			abort();
}

/* Input: byte 0 = flags (bit 0: a separate title, bit 1: title_in_text), byte 1 =
 * title length (when bit 0), then the title and the text. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct nt_docbuf *b;
	if (!b && !(b = nt_docbuf_new()))
		abort();
	if (size < 2)
		return 0;
	int flags = data[0];
	size_t tl = (flags & 1) ? data[1] : 0;
	data += 2;
	size -= 2;
	if (tl > size)
		tl = size;
	/* copies with no slack, so ASan sees any read past the end */
	char *title = (flags & 1) ? malloc(tl ? tl : 1) : NULL;
	char *text = malloc(size - tl ? size - tl : 1);
	if (title)
		memcpy(title, data, tl);
	memcpy(text, data + tl, size - tl);
	const struct nt_doc *d = NULL;
	struct nt_error err = {0};
	int rc = nt_doc_build(b, "fuzz", title, tl, text, size - tl, (flags >> 1) & 1, &d, &err);
	if (rc == NT_OK) {
		check_doc(d);
		long long first;
		(void)nt_docbuf_repairs(b, &first);
	}
	/* the in-place repair and the folding helper on the same bytes */
	long long first = -1;
	size_t fixed = nt_utf8_repair(text, size - tl, &first);
	if (fixed && (first < 0 || (size_t)first >= size - tl))
		abort();
	uint64_t h[64];
	(void)nt_fold_hashes(text, size - tl, h, 64);
	free(title);
	free(text);
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	setenv("NEWSTAG_LOG", "-1", 1);
	return 0;
}
