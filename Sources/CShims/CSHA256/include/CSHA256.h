#ifndef PEERSYNC_CSHA256_H
#define PEERSYNC_CSHA256_H

#include <stddef.h>
#include <stdint.h>

/// 1 when the CPU has the SHA extensions (SHA-NI) with SSSE3 and SSE4.1, else 0 (then callers use OpenSSL).
int peersync_sha256_hw_available(void);

/// SHA-256 of `len` bytes at `p` into `out` with SHA-NI. Only call when peersync_sha256_hw_available().
void peersync_sha256_hw(const uint8_t *p, size_t len, uint8_t out[32]);

/// SHA-256 of two independent messages at once: their blocks are compressed in lockstep, so the
/// rounds of one fill the latency of the other's (about 1.8x one message's throughput on Zen 3).
/// Only call when peersync_sha256_hw_available().
void peersync_sha256_hw_2x(const uint8_t *pa, size_t la, uint8_t outa[32],
                           const uint8_t *pb, size_t lb, uint8_t outb[32]);

#endif
