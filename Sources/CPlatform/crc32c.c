#include "CPlatform.h"
#include <string.h>

#if defined(__x86_64__)
#include <cpuid.h>
#include <nmmintrin.h>

int cplatform_has_crc32c_instruction(void) {
    unsigned int eax, ebx, ecx, edx;
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return 0;
    return (ecx & bit_SSE4_2) != 0;
}

// The crc32 instruction has a latency of 3 cycles and a throughput of 1 per cycle, so one
// serial chain runs at a third of the possible speed. Long buffers are cut into three
// blocks whose CRCs run interleaved and are then combined: the CRC register is linear, so
// reg(s, A‖B) = reg(s, A)·x^(8|B|) mod P ⊕ reg(0, B). Multiplying by the constant
// x^(8|B|) mod P is a linear map of 32 bits, done with four 256-entry tables per block size
// (the method of Mark Adler's crc32c.c).
#define CRC32C_POLY 0x82F63B78u
#define CRC32C_LONG 2048
#define CRC32C_SHORT 128

static uint32_t crc32c_shift_long[4][256];
static uint32_t crc32c_shift_short[4][256];

/// a·b mod P in the reflected representation (x^0 is the top bit), as zlib's multmodp.
static uint32_t crc32c_multmodp(uint32_t a, uint32_t b) {
    uint32_t m = 1u << 31, p = 0;
    for (;;) {
        if (a & m) {
            p ^= b;
            if ((a & (m - 1)) == 0) break;
        }
        m >>= 1;
        b = (b & 1) ? (b >> 1) ^ CRC32C_POLY : b >> 1;
    }
    return p;
}

static void crc32c_build_shift(uint32_t table[4][256], size_t bytes) {
    uint32_t op = 1u << 31;  // x^0
    for (size_t i = 0; i < bytes; i++) op = crc32c_multmodp(1u << 23, op);  // · x^8
    for (int j = 0; j < 4; j++) {
        for (uint32_t b = 0; b < 256; b++) table[j][b] = crc32c_multmodp(op, b << (8 * j));
    }
}

__attribute__((constructor)) static void crc32c_init_tables(void) {
    crc32c_build_shift(crc32c_shift_long, CRC32C_LONG);
    crc32c_build_shift(crc32c_shift_short, CRC32C_SHORT);
}

static inline uint32_t crc32c_shift(const uint32_t table[4][256], uint32_t crc) {
    return table[0][crc & 0xFF] ^ table[1][(crc >> 8) & 0xFF] ^ table[2][(crc >> 16) & 0xFF] ^ table[3][crc >> 24];
}

__attribute__((target("sse4.2"))) static inline uint64_t crc32c_load(const unsigned char *p) {
    uint64_t v;
    memcpy(&v, p, 8);
    return v;
}

#define CRC32C_INTERLEAVED(BLOCK, TABLE)                                              \
    while (length >= 3 * (BLOCK)) {                                                   \
        uint64_t c1 = 0, c2 = 0;                                                      \
        const unsigned char *end = p + (BLOCK);                                       \
        do {                                                                          \
            c = _mm_crc32_u64(c, crc32c_load(p));                                     \
            c1 = _mm_crc32_u64(c1, crc32c_load(p + (BLOCK)));                         \
            c2 = _mm_crc32_u64(c2, crc32c_load(p + 2 * (BLOCK)));                     \
            p += 8;                                                                   \
        } while (p < end);                                                            \
        c = crc32c_shift(TABLE, (uint32_t)c) ^ (uint32_t)c1;                          \
        c = crc32c_shift(TABLE, (uint32_t)c) ^ (uint32_t)c2;                          \
        p += 2 * (BLOCK);                                                             \
        length -= 3 * (BLOCK);                                                        \
    }

__attribute__((target("sse4.2")))
uint32_t cplatform_crc32c_hw(uint32_t crc, const void *data, size_t length) {
    const unsigned char *p = (const unsigned char *)data;
    uint64_t c = crc;
    CRC32C_INTERLEAVED(CRC32C_LONG, crc32c_shift_long)
    CRC32C_INTERLEAVED(CRC32C_SHORT, crc32c_shift_short)
    while (length >= 8) {
        c = _mm_crc32_u64(c, crc32c_load(p));
        p += 8; length -= 8;
    }
    while (length > 0) {
        c = _mm_crc32_u8((uint32_t)c, *p);
        p++; length--;
    }
    return (uint32_t)c;
}

__attribute__((target("sse4.2")))
uint32_t cplatform_crc32c_hw_sctp(const void *data, size_t length) {
    const unsigned char *p = (const unsigned char *)data;
    if (length < 12) return 0;
    uint64_t c = _mm_crc32_u64(0xFFFFFFFFu, crc32c_load(p));
    c = _mm_crc32_u32((uint32_t)c, 0);
    return cplatform_crc32c_hw((uint32_t)c, p + 12, length - 12) ^ 0xFFFFFFFFu;
}
#else
int cplatform_has_crc32c_instruction(void) { return 0; }
uint32_t cplatform_crc32c_hw_sctp(const void *data, size_t length) { (void)data; (void)length; return 0; }
uint32_t cplatform_crc32c_hw(uint32_t crc, const void *data, size_t length) { (void)data; (void)length; return crc; }
#endif
