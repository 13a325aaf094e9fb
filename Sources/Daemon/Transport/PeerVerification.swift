import DTLS

/// The checks that make a WebRTC connection belong to a paired device: the fingerprints in its
/// session description, and then the certificate it proved in the DTLS handshake, must be the
/// SHA-256 that is its device ID. (The DTLS layer already refuses a certificate that does not
/// match the description's fingerprint; checking both keeps a malicious rendezvous server, which
/// could relay another device's description under a paired device's name, out.)
enum PeerVerification {
    /// Nil when every `a=fingerprint` in `sdp` is the SHA-256 `expected` device ID (and there is
    /// at least one), else why not.
    static func checkDescription(sdp: String, expected: String) -> String? {
        guard let id = try? DeviceID(parsing: expected) else { return "\(expected) is not a device ID" }
        var seen = 0
        for raw in sdp.split(whereSeparator: \.isNewline) where raw.hasPrefix("a=fingerprint:") {
            let value = String(raw.dropFirst("a=fingerprint:".count))
            guard let f = try? CertificateFingerprint(sdp: value) else { return "unparsable fingerprint \(value)" }
            guard f.algorithm == .sha256, f.digest == id.digest else {
                return "its description carries fingerprint \(f.sdpValue), not its device ID"
            }
            seen += 1
        }
        return seen == 0 ? "its description carries no DTLS fingerprint" : nil
    }

    /// Nil when the DTLS peer certificate's SHA-256 is the `expected` device ID, else why not.
    static func checkCertificate(der: [UInt8]?, expected: String) -> String? {
        guard let der else { return "it presented no DTLS certificate" }
        let actual = DeviceID(certificateDER: der).description
        return actual == expected ? nil : "its DTLS certificate is device \(actual)"
    }
}
