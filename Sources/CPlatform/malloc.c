#include <malloc.h>
#include "CPlatform.h"

int cplatform_limit_malloc_arenas(int count) {
    return mallopt(M_ARENA_MAX, count);
}
