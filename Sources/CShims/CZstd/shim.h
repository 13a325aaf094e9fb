// zstd for Swift: the library header plus the macro constants Swift cannot import.
#ifndef PEERSYNC_CZSTD_SHIM_H
#define PEERSYNC_CZSTD_SHIM_H
#define ZSTD_STATIC_LINKING_ONLY 0
#include <zstd.h>
#include <zstd_errors.h>

static inline unsigned long long CShim_ZSTD_CONTENTSIZE_UNKNOWN(void) { return ZSTD_CONTENTSIZE_UNKNOWN; }
static inline unsigned long long CShim_ZSTD_CONTENTSIZE_ERROR(void) { return ZSTD_CONTENTSIZE_ERROR; }
#endif
