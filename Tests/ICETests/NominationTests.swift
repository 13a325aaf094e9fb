import ICE
import STUN
import Testing
import WireKit

/// The controlled agent accepts a peer's aggressive nomination (USE-CANDIDATE on the first
/// check, RFC 5245 style) — driven by hand with scripted STUN messages, no network.
@Suite struct NominationTests {
    let local = TransportAddress("192.0.2.2:6000")!
    let peer = TransportAddress("192.0.2.1:5000")!
    let peerCredentials = ICECredentials(ufrag: "peer", password: "peerpasswordpeerpassword")

    @Test func acceptsAggressiveNomination() throws {
        let agent = ICEAgent(configuration: ICEConfiguration(role: .controlled, seed: 3))
        agent.addLocalInterface(local)
        agent.startGathering(now: .zero)
        agent.setRemoteCredentials(peerCredentials)
        var rng = SeededRandom(seed: 4)
        // The peer's first check already carries USE-CANDIDATE.
        let check = STUNMessage(type: .init(method: .binding, messageClass: .request), transactionID: .random(using: &rng), attributes: [
            .username("\(agent.localCredentials.ufrag):peer"), .priority(Candidate.priority(type: .peerReflexive, localPreference: 65535)),
            .iceControlling(1), .useCandidate,
        ])
        agent.handle(datagram: check.encode(key: .shortTerm(password: agent.localCredentials.password), fingerprint: true),
                     source: peer, destination: local, now: .zero + .milliseconds(10))
        // The agent answers, learns the peer as peer-reflexive and sends a triggered check.
        var response: STUNMessage?
        var triggered: STUNMessage?
        agent.handle(timeout: .zero + .milliseconds(10))
        while let t = agent.pollTransmit() {
            let m = try STUNMessage.decode(t.payload)
            if m.type.messageClass == .successResponse { response = m } else if m.type.messageClass == .request { triggered = m }
            #expect(t.destination == peer && t.source == local)
        }
        #expect(response?.mappedAddress == peer)
        #expect(response?.verifyIntegrity(key: .shortTerm(password: agent.localCredentials.password)) == true)
        let request = try #require(triggered)
        #expect(request.username == "peer:\(agent.localCredentials.ufrag)")
        #expect(request.verifyIntegrity(key: .shortTerm(password: peerCredentials.password)))
        #expect(agent.remoteCandidates.first?.type == .peerReflexive)
        // The peer answers the triggered check: the pair is valid and already nominated.
        let answer = STUNMessage(type: .init(method: .binding, messageClass: .successResponse), transactionID: request.transactionID,
                                 attributes: [.xorMappedAddress(local)])
        agent.handle(datagram: answer.encode(key: .shortTerm(password: peerCredentials.password), fingerprint: true),
                     source: peer, destination: local, now: .zero + .milliseconds(20))
        #expect(agent.selectedPair?.remote.address == peer)
        #expect(agent.connectionState == .connected || agent.connectionState == .completed)
        var events: [ICEEvent] = []
        while let e = agent.pollEvent() { events.append(e) }
        #expect(events.contains { if case .selectedPairChanged = $0 { return true }; return false })
    }

    @Test func rejectsChecksWithWrongPassword() throws {
        let agent = ICEAgent(configuration: ICEConfiguration(role: .controlled, seed: 5))
        agent.addLocalInterface(local)
        agent.startGathering(now: .zero)
        var rng = SeededRandom(seed: 6)
        let check = STUNMessage(type: .init(method: .binding, messageClass: .request), transactionID: .random(using: &rng),
                                attributes: [.username("\(agent.localCredentials.ufrag):peer"), .priority(1), .iceControlling(1)])
        agent.handle(datagram: check.encode(key: .shortTerm(password: "not the password"), fingerprint: true),
                     source: peer, destination: local, now: .zero)
        let t = try #require(agent.pollTransmit())
        #expect(try STUNMessage.decode(t.payload).errorCode?.code == 401)
        #expect(agent.remoteCandidates.isEmpty && agent.pairs.isEmpty)
    }
    @Test func dropsChecksForAnAddressWithoutACandidate() throws {
        let agent = ICEAgent(configuration: ICEConfiguration(role: .controlled, seed: 7))
        agent.addLocalInterface(local)
        agent.startGathering(now: .zero)
        agent.setRemoteCredentials(peerCredentials)
        while agent.pollTransmit() != nil {}
        var rng = SeededRandom(seed: 8)
        let check = STUNMessage(type: .init(method: .binding, messageClass: .request), transactionID: .random(using: &rng),
                                attributes: [.username("\(agent.localCredentials.ufrag):peer"), .priority(1), .iceControlling(1)])
        let elsewhere = TransportAddress("192.0.2.9:6000")!
        agent.handle(datagram: check.encode(key: .shortTerm(password: agent.localCredentials.password), fingerprint: true),
                     source: peer, destination: elsewhere, now: .zero + .milliseconds(10))
        // No answer from an address the agent does not offer, and nothing learned.
        #expect(agent.pollTransmit() == nil)
        #expect(agent.remoteCandidates.isEmpty && agent.pairs.isEmpty)
        // The same check to the gathered address is answered.
        agent.handle(datagram: check.encode(key: .shortTerm(password: agent.localCredentials.password), fingerprint: true),
                     source: peer, destination: local, now: .zero + .milliseconds(20))
        let t = try #require(agent.pollTransmit())
        #expect(t.source == local && t.destination == peer)
        #expect(try STUNMessage.decode(t.payload).type.messageClass == .successResponse)
    }
}
