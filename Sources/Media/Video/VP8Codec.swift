import CVPX

/// Why a VP8 encoder or decoder call failed.
public enum VP8Error: Error, Equatable, Sendable {
    /// libvpx returned this status for `operation`.
    case library(code: Int32, operation: String)
    /// The frame size differs from the encoder's.
    case frameSize(width: Int, height: Int)
}

/// One encoded VP8 frame.
public struct VP8EncodedFrame: Equatable, Sendable {
    /// The compressed bytes.
    public var data: [UInt8]
    /// True for a keyframe (decodable on its own).
    public var isKeyframe: Bool
}

/// A VP8 encoder (libvpx) in realtime mode with a bitrate target; keyframes on request (PLI).
///
/// Not thread-safe; one owner calls it.
public final class VP8Encoder {
    private let ctx: UnsafeMutablePointer<vpx_codec_ctx_t>
    /// Frame size.
    public let width: Int, height: Int
    private var pts: Int64 = 0
    private var forceKeyframe = false

    /// An encoder for `width`×`height` at `frameRate`, aiming at `bitrateKbps`.
    public init(width: Int, height: Int, frameRate: Int = 30, bitrateKbps: Int = 1000) throws(VP8Error) {
        var cfg = vpx_codec_enc_cfg_t()
        let st = CShim_vpx_enc_config_default(&cfg)
        guard st == VPX_CODEC_OK else { throw .library(code: Int32(st.rawValue), operation: "enc_config_default") }
        cfg.g_w = UInt32(width)
        cfg.g_h = UInt32(height)
        cfg.g_timebase = vpx_rational(num: 1, den: Int32(frameRate))
        cfg.rc_target_bitrate = UInt32(bitrateKbps)
        cfg.rc_end_usage = VPX_CBR
        cfg.g_lag_in_frames = 0
        cfg.g_threads = 1
        cfg.g_error_resilient = UInt32(VPX_ERROR_RESILIENT_DEFAULT)
        cfg.kf_mode = VPX_KF_AUTO
        cfg.kf_max_dist = UInt32(frameRate * 10)
        cfg.rc_min_quantizer = 4
        cfg.rc_max_quantizer = 56
        ctx = .allocate(capacity: 1)
        ctx.initialize(to: vpx_codec_ctx_t())
        let rc = CShim_vpx_enc_init(ctx, &cfg)
        guard rc == VPX_CODEC_OK else {
            ctx.deallocate()
            throw .library(code: Int32(rc.rawValue), operation: "vpx_codec_enc_init")
        }
        _ = CShim_vp8_set_cpuused(ctx, 8)
        _ = CShim_vp8_set_static_threshold(ctx, 1)
        self.width = width
        self.height = height
    }

    deinit {
        vpx_codec_destroy(ctx)
        ctx.deallocate()
    }

    /// Makes the next encoded frame a keyframe (on PLI/FIR).
    public func requestKeyframe() { forceKeyframe = true }

    /// Encodes one frame; returns the compressed frame (nil when the rate control dropped it).
    public func encode(_ frame: VideoFrame) throws(VP8Error) -> VP8EncodedFrame? {
        guard frame.width == width, frame.height == height else { throw .frameSize(width: frame.width, height: frame.height) }
        var planar = frame.planar
        var image = vpx_image_t()
        let flags: vpx_enc_frame_flags_t = forceKeyframe ? vpx_enc_frame_flags_t(CShim_VPX_EFLAG_FORCE_KF()) : 0
        forceKeyframe = false
        let rc = planar.withUnsafeMutableBufferPointer { buf -> vpx_codec_err_t in
            guard vpx_img_wrap(&image, VPX_IMG_FMT_I420, UInt32(width), UInt32(height), 1, buf.baseAddress) != nil else {
                return VPX_CODEC_INVALID_PARAM
            }
            return vpx_codec_encode(ctx, &image, pts, 1, flags, UInt(CShim_VPX_DL_REALTIME()))
        }
        pts += 1
        guard rc == VPX_CODEC_OK else { throw .library(code: Int32(rc.rawValue), operation: "vpx_codec_encode") }
        var iter: vpx_codec_iter_t?
        var out: VP8EncodedFrame?
        while let pkt = vpx_codec_get_cx_data(ctx, &iter) {
            guard pkt.pointee.kind == VPX_CODEC_CX_FRAME_PKT else { continue }
            let f = pkt.pointee.data.frame
            guard let base = f.buf else { continue }
            let bytes = Array(UnsafeRawBufferPointer(start: base, count: Int(f.sz)))
            let key = f.flags & vpx_codec_frame_flags_t(CShim_VPX_FRAME_IS_KEY()) != 0
            out = VP8EncodedFrame(data: (out?.data ?? []) + bytes, isKeyframe: key || (out?.isKeyframe ?? false))
        }
        return out
    }
}

/// A VP8 decoder (libvpx). Corrupt input gives an error, never a trap.
public final class VP8Decoder {
    private let ctx: UnsafeMutablePointer<vpx_codec_ctx_t>

    /// A new decoder.
    public init() throws(VP8Error) {
        ctx = .allocate(capacity: 1)
        ctx.initialize(to: vpx_codec_ctx_t())
        let rc = CShim_vpx_dec_init(ctx)
        guard rc == VPX_CODEC_OK else {
            ctx.deallocate()
            throw .library(code: Int32(rc.rawValue), operation: "vpx_codec_dec_init")
        }
    }

    deinit {
        vpx_codec_destroy(ctx)
        ctx.deallocate()
    }

    /// Decodes one compressed frame into a picture (nil if the decoder produced none).
    public func decode(_ data: [UInt8]) throws(VP8Error) -> VideoFrame? {
        guard !data.isEmpty, data.count < Int(UInt32.max) else { throw .library(code: -1, operation: "empty frame") }
        let rc = data.withUnsafeBufferPointer { vpx_codec_decode(ctx, $0.baseAddress, UInt32($0.count), nil, 0) }
        guard rc == VPX_CODEC_OK else { throw .library(code: Int32(rc.rawValue), operation: "vpx_codec_decode") }
        var iter: vpx_codec_iter_t?
        var last: VideoFrame?
        while let img = vpx_codec_get_frame(ctx, &iter) {
            let w = Int(img.pointee.d_w), h = Int(img.pointee.d_h)
            guard w > 0, h > 0, w % 2 == 0, h % 2 == 0 else { continue }
            let strides = img.pointee.stride
            let planes = img.pointee.planes
            guard let py = planes.0, let pu = planes.1, let pv = planes.2 else { continue }
            func copy(_ base: UnsafeMutablePointer<UInt8>, stride: Int32, w: Int, h: Int) -> [UInt8] {
                var out = [UInt8]()
                out.reserveCapacity(w * h)
                for row in 0..<h {
                    out.append(contentsOf: UnsafeBufferPointer(start: base + row * Int(stride), count: w))
                }
                return out
            }
            last = VideoFrame(width: w, height: h, y: copy(py, stride: strides.0, w: w, h: h),
                              u: copy(pu, stride: strides.1, w: w / 2, h: h / 2),
                              v: copy(pv, stride: strides.2, w: w / 2, h: h / 2))
        }
        return last
    }
}
