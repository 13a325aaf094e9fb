#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
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
