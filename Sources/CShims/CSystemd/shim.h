// libsystemd for Swift: sd_notify and journald. sd_journal_send is variadic, so the
// shim offers a field-array form built on sd_journal_sendv.
#ifndef PEERSYNC_CSYSTEMD_SHIM_H
#define PEERSYNC_CSYSTEMD_SHIM_H
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>
#include <sys/uio.h>
#include <string.h>
#include <stdlib.h>

/// Sends `count` journal fields, each "KEY=value" (NUL-terminated), to journald.
/// Returns 0 or a negative errno.
static inline int CShim_sd_journal_send_fields(const char *const *fields, int count) {
    if (count <= 0 || count > 256) return -22;
    struct iovec iov[256];
    for (int i = 0; i < count; i++) {
        iov[i].iov_base = (void *)fields[i];
        iov[i].iov_len = strlen(fields[i]);
    }
    return sd_journal_sendv(iov, count);
}
#endif
