import CSRTP

/// SRTP and SRTCP protection for one DTLS-SRTP association (RFC 3711 via libsrtp2).
///
/// Two libsrtp sessions: an outbound one keyed with our write key (any outbound SSRC) and an
/// inbound one keyed with the peer's (any inbound SSRC). Replay protection is on for both
/// directions (window of 1024 packets); the sender may re-protect a packet it already sent, so
/// NACK retransmissions of the same sequence number work.
///
/// Not thread-safe (libsrtp sessions are not); one owner uses it at a time.
public final class SRTPContext {
    /// The profile in use.
    public let profile: SRTPProfile
    private var outbound: srtp_t?
    private var inbound: srtp_t?

    /// Bytes SRTP may add to an RTP/RTCP packet (tag, SRTCP index).
    public static var maxOverhead: Int { Int(CShim_SRTP_MAX_TRAILER_LEN()) }

    private static let libraryReady: Bool = {
        srtp_init().rawValue == srtp_err_status_ok.rawValue
    }()

    /// A context for `keys` (see ``SRTPKeys/init(profile:keyingMaterial:role:)``).
    public init(keys: SRTPKeys) throws(SRTPError) {
        guard Self.libraryReady else { throw .library(status: -1, operation: "srtp_init") }
        profile = keys.profile
        outbound = try Self.makeSession(profile: keys.profile, key: keys.localKey + keys.localSalt, inbound: false)
        inbound = try Self.makeSession(profile: keys.profile, key: keys.remoteKey + keys.remoteSalt, inbound: true)
    }

    deinit {
        if let outbound { srtp_dealloc(outbound) }
        if let inbound { srtp_dealloc(inbound) }
    }

    private static func makeSession(profile: SRTPProfile, key: [UInt8], inbound: Bool) throws(SRTPError) -> srtp_t? {
        var policy = srtp_policy_t()
        switch profile {
        case .aes128CMHMACSHA1_80:
            srtp_crypto_policy_set_rtp_default(&policy.rtp) // = AES_CM_128_HMAC_SHA1_80 (the named form is a macro)
            srtp_crypto_policy_set_rtcp_default(&policy.rtcp)
        case .aeadAES128GCM:
            srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtp)
            srtp_crypto_policy_set_aes_gcm_128_16_auth(&policy.rtcp)
        }
        policy.ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound
        policy.window_size = 1024
        policy.allow_repeat_tx = 1
        var keyCopy = key
        var session: srtp_t?
        let status = keyCopy.withUnsafeMutableBufferPointer { buf -> srtp_err_status_t in
            policy.key = buf.baseAddress
            return srtp_create(&session, &policy)
        }
        guard status.rawValue == srtp_err_status_ok.rawValue else {
            throw .library(status: Int32(status.rawValue), operation: "srtp_create")
        }
        return session
    }

    /// Encrypts and authenticates an RTP packet.
    public func protectRTP(_ packet: [UInt8]) throws(SRTPError) -> [UInt8] {
        try run(packet, minimum: 12, operation: "srtp_protect") { s, p, l in srtp_protect(s, p, l) }
    }

    /// Verifies and decrypts an SRTP packet (authentication and replay checked).
    public func unprotectRTP(_ packet: [UInt8]) throws(SRTPError) -> [UInt8] {
        try run(packet, minimum: 12, operation: "srtp_unprotect", inbound: true) { s, p, l in srtp_unprotect(s, p, l) }
    }

    /// Encrypts and authenticates a (compound) RTCP packet.
    public func protectRTCP(_ packet: [UInt8]) throws(SRTPError) -> [UInt8] {
        try run(packet, minimum: 8, operation: "srtp_protect_rtcp") { s, p, l in srtp_protect_rtcp(s, p, l) }
    }

    /// Verifies and decrypts an SRTCP packet.
    public func unprotectRTCP(_ packet: [UInt8]) throws(SRTPError) -> [UInt8] {
        try run(packet, minimum: 8, operation: "srtp_unprotect_rtcp", inbound: true) { s, p, l in srtp_unprotect_rtcp(s, p, l) }
    }

    private func run(_ packet: [UInt8], minimum: Int, operation: String, inbound useInbound: Bool = false,
                     _ call: (srtp_t?, UnsafeMutableRawPointer?, UnsafeMutablePointer<Int32>) -> srtp_err_status_t) throws(SRTPError) -> [UInt8] {
        guard packet.count >= minimum, packet.count < 65536 else { throw .tooShort(packet.count) }
        var buffer = packet
        buffer.append(contentsOf: repeatElement(0, count: Self.maxOverhead))
        var length = Int32(packet.count)
        let session = useInbound ? inbound : outbound
        let status = buffer.withUnsafeMutableBytes { call(session, $0.baseAddress, &length) }
        switch status.rawValue {
        case srtp_err_status_ok.rawValue:
            guard length >= 0, Int(length) <= buffer.count else { throw .library(status: -2, operation: operation) }
            buffer.removeLast(buffer.count - Int(length))
            return buffer
        case srtp_err_status_auth_fail.rawValue: throw .authenticationFailed
        case srtp_err_status_replay_fail.rawValue, srtp_err_status_replay_old.rawValue: throw .replayed
        default: throw .library(status: Int32(status.rawValue), operation: operation)
        }
    }
}
