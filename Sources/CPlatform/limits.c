#include "CPlatform.h"
#include <errno.h>
#include <sys/resource.h>

long long cplatform_raise_open_file_limit(unsigned long long cap) {
    struct rlimit limit;
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0) return -errno;
    rlim_t target = limit.rlim_max;
    if (target == RLIM_INFINITY || target > cap) target = cap;
    if (target <= limit.rlim_cur) return (long long)limit.rlim_cur;
    limit.rlim_cur = target;
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0) return -errno;
    return (long long)target;
}
