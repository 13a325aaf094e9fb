#include "CPulseDL.h"

#include <dlfcn.h>
#include <pthread.h>

typedef struct { int format; uint32_t rate; uint8_t channels; } cpulse_sample_spec;
typedef struct { uint32_t maxlength, tlength, prebuf, minreq, fragsize; } cpulse_buffer_attr;

typedef void *(*new_fn)(const char *, const char *, int, const char *, const char *, const cpulse_sample_spec *,
                        const void *, const cpulse_buffer_attr *, int *);
typedef int (*read_fn)(void *, void *, size_t, int *);
typedef int (*write_fn)(void *, const void *, size_t, int *);
typedef void (*free_fn)(void *);
typedef const char *(*strerror_fn)(int);

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int loaded = -1;
static new_fn p_new;
static read_fn p_read;
static write_fn p_write;
static free_fn p_free;
static strerror_fn p_strerror;

enum { PA_SAMPLE_S16LE = 3, PA_STREAM_PLAYBACK = 1, PA_STREAM_RECORD = 2 };

static void load(void) {
    void *h = dlopen("libpulse-simple.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!h) return;
    p_new = (new_fn)dlsym(h, "pa_simple_new");
    p_read = (read_fn)dlsym(h, "pa_simple_read");
    p_write = (write_fn)dlsym(h, "pa_simple_write");
    p_free = (free_fn)dlsym(h, "pa_simple_free");
    p_strerror = (strerror_fn)dlsym(h, "pa_strerror"); // from libpulse.so.0, a dependency of the handle
    loaded = (p_new && p_read && p_write && p_free) ? 0 : -1;
}

int cpulse_load(void) {
    pthread_once(&once, load);
    return loaded;
}

void *cpulse_simple_new(const char *server, const char *client_name, int record, const char *device,
                        const char *stream_name, uint32_t rate, uint8_t channels, uint32_t fragment_bytes, int *error) {
    if (cpulse_load() != 0) { if (error) *error = -1; return NULL; }
    cpulse_sample_spec spec = { PA_SAMPLE_S16LE, rate, channels };
    cpulse_buffer_attr attr = { (uint32_t)-1, (uint32_t)-1, (uint32_t)-1, (uint32_t)-1, (uint32_t)-1 };
    if (record) {
        attr.fragsize = fragment_bytes;
    } else {
        attr.tlength = fragment_bytes;
        attr.prebuf = fragment_bytes / 4; // start playing after one quarter of the target
        attr.minreq = fragment_bytes / 4;
    }
    return p_new(server, client_name, record ? PA_STREAM_RECORD : PA_STREAM_PLAYBACK, device, stream_name, &spec, NULL, &attr, error);
}

int cpulse_simple_read(void *stream, void *data, size_t bytes, int *error) {
    return p_read ? p_read(stream, data, bytes, error) : -1;
}

int cpulse_simple_write(void *stream, const void *data, size_t bytes, int *error) {
    return p_write ? p_write(stream, data, bytes, error) : -1;
}

void cpulse_simple_free(void *stream) {
    if (p_free && stream) p_free(stream);
}

const char *cpulse_strerror(int error) {
    if (error == -1 || !p_strerror) return "libpulse-simple.so.0 is not installed";
    const char *s = p_strerror(error);
    return s ? s : "unknown PulseAudio error";
}
