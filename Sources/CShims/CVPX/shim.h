// libvpx for Swift: the init/control macros wrapped as typed functions.
#ifndef PEERSYNC_CVPX_SHIM_H
#define PEERSYNC_CVPX_SHIM_H
#include <vpx/vpx_encoder.h>
#include <vpx/vpx_decoder.h>
#include <vpx/vp8cx.h>
#include <vpx/vp8dx.h>

static inline vpx_codec_err_t CShim_vpx_enc_init(vpx_codec_ctx_t *ctx, const vpx_codec_enc_cfg_t *cfg) {
    return vpx_codec_enc_init(ctx, vpx_codec_vp8_cx(), cfg, 0);
}
static inline vpx_codec_err_t CShim_vpx_dec_init(vpx_codec_ctx_t *ctx) {
    return vpx_codec_dec_init(ctx, vpx_codec_vp8_dx(), NULL, 0);
}
static inline vpx_codec_err_t CShim_vpx_enc_config_default(vpx_codec_enc_cfg_t *cfg) {
    return vpx_codec_enc_config_default(vpx_codec_vp8_cx(), cfg, 0);
}
static inline vpx_codec_err_t CShim_vp8_set_cpuused(vpx_codec_ctx_t *ctx, int v) {
    return vpx_codec_control(ctx, VP8E_SET_CPUUSED, v);
}
static inline vpx_codec_err_t CShim_vp8_set_static_threshold(vpx_codec_ctx_t *ctx, unsigned int v) {
    return vpx_codec_control(ctx, VP8E_SET_STATIC_THRESHOLD, v);
}
static inline long CShim_VPX_DL_REALTIME(void) { return VPX_DL_REALTIME; }
static inline long CShim_VPX_EFLAG_FORCE_KF(void) { return VPX_EFLAG_FORCE_KF; }
static inline int CShim_VPX_FRAME_IS_KEY(void) { return VPX_FRAME_IS_KEY; }
#endif
