import DTLS
import Testing
import WireKit

/// Browsers now send ClientHellos larger than one datagram (post-quantum key shares): the
/// handshake message arrives as several fragments, in several records and datagrams, maybe
/// out of order. OpenSSL reassembles them; this pins that down with a fixture built from our
/// own ClientHello, inflated with a 2,800-byte padding extension (RFC 7685) and cut into
/// fragments delivered shuffled and with a duplicate.
@Suite struct FragmentedClientHelloTests {
    /// The ClientHello record our client sends first (one datagram, one record).
    func originalClientHello(identity: DeviceIdentity, serverIdentity: DeviceIdentity) throws -> [UInt8] {
        let client = try DTLSEndpoint(configuration: DTLSConfiguration(role: .client, identity: identity,
                                                                       remoteFingerprints: [serverIdentity.fingerprint]))
        client.start(now: .zero)
        return try #require(client.pollTransmit())
    }

    /// The ClientHello body with a padding extension of `padding` bytes appended.
    func inflate(body: [UInt8], padding: Int) throws -> [UInt8] {
        var r = 2 + 32  // client_version, random
        r += 1 + Int(body[r])  // session_id
        r += 1 + Int(body[r])  // cookie
        r += 2 + (Int(body[r]) << 8 | Int(body[r + 1]))  // cipher_suites
        r += 1 + Int(body[r])  // compression_methods
        let extensionsLength = Int(body[r]) << 8 | Int(body[r + 1])
        try #require(r + 2 + extensionsLength == body.count, "unexpected ClientHello layout")
        let newLength = extensionsLength + 4 + padding
        var out = Array(body[0..<r])
        out += [UInt8(newLength >> 8), UInt8(newLength & 0xFF)]
        out += body[(r + 2)...]
        out += [0x00, 0x15, UInt8(padding >> 8), UInt8(padding & 0xFF)] + [UInt8](repeating: 0, count: padding)
        return out
    }

    /// One record holding one fragment of handshake message `seq` (epoch 0, record seq `recordSeq`).
    func fragmentRecord(type: UInt8, messageSeq: [UInt8], total: Int, offset: Int, fragment: ArraySlice<UInt8>, recordSeq: UInt64) -> [UInt8] {
        func u24(_ v: Int) -> [UInt8] { [UInt8((v >> 16) & 0xFF), UInt8((v >> 8) & 0xFF), UInt8(v & 0xFF)] }
        let handshake = [type] + u24(total) + messageSeq + u24(offset) + u24(fragment.count) + fragment
        var header: [UInt8] = [22, 0xFE, 0xFF, 0, 0]  // handshake, DTLS 1.0 record version (as ClientHellos use), epoch 0
        for shift in stride(from: 40, through: 0, by: -8) { header.append(UInt8((recordSeq >> UInt64(shift)) & 0xFF)) }
        header += [UInt8(handshake.count >> 8), UInt8(handshake.count & 0xFF)]
        return header + handshake
    }

    @Test func largeFragmentedClientHelloIsReassembled() throws {
        let clientIdentity = try DeviceIdentity.generate()
        let serverIdentity = try DeviceIdentity.generate()
        let record = try originalClientHello(identity: clientIdentity, serverIdentity: serverIdentity)
        // Record header (13) + handshake header (12): type 1 = ClientHello, not fragmented.
        try #require(record.count > 25 && record[0] == 22 && record[13] == 1)
        let messageSeq = Array(record[17..<19])
        let body = Array(record[25...])
        try #require(body.count == (Int(record[14]) << 16 | Int(record[15]) << 8 | Int(record[16])))
        let large = try inflate(body: body, padding: 2800)
        #expect(large.count > 2900)

        var rng = SeededRandom(seed: 5)
        for fragmentSize in [500, 1000] {
            var datagrams: [[UInt8]] = []
            var offset = 0
            var recordSeq: UInt64 = 0
            while offset < large.count {
                let end = min(offset + fragmentSize, large.count)
                datagrams.append(fragmentRecord(type: 1, messageSeq: messageSeq, total: large.count,
                                                offset: offset, fragment: large[offset..<end], recordSeq: recordSeq))
                offset = end
                recordSeq += 1
            }
            #expect(datagrams.count >= 3)
            #expect(datagrams.allSatisfy { $0.count <= 1200 })
            datagrams.append(datagrams[1])  // a duplicate fragment
            datagrams.shuffle(using: &rng)

            let server = try DTLSEndpoint(configuration: DTLSConfiguration(role: .server, identity: serverIdentity,
                                                                           remoteFingerprints: [clientIdentity.fingerprint]))
            let distinct = Set(datagrams).count
            var seen = Set<[UInt8]>()
            var reply: [UInt8]?
            for datagram in datagrams {
                server.handle(datagram: datagram, now: .zero)
                seen.insert(datagram)
                let out = server.pollTransmit()
                if seen.count < distinct {
                    // No answer while a fragment is still missing.
                    #expect(out == nil, "seed 5, fragment \(fragmentSize): answered an incomplete ClientHello")
                } else if reply == nil {
                    reply = out
                }
            }
            #expect(server.state == .connecting, "seed 5, fragment \(fragmentSize): \(server.failureDetail ?? "")")
            let serverHello = try #require(reply, "seed 5, fragment \(fragmentSize): no ServerHello")
            // First record: handshake, message type 2 = ServerHello.
            #expect(serverHello[0] == 22 && serverHello[13] == 2)
        }
    }
}
