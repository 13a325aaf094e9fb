// SHA-256 with the x86 SHA extensions (SHA-NI), one message or two interleaved.
// Written from FIPS 180-4 and the Intel SHA extensions reference; checked against OpenSSL by
// Tests/SyncFSTests/SHA256HardwareTests.swift.
#include "CSHA256.h"

#if defined(__x86_64__)
#include <immintrin.h>
#include <stdint.h>
#include <stddef.h>
#include <string.h>
#include <cpuid.h>

#define PS_TARGET __attribute__((target("sha,sse4.1,ssse3")))

static const uint32_t K[64] __attribute__((aligned(16))) = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};
static const uint32_t H0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

/* State kept as the two vectors sha256rnds2 works on: s0 = ABEF, s1 = CDGH. */
typedef struct { __m128i s0, s1; } ps_state;

PS_TARGET static inline ps_state ps_init(void) {
    __m128i abcd = _mm_loadu_si128((const __m128i *)H0), efgh = _mm_loadu_si128((const __m128i *)(H0 + 4));
    abcd = _mm_shuffle_epi32(abcd, 0xB1);          /* CDAB */
    efgh = _mm_shuffle_epi32(efgh, 0x1B);          /* EFGH */
    ps_state s = { _mm_alignr_epi8(abcd, efgh, 8), _mm_blend_epi16(efgh, abcd, 0xF0) };
    return s;
}

PS_TARGET static inline void ps_out(ps_state s, uint8_t out[32]) {
    __m128i t = _mm_shuffle_epi32(s.s0, 0x1B);     /* FEBA */
    __m128i u = _mm_shuffle_epi32(s.s1, 0xB1);     /* DCHG */
    __m128i abcd = _mm_blend_epi16(t, u, 0xF0);    /* DCBA */
    __m128i efgh = _mm_alignr_epi8(u, t, 8);       /* HGFE */
    const __m128i swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    _mm_storeu_si128((__m128i *)out, _mm_shuffle_epi8(abcd, swap));
    _mm_storeu_si128((__m128i *)(out + 16), _mm_shuffle_epi8(efgh, swap));
}

/* One group of four rounds on W (already scheduled) for group r. */
#define PS_ROUNDS(S, W, r) do { \
    __m128i m_ = _mm_add_epi32((W), _mm_load_si128((const __m128i *)(K + 4 * (r)))); \
    (S).s1 = _mm_sha256rnds2_epu32((S).s1, (S).s0, m_); \
    (S).s0 = _mm_sha256rnds2_epu32((S).s0, (S).s1, _mm_shuffle_epi32(m_, 0x0E)); \
} while (0)
/* W[r] from W[r-4..r-1] in place of W[r-4]: msg1 was applied to it when W[r-3] was made. */
#define PS_SCHED(W0, W1, W2, W3) do { \
    (W0) = _mm_sha256msg2_epu32(_mm_add_epi32(_mm_sha256msg1_epu32((W0), (W1)), _mm_alignr_epi8((W3), (W2), 4)), (W3)); \
} while (0)

PS_TARGET static inline void ps_blocks(ps_state *st, const uint8_t *p, size_t blocks) {
    const __m128i swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    ps_state s = *st;
    for (; blocks > 0; blocks--, p += 64) {
        ps_state save = s;
        __m128i w0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)p), swap);
        __m128i w1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16)), swap);
        __m128i w2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 32)), swap);
        __m128i w3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 48)), swap);
        PS_ROUNDS(s, w0, 0); PS_ROUNDS(s, w1, 1); PS_ROUNDS(s, w2, 2); PS_ROUNDS(s, w3, 3);
        for (int r = 4; r < 16; r += 4) {
            PS_SCHED(w0, w1, w2, w3); PS_ROUNDS(s, w0, r);
            PS_SCHED(w1, w2, w3, w0); PS_ROUNDS(s, w1, r + 1);
            PS_SCHED(w2, w3, w0, w1); PS_ROUNDS(s, w2, r + 2);
            PS_SCHED(w3, w0, w1, w2); PS_ROUNDS(s, w3, r + 3);
        }
        s.s0 = _mm_add_epi32(s.s0, save.s0);
        s.s1 = _mm_add_epi32(s.s1, save.s1);
    }
    *st = s;
}

/* Two independent messages, block by block in lockstep (the rounds of one fill the other's latency). */
PS_TARGET static inline void ps_blocks2(ps_state *sa, const uint8_t *pa, ps_state *sb, const uint8_t *pb, size_t blocks) {
    const __m128i swap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
    ps_state a = *sa, b = *sb;
    for (; blocks > 0; blocks--, pa += 64, pb += 64) {
        ps_state savea = a, saveb = b;
        __m128i a0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)pa), swap);
        __m128i b0 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)pb), swap);
        __m128i a1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(pa + 16)), swap);
        __m128i b1 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(pb + 16)), swap);
        __m128i a2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(pa + 32)), swap);
        __m128i b2 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(pb + 32)), swap);
        __m128i a3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(pa + 48)), swap);
        __m128i b3 = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(pb + 48)), swap);
        PS_ROUNDS(a, a0, 0); PS_ROUNDS(b, b0, 0);
        PS_ROUNDS(a, a1, 1); PS_ROUNDS(b, b1, 1);
        PS_ROUNDS(a, a2, 2); PS_ROUNDS(b, b2, 2);
        PS_ROUNDS(a, a3, 3); PS_ROUNDS(b, b3, 3);
        for (int r = 4; r < 16; r += 4) {
            PS_SCHED(a0, a1, a2, a3); PS_SCHED(b0, b1, b2, b3); PS_ROUNDS(a, a0, r); PS_ROUNDS(b, b0, r);
            PS_SCHED(a1, a2, a3, a0); PS_SCHED(b1, b2, b3, b0); PS_ROUNDS(a, a1, r + 1); PS_ROUNDS(b, b1, r + 1);
            PS_SCHED(a2, a3, a0, a1); PS_SCHED(b2, b3, b0, b1); PS_ROUNDS(a, a2, r + 2); PS_ROUNDS(b, b2, r + 2);
            PS_SCHED(a3, a0, a1, a2); PS_SCHED(b3, b0, b1, b2); PS_ROUNDS(a, a3, r + 3); PS_ROUNDS(b, b3, r + 3);
        }
        a.s0 = _mm_add_epi32(a.s0, savea.s0); a.s1 = _mm_add_epi32(a.s1, savea.s1);
        b.s0 = _mm_add_epi32(b.s0, saveb.s0); b.s1 = _mm_add_epi32(b.s1, saveb.s1);
    }
    *sa = a; *sb = b;
}

/* The last partial block(s): the rest of the message, 0x80, zeros, the bit length. */
PS_TARGET static void ps_finish(ps_state *s, const uint8_t *rest, size_t restLen, uint64_t totalLen, uint8_t out[32]) {
    uint8_t tail[128];
    memset(tail, 0, sizeof tail);
    if (restLen > 0) memcpy(tail, rest, restLen);
    tail[restLen] = 0x80;
    size_t n = restLen + 1 + 8 <= 64 ? 64 : 128;
    uint64_t bits = totalLen * 8;
    for (int i = 0; i < 8; i++) tail[n - 1 - i] = (uint8_t)(bits >> (8 * i));
    ps_blocks(s, tail, n / 64);
    ps_out(*s, out);
}

int peersync_sha256_hw_available(void) {
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    if (!(c & bit_SSE4_1) || !(c & bit_SSSE3)) return 0;
    if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return 0;
    return (b & bit_SHA) != 0;
}

PS_TARGET void peersync_sha256_hw(const uint8_t *p, size_t len, uint8_t out[32]) {
    ps_state s = ps_init();
    ps_blocks(&s, p, len / 64);
    ps_finish(&s, p + (len & ~(size_t)63), len & 63, len, out);
}

PS_TARGET void peersync_sha256_hw_2x(const uint8_t *pa, size_t la, uint8_t outa[32], const uint8_t *pb, size_t lb, uint8_t outb[32]) {
    ps_state a = ps_init(), b = ps_init();
    size_t ba = la / 64, bb = lb / 64, both = ba < bb ? ba : bb;
    ps_blocks2(&a, pa, &b, pb, both);
    ps_blocks(&a, pa + 64 * both, ba - both);
    ps_blocks(&b, pb + 64 * both, bb - both);
    ps_finish(&a, pa + (la & ~(size_t)63), la & 63, la, outa);
    ps_finish(&b, pb + (lb & ~(size_t)63), lb & 63, lb, outb);
}

#else
int peersync_sha256_hw_available(void) { return 0; }
void peersync_sha256_hw(const uint8_t *p, size_t len, uint8_t out[32]) { (void)p; (void)len; (void)out; }
void peersync_sha256_hw_2x(const uint8_t *pa, size_t la, uint8_t outa[32], const uint8_t *pb, size_t lb, uint8_t outb[32]) {
    (void)pa; (void)la; (void)outa; (void)pb; (void)lb; (void)outb;
}
#endif
