/* phash.h - perfect-hash placement ("hash and displace") for plugins that freeze a table at open */
#ifndef NT_PLUGIN_PHASH_H
#define NT_PLUGIN_PHASH_H

/*
 * Shared by the in-tree plugins (region, tone), which include this header; not part of the
 * plugin ABI. A frozen table of nslot slots puts key x (a 64-bit value, distinct per key) at
 *     nt_phash_slot(ph, x) = ((x * mul >> 16) & pmask) ^ disp[(x * mul >> 40) & gmask]
 * one multiplication, one 2-byte displacement and one slot, with no probe loop: the keys of a
 * group (the product's bits 40 and up) share a displacement, chosen so that they all land on
 * distinct free slots (the product's bits 16 and up give each key's base slot). A lookup reads
 * that slot and compares the key it holds; the caller fills the slots. The placement is
 * deterministic.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct nt_phash {
	uint16_t *disp;        /* gmask + 1 group displacements (malloc; nt_phash_free()) */
	uint64_t mul;          /* the product's odd multiplier */
	uint64_t pmask, gmask; /* slots - 1 (at most 2^24 - 1), groups - 1 */
};

/* The slot of key x in a placed table. */
static inline size_t nt_phash_slot(const struct nt_phash *ph, uint64_t x)
{
	uint64_t p = x * ph->mul;
	return (size_t)(((p >> 16) & ph->pmask) ^ ph->disp[(p >> 40) & ph->gmask]);
}

/* Release ph's displacements (ph may be zeroed or already released). */
static inline void nt_phash_free(struct nt_phash *ph)
{
	free(ph->disp);
	ph->disp = NULL;
}

/* Place the n distinct keys x[0..n): at least min_slots slots (a power of two) and at least 8
 * per 7 keys, one group per group_div slots (a power of two, at most min_slots); more slots
 * when none of the multipliers or displacements fits. Returns the number of slots and sets
 * *owner to a malloc'd array (owned by the caller) giving each slot's key index into x, or
 * UINT32_MAX for an empty slot; 0 when memory runs out or more than 2^24 slots would be
 * needed (ph is then released). */
static size_t nt_phash_place(struct nt_phash *ph, const uint64_t *x, size_t n, size_t min_slots,
                             size_t group_div, uint32_t **owner)
{
	static const uint64_t muls[] = {
		0x9E3779B97F4A7C15ULL, 0xD6E8FEB86659FD93ULL, 0xA0761D6478BD642FULL, 0xE7037ED1A0B428DBULL,
		0x8EBC6AF09C88C6E3ULL, 0x589965CC75374CC3ULL, 0x1D8E4E27C47D124FULL, 0xBF58476D1CE4E5B9ULL,
		0x94D049BB133111EBULL, 0xFF51AFD7ED558CCDULL, 0xC4CEB9FE1A85EC53ULL, 0x87C37B91114253D5ULL,
		0x4CF5AD432745937FULL, 0x2127599BF4325C37ULL, 0x880355F21E6D1965ULL, 0xC2B2AE3D27D4EB4FULL,
	};
	size_t nslot = min_slots, ngrp = 0, g, i;
	uint32_t *order = NULL, *base, *gstart = NULL, *gcount = NULL, *slotkey = NULL;
	uint64_t *freeb = NULL;
	int ok = 0;
	nt_phash_free(ph);
	*owner = NULL;
	while (nslot * 7 < n * 8)
		nslot *= 2;
	/* per key: its index in group order and its base slot */
	order = malloc((2 * n + 1) * sizeof *order);
	if (order == NULL)
		return 0;
	base = order + n;
	for (; !ok; nslot *= 2) {
		if (nslot > ((size_t)1 << 24))
			break;
		ngrp = nslot / group_div;
		free(ph->disp);
		free(freeb);
		free(slotkey);
		ph->disp = calloc(ngrp, sizeof *ph->disp);
		/* the free-slot bitmap (1 = free), then group starts and counts */
		freeb = calloc(nslot / 64 + 1 + (2 * ngrp + 1) / 2 + 1, sizeof *freeb);
		slotkey = malloc(nslot * sizeof *slotkey);
		if (ph->disp == NULL || freeb == NULL || slotkey == NULL)
			break;
		gstart = (uint32_t *)(void *)(freeb + nslot / 64 + 1);
		gcount = gstart + ngrp + 1;
		ph->pmask = nslot - 1;
		ph->gmask = ngrp - 1;
		for (size_t mi = 0; !ok && mi < sizeof muls / sizeof muls[0]; mi++) {
			size_t maxsz = 0;
			ph->mul = muls[mi];
			memset(ph->disp, 0, ngrp * sizeof *ph->disp);
			memset(gcount, 0, ngrp * sizeof *gcount);
			memset(slotkey, 0xFF, nslot * sizeof *slotkey);
			/* keys by group (counting sort), with their base slots */
			for (i = 0; i < n; i++)
				gcount[(x[i] * ph->mul >> 40) & ph->gmask]++;
			gstart[0] = 0;
			for (g = 0; g < ngrp; g++) {
				gstart[g + 1] = gstart[g] + gcount[g];
				maxsz = gcount[g] > maxsz ? gcount[g] : maxsz;
			}
			memset(gcount, 0, ngrp * sizeof *gcount);
			for (i = 0; i < n; i++) {
				uint64_t pr = x[i] * ph->mul;
				g = (pr >> 40) & ph->gmask;
				order[gstart[g] + gcount[g]] = (uint32_t)i;
				base[gstart[g] + gcount[g]++] = (uint32_t)((pr >> 16) & ph->pmask);
			}
			/* two keys with the same group and base slot cannot be separated: next multiplier */
			ok = 1;
			for (g = 0; ok && g < ngrp; g++)
				for (uint32_t a = gstart[g]; ok && a < gstart[g + 1]; a++)
					for (uint32_t c = gstart[g]; c < a; c++)
						if (base[a] == base[c])
							ok = 0;
			/* place the groups, largest first. Each candidate displacement puts the group's
			 * first key on a free slot, and d = base ^ that slot stays inside the key's block
			 * of 65,536 slots (d is 16 bits) */
			memset(freeb, 0xFF, (nslot + 63) / 64 * sizeof *freeb);
			if (nslot < 64)
				freeb[0] = ((uint64_t)1 << nslot) - 1;
			size_t span = nslot < 65536 ? nslot : 65536, words = (span + 63) / 64;
			for (size_t sz = maxsz; ok && sz > 0; sz--) {
				for (g = 0; ok && g < ngrp; g++) {
					uint32_t a, b0, d = 0;
					int found = 0;
					if (gcount[g] != sz)
						continue;
					b0 = base[gstart[g]];
					size_t blk = b0 & ~(size_t)(span - 1), w0 = (b0 & (span - 1)) / 64;
					for (size_t step = 0; !found && step < words; step++) {
						size_t w = blk / 64 + (w0 + step) % words;
						for (uint64_t bits = freeb[w]; !found && bits; bits &= bits - 1) {
							d = b0 ^ (uint32_t)(w * 64 + (size_t)__builtin_ctzll(bits));
							for (a = gstart[g] + 1; a < gstart[g + 1]; a++) {
								uint32_t sl = base[a] ^ d;
								if (!(freeb[sl / 64] >> (sl % 64) & 1))
									break;
							}
							found = a == gstart[g + 1];
						}
					}
					if (!found) {
						ok = 0;
						break;
					}
					for (a = gstart[g]; a < gstart[g + 1]; a++) {
						uint32_t sl = base[a] ^ d;
						slotkey[sl] = order[a];
						freeb[sl / 64] &= ~((uint64_t)1 << (sl % 64));
					}
					ph->disp[g] = (uint16_t)d;
				}
			}
		}
		if (ok)
			break;
	}
	free(order);
	free(freeb);
	if (!ok) {
		free(slotkey);
		nt_phash_free(ph);
		return 0;
	}
	*owner = slotkey;
	return nslot;
}

#endif /* NT_PLUGIN_PHASH_H */
