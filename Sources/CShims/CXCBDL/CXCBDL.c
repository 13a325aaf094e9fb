#include "CXCBDL.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <xcb/shm.h>
#include <xcb/xcb.h>

// Function pointers typed from the headers' own declarations (nothing here links libxcb).
#define FN(name) static __typeof__(&name) p_##name
FN(xcb_connect);
FN(xcb_connection_has_error);
FN(xcb_disconnect);
FN(xcb_get_setup);
FN(xcb_setup_roots_iterator);
FN(xcb_screen_next);
FN(xcb_setup_pixmap_formats);
FN(xcb_setup_pixmap_formats_length);
FN(xcb_screen_allowed_depths_iterator);
FN(xcb_depth_next);
FN(xcb_depth_visuals);
FN(xcb_depth_visuals_length);
FN(xcb_generate_id);
FN(xcb_request_check);
FN(xcb_get_image);
FN(xcb_get_image_reply);
FN(xcb_get_image_data);
FN(xcb_get_image_data_length);
FN(xcb_get_geometry);
FN(xcb_get_geometry_reply);
FN(xcb_shm_query_version);
FN(xcb_shm_query_version_reply);
FN(xcb_shm_attach_checked);
FN(xcb_shm_detach);
FN(xcb_shm_get_image);
FN(xcb_shm_get_image_reply);
#undef FN

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int loaded = -1;
static int shm_loaded = 0;

#define SYM(h, name) (p_##name = (__typeof__(p_##name))dlsym(h, #name))

static void load(void) {
    void *xcb = dlopen("libxcb.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!xcb) return;
    int ok = SYM(xcb, xcb_connect) && SYM(xcb, xcb_connection_has_error) && SYM(xcb, xcb_disconnect)
        && SYM(xcb, xcb_get_setup) && SYM(xcb, xcb_setup_roots_iterator) && SYM(xcb, xcb_screen_next) && SYM(xcb, xcb_setup_pixmap_formats)
        && SYM(xcb, xcb_setup_pixmap_formats_length) && SYM(xcb, xcb_screen_allowed_depths_iterator)
        && SYM(xcb, xcb_depth_next) && SYM(xcb, xcb_depth_visuals) && SYM(xcb, xcb_depth_visuals_length)
        && SYM(xcb, xcb_generate_id) && SYM(xcb, xcb_request_check) && SYM(xcb, xcb_get_image)
        && SYM(xcb, xcb_get_image_reply) && SYM(xcb, xcb_get_image_data) && SYM(xcb, xcb_get_image_data_length)
        && SYM(xcb, xcb_get_geometry) && SYM(xcb, xcb_get_geometry_reply);
    if (!ok) return;
    loaded = 0;
    void *shm = dlopen("libxcb-shm.so.0", RTLD_NOW | RTLD_LOCAL);
    if (shm) {
        shm_loaded = SYM(shm, xcb_shm_query_version) && SYM(shm, xcb_shm_query_version_reply)
            && SYM(shm, xcb_shm_attach_checked) && SYM(shm, xcb_shm_detach) && SYM(shm, xcb_shm_get_image)
            && SYM(shm, xcb_shm_get_image_reply);
    }
}

int cxcb_load(void) {
    pthread_once(&once, load);
    return loaded;
}

struct cxcb_capture {
    xcb_connection_t *conn;
    xcb_window_t root;
    int width, height;
    // MIT-SHM
    int use_shm;
    xcb_shm_seg_t seg;
    int shmid;
    uint8_t *shm_data;
    // GetImage fallback: the last reply (its data is the frame)
    xcb_get_image_reply_t *reply;
};

static void fail(char *error, size_t len, const char *fmt, ...) {
    if (!error || len == 0) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(error, len, fmt, ap);
    va_end(ap);
}

static const char *connection_error_text(int code) {
    switch (code) {
    case XCB_CONN_ERROR: return "the connection failed (no X server listening there?)";
    case XCB_CONN_CLOSED_EXT_NOTSUPPORTED: return "an extension is not supported";
    case XCB_CONN_CLOSED_MEM_INSUFFICIENT: return "out of memory";
    case XCB_CONN_CLOSED_REQ_LEN_EXCEED: return "request too long";
    case XCB_CONN_CLOSED_PARSE_ERR: return "the display name could not be parsed";
    case XCB_CONN_CLOSED_INVALID_SCREEN: return "the display has no such screen";
    default: return "the X server refused the connection (authorization?)";
    }
}

/// The root visual must be TrueColor with 8-bit red/green/blue at bits 16/8/0.
static int root_visual_is_bgrx(const xcb_screen_t *screen) {
    xcb_depth_iterator_t d = p_xcb_screen_allowed_depths_iterator(screen);
    for (; d.rem; p_xcb_depth_next(&d)) {
        xcb_visualtype_t *v = p_xcb_depth_visuals(d.data);
        int n = p_xcb_depth_visuals_length(d.data);
        for (int i = 0; i < n; i++) {
            if (v[i].visual_id != screen->root_visual) continue;
            return v[i]._class == XCB_VISUAL_CLASS_TRUE_COLOR && v[i].red_mask == 0xff0000
                && v[i].green_mask == 0x00ff00 && v[i].blue_mask == 0x0000ff;
        }
    }
    return 0;
}

cxcb_capture *cxcb_open(const char *display, int allow_shm, char *error, size_t error_len) {
    if (cxcb_load() != 0) {
        fail(error, error_len, "libxcb.so.1 is not installed (Debian package libxcb1)");
        return NULL;
    }
    int screen_number = 0;
    xcb_connection_t *conn = p_xcb_connect(display, &screen_number);
    int code = conn ? p_xcb_connection_has_error(conn) : XCB_CONN_ERROR;
    if (code) {
        fail(error, error_len, "cannot open X display %s: %s", display ? display : "$DISPLAY", connection_error_text(code));
        if (conn) p_xcb_disconnect(conn);
        return NULL;
    }
    const xcb_setup_t *setup = p_xcb_get_setup(conn);
    xcb_screen_iterator_t it = p_xcb_setup_roots_iterator(setup);
    for (int i = 0; i < screen_number && it.rem; i++) p_xcb_screen_next(&it);
    if (!it.rem || !it.data) {
        fail(error, error_len, "X display %s has no screen %d", display ? display : "$DISPLAY", screen_number);
        p_xcb_disconnect(conn);
        return NULL;
    }
    xcb_screen_t *screen = it.data;
    int bpp = 0;
    xcb_format_t *formats = p_xcb_setup_pixmap_formats(setup);
    int nformats = p_xcb_setup_pixmap_formats_length(setup);
    for (int i = 0; i < nformats; i++) if (formats[i].depth == screen->root_depth) bpp = formats[i].bits_per_pixel;
    if ((screen->root_depth != 24 && screen->root_depth != 32) || bpp != 32
        || setup->image_byte_order != XCB_IMAGE_ORDER_LSB_FIRST || !root_visual_is_bgrx(screen)) {
        fail(error, error_len, "X display %s has an unsupported pixel format (depth %d, %d bits per pixel); "
             "only 24/32-bit little-endian TrueColor is captured", display ? display : "$DISPLAY", screen->root_depth, bpp);
        p_xcb_disconnect(conn);
        return NULL;
    }
    cxcb_capture *c = calloc(1, sizeof *c);
    if (!c) { p_xcb_disconnect(conn); fail(error, error_len, "out of memory"); return NULL; }
    c->conn = conn;
    c->root = screen->root;
    c->width = screen->width_in_pixels;
    c->height = screen->height_in_pixels;
    c->shmid = -1;
    if (shm_loaded && allow_shm) {
        xcb_shm_query_version_reply_t *v = p_xcb_shm_query_version_reply(conn, p_xcb_shm_query_version(conn), NULL);
        if (v) {
            free(v);
            size_t size = (size_t)c->width * (size_t)c->height * 4;
            c->shmid = shmget(IPC_PRIVATE, size, IPC_CREAT | 0600);
            if (c->shmid >= 0) {
                void *p = shmat(c->shmid, NULL, 0);
                if (p != (void *)-1) {
                    c->shm_data = p;
                    c->seg = p_xcb_generate_id(conn);
                    xcb_generic_error_t *e = p_xcb_request_check(conn, p_xcb_shm_attach_checked(conn, c->seg, (uint32_t)c->shmid, 0));
                    if (e) {
                        free(e);  // a remote server cannot attach our segment: GetImage instead
                        shmdt(c->shm_data);
                        c->shm_data = NULL;
                    } else {
                        c->use_shm = 1;
                    }
                }
                shmctl(c->shmid, IPC_RMID, NULL);  // freed once both sides detach
            }
        }
    }
    return c;
}

int cxcb_width(const cxcb_capture *c) { return c ? c->width : 0; }
int cxcb_height(const cxcb_capture *c) { return c ? c->height : 0; }
int cxcb_uses_shm(const cxcb_capture *c) { return c ? c->use_shm : 0; }

int cxcb_query_size(cxcb_capture *c, int *width, int *height) {
    if (!c || p_xcb_connection_has_error(c->conn)) return -1;
    xcb_get_geometry_reply_t *g = p_xcb_get_geometry_reply(c->conn, p_xcb_get_geometry(c->conn, c->root), NULL);
    if (!g) return -1;
    if (width) *width = g->width;
    if (height) *height = g->height;
    free(g);
    return 0;
}

const uint8_t *cxcb_grab(cxcb_capture *c, int *stride, char *error, size_t error_len) {
    if (!c) return NULL;
    int code = p_xcb_connection_has_error(c->conn);
    if (code) { fail(error, error_len, "the X connection broke: %s", connection_error_text(code)); return NULL; }
    xcb_generic_error_t *e = NULL;
    if (c->use_shm) {
        xcb_shm_get_image_reply_t *r = p_xcb_shm_get_image_reply(
            c->conn, p_xcb_shm_get_image(c->conn, c->root, 0, 0, (uint16_t)c->width, (uint16_t)c->height, ~0u,
                                         XCB_IMAGE_FORMAT_Z_PIXMAP, c->seg, 0), &e);
        if (!r) {
            fail(error, error_len, "MIT-SHM GetImage failed (X error %d; did the screen size change?)", e ? e->error_code : -1);
            free(e);
            return NULL;
        }
        free(r);
        if (stride) *stride = c->width * 4;
        return c->shm_data;
    }
    free(c->reply);
    c->reply = p_xcb_get_image_reply(
        c->conn, p_xcb_get_image(c->conn, XCB_IMAGE_FORMAT_Z_PIXMAP, c->root, 0, 0, (uint16_t)c->width, (uint16_t)c->height, ~0u), &e);
    if (!c->reply) {
        fail(error, error_len, "GetImage failed (X error %d; did the screen size change?)", e ? e->error_code : -1);
        free(e);
        return NULL;
    }
    if (p_xcb_get_image_data_length(c->reply) < c->width * c->height * 4) {
        fail(error, error_len, "GetImage returned %d bytes for a %dx%d screen", p_xcb_get_image_data_length(c->reply), c->width, c->height);
        return NULL;
    }
    if (stride) *stride = c->width * 4;
    return p_xcb_get_image_data(c->reply);
}

void cxcb_close(cxcb_capture *c) {
    if (!c) return;
    if (c->use_shm) p_xcb_shm_detach(c->conn, c->seg);
    p_xcb_disconnect(c->conn);
    if (c->shm_data) shmdt(c->shm_data);
    free(c->reply);
    free(c);
}
