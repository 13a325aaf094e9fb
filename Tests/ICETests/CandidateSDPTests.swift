import ICE
import Testing
import WireKit

/// The SDP candidate line form (RFC 8839 §5.1) and the RFC 8445 priority formulas.
@Suite struct CandidateSDPTests {
    @Test func parsesChromeSrflxLine() throws {
        let c = try Candidate(sdp: "a=candidate:842163049 1 udp 1677729535 203.0.113.7 46154 typ srflx raddr 10.0.0.1 rport 46154 generation 0 ufrag EEtu network-id 3 network-cost 10")
        #expect(c.foundation == "842163049" && c.component == 1 && c.priority == 1_677_729_535)
        #expect(c.address == TransportAddress("203.0.113.7:46154") && c.type == .serverReflexive)
        #expect(c.relatedAddress == TransportAddress("10.0.0.1:46154"))
        #expect(c.ufrag == "EEtu" && c.generation == 0)
    }

    @Test func roundTrips() throws {
        let c = Candidate(foundation: "1", priority: 2_130_706_431, address: TransportAddress("[2001:db8::5]:5000")!, type: .relayed,
                          relatedAddress: TransportAddress("192.0.2.1:7")!, ufrag: "abcd", generation: 0)
        #expect(c.sdpLine == "candidate:1 1 udp 2130706431 2001:db8::5 5000 typ relay raddr 192.0.2.1 rport 7 generation 0 ufrag abcd")
        #expect(try Candidate(sdp: c.sdpLine) == c)
    }

    @Test func keepsMDNSNames() throws {
        let c = try Candidate(sdp: "candidate:1 1 udp 2122260223 3f0e7b6c-1111-4a4a-9d9d-123456789abc.local 54321 typ host")
        #expect(c.hostname == "3f0e7b6c-1111-4a4a-9d9d-123456789abc.local")
    }

    @Test(arguments: ["", "candidate:1 1 udp", "candidate:1 1 udp x 1.2.3.4 5 typ host", "candidate:1 1 udp 1 example.com 5 typ host",
                      "candidate:1 1 udp 1 1.2.3.4 99999 typ host", "candidate:1 1 udp 1 1.2.3.4 5 typ bogus", "candidate:1 0 udp 1 1.2.3.4 5 typ host"])
    func rejectsMalformedLines(line: String) {
        #expect(throws: ICEParseError.self) { try Candidate(sdp: line) }
    }

    @Test func priorityFormulas() {
        #expect(Candidate.priority(type: .host, localPreference: 65535) == 2_130_706_431)
        #expect(Candidate.priority(type: .relayed, localPreference: 0) == 255)
        // 2^32·min(G,D) + 2·max(G,D) + (G>D ? 1 : 0)
        #expect(CandidatePair.priority(local: 10, remote: 20, role: .controlling) == (10 << 32) + 40)
        #expect(CandidatePair.priority(local: 10, remote: 20, role: .controlled) == (10 << 32) + 40 + 1)
    }

    @Test func mdnsCandidatesAreIgnoredUnlessResolved() throws {
        let agent = ICEAgent(configuration: ICEConfiguration(role: .controlled, seed: 1))
        agent.addLocalInterface(TransportAddress("192.0.2.10:5000")!)
        agent.startGathering(now: .zero)
        agent.setRemoteCredentials(ICECredentials(ufrag: "abcd", password: "0123456789012345678901"))
        try agent.addRemoteCandidate(sdp: "candidate:1 1 udp 2122260223 peer.local 5000 typ host")
        #expect(agent.counters.mdnsCandidatesIgnored == 1 && agent.remoteCandidates.isEmpty)
        var events: [ICEEvent] = []
        while let e = agent.pollEvent() { events.append(e) }
        #expect(events.contains { if case .debug(let m) = $0 { return m.contains("mDNS") }; return false })
        agent.resolveHostname("peer.local", to: IPAddress("192.0.2.20")!)
        try agent.addRemoteCandidate(sdp: "candidate:1 1 udp 2122260223 peer.local 5000 typ host")
        #expect(agent.remoteCandidates.map(\.address) == [TransportAddress("192.0.2.20:5000")!])
        #expect(agent.pairs.count == 1)
    }
    /// Gathering on several sockets completes once, after every host candidate: a `complete` per
    /// socket made the peer connection signal end-of-candidates after the first candidate.
    @Test func gatheringOnSeveralSocketsCompletesOnce() {
        let agent = ICEAgent(configuration: ICEConfiguration(role: .controlled, seed: 1))
        for a in ["127.0.0.1:5000", "192.0.2.10:5001", "[::1]:5002"] { agent.addLocalInterface(TransportAddress(a)!) }
        agent.startGathering(now: .zero)
        var log: [String] = []
        while let e = agent.pollEvent() {
            switch e {
            case .candidateGathered(let c): log.append("candidate \(c.address)")
            case .gatheringStateChanged(let s): log.append("\(s)")
            default: break
            }
        }
        #expect(log == ["gathering", "candidate 127.0.0.1:5000", "candidate 192.0.2.10:5001", "candidate [::1]:5002", "complete"])
        agent.addLocalInterface(TransportAddress("[::1]:5003")!)
        var later: [String] = []
        while let e = agent.pollEvent() {
            if case .gatheringStateChanged(let s) = e { later.append("\(s)") }
        }
        #expect(later == ["gathering", "complete"])
    }
}
