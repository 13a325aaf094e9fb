import DTLS
import Foundation
import Testing
import WireKit

/// A ClientHello captured from headless Chromium 156 (Debian's `chromium`) on loopback while it
/// answered an rtc-peer offer (so Chromium was the DTLS client): 1,413 bytes of handshake
/// body, cut by Chromium into two fragments in two datagrams because it offers DTLS 1.3 with
/// an X25519MLKEM768 key share (1,216 bytes) next to X25519. The fixture is
/// `Fixtures/chromium-156-clienthello.hex`, one datagram per line, in the order sent.
/// Our server (OpenSSL 3.0, DTLS 1.2) must reassemble it in any order and answer with a
/// DTLS 1.2 ServerHello that picks ECDHE-ECDSA-AES128-GCM-SHA256 and an SRTP profile.
@Suite struct ChromiumClientHelloTests {
    static func fixture() throws -> [[UInt8]] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/chromium-156-clienthello.hex")
        let text = try String(contentsOf: url, encoding: .utf8)
        return try text.split(whereSeparator: \.isNewline).map { line in
            var bytes: [UInt8] = []
            var it = line.makeIterator()
            while let hi = it.next(), let lo = it.next() {
                bytes.append(try #require(UInt8(String([hi, lo]), radix: 16)))
            }
            return bytes
        }
    }

    /// (type, body) of every handshake record in a datagram.
    static func handshakeMessages(_ datagram: [UInt8]) -> [(type: UInt8, recordVersion: UInt16, body: ArraySlice<UInt8>)] {
        var out: [(UInt8, UInt16, ArraySlice<UInt8>)] = []
        var i = 0
        while i + 13 <= datagram.count {
            let length = Int(datagram[i + 11]) << 8 | Int(datagram[i + 12])
            guard i + 13 + length <= datagram.count else { break }
            if datagram[i] == 22, length >= 12 {
                let version = UInt16(datagram[i + 1]) << 8 | UInt16(datagram[i + 2])
                out.append((datagram[i + 13], version, datagram[(i + 25)..<(i + 13 + length)]))
            }
            i += 13 + length
        }
        return out
    }

    @Test func fixtureIsAFragmentedPostQuantumClientHello() throws {
        let datagrams = try Self.fixture()
        #expect(datagrams.count == 2)
        let fragments = datagrams.flatMap(Self.handshakeMessages)
        #expect(fragments.count == 2 && fragments.allSatisfy { $0.type == 1 })
        let body = fragments.flatMap { Array($0.body) }
        #expect(body.count == 1413)
        // The X25519MLKEM768 group (0x11EC) is in the key shares.
        let needle: [UInt8] = [0x11, 0xEC, 0x04, 0xC0]  // group, key_exchange length 1216
        #expect(body.indices.contains { body[$0...].starts(with: needle) })
    }

    @Test(arguments: [false, true])
    func serverReassemblesAndAnswersWithDTLS12(reversed: Bool) throws {
        var datagrams = try Self.fixture()
        if reversed { datagrams.reverse() }
        datagrams.append(datagrams[0])  // a retransmitted fragment on top
        let server = try DTLSEndpoint(configuration: DTLSConfiguration(role: .server, identity: try DeviceIdentity.generate(),
                                                                       remoteFingerprints: [try DeviceIdentity.generate().fingerprint]))
        server.handle(datagram: datagrams[0], now: .zero)
        #expect(server.pollTransmit() == nil, "answered half a ClientHello")
        var replies: [[UInt8]] = []
        for datagram in datagrams.dropFirst() {
            server.handle(datagram: datagram, now: .zero)
            while let out = server.pollTransmit() { replies.append(out) }
        }
        #expect(server.state == .connecting, "\(server.failureDetail ?? "")")
        let messages = replies.flatMap(Self.handshakeMessages)
        let hello = try #require(messages.first, "no answer to Chromium's ClientHello")
        #expect(hello.type == 2, "first message is not a ServerHello")
        #expect(hello.recordVersion == 0xFEFD, "not DTLS 1.2")
        let b = Array(hello.body)
        // server_version, random, session_id, then the chosen cipher suite.
        try #require(b.count > 35 && b[0] == 0xFE && b[1] == 0xFD)
        let suiteOffset = 2 + 32 + 1 + Int(b[34])
        try #require(b.count >= suiteOffset + 2)
        #expect(b[suiteOffset] == 0xC0 && b[suiteOffset + 1] == 0x2B, "not ECDHE-ECDSA-AES128-GCM-SHA256")
        // use_srtp (extension 14) is in the ServerHello.
        #expect(b.indices.contains { b[$0...].starts(with: [0x00, 0x0E, 0x00]) })
        // The rest of the flight follows: Certificate (11), ServerKeyExchange (12), CertificateRequest (13), ServerHelloDone (14).
        #expect(Set(messages.map(\.type)).isSuperset(of: [2, 11, 12, 13, 14]))
    }
}
