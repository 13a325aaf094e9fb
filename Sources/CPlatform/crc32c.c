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

__attribute__((target("sse4.2")))
uint32_t cplatform_crc32c_hw(uint32_t crc, const void *data, size_t length) {
    const unsigned char *p = (const unsigned char *)data;
    uint64_t c = crc;
    // A serial chain of 8-byte steps runs at about 8 bytes per 3 cycles: several GB/s,
    // far above what one SCTP packet stream needs.
    while (length >= 8) {
        uint64_t v; memcpy(&v, p, 8);
        c = _mm_crc32_u64(c, v);
        p += 8; length -= 8;
    }
    while (length > 0) {
        c = _mm_crc32_u8((uint32_t)c, *p);
        p++; length--;
    }
    return (uint32_t)c;
}
#else
int cplatform_has_crc32c_instruction(void) { return 0; }
uint32_t cplatform_crc32c_hw(uint32_t crc, const void *data, size_t length) { (void)data; (void)length; return crc; }
#endif
