import COpus

/// Why an Opus encoder or decoder call failed.
public enum OpusError: Error, Equatable, Sendable {
    /// libopus returned this error code (`OPUS_BAD_ARG`, `OPUS_INVALID_PACKET`, …).
    case library(code: Int32, operation: String)
    /// The input frame did not hold exactly one 2.5–60 ms frame at the encoder's rate.
    case badFrameSize(Int)
}

/// An Opus encoder (libopus) for voice: 48 kHz, in-band FEC and DTX on by default.
///
/// Not thread-safe; one owner calls it.
public final class OpusEncoder {
    private let state: OpaquePointer
    /// Input sample rate (48000).
    public let sampleRate: Int
    /// Input channel count.
    public let channels: Int

    /// An encoder at `bitrate` bits/s with FEC tuned for `expectedLossPercent` and DTX on or off.
    public init(sampleRate: Int = 48000, channels: Int = 1, bitrate: Int = 32000, fec: Bool = true,
                expectedLossPercent: Int = 10, dtx: Bool = true, complexity: Int = 5) throws(OpusError) {
        var err: Int32 = 0
        guard let st = opus_encoder_create(Int32(sampleRate), Int32(channels), CShim_OPUS_APPLICATION_VOIP(), &err), err == OPUS_OK else {
            throw .library(code: err, operation: "opus_encoder_create")
        }
        state = st
        self.sampleRate = sampleRate
        self.channels = channels
        _ = CShim_opus_set_bitrate(st, Int32(bitrate))
        _ = CShim_opus_set_inband_fec(st, fec ? 1 : 0)
        _ = CShim_opus_set_packet_loss_perc(st, Int32(expectedLossPercent))
        _ = CShim_opus_set_dtx(st, dtx ? 1 : 0)
        _ = CShim_opus_set_complexity(st, Int32(complexity))
        _ = CShim_opus_set_signal_voice(st)
    }

    deinit { opus_encoder_destroy(state) }

    /// Encodes one frame (e.g. 960 samples per channel = 20 ms at 48 kHz) into an Opus packet.
    ///
    /// With DTX, silence yields packets of 1–2 bytes that need not be sent (``OpusEncoder/isDTX(_:)``).
    public func encode(_ frame: AudioFrame) throws(OpusError) -> [UInt8] {
        let perChannel = frame.frameCount
        guard frame.channels == channels, [120, 240, 480, 960, 1920, 2880].map({ $0 * sampleRate / 48000 }).contains(perChannel) else {
            throw .badFrameSize(perChannel)
        }
        var out = [UInt8](repeating: 0, count: 1500)
        let n = frame.samples.withUnsafeBufferPointer { pcm -> Int32 in
            out.withUnsafeMutableBufferPointer { buf -> Int32 in
                guard let input = pcm.baseAddress, let output = buf.baseAddress else { return OPUS_BAD_ARG }
                return opus_encode(state, input, Int32(perChannel), output, Int32(buf.count))
            }
        }
        guard n > 0 else { throw .library(code: n, operation: "opus_encode") }
        out.removeLast(out.count - Int(n))
        return out
    }

    /// True for a DTX packet (silence: TOC byte only, or TOC plus one byte), which need not be sent.
    public static func isDTX(_ packet: [UInt8]) -> Bool { packet.count <= 2 }
}

/// An Opus decoder (libopus) with packet loss concealment and in-band FEC recovery.
public final class OpusDecoder {
    private let state: OpaquePointer
    /// Output sample rate.
    public let sampleRate: Int
    /// Output channel count.
    public let channels: Int

    /// A decoder producing `channels` channels at `sampleRate`.
    public init(sampleRate: Int = 48000, channels: Int = 1) throws(OpusError) {
        var err: Int32 = 0
        guard let st = opus_decoder_create(Int32(sampleRate), Int32(channels), &err), err == OPUS_OK else {
            throw .library(code: err, operation: "opus_decoder_create")
        }
        state = st
        self.sampleRate = sampleRate
        self.channels = channels
    }

    deinit { opus_decoder_destroy(state) }

    /// Decodes one received packet (any frame size up to 120 ms). Hostile bytes give an error, never a trap.
    public func decode(_ packet: [UInt8]) throws(OpusError) -> AudioFrame {
        try run(packet, maxFrame: 5760, fec: false)
    }

    /// Conceals one lost frame of `frameCount` samples per channel (Opus PLC).
    public func conceal(frameCount: Int = 960) throws(OpusError) -> AudioFrame {
        try run(nil, maxFrame: frameCount, fec: false)
    }

    /// Recovers the lost frame *before* `nextPacket` from its in-band FEC data (falls back to PLC if absent).
    public func decodeFEC(from nextPacket: [UInt8], frameCount: Int = 960) throws(OpusError) -> AudioFrame {
        try run(nextPacket, maxFrame: frameCount, fec: true)
    }

    private func run(_ packet: [UInt8]?, maxFrame: Int, fec: Bool) throws(OpusError) -> AudioFrame {
        var pcm = [Int16](repeating: 0, count: maxFrame * channels)
        let n: Int32 = pcm.withUnsafeMutableBufferPointer { buf -> Int32 in
            guard let out = buf.baseAddress else { return OPUS_BAD_ARG }
            if let packet, !packet.isEmpty {
                return packet.withUnsafeBufferPointer { inp in
                    opus_decode(state, inp.baseAddress, Int32(inp.count), out, Int32(maxFrame), fec ? 1 : 0)
                }
            }
            return opus_decode(state, nil, 0, out, Int32(maxFrame), 0)
        }
        guard n >= 0 else { throw .library(code: n, operation: "opus_decode") }
        pcm.removeLast(pcm.count - Int(n) * channels)
        return AudioFrame(samples: pcm, sampleRate: sampleRate, channels: channels)
    }
}
