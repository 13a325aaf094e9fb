#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/syscall.h>
#include "CPlatform.h"

int cplatform_syncfs(int fd) {
    return syncfs(fd) == 0 ? 0 : -errno;
}

int cplatform_start_writeback(int fd, int64_t offset, int64_t count) {
    return sync_file_range(fd, (off_t)offset, (off_t)count, SYNC_FILE_RANGE_WRITE) == 0 ? 0 : -errno;
}

int cplatform_drop_cached(int fd, int64_t offset, int64_t count) {
    return -posix_fadvise(fd, (off_t)offset, (off_t)count, POSIX_FADV_DONTNEED);
}

int cplatform_rename_noreplace(int fromdir, const char *from, int todir, const char *to) {
    // The system call itself: glibc's wrapper needs 2.28 and _GNU_SOURCE in stdio.h.
    return syscall(SYS_renameat2, fromdir, from, todir, to, 1u /* RENAME_NOREPLACE */) == 0 ? 0 : -errno;
}
