import COpenSSL
import DTLS
import Signaling
import Testing
import WireKit
@testable import Rendezvous

@Suite("Hub authentication")
struct HubAuthTests {
    @Test("a good certificate signature authenticates and names the device by its certificate")
    func goodSignature() {
        var h = HubHarness()
        let (id, nonce) = h.open()
        #expect(nonce.count == 32)
        h.send(.auth(h.proof(Devices.alice, nonce: nonce)), from: id)
        #expect(h.take(id) == [.welcome(device: Devices.alice.deviceID)])
        #expect(h.hub.connection(of: Devices.alice.deviceID) == id)
        #expect(h.closed[id] == nil)
    }

    @Test("a signature by another key is refused and the connection closed with 4001")
    func badSignature() {
        var h = HubHarness()
        let (id, nonce) = h.open()
        var proof = h.proof(Devices.bob, nonce: nonce)
        proof.credential = .certificate(Devices.alice.certificateDER)
        h.send(.auth(proof), from: id)
        #expect(HubHarness.errors(h.take(id)) == [.authFailed])
        #expect(h.closed[id] == .authFailed)
        #expect(h.hub.connection(of: Devices.alice.deviceID) == nil)
    }

    @Test("a signature over another server identity is refused")
    func wrongServerIdentity() throws {
        var h = HubHarness()
        let (id, nonce) = h.open()
        let transcript = SignalingProtocol.authTranscript(nonce: nonce, serverIdentity: "other-server")
        let proof = AuthProof(credential: .certificate(Devices.alice.certificateDER), signature: try Devices.alice.sign(transcript))
        h.send(.auth(proof), from: id)
        #expect(HubHarness.errors(h.take(id)) == [.authFailed])
        #expect(h.closed[id] == .authFailed)
    }

    @Test("a replayed auth (captured on one connection, sent on another) is refused")
    func replay() {
        var h = HubHarness()
        let (first, nonce) = h.open()
        let captured = h.proof(Devices.alice, nonce: nonce)
        h.send(.auth(captured), from: first)
        #expect(h.take(first) == [.welcome(device: Devices.alice.deviceID)])
        let (second, _) = h.open()
        h.send(.auth(captured), from: second)
        #expect(HubHarness.errors(h.take(second)) == [.authFailed])
        #expect(h.closed[second] == .authFailed)
        // The first connection is untouched, and sending auth again on it is refused.
        h.send(.auth(captured), from: first)
        #expect(HubHarness.errors(h.take(first)) == [.alreadyAuthenticated])
        #expect(h.closed[first] == nil)
    }

    @Test("a nonce verifies at most once even after a failed attempt")
    func nonceSingleUse() {
        var h = HubHarness()
        let (id, nonce) = h.open()
        h.send(.auth(AuthProof(credential: .certificate(Devices.alice.certificateDER), signature: [0x30, 0x00])), from: id)
        #expect(h.closed[id] == .authFailed)
        h.send(.auth(h.proof(Devices.alice, nonce: nonce)), from: id)
        #expect(h.hub.connection(of: Devices.alice.deviceID) == nil)
    }

    @Test("unknown certificate formats are refused with unknown-certificate-format",
          arguments: [[UInt8](), [0x30, 0x03, 0x02, 0x01, 0x01], Array("not a certificate".utf8)])
    func unknownFormat(certificate: [UInt8]) {
        var h = HubHarness()
        let (id, _) = h.open()
        h.send(.auth(AuthProof(credential: .certificate(certificate), signature: [1, 2, 3])), from: id)
        #expect(HubHarness.errors(h.take(id)) == [.unknownCertificateFormat])
        #expect(h.closed[id] == .authFailed)
    }

    @Test("a certificate with trailing bytes is an unknown format")
    func trailingBytes() {
        var h = HubHarness()
        let (id, nonce) = h.open()
        var proof = h.proof(Devices.alice, nonce: nonce)
        proof.credential = .certificate(Devices.alice.certificateDER + [0])
        h.send(.auth(proof), from: id)
        #expect(HubHarness.errors(h.take(id)) == [.unknownCertificateFormat])
    }

    @Test("browser variant: SPKI public key with a raw r||s signature; the ID is SHA-256 of the SPKI")
    func browserVariant() throws {
        var h = HubHarness()
        let (id, nonce) = h.open()
        let spki = try #require(AuthVerifier.publicKeySPKI(ofCertificate: Devices.carol.certificateDER))
        let der = try Devices.carol.sign(SignalingProtocol.authTranscript(nonce: nonce, serverIdentity: h.hub.serverIdentity))
        let raw = try #require(AuthVerifier.rawSignature(fromDER: der))
        #expect(raw.count == 64)
        h.send(.auth(AuthProof(credential: .publicKey(spki), signature: raw, signatureFormat: .raw)), from: id)
        let expected = try #require(AuthVerifier.deviceID(publicKeySPKI: spki))
        #expect(h.take(id) == [.welcome(device: expected)])
        #expect(expected != Devices.carol.deviceID)
    }

    @Test("browser variant with a tampered raw signature is refused")
    func browserVariantBad() throws {
        var h = HubHarness()
        let (id, nonce) = h.open()
        let spki = try #require(AuthVerifier.publicKeySPKI(ofCertificate: Devices.carol.certificateDER))
        let der = try Devices.carol.sign(SignalingProtocol.authTranscript(nonce: nonce, serverIdentity: h.hub.serverIdentity))
        var raw = try #require(AuthVerifier.rawSignature(fromDER: der))
        raw[10] ^= 0x01
        h.send(.auth(AuthProof(credential: .publicKey(spki), signature: raw, signatureFormat: .raw)), from: id)
        #expect(HubHarness.errors(h.take(id)) == [.authFailed])
        #expect(h.closed[id] == .authFailed)
    }

    @Test("messages before auth get not-authenticated; no auth within the timeout closes with 4002")
    func authTimeout() {
        var h = HubHarness()
        let (id, _) = h.open()
        h.send(.signal(to: Devices.bob.deviceID, payload: "x"), from: id)
        #expect(HubHarness.errors(h.take(id)) == [.notAuthenticated])
        h.advance(.seconds(9))
        #expect(h.closed[id] == nil)
        h.advance(.seconds(2))
        #expect(h.closed[id] == .authTimeout)
        #expect(h.hub.connectionCount == 0)
    }

    @Test("a device connected twice: the newer connection wins, the older is closed with 4003")
    func newerWins() {
        var h = HubHarness()
        let watcher = h.connect(Devices.bob)
        h.send(.subscribe([Devices.alice.deviceID]), from: watcher)
        _ = h.take(watcher)
        let old = h.connect(Devices.alice)
        #expect(h.take(watcher) == [.presence(device: Devices.alice.deviceID, online: true)])
        let new = h.connect(Devices.alice)
        #expect(h.closed[old] == .replaced)
        #expect(h.closed[new] == nil)
        #expect(h.hub.connection(of: Devices.alice.deviceID) == new)
        // Watchers see no offline flicker; signals go to the new connection.
        #expect(h.take(watcher).isEmpty)
        h.send(.signal(to: Devices.alice.deviceID, payload: "hi"), from: watcher)
        #expect(h.take(new) == [.signal(from: Devices.bob.deviceID, payload: "hi")])
        // The old socket's late disconnect does not take the device offline.
        h.hub.handle(disconnect: old, now: h.now)
        h.drain()
        #expect(h.hub.connection(of: Devices.alice.deviceID) == new)
    }
}
