import DataChannel
import SCTP
import SCTPTestSupport
import Testing
import WireKit

/// Data channels across a peer restart of the association (RFC 9260 §5.2.4 A).
@Suite struct RestartChannelTests {
    @Test("a restarted peer closes our channels; the association stays up and new channels work", arguments: [UInt64(3), 4])
    func peerRestart(seed: UInt64) throws {
        var p = DataChannelTests.pair(seed: seed)
        let id = try p.a.createDataChannel(label: "old", now: p.now)
        DataChannelTests.connect(&p)
        _ = DataChannelTests.run(&p) { _, b in b.contains(.open(id)) }
        // b's process restarts: a new manager, with new tags, connects to a.
        var cb = SCTPConfiguration(); cb.randomSeed = seed &+ 50
        p.b = DataChannelManager(role: .server, configuration: cb)
        try p.b.connect(now: p.now)
        var (a, b) = DataChannelTests.run(&p) { a, b in a.contains(.closed(id)) && b.contains(.connected) }
        #expect(a.contains(.closed(id)), "seed \(seed): \(a)")
        #expect(!a.contains { if case .disconnected = $0 { return true } else { return false } }, "seed \(seed): \(a)")
        #expect(p.a.channelIDs.isEmpty && p.a.association.statistics.restarts == 1, "seed \(seed)")
        // The id is free again; a new channel opens on the new association and carries data.
        let fresh = try p.a.createDataChannel(label: "new", now: p.now)
        #expect(fresh == id)
        (a, b) = DataChannelTests.run(&p) { _, b in b.contains(.open(fresh)) }
        try p.a.send(text: "after restart", on: fresh, now: p.now)
        (a, b) = DataChannelTests.run(&p) { _, b in b.contains { if case .message = $0 { return true } else { return false } } }
        #expect(b.contains(.message(fresh, DataChannelMessage(isText: true, data: Array("after restart".utf8)))), "seed \(seed): \(b)")
        #expect(p.b.channel(fresh)?.label == "new")
    }
}
