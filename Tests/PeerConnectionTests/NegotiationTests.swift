import NetSim
import PeerConnection
import Testing
import WireKit

/// JSEP state machine: rollback, glare with perfect negotiation, ICE restart.
@Suite struct NegotiationTests {
    @Test func localOfferRollbackReturnsToStable() throws {
        let p = PCPair(seed: 11)
        _ = try p.a.pc.createDataChannel("x")
        _ = try p.a.pc.setLocalDescription()
        #expect(p.a.pc.signalingState == .haveLocalOffer && p.a.pc.pendingLocalDescription != nil)
        try p.a.pc.setLocalDescription(SessionDescriptionInit(type: .rollback))
        #expect(p.a.pc.signalingState == .stable && p.a.pc.localDescription == nil)
        #expect(throws: PeerConnectionError.self) { try p.a.pc.setLocalDescription(SessionDescriptionInit(type: .rollback)) }
        // The connection still works afterwards.
        try p.a.negotiate()
        try p.run { p.a.isConnected && p.b.isConnected }
    }

    @Test func remoteOfferRollback() throws {
        let p = PCPair(seed: 12)
        _ = try p.a.pc.createDataChannel("x")
        let offer = try p.a.pc.setLocalDescription()
        try p.b.pc.setRemoteDescription(offer)
        #expect(p.b.pc.signalingState == .haveRemoteOffer)
        try p.b.pc.setRemoteDescription(SessionDescriptionInit(type: .rollback))
        #expect(p.b.pc.signalingState == .stable && p.b.pc.remoteDescription == nil)
        #expect(p.b.events.contains(.signalingStateChange(.haveRemoteOffer)) || p.b.pc.pollEvent() != nil)
    }

    @Test func answerInWrongStateIsRejected() throws {
        let p = PCPair(seed: 13)
        #expect(throws: PeerConnectionError.self) { _ = try p.a.pc.createAnswer() }
        #expect(throws: PeerConnectionError.self) { try p.a.pc.addIceCandidate(ICECandidateInit(candidate: "candidate:1 1 udp 1 1.2.3.4 5 typ host")) }
        #expect(throws: PeerConnectionError.self) {
            try p.a.pc.setRemoteDescription(SessionDescriptionInit(type: .offer, sdp: "v=0\r\nbogus\r\n"))
        }
    }

    /// Perfect negotiation (docs/perfect-negotiation.md): both sides create a channel at the
    /// same moment and send offers that cross. The impolite peer ignores the incoming offer;
    /// the polite one rolls back (implicitly, in setRemoteDescription) and answers.
    @Test(arguments: [UInt64(21), 22, 23])
    func glareResolvesWithPoliteAndImpolitePeers(seed: UInt64) throws {
        let p = PCPair(seed: seed)
        let polite = p.a, impolite = p.b
        var inbox: [(to: PCEndpoint, SessionDescriptionInit)] = []
        var makingOffer: [ObjectIdentifier: Bool] = [:]
        for endpoint in [polite, impolite] {
            endpoint.onEvent = { me, event in
                guard event == .negotiationNeeded, let peer = me.peer else { return }
                makingOffer[ObjectIdentifier(me)] = true
                if let offer = try? me.pc.setLocalDescription() { inbox.append((peer, offer)) }
                makingOffer[ObjectIdentifier(me)] = false
            }
        }
        let dcPolite = try polite.pc.createDataChannel("from-polite")
        let dcImpolite = try impolite.pc.createDataChannel("from-impolite")
        polite.drain()
        impolite.drain()
        #expect(inbox.count == 2, "both offered: glare (seed \(seed))")
        var ignoredOffers = 0
        var rounds = 0
        while !inbox.isEmpty, rounds < 10 {
            rounds += 1
            let (to, description) = inbox.removeFirst()
            let isPolite = to === polite
            let collision = description.type == .offer && (makingOffer[ObjectIdentifier(to)] == true || to.pc.signalingState != .stable)
            if collision && !isPolite {
                ignoredOffers += 1
                continue
            }
            try to.pc.setRemoteDescription(description)
            if description.type == .offer, let peer = to.peer {
                inbox.append((peer, try to.pc.setLocalDescription()))
            }
            to.drain()
        }
        #expect(ignoredOffers == 1)
        // The impolite side's offer won; the polite side's channel is negotiated in a second
        // round if needed (negotiationneeded fires again once stable).
        try p.run { polite.pc.signalingState == .stable && impolite.pc.signalingState == .stable && inbox.isEmpty
            && polite.opened.contains(dcPolite) && impolite.opened.contains(dcImpolite)
            && polite.remoteChannels.count == 1 && impolite.remoteChannels.count == 1 }
        #expect(polite.isConnected && impolite.isConnected, "seed \(seed)")
        #expect(polite.remoteChannels.count == 1 && impolite.remoteChannels.count == 1)
    }

    @Test func iceRestartKeepsDataFlowing() throws {
        let p = PCPair(seed: 31)
        let dc = try p.openChannel("x")
        let before = try #require(p.a.pc.iceAgent?.localCredentials)
        p.a.pc.restartIce()
        #expect(p.a.pc.pollEvent() == .negotiationNeeded)
        try p.a.negotiate()
        #expect(p.a.pc.iceAgent?.localCredentials != before)
        try p.run(maxTime: .seconds(10)) { p.a.pc.iceConnectionState == .completed || p.a.pc.iceConnectionState == .connected }
        try p.a.pc.send(text: "after restart", on: dc)
        let remote = try #require(p.b.remoteChannels.first)
        try p.run(maxTime: .seconds(10)) { !p.b.messages(remote).isEmpty }
        #expect(p.b.messages(remote).first?.text == "after restart")
    }
}
