@testable import Daemon
import DTLS
import Foundation
import Testing

/// The transport's pure parts: the identity checks that keep unpaired devices out, the signal
/// payload format, and the ICE server settings.
@Suite struct TransportTests {
    static func sdp(fingerprints: [CertificateFingerprint]) -> String {
        (["v=0", "o=- 1 1 IN IP4 127.0.0.1", "s=-", "t=0 0", "m=application 9 UDP/DTLS/SCTP webrtc-datachannel"]
            + fingerprints.map { "a=fingerprint:\($0.sdpValue)" }).joined(separator: "\r\n") + "\r\n"
    }

    @Test func descriptionMustCarryThePairedDeviceID() throws {
        let paired = try DeviceIdentity.generate(commonName: "paired")
        let other = try DeviceIdentity.generate(commonName: "intruder")
        let id = paired.deviceID.description
        #expect(PeerVerification.checkDescription(sdp: Self.sdp(fingerprints: [paired.fingerprint]), expected: id) == nil)
        // A relayed description of another device, under the paired device's name: refused.
        #expect(PeerVerification.checkDescription(sdp: Self.sdp(fingerprints: [other.fingerprint]), expected: id) != nil)
        // Smuggling a second fingerprint next to the right one: refused.
        #expect(PeerVerification.checkDescription(sdp: Self.sdp(fingerprints: [paired.fingerprint, other.fingerprint]), expected: id) != nil)
        #expect(PeerVerification.checkDescription(sdp: Self.sdp(fingerprints: []), expected: id) != nil)
        #expect(PeerVerification.checkDescription(sdp: "a=fingerprint:sha-256 ZZ\r\n", expected: id) != nil)
        let sha384 = CertificateFingerprint(certificateDER: paired.certificateDER, algorithm: .sha384)
        #expect(PeerVerification.checkDescription(sdp: Self.sdp(fingerprints: [sha384]), expected: id) != nil)
    }

    @Test func certificateMustBeThePairedDevice() throws {
        let paired = try DeviceIdentity.generate(commonName: "paired")
        let other = try DeviceIdentity.generate(commonName: "intruder")
        let id = paired.deviceID.description
        #expect(PeerVerification.checkCertificate(der: paired.certificateDER, expected: id) == nil)
        #expect(PeerVerification.checkCertificate(der: other.certificateDER, expected: id) != nil)
        #expect(PeerVerification.checkCertificate(der: nil, expected: id) != nil)
    }

    @Test func signalPayloadsRoundTripAndJunkIsIgnored() {
        let offer = SignalPayload(kind: "offer", session: "s1", sdp: "v=0\r\n")
        #expect(SignalPayload(decoding: offer.encoded()) == offer)
        let candidate = SignalPayload(kind: "candidate", session: "s1", candidate: .init(candidate: "candidate:1 1 udp 1 127.0.0.1 9 typ host", sdpMid: "0"))
        #expect(SignalPayload(decoding: candidate.encoded()) == candidate)
        #expect(SignalPayload(decoding: "{\"kind\":\"launch-missiles\"}") == nil)
        #expect(SignalPayload(decoding: "not json") == nil)
        #expect(SignalPayload(decoding: "{\"kind\":\"offer\",\"sdp\":\"" + String(repeating: "x", count: 70_000) + "\"}") == nil)
    }

    @Test func iceServersAndInterfacesFromTheConfiguration() {
        var config = DaemonConfig.defaults(environment: ["HOME": "/tmp"])
        config.iceInterfaces = "loopback"
        config.iceServers = [
            .init(urls: ["stun:127.0.0.1:3478", "stun:localhost"]),
            .init(urls: ["turn:10.0.0.1:3478?transport=udp"], username: "u", credential: "p"),
            .init(urls: ["turn:10.0.0.2:3478"]),
            .init(urls: ["stun:stun.example.org:3478", "turn:10.0.0.3?transport=tcp"], username: "u", credential: "p"),
        ]
        let s = ICESettings(config: config)
        #expect(s.interfaces == .loopbackOnly)
        #expect(s.stun.map(\.description) == ["127.0.0.1:3478", "127.0.0.1:3478"])
        #expect(s.turn.map(\.address.description) == ["10.0.0.1:3478"])
        // stun.example.org is kept to be resolved at each connection attempt (never here).
        #expect(s.named.map(\.url) == ["stun:stun.example.org:3478"])
        #expect(s.named.first?.host == "stun.example.org" && s.named.first?.port == 3478 && s.named.first?.turn == nil)
        #expect(s.skipped.count == 2, "\(s.skipped)")
        #expect(s.skipped.contains { $0.contains("only UDP TURN") } && s.skipped.contains { $0.contains("TURN needs username") })
    }

    @Test func namedServersResolveThroughTheSystemResolver() async {
        // `localhost` resolves from /etc/hosts (no DNS traffic); a named TURN keeps its credentials.
        var config = DaemonConfig.defaults(environment: ["HOME": "/tmp"])
        config.iceServers = [.init(urls: ["turn:localhost.:3478"], username: "u", credential: "p")]
        let s = ICESettings(config: config)
        #expect(s.named.count == 1)
        let addresses = await ICESettings.resolve("localhost", port: 3478)
        #expect(addresses.contains { $0.description == "127.0.0.1:3478" }, "\(addresses)")
        let none = await ICESettings.resolve("", port: 3478)
        #expect(none.isEmpty)
    }
}
