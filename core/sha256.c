/* sha256.c - SHA-256 (FIPS 180-4) of buffers, files and model directories */
#include "config.h"
#include "sha256.h"
#include "util.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const uint32_t K[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

#define ROR(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

/* One round of the portable compression function; the eight working variables rotate
 * by renaming instead of moving. */
#define RND(a, b, c, d, e, f, g, h, i)                                                   \
	do {                                                                             \
		uint32_t t1_ = h + (ROR(e, 6) ^ ROR(e, 11) ^ ROR(e, 25)) + ((e & f) ^ (~e & g)) + \
		               K[i] + w[i];                                                   \
		uint32_t t2_ = (ROR(a, 2) ^ ROR(a, 13) ^ ROR(a, 22)) + ((a & b) ^ (a & c) ^ (b & c)); \
		d += t1_;                                                                \
		h = t1_ + t2_;                                                           \
	} while (0)

/* Compress nblocks 64-byte blocks at p into h (portable C). */
static void blocks_c(uint32_t hs[8], const unsigned char *p, size_t nblocks)
{
	for (; nblocks--; p += 64) {
		uint32_t w[64];
		for (int i = 0; i < 16; i++)
			w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
			       (uint32_t)p[4 * i + 2] << 8 | p[4 * i + 3];
		for (int i = 16; i < 64; i++) {
			uint32_t s0 = ROR(w[i - 15], 7) ^ ROR(w[i - 15], 18) ^ (w[i - 15] >> 3);
			uint32_t s1 = ROR(w[i - 2], 17) ^ ROR(w[i - 2], 19) ^ (w[i - 2] >> 10);
			w[i] = w[i - 16] + s0 + w[i - 7] + s1;
		}
		uint32_t a = hs[0], b = hs[1], c = hs[2], d = hs[3], e = hs[4], f = hs[5], g = hs[6],
		         h = hs[7];
		for (int i = 0; i < 64; i += 8) {
			RND(a, b, c, d, e, f, g, h, i);
			RND(h, a, b, c, d, e, f, g, i + 1);
			RND(g, h, a, b, c, d, e, f, i + 2);
			RND(f, g, h, a, b, c, d, e, i + 3);
			RND(e, f, g, h, a, b, c, d, i + 4);
			RND(d, e, f, g, h, a, b, c, i + 5);
			RND(c, d, e, f, g, h, a, b, i + 6);
			RND(b, c, d, e, f, g, h, a, i + 7);
		}
		hs[0] += a; hs[1] += b; hs[2] += c; hs[3] += d;
		hs[4] += e; hs[5] += f; hs[6] += g; hs[7] += h;
	}
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#define HAVE_SHANI_PATH 1
#include <cpuid.h>
#include <immintrin.h>
#include <pthread.h>

/* Four rounds with the x86 SHA extensions; mc holds the message words of these rounds,
 * mn gets the words four groups ahead (msg2), mp is started for later (msg1). */
#define QROUND(mc, mn, mp, k)                                                            \
	do {                                                                             \
		__m128i q_ = _mm_add_epi32(mc, _mm_loadu_si128((const __m128i *)(const void *)&K[k])); \
		st1 = _mm_sha256rnds2_epu32(st1, st0, q_);                               \
		mn = _mm_sha256msg2_epu32(_mm_add_epi32(mn, _mm_alignr_epi8(mc, mp, 4)), mc); \
		st0 = _mm_sha256rnds2_epu32(st0, st1, _mm_shuffle_epi32(q_, 0x0E));      \
		mp = _mm_sha256msg1_epu32(mp, mc);                                       \
	} while (0)

/* Compress nblocks 64-byte blocks at p into h with the SHA extensions (SHA-NI). */
__attribute__((target("sha,sse4.1,ssse3"))) static void blocks_shani(uint32_t hs[8],
                                                                    const unsigned char *p,
                                                                    size_t nblocks)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
	__m128i tmp = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)(const void *)&hs[0]), 0xB1);
	__m128i st1 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)(const void *)&hs[4]), 0x1B);
	__m128i st0 = _mm_alignr_epi8(tmp, st1, 8);    /* ABEF */
	st1 = _mm_blend_epi16(st1, tmp, 0xF0);         /* CDGH */
	for (; nblocks--; p += 64) {
		__m128i abef = st0, cdgh = st1, m_;
		__m128i m0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)p), bswap);
		__m128i m1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 16)), bswap);
		__m128i m2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 32)), bswap);
		__m128i m3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + 48)), bswap);
		/* rounds 0-11: the first three groups of message words are the block itself */
		m_ = _mm_add_epi32(m0, _mm_loadu_si128((const __m128i *)(const void *)&K[0]));
		st1 = _mm_sha256rnds2_epu32(st1, st0, m_);
		st0 = _mm_sha256rnds2_epu32(st0, st1, _mm_shuffle_epi32(m_, 0x0E));
		m_ = _mm_add_epi32(m1, _mm_loadu_si128((const __m128i *)(const void *)&K[4]));
		st1 = _mm_sha256rnds2_epu32(st1, st0, m_);
		st0 = _mm_sha256rnds2_epu32(st0, st1, _mm_shuffle_epi32(m_, 0x0E));
		m0 = _mm_sha256msg1_epu32(m0, m1);
		m_ = _mm_add_epi32(m2, _mm_loadu_si128((const __m128i *)(const void *)&K[8]));
		st1 = _mm_sha256rnds2_epu32(st1, st0, m_);
		st0 = _mm_sha256rnds2_epu32(st0, st1, _mm_shuffle_epi32(m_, 0x0E));
		m1 = _mm_sha256msg1_epu32(m1, m2);
		/* rounds 12-63 (the last groups compute message words nobody uses) */
		QROUND(m3, m0, m2, 12);
		QROUND(m0, m1, m3, 16);
		QROUND(m1, m2, m0, 20);
		QROUND(m2, m3, m1, 24);
		QROUND(m3, m0, m2, 28);
		QROUND(m0, m1, m3, 32);
		QROUND(m1, m2, m0, 36);
		QROUND(m2, m3, m1, 40);
		QROUND(m3, m0, m2, 44);
		QROUND(m0, m1, m3, 48);
		QROUND(m1, m2, m0, 52);
		QROUND(m2, m3, m1, 56);
		QROUND(m3, m0, m2, 60);
		st0 = _mm_add_epi32(st0, abef);
		st1 = _mm_add_epi32(st1, cdgh);
	}
	tmp = _mm_shuffle_epi32(st0, 0x1B);            /* FEBA */
	st1 = _mm_shuffle_epi32(st1, 0xB1);            /* DCHG */
	st0 = _mm_blend_epi16(tmp, st1, 0xF0);         /* DCBA */
	st1 = _mm_alignr_epi8(st1, tmp, 8);            /* HGFE */
	_mm_storeu_si128((__m128i *)(void *)&hs[0], st0);
	_mm_storeu_si128((__m128i *)(void *)&hs[4], st1);
}

static pthread_once_t shani_once = PTHREAD_ONCE_INIT;
static int shani_ok;

static void shani_detect(void)
{
	unsigned a, b, c, d;
	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & (1u << 19)) || !(c & (1u << 9)))
		return; /* SSE4.1 and SSSE3 */
	if (__get_cpuid_max(0, NULL) < 7)
		return;
	__cpuid_count(7, 0, a, b, c, d);
	shani_ok = ((b >> 29) & 1u) && !getenv("NEWSTAG_SHA256_PORTABLE"); /* SHA */
}
#endif

/* Compress nblocks 64-byte blocks at p into h: SHA-NI when the CPU has it, else C. */
static void blocks(uint32_t h[8], const unsigned char *p, size_t nblocks)
{
#ifdef HAVE_SHANI_PATH
	pthread_once(&shani_once, shani_detect);
	if (shani_ok) {
		blocks_shani(h, p, nblocks);
		return;
	}
#endif
	blocks_c(h, p, nblocks);
}

void nt_sha256_init(struct nt_sha256 *c)
{
	static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	                               0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
	memcpy(c->h, iv, sizeof iv);
	c->len = 0;
	c->used = 0;
}

void nt_sha256_update(struct nt_sha256 *c, const void *data, size_t n)
{
	const unsigned char *p = data;
	c->len += n;
	if (c->used) {
		size_t k = 64 - c->used;
		if (k > n)
			k = n;
		memcpy(c->buf + c->used, p, k);
		c->used += k;
		p += k;
		n -= k;
		if (c->used < 64)
			return;
		blocks(c->h, c->buf, 1);
		c->used = 0;
	}
	if (n >= 64) {
		/* whole blocks straight from the caller's buffer */
		blocks(c->h, p, n / 64);
		p += n / 64 * 64;
		n %= 64;
	}
	memcpy(c->buf, p, n);
	c->used = n;
}

void nt_sha256_final(struct nt_sha256 *c, unsigned char out[32])
{
	uint64_t bits = c->len * 8;
	/* 0x80, zeros to 56 mod 64, the bit length big-endian */
	c->buf[c->used++] = 0x80;
	if (c->used > 56) {
		memset(c->buf + c->used, 0, 64 - c->used);
		blocks(c->h, c->buf, 1);
		c->used = 0;
	}
	memset(c->buf + c->used, 0, 56 - c->used);
	for (int i = 0; i < 8; i++)
		c->buf[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
	blocks(c->h, c->buf, 1);
	c->used = 0;
	for (int i = 0; i < 8; i++) {
		out[4 * i] = (unsigned char)(c->h[i] >> 24);
		out[4 * i + 1] = (unsigned char)(c->h[i] >> 16);
		out[4 * i + 2] = (unsigned char)(c->h[i] >> 8);
		out[4 * i + 3] = (unsigned char)c->h[i];
	}
}

static int feed_file(struct nt_sha256 *c, const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NT_EIO;
	unsigned char buf[65536];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		nt_sha256_update(c, buf, n);
	int bad = ferror(f);
	fclose(f);
	return bad ? NT_EIO : NT_OK;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int nt_sha256_path(const char *path, char *out, size_t outlen)
{
	struct nt_sha256 c;
	nt_sha256_init(&c);
	int rc = NT_OK;
	if (nt_is_dir(path)) {
		DIR *d = opendir(path);
		if (!d)
			return NT_EIO;
		char **names = NULL;
		size_t n = 0, cap = 0;
		struct dirent *de;
		while ((de = readdir(d)) != NULL) {
			if (de->d_name[0] == '.')
				continue;
			if (n == cap) {
				cap = cap ? cap * 2 : 16;
				char **nn = realloc(names, cap * sizeof *names);
				if (!nn) {
					rc = NT_ENOMEM;
					break;
				}
				names = nn;
			}
			if (!(names[n] = nt_strdup(de->d_name))) {
				rc = NT_ENOMEM;
				break;
			}
			n++;
		}
		closedir(d);
		if (n)
			qsort(names, n, sizeof *names, cmp_str);
		for (size_t i = 0; i < n && rc == NT_OK; i++) {
			char *p = nt_path_join(path, names[i]);
			if (!p) {
				rc = NT_ENOMEM;
				break;
			}
			if (nt_is_file(p)) {
				nt_sha256_update(&c, names[i], strlen(names[i]) + 1);
				rc = feed_file(&c, p);
			}
			free(p);
		}
		for (size_t i = 0; i < n; i++)
			free(names[i]);
		free(names);
	} else if (nt_is_file(path)) {
		rc = feed_file(&c, path);
	} else {
		rc = NT_ENOTFOUND;
	}
	if (rc != NT_OK)
		return rc;
	unsigned char dg[32];
	nt_sha256_final(&c, dg);
	if (outlen < 72)
		return NT_EINVAL;
	memcpy(out, "sha256:", 7);
	for (int i = 0; i < 32; i++)
		snprintf(out + 7 + 2 * i, 3, "%02x", dg[i]);
	return NT_OK;
}
