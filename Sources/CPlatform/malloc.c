#include <malloc.h>
#include "CPlatform.h"

int cplatform_limit_malloc_arenas(int count) {
    return mallopt(M_ARENA_MAX, count);
}

int cplatform_keep_freed_heap(size_t trim_threshold, size_t mmap_threshold, size_t top_pad) {
    return mallopt(M_TRIM_THRESHOLD, (int)trim_threshold) == 1 && mallopt(M_MMAP_THRESHOLD, (int)mmap_threshold) == 1
        && mallopt(M_TOP_PAD, (int)top_pad) == 1;
}

int cplatform_release_free_heap(void) {
    return malloc_trim(0);
}
