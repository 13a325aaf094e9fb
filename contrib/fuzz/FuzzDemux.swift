// libFuzzer target for the shared-port demultiplexing path (RFC 7983): `PacketKind.classify`
// and everything an ICEAgent does with a datagram before DTLS sees it — STUN decoding,
// connectivity checks, TURN responses, Data indications and ChannelData unwrapping.
// Built by contrib/fuzz/fuzz.sh against the WireKit, STUN and ICE modules.
//
// Input: a sequence of records `[selector][len hi][len lo][len bytes]`. selector bit 0 picks the
// source (0: the remote peer's candidate, 1: the TURN server), bits 1–3 advance virtual time by
// that many × 100 ms before the datagram (timers fire). Checks: no trap; classify agrees with the
// RFC 7983 first-byte ranges; non-STUN datagrams from the peer come out as `.data` unchanged.
import ICE
import STUN
import WireKit

let local = TransportAddress(ip: IPAddress("10.0.0.1")!, port: 5000)
let peer = TransportAddress(ip: IPAddress("203.0.113.7")!, port: 6000)
let turn = TransportAddress(ip: IPAddress("203.0.113.1")!, port: 3478)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDemux(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    checkClassify(bytes)
    let agent = ICEAgent(configuration: ICEConfiguration(
        role: .controlled, turnServers: [TURNServer(address: turn, username: "fuzz", password: "fuzz")], seed: 7,
        localCredentials: ICECredentials(ufrag: "LOCL", password: "localpasswordlocalpasswo")))
    var now = Instant(nanoseconds: 1_000_000_000)
    agent.addLocalInterface(local)
    agent.startGathering(now: now)
    agent.setRemoteCredentials(ICECredentials(ufrag: "REMO", password: "remotepasswordremotepas"))
    agent.addRemoteCandidate(Candidate(foundation: "1", priority: 2_130_706_431, address: peer, type: .host))
    drain(agent)
    var i = 0
    while i + 3 <= bytes.count {
        let selector = bytes[i], length = Int(bytes[i + 1]) << 8 | Int(bytes[i + 2])
        i += 3
        let datagram = Array(bytes[i..<min(bytes.count, i + length)])
        i += length
        now = now + .milliseconds(100 * Int((selector >> 1) & 7))
        agent.handle(timeout: now)
        checkClassify(datagram)
        let fromTURN = selector & 1 == 1
        agent.handle(datagram: datagram, source: fromTURN ? turn : peer, destination: local, now: now)
        let events = drain(agent)
        if !fromTURN, !datagram.isEmpty, PacketKind.classify(datagram) != .stun,
           !events.contains(.data(datagram)) {
            fatalError("a non-STUN datagram from the peer was not passed up as data")
        }
    }
    agent.close()
    drain(agent)
    return 0
}

/// Drains transmits and events; returns the events.
@discardableResult
func drain(_ agent: ICEAgent) -> [ICEEvent] {
    while agent.pollTransmit() != nil {}
    var events: [ICEEvent] = []
    while let e = agent.pollEvent() { events.append(e) }
    _ = agent.pollTimeout()
    return events
}

func checkClassify(_ datagram: [UInt8]) {
    let kind = PacketKind.classify(datagram)
    guard let first = datagram.first else {
        if kind != .unknown { fatalError("empty datagram classified as \(kind)") }
        return
    }
    let expected: PacketKind = switch first {
    case 0...3: .stun
    case 16...19: .zrtp
    case 20...63: .dtls
    case 64...79: .turnChannelData
    case 128...191: .rtpOrRTCP
    default: .unknown
    }
    if kind != expected { fatalError("byte \(first) classified as \(kind), RFC 7983 says \(expected)") }
    _ = PacketKind.isRTCP(datagram)
    _ = PacketKind.isRTCP(datagram.dropFirst())
}
