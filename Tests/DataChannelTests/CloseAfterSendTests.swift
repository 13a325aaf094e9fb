import DataChannel
import NetSim
import SCTP
import SCTPTestSupport
import Testing
import WireKit

/// A ``DataChannelManager`` as a NetSim host: SCTP packets ride directly in UDP datagrams (no
/// DTLS); every event is collected in order.
typealias ChannelHost = DirectUDPHost<DataChannelManager>

/// RFC 8831 §6.7 / RFC 6525: a sender that closes its channel right after its last send — at
/// once, once `bufferedAmount` is 0, or once nothing is in flight either (as rtc-peer's source
/// does) — races the stream reset against its own data. The receiver must get every byte
/// before the channel-closed event, under loss, reordering and duplication, on NetSim.
@Suite struct CloseAfterSendTests {
    enum CloseAt: String, CaseIterable, Sendable {
        /// In the same turn as the last `send`.
        case afterLastSend
        /// When `bufferedAmount` first reads 0 (everything handed to the network).
        case bufferedAmountZero
        /// When `bufferedAmount` and the association's bytes in flight are both 0.
        case nothingInFlight
    }

    @Test("close after the last send: every byte arrives before the channel closes",
          arguments: CloseAt.allCases, [1200, 16000])
    func closeAfterSend(_ closeAt: CloseAt, mtu: Int) throws {
        var failures = [String]()
        for seed: UInt64 in 1...4 {
            if let failure = try Self.transfer(closeAt: closeAt, mtu: mtu, seed: seed) { failures.append(failure) }
        }
        #expect(failures.isEmpty, "\(failures)")
    }

    /// One transfer; a description of what went wrong (with the seed), or nil.
    static func transfer(closeAt: CloseAt, mtu: Int, seed: UInt64) throws -> String? {
        let net = SimNetwork(seed: seed)
        let addrA = TransportAddress(ip: IPAddress.v4(0x0A00_0001), port: 5000)
        let addrB = TransportAddress(ip: IPAddress.v4(0x0A00_0002), port: 5000)
        var ca = SCTPConfiguration(); ca.randomSeed = seed &* 7 &+ 1; ca.maxPacketSize = mtu
        var cb = SCTPConfiguration(); cb.randomSeed = seed &* 11 &+ 2; cb.maxPacketSize = mtu
        ca.enableInterleaving = seed % 2 == 1
        let a = ChannelHost(DataChannelManager(role: .client, configuration: ca), local: addrA, remote: addrB)
        let b = ChannelHost(DataChannelManager(role: .server, configuration: cb), local: addrB, remote: addrA)
        var link = NetSim.LinkConditions(delay: .milliseconds(15), jitter: .milliseconds(4), loss: 0.05,
                                         reorder: 0.1, duplicate: 0.01)
        link.rateBitsPerSecond = 50_000_000
        link.mtu = 65_535
        _ = net.addHost(a, addresses: [addrA.ip], uplink: link, downlink: link)
        _ = net.addHost(b, addresses: [addrB.ip], uplink: link, downlink: link)
        let context = "seed \(seed), close \(closeAt.rawValue), mtu \(mtu)"
        try a.core.connect(now: net.now)
        let id = try a.core.createDataChannel(label: "bulk", now: net.now)
        try net.run(maxTime: .seconds(30)) { b.events.contains(.open(id)) && a.core.channel(id)?.readyState == .open }

        var rng = SeededRandom(seed: seed)
        let count = 150
        var sent = [[UInt8]]()
        var closed = false
        var sendError: String?
        try net.run(maxTime: .seconds(120)) {
            while sent.count < count, a.core.bufferedAmount(id) < 256 << 10 {
                let size = [1, 700, 1200, 5000, 16_000, 40_000][Int(rng.next() % 6)]
                var m = TransferScenario.payload(index: sent.count, size: max(4, size))
                m[m.count - 1] = UInt8(truncatingIfNeeded: seed)
                do { try a.core.send(m, on: id, now: net.now) } catch {
                    sendError = "\(error)"
                    return true
                }
                sent.append(m)
            }
            if sent.count == count, !closed {
                let buffered = a.core.bufferedAmount(id)
                let ready = switch closeAt {
                case .afterLastSend: true
                case .bufferedAmountZero: buffered == 0
                case .nothingInFlight: buffered == 0 && a.core.association.bytesInFlight == 0
                }
                if ready {
                    a.core.close(id, now: net.now)
                    closed = true
                }
            }
            return b.events.contains(.closed(id)) && a.events.contains(.closed(id))
        }
        if let sendError { return "\(context): send failed: \(sendError)" }
        var received = [[UInt8]]()
        for e in b.events {
            if e == .closed(id) { break }
            if case .message(let cid, let m) = e, cid == id { received.append(m.data) }
        }
        guard received != sent else { return nil }
        let bytes = received.reduce(0) { $0 + $1.count }, total = sent.reduce(0) { $0 + $1.count }
        let firstDifference = zip(received, sent).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(received.count, sent.count)
        return "\(context): received \(received.count) of \(count) messages (\(bytes) of \(total) bytes) before the close; first difference at \(firstDifference)"
    }
}
