// ICE benchmarks: time to connected over NetSim (virtual time, 50 ms RTT) for host and
// server-reflexive pairs, and STUN parse+serialize throughput (wall clock).
// Run: swift run -c release ice-bench
import ICE
import NetSim
import STUN
import WireKit

/// Bench support: a Binding responder for server-reflexive discovery (like the test one).
final class BindingResponder: SimulatedEndpoint {
    private var out: [Transmit] = []
    func handle(datagram: [UInt8], source: TransportAddress, destination: TransportAddress, now: Instant) {
        guard let m = try? STUNMessage.decode(datagram), m.type.messageClass == .request else { return }
        let r = STUNMessage(type: .init(method: .binding, messageClass: .successResponse), transactionID: m.transactionID,
                            attributes: [.xorMappedAddress(source)])
        out.append(Transmit(source: destination, destination: source, payload: r.encode(fingerprint: true)))
    }
    func handle(timeout now: Instant) {}
    func pollTransmit() -> Transmit? { out.isEmpty ? nil : out.removeFirst() }
    func pollTimeout() -> Instant? { nil }
}

/// Adapts an agent to NetSim and trickles its candidates to the peer.
final class BenchAgent: SimulatedEndpoint {
    let agent: ICEAgent
    weak var peer: BenchAgent?
    init(_ c: ICEConfiguration) { agent = ICEAgent(configuration: c) }
    func pump() {
        while let e = agent.pollEvent() { if case .candidateGathered(let c) = e { peer?.agent.addRemoteCandidate(c) } }
    }
    func handle(datagram: [UInt8], source: TransportAddress, destination: TransportAddress, now: Instant) {
        agent.handle(datagram: datagram, source: source, destination: destination, now: now); pump()
    }
    func handle(timeout now: Instant) { agent.handle(timeout: now); pump() }
    func pollTransmit() -> Transmit? { pump(); return agent.pollTransmit() }
    func pollTimeout() -> Instant? { pump(); return agent.pollTimeout() }
    var connected: Bool { agent.connectionState == .connected || agent.connectionState == .completed }
}

/// Virtual milliseconds until both agents are connected; `nat` puts both behind port-restricted NATs.
func timeToConnected(seed: UInt64, nat: Bool) throws -> Double {
    let net = SimNetwork(seed: seed)
    let half = LinkConditions(delay: .microseconds(12_500))  // 4 links × 12.5 ms = 50 ms RTT
    let stun = TransportAddress("203.0.113.1:3478")!
    net.addHost(BindingResponder(), addresses: [stun.ip])
    let a = BenchAgent(ICEConfiguration(role: .controlling, stunServers: nat ? [stun] : [], seed: seed &+ 1))
    let b = BenchAgent(ICEConfiguration(role: .controlled, stunServers: nat ? [stun] : [], seed: seed &+ 2))
    if nat {
        let na = net.addNAT(publicAddress: IPAddress("192.0.2.1")!, type: .portRestrictedCone)
        let nb = net.addNAT(publicAddress: IPAddress("192.0.2.2")!, type: .portRestrictedCone)
        net.addHost(a, addresses: [IPAddress("10.0.1.2")!], uplink: half, downlink: half, behind: na)
        net.addHost(b, addresses: [IPAddress("10.0.2.2")!], uplink: half, downlink: half, behind: nb)
        a.agent.addLocalInterface(TransportAddress("10.0.1.2:40000")!)
        b.agent.addLocalInterface(TransportAddress("10.0.2.2:40000")!)
    } else {
        net.addHost(a, addresses: [IPAddress("198.51.100.1")!], uplink: half, downlink: half)
        net.addHost(b, addresses: [IPAddress("198.51.100.2")!], uplink: half, downlink: half)
        a.agent.addLocalInterface(TransportAddress("198.51.100.1:5000")!)
        b.agent.addLocalInterface(TransportAddress("198.51.100.2:6000")!)
    }
    a.peer = b; b.peer = a
    a.agent.setRemoteCredentials(b.agent.localCredentials)
    b.agent.setRemoteCredentials(a.agent.localCredentials)
    a.agent.startGathering(now: .zero); b.agent.startGathering(now: .zero)
    try net.run(maxTime: .seconds(30)) { a.connected && b.connected }
    return Double(net.now.nanoseconds) / 1e6
}

func median(_ xs: [Double]) -> Double { let s = xs.sorted(); return s[s.count / 2] }

for (name, nat) in [("host", false), ("srflx (port-restricted NATs)", true)] {
    var times: [Double] = []
    for seed in UInt64(1)...25 { times.append(try timeToConnected(seed: seed, nat: nat)) }
    print("time to connected, \(name), 50 ms RTT: median \(median(times)) ms, min \(times.min() ?? 0) ms, max \(times.max() ?? 0) ms (virtual, 25 seeds)")
}

// STUN parse + serialize: an ICE check with USERNAME, PRIORITY, ICE-CONTROLLING, MI, FINGERPRINT.
var rng = SeededRandom(seed: 9)
let key = STUNIntegrityKey.shortTerm(password: "0123456789abcdefghijkl")
let template = STUNMessage(type: .init(method: .binding, messageClass: .request), transactionID: .random(using: &rng),
                           attributes: [.username("abcd:efgh"), .priority(1_853_824_767), .iceControlling(42), .useCandidate])
let iterations = 200_000
let start = Instant.monotonicNow()
var checksum = 0
for _ in 0..<iterations {
    let bytes = template.encode(key: key, fingerprint: true)
    if let m = try? STUNMessage.decode(bytes), m.verifyIntegrity(key: key) { checksum &+= m.attributes.count }
}
let elapsed = (Instant.monotonicNow() - start).seconds
print("STUN serialize+parse+verify (MI + FINGERPRINT): \(Int(Double(iterations) / elapsed)) messages/s (\(checksum / iterations) attrs each)")
let rawStart = Instant.monotonicNow()
let plain = template.encode()
for _ in 0..<iterations {
    let bytes = template.encode()
    if let m = try? STUNMessage.decode(bytes) { checksum &+= m.attributes.count }
}
_ = plain
let rawElapsed = (Instant.monotonicNow() - rawStart).seconds
print("STUN serialize+parse (no integrity): \(Int(Double(iterations) / rawElapsed)) messages/s")
