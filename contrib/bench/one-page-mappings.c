// LD_PRELOAD helper of contrib/bench/code-order.py: in a process whose executable is named
// syncd, splits each read-only or executable mapping of that executable into one-page mappings
// (alternating madvise hints, which the kernel cannot merge) before the program starts. A page
// fault then maps that one page only (the kernel's fault-around stops at the mapping's end), so
// the one-page mappings with resident pages in /proc/PID/smaps are exactly the pages the
// process touched. For measuring only: the split costs kernel memory and page faults.
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

__attribute__((constructor)) static void split_own_mappings(void) {
    char exe[4096];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
    if (n <= 0) return;
    exe[n] = 0;
    const char *base = strrchr(exe, '/');
    if (!base || strcmp(base, "/syncd") != 0) return;
    FILE *maps = fopen("/proc/self/maps", "r");
    if (!maps) return;
    unsigned long ranges[32][2];
    int count = 0;
    char line[8192];
    while (count < 32 && fgets(line, sizeof line, maps)) {
        unsigned long start, end;
        char perms[8], path[4096] = "";
        if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %4095s", &start, &end, perms, path) < 3) continue;
        if (strcmp(path, exe) == 0 && perms[1] != 'w') { ranges[count][0] = start; ranges[count][1] = end; count++; }
    }
    fclose(maps);
    for (int i = 0; i < count; i++)
        for (unsigned long page = ranges[i][0]; page < ranges[i][1]; page += 4096)
            madvise((void *)page, 4096, ((page >> 12) & 1) ? MADV_RANDOM : MADV_SEQUENTIAL);
}
