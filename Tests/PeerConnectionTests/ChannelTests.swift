import DataChannel
import NetSim
import PeerConnection
import Testing
import WireKit

/// Channel kinds, closing and reopening, and a lossy transfer.
@Suite struct ChannelTests {
    @Test func negotiatedUnorderedAndReopenedChannels() throws {
        let p = PCPair(seed: 41)
        let na = try p.a.pc.createDataChannel("neg", options: DataChannelInit(negotiated: true, id: 7))
        let nb = try p.b.pc.createDataChannel("neg", options: DataChannelInit(negotiated: true, id: 7))
        let u = try p.a.pc.createDataChannel("u", options: DataChannelInit(ordered: false, maxRetransmits: 0))
        try p.a.negotiate()
        try p.run { p.a.opened.contains(na) && p.b.opened.contains(nb) && p.a.opened.contains(u) && p.b.remoteChannels.count == 1 }
        #expect(p.b.remoteChannels.count == 1, "negotiated channels are not announced")
        let ub = try #require(p.b.remoteChannels.first)
        #expect(p.b.pc.dataChannel(ub)?.ordered == false && p.b.pc.dataChannel(ub)?.maxRetransmits == 0)
        try p.a.pc.send(Array(repeating: 1, count: 16_384), on: na)
        try p.b.pc.send(Array(repeating: 2, count: 65_536), on: nb)
        try p.a.pc.send(Array(repeating: 3, count: 262_144), on: u)
        try p.run(maxTime: .seconds(10)) { !p.b.messages(nb).isEmpty && !p.a.messages(na).isEmpty && !p.b.messages(ub).isEmpty }
        #expect(p.b.messages(nb).first?.data.count == 16_384 && p.a.messages(na).first?.data.count == 65_536)
        #expect(p.b.messages(ub).first?.data.count == 262_144)

        // Close from B's side: both sides see close; then reopen the same id.
        p.b.pc.closeDataChannel(nb)
        try p.run(maxTime: .seconds(10)) { p.a.closed.contains(na) && p.b.closed.contains(nb) }
        let na2 = try p.a.pc.createDataChannel("neg2", options: DataChannelInit(negotiated: true, id: 7))
        let nb2 = try p.b.pc.createDataChannel("neg2", options: DataChannelInit(negotiated: true, id: 7))
        try p.run(maxTime: .seconds(5)) { p.a.opened.contains(na2) && p.b.opened.contains(nb2) }
        try p.a.pc.send(text: "again", on: na2)
        try p.run(maxTime: .seconds(5)) { !p.b.messages(nb2).isEmpty }
        #expect(p.b.messages(nb2).first?.text == "again")

        // Close from A's side (the creator of the announced channel).
        p.a.pc.closeDataChannel(u)
        try p.run(maxTime: .seconds(10)) { p.a.closed.contains(u) && p.b.closed.contains(ub) }
    }

    @Test(arguments: [UInt64(51), 52])
    func lossyTransferDeliversEverythingInOrder(seed: UInt64) throws {
        let p = PCPair(seed: seed, link: LinkConditions(delay: .milliseconds(20)))
        let dc = try p.openChannel("bulk")
        p.setUplinks(LinkConditions(delay: .milliseconds(20), loss: 0.02))
        try p.sendAndCheck(count: 16, size: 32_768, on: dc)
        #expect(p.a.pc.bufferedAmount(dc) == 0)
    }

    @Test func closeEndsThePeersChannels() throws {
        let p = PCPair(seed: 61)
        _ = try p.openChannel("x")
        p.a.pc.close()
        #expect(p.a.pc.connectionState == .closed && p.a.pc.signalingState == .closed)
        try p.run(maxTime: .seconds(5)) { p.b.events.contains { if case .transportClosed = $0 { true } else { false } } }
        #expect(p.b.closed.count == 1)
    }

    @Test func bufferedAmountLowFiresWhenTheQueueDrains() throws {
        let p = PCPair(seed: 71)
        let dc = try p.openChannel("x")
        p.a.pc.setBufferedAmountLowThreshold(65_536, for: dc)
        for _ in 0..<8 { try p.a.pc.send(Array(repeating: 9, count: 65_536), on: dc) }
        #expect(p.a.pc.bufferedAmount(dc) > 65_536)
        try p.run(maxTime: .seconds(10)) { p.a.events.contains(.bufferedAmountLow(dc)) }
        #expect(p.a.pc.bufferedAmount(dc) <= 65_536)
    }
}
