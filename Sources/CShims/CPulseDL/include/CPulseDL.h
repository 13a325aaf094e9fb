// PulseAudio's "simple" API (libpulse-simple.so.0), loaded with dlopen only when a call uses a
// sound device: syncd neither links libpulse nor needs its headers to build. The two structs
// below mirror pa_sample_spec and pa_buffer_attr (<pulse/sample.h>, <pulse/def.h>), whose
// layout is part of PulseAudio's stable ABI.
#ifndef CPULSEDL_H
#define CPULSEDL_H

#include <stddef.h>
#include <stdint.h>

/// Loads libpulse-simple.so.0 once; 0 when it and every function used are available.
int cpulse_load(void);

/// Opens a 16-bit little-endian stream at `rate` Hz with `channels` channels: recording
/// (`record` = 1) from source `device` or playing (`record` = 0) to sink `device` (NULL: the
/// default). `server` NULL means the default server ($PULSE_SERVER, else $XDG_RUNTIME_DIR/pulse/native).
/// `fragment_bytes` sets the record fragment or the playback target length. NULL on failure
/// (`*error` holds a PulseAudio error code; -1 when the library is missing).
void *cpulse_simple_new(const char *server, const char *client_name, int record, const char *device,
                        const char *stream_name, uint32_t rate, uint8_t channels, uint32_t fragment_bytes, int *error);
/// pa_simple_read: blocks until `bytes` were read. 0 on success.
int cpulse_simple_read(void *stream, void *data, size_t bytes, int *error);
/// pa_simple_write: blocks while the server's buffer is full. 0 on success.
int cpulse_simple_write(void *stream, const void *data, size_t bytes, int *error);
/// pa_simple_free.
void cpulse_simple_free(void *stream);
/// pa_strerror (a static string).
const char *cpulse_strerror(int error);

#endif
