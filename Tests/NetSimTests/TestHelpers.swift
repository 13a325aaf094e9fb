import WireKit
@testable import NetSim

/// A datagram payload carrying a sequence number: 4 bytes big-endian, zero padding to `size`.
func numbered(_ sequence: Int, size: Int = 100) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: max(4, size))
    let s = UInt32(truncatingIfNeeded: sequence)
    bytes[0] = UInt8(s >> 24); bytes[1] = UInt8(truncatingIfNeeded: s >> 16)
    bytes[2] = UInt8(truncatingIfNeeded: s >> 8); bytes[3] = UInt8(truncatingIfNeeded: s)
    return bytes
}

/// The sequence number of a `numbered` payload.
func sequenceNumber(_ bytes: [UInt8]) -> Int {
    guard bytes.count >= 4 else { return -1 }
    return Int(bytes[0]) << 24 | Int(bytes[1]) << 16 | Int(bytes[2]) << 8 | Int(bytes[3])
}

/// An endpoint that sends `count` numbered datagrams from `source` to `destination`,
/// `batch` of them every `interval`, starting at time zero.
func pacedSender(count: Int, batch: Int = 1, interval: Duration, size: Int = 100,
                 from source: TransportAddress, to destination: TransportAddress) -> ClosureEndpoint {
    var next = 0
    let endpoint = ClosureEndpoint(recordsReceived: false, onTimeout: { ep, now in
        for _ in 0..<batch where next < count {
            ep.send(numbered(next, size: size), from: source, to: destination)
            next += 1
        }
        if next < count { ep.timer = now + interval }
    })
    endpoint.timer = .zero
    return endpoint
}

/// An endpoint that answers every datagram with the same bytes, back to its sender.
func echoEndpoint() -> ClosureEndpoint {
    ClosureEndpoint(onDatagram: { ep, d in ep.send(d.payload, from: d.destination, to: d.source) })
}
