#define _GNU_SOURCE
#include "CPlatform.h"
#include <errno.h>
#include <string.h>
#include <sys/uio.h>

#define CPLATFORM_MAX_BATCH 64

int cplatform_sendmmsg(int fd, cplatform_datagram *d, unsigned int count) {
    if (count > CPLATFORM_MAX_BATCH) count = CPLATFORM_MAX_BATCH;
    struct mmsghdr msgs[CPLATFORM_MAX_BATCH];
    struct iovec iov[CPLATFORM_MAX_BATCH];
    memset(msgs, 0, sizeof(struct mmsghdr) * count);
    for (unsigned int i = 0; i < count; i++) {
        iov[i].iov_base = d[i].data;
        iov[i].iov_len = d[i].length;
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
        msgs[i].msg_hdr.msg_name = &d[i].address;
        msgs[i].msg_hdr.msg_namelen = d[i].address_length;
    }
    int n;
    do { n = sendmmsg(fd, msgs, count, 0); } while (n < 0 && errno == EINTR);
    return n < 0 ? -errno : n;
}

int cplatform_recvmmsg(int fd, cplatform_datagram *d, unsigned int count, int nonblocking) {
    if (count > CPLATFORM_MAX_BATCH) count = CPLATFORM_MAX_BATCH;
    struct mmsghdr msgs[CPLATFORM_MAX_BATCH];
    struct iovec iov[CPLATFORM_MAX_BATCH];
    memset(msgs, 0, sizeof(struct mmsghdr) * count);
    for (unsigned int i = 0; i < count; i++) {
        iov[i].iov_base = d[i].data;
        iov[i].iov_len = d[i].length;
        msgs[i].msg_hdr.msg_iov = &iov[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
        msgs[i].msg_hdr.msg_name = &d[i].address;
        msgs[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_storage);
    }
    int n;
    do { n = recvmmsg(fd, msgs, count, nonblocking ? MSG_DONTWAIT : 0, NULL); } while (n < 0 && errno == EINTR);
    if (n < 0) return -errno;
    for (int i = 0; i < n; i++) {
        d[i].length = msgs[i].msg_len;
        d[i].address_length = msgs[i].msg_hdr.msg_namelen;
    }
    return n;
}
