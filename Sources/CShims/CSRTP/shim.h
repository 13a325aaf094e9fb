// libsrtp2 for Swift: the library header plus helpers for macros Swift cannot import.
#ifndef PEERSYNC_CSRTP_SHIM_H
#define PEERSYNC_CSRTP_SHIM_H
#include <srtp2/srtp.h>

static inline int CShim_SRTP_MAX_TRAILER_LEN(void) { return SRTP_MAX_TRAILER_LEN; }
#endif
