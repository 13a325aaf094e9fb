// Small C helpers for what Swift and SwiftNIO do not expose: batched datagram I/O
// (sendmmsg/recvmmsg) and the SSE4.2 CRC-32C instruction.
#ifndef PEERSYNC_CPLATFORM_H
#define PEERSYNC_CPLATFORM_H
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/// One datagram for cplatform_sendmmsg / cplatform_recvmmsg.
typedef struct cplatform_datagram {
    void *data;                      ///< payload buffer
    size_t length;                   ///< in: bytes to send / buffer capacity; out (recv): bytes received
    struct sockaddr_storage address; ///< destination (send) or source (recv)
    socklen_t address_length;        ///< length of `address`
} cplatform_datagram;

/// Sends up to `count` datagrams with one sendmmsg(2) call. Returns how many were sent, or -errno.
int cplatform_sendmmsg(int fd, cplatform_datagram *datagrams, unsigned int count);

/// Receives up to `count` datagrams with one recvmmsg(2) call (MSG_DONTWAIT when `nonblocking`).
/// Returns how many were received (lengths and addresses filled in), or -errno.
int cplatform_recvmmsg(int fd, cplatform_datagram *datagrams, unsigned int count, int nonblocking);

/// 1 when the CPU has the SSE4.2 CRC32 instruction, else 0.
int cplatform_has_crc32c_instruction(void);

/// CRC-32C (Castagnoli) update with the SSE4.2 instruction. `crc` is the running, non-inverted
/// state (start with 0xFFFFFFFF, invert at the end). Only call when cplatform_has_crc32c_instruction().
uint32_t cplatform_crc32c_hw(uint32_t crc, const void *data, size_t length);

/// The finished CRC-32C of an SCTP packet (`length` >= 12) with its checksum field (bytes 8..<12)
/// taken as zero, in one pass without copying (RFC 9260 §6.8). Only call when
/// cplatform_has_crc32c_instruction().
uint32_t cplatform_crc32c_hw_sctp(const void *data, size_t length);

/// Raises the soft limit on open files (RLIMIT_NOFILE) to the hard limit, at most `cap`; never
/// lowers it. Returns the soft limit in force afterwards, or -errno when it could not be read or set.
long long cplatform_raise_open_file_limit(unsigned long long cap);

/// Limits glibc malloc to `count` arenas (mallopt M_ARENA_MAX). Returns 1 on success, else 0.
int cplatform_limit_malloc_arenas(int count);

/// Keeps up to `trim_threshold` free bytes at the top of each malloc arena instead of returning
/// them to the kernel (mallopt M_TRIM_THRESHOLD), and `top_pad` bytes when it does return some
/// (M_TOP_PAD: also how much more than asked an arena grows by), and serves requests below
/// `mmap_threshold` from the heap (M_MMAP_THRESHOLD): buffers freed and allocated again at a
/// high rate (bulk messages) then reuse mapped pages instead of faulting fresh ones in.
/// Returns 1 on success.
int cplatform_keep_freed_heap(size_t trim_threshold, size_t mmap_threshold, size_t top_pad);

/// Returns the free memory of every malloc arena to the kernel (malloc_trim(0)), whatever
/// cplatform_keep_freed_heap keeps: for a daemon that has gone idle. Returns 1 when some was released.
int cplatform_release_free_heap(void);

/// Flushes every dirty file of the file system holding `fd` and commits its journal (syncfs(2)).
/// Returns 0, or -errno; since Linux 5.8 an error also reports a writeback error anywhere on that
/// file system since `fd` was opened or last synced this way.
int cplatform_syncfs(int fd);

/// Starts writeback of `count` bytes at `offset` of `fd` without waiting for it
/// (sync_file_range(2) with SYNC_FILE_RANGE_WRITE; `count` 0 means to the end). Makes no data
/// durable by itself: a later fsync still must. Returns 0, or -errno.
int cplatform_start_writeback(int fd, int64_t offset, int64_t count);

/// Drops the clean page-cache pages of `count` bytes at `offset` of `fd` (`count` 0 means to the
/// end) with posix_fadvise(POSIX_FADV_DONTNEED); dirty pages and pages under writeback stay.
/// Changes nothing a read returns, and makes nothing durable. Returns 0, or -errno.
int cplatform_drop_cached(int fd, int64_t offset, int64_t count);

/// Renames `from` in directory `fromdir` to `to` in `todir` only if nothing exists at `to`,
/// atomically (renameat2(2) with RENAME_NOREPLACE). Returns 0, or -errno: -EEXIST when `to`
/// exists, -EINVAL when the file system does not support the flag.
int cplatform_rename_noreplace(int fromdir, const char *from, int todir, const char *to);

#endif
