// X11 screen capture through xcb and its MIT-SHM extension (libxcb.so.1, libxcb-shm.so.0),
// loaded with dlopen the first time a screen share captures a display: syncd does not link
// the X11 client libraries, and a headless server never loads them. The xcb headers are used
// at build time only, for the types (Debian libxcb1-dev, libxcb-shm0-dev).
#ifndef CXCBDL_H
#define CXCBDL_H

#include <stddef.h>
#include <stdint.h>

/// An open display and its root window's capture buffer (shared memory when the server has
/// MIT-SHM and is on this host, else plain GetImage replies).
typedef struct cxcb_capture cxcb_capture;

/// Loads libxcb.so.1 and libxcb-shm.so.0 once; 0 when libxcb and every function used are there
/// (libxcb-shm missing only disables shared memory).
int cxcb_load(void);

/// Connects to `display` (NULL: $DISPLAY) and prepares capturing the first screen's root
/// window, through MIT-SHM when `allow_shm` and possible. NULL on failure, with a reason
/// written into `error` (`error_len` bytes, NUL-terminated).
cxcb_capture *cxcb_open(const char *display, int allow_shm, char *error, size_t error_len);

/// The root window's size in pixels.
int cxcb_width(const cxcb_capture *capture);
int cxcb_height(const cxcb_capture *capture);
/// 1 when frames come through MIT-SHM, 0 for GetImage.
int cxcb_uses_shm(const cxcb_capture *capture);

/// Asks the server for the root window's size now (it changes with RandR, e.g. `xrandr --fb`);
/// 0 on success. The capture keeps grabbing its size from open: reopen it to follow a change.
int cxcb_query_size(cxcb_capture *capture, int *width, int *height);

/// Grabs the whole root window. Returns its pixels, 4 bytes each in memory order B, G, R, X
/// (32 bits per pixel, little-endian 24/32-bit TrueColor; other formats fail at open), rows
/// `*stride` bytes apart; valid until the next grab or close. NULL on failure (reason in `error`).
const uint8_t *cxcb_grab(cxcb_capture *capture, int *stride, char *error, size_t error_len);

/// Detaches the shared memory and disconnects.
void cxcb_close(cxcb_capture *capture);

#endif
