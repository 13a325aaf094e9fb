import WireKit

/// A hashable key for a transport address that folds IPv4-mapped IPv6 (`::ffff:a.b.c.d`) onto
/// IPv4, so a peer seen both ways is recognised as one.
struct TransportAddressKey: Hashable, Sendable {
    let ip: IPAddress
    let port: UInt16

    init(_ a: TransportAddress) {
        if case .v6(let hi, let lo) = a.ip, hi == 0, lo >> 32 == 0xFFFF {
            ip = .v4(UInt32(truncatingIfNeeded: lo))
        } else {
            ip = a.ip
        }
        port = a.port
    }
}
