import DataChannel
import NetSim
import PeerConnection
import Testing
import WireKit

/// The drivers' bulk send path (``PeerConnection/pollSealedTransmit(_:)``): SCTP packets sealed
/// straight into a caller's buffer interoperate with the queued path on the other side, under
/// loss, in both directions, and the path is really taken.
@Suite struct DirectSealingTests {
    @Test(arguments: [UInt64(61), 62])
    func sealedPacketsCarryALossyTransferBothWays(seed: UInt64) throws {
        let p = PCPair(seed: seed, link: LinkConditions(delay: .milliseconds(10)))
        p.a.pc.sealsDirectly = true
        let dc = try p.openChannel("bulk")
        p.setUplinks(LinkConditions(delay: .milliseconds(10), loss: 0.02))
        let remote = try #require(p.b.remoteChannels.first)
        var rng = SeededRandom(seed: seed)
        var sent: [[UInt8]] = []
        for i in 0..<12 {
            let message = (0..<(1_000 + i * 5_000)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            sent.append(message)
            try p.a.pc.send(message, on: dc)
            try p.b.pc.send(Array(message.reversed()), on: remote)
        }
        try p.run(maxTime: .seconds(60)) { p.b.messages(remote).count == sent.count && p.a.messages(dc).count == sent.count }
        #expect(p.b.messages(remote).map(\.data) == sent, "seed \(seed)")
        #expect(p.a.messages(dc).map(\.data) == sent.map { Array($0.reversed()) }, "seed \(seed)")
        #expect(p.a.sealedTransmits > 50, "seed \(seed): only \(p.a.sealedTransmits) datagrams took the direct path")
        #expect(p.b.sealedTransmits == 0, "seed \(seed)")
        // Closing still works: the close path drains what SCTP holds through the queue.
        p.a.pc.closeDataChannel(dc)
        try p.run(maxTime: .seconds(10)) { p.a.closed.contains(dc) && p.b.closed.contains(remote) }
    }
}
