import DataChannel
import SCTP
import WireKit

/// Something that exchanges SCTP packets sans-IO (an association or a data channel manager).
public protocol PacketEndpoint {
    /// Feeds a received packet.
    mutating func handle(packet: [UInt8], now: Instant)
    /// Fires due timers.
    mutating func handle(timeout now: Instant)
    /// The next packet to send.
    mutating func pollTransmit() -> [UInt8]?
    /// The next packet to send, written into a reused buffer; false when none.
    mutating func pollTransmit(into packet: inout [UInt8]) -> Bool
    /// The next deadline.
    func pollTimeout() -> Instant?
}

extension PacketEndpoint {
    /// Default: ``pollTransmit()``'s fresh array (endpoints that can write into a reused
    /// buffer implement this themselves).
    public mutating func pollTransmit(into packet: inout [UInt8]) -> Bool {
        guard let p = pollTransmit() else { packet.removeAll(keepingCapacity: true); return false }
        packet = p
        return true
    }
}

extension SCTPAssociation: PacketEndpoint {}
extension DataChannelManager: PacketEndpoint {}

/// Two endpoints joined by two ``SimLink``s on a virtual clock: the test harness.
///
/// `step()` moves packets and time forward by one event; callers poll events in between.
public struct SimPair<E: PacketEndpoint> {
    /// The first endpoint (client).
    public var a: E
    /// The second endpoint (server).
    public var b: E
    /// Link from a to b.
    public var ab: SimLink
    /// Link from b to a.
    public var ba: SimLink
    /// Virtual time.
    public var now: Instant = .zero
    /// The seed the links were derived from (print it on failure).
    public let seed: UInt64
    /// Packet buffers handed back after the receiver handled them, reused for the next
    /// packets sent (as a driver reuses its send buffer): no allocation per packet.
    var spare: [[UInt8]] = []

    /// Joins `a` and `b` with links of the given conditions; the seed determines all randomness.
    public init(a: E, b: E, ab: PairLinkConditions, ba: PairLinkConditions, seed: UInt64) {
        self.a = a; self.b = b; self.seed = seed
        var rng = SeededRandom(seed: seed)
        self.ab = SimLink(conditions: ab, seed: rng.next())
        self.ba = SimLink(conditions: ba, seed: rng.next())
    }

    /// Sends everything both endpoints want to send now.
    public mutating func flush() {
        while let p = Self.poll(&a, spare: &spare) { ab.send(p, now: now) }
        while let p = Self.poll(&b, spare: &spare) { ba.send(p, now: now) }
    }

    /// The next packet of `endpoint`, in a spare buffer when one is left.
    static func poll(_ endpoint: inout E, spare: inout [[UInt8]]) -> [UInt8]? {
        var buffer = spare.popLast() ?? []
        if endpoint.pollTransmit(into: &buffer) { return buffer }
        if buffer.capacity > 0 { spare.append(buffer) }
        return nil
    }

    /// A packet the receiver is done with: its buffer becomes a spare (up to 2 MiB of them,
    /// about what a burst of a full congestion window puts on the link; storage the receiver
    /// still shares is copied on reuse, never overwritten).
    mutating func recycle(_ packet: consuming [UInt8]) {
        if spare.count < 2 << 20 / max(1200, packet.capacity) { spare.append(packet) }
    }

    /// Delivers due packets, fires due timers, flushes output, then advances the clock to the
    /// next event (never past `limit`). Returns false when nothing is pending at all.
    @discardableResult
    public mutating func step(limit: Instant = Instant(nanoseconds: .max)) -> Bool {
        flush()
        var delivered = false
        // Each packet is answered before the next is handled, as on a real wire where packets
        // arrive spaced out (so a receiver SACKs every second packet, not once per burst).
        while let p = ab.receive(now: now) {
            b.handle(packet: p, now: now)
            recycle(p)
            while let t = Self.poll(&b, spare: &spare) { ba.send(t, now: now) }
            delivered = true
        }
        while let p = ba.receive(now: now) {
            a.handle(packet: p, now: now)
            recycle(p)
            while let t = Self.poll(&a, spare: &spare) { ab.send(t, now: now) }
            delivered = true
        }
        if let t = a.pollTimeout(), t <= now { a.handle(timeout: now) }
        if let t = b.pollTimeout(), t <= now { b.handle(timeout: now) }
        flush()
        if delivered { return true }
        // The earliest pending event (no array: this runs once per step of every benchmark).
        var next = ab.nextArrival
        func consider(_ c: Instant?) { if let c, next.map({ c < $0 }) ?? true { next = c } }
        consider(ba.nextArrival)
        consider(a.pollTimeout())
        consider(b.pollTimeout())
        guard let next else { return false }
        now = min(max(now, next), limit)
        return true
    }
}
