import WireKit

/// The sending half of a toy reliable bulk transfer, for demos and simulator tests.
///
/// It sends `totalPackets` numbered datagrams (see `payload(sequence:size:)`), keeps at most `window` unacknowledged, and resends any datagram
/// not acknowledged `retransmitTimeout` after it was sent. No congestion control: it is a
/// load generator that finishes, not a protocol. Pairs with `ToyReceiver`.
public final class ToySender: SimulatedEndpoint {
    /// The local address it sends from.
    public let local: TransportAddress
    /// The receiver's address.
    public let remote: TransportAddress
    /// Datagrams in the whole transfer.
    public let totalPackets: Int
    /// Payload bytes per datagram (≥ 8).
    public let packetSize: Int
    /// Most unacknowledged datagrams at once.
    public let window: Int
    /// Time after which an unacknowledged datagram is sent again.
    public let retransmitTimeout: Duration

    /// Datagrams acknowledged so far.
    public private(set) var ackedCount = 0
    /// Datagrams sent again after a timeout.
    public private(set) var retransmissions = 0
    /// When the last acknowledgement arrived (the transfer's end once complete).
    public private(set) var completedAt: Instant?
    /// True once every datagram is acknowledged.
    public var isComplete: Bool { ackedCount == totalPackets }

    private var started = false
    private var acked: [Bool]
    private var nextNew = 0
    private var inFlight = 0
    private var timers: [(sequence: Int, deadline: Instant)] = []
    private var timersHead = 0
    private var outbox: [Transmit] = []
    private var outboxHead = 0

    /// Creates a sender; it starts at the first `handle(timeout:)` (its initial deadline is zero).
    public init(local: TransportAddress, remote: TransportAddress, totalPackets: Int, packetSize: Int = 1200,
                window: Int = 64, retransmitTimeout: Duration = .milliseconds(300)) {
        self.local = local
        self.remote = remote
        self.totalPackets = max(0, totalPackets)
        self.packetSize = max(8, packetSize)
        self.window = max(1, window)
        self.retransmitTimeout = retransmitTimeout
        self.acked = [Bool](repeating: false, count: self.totalPackets)
    }

    /// The payload of datagram `sequence` (what `ToyReceiver` checks): the 4-byte big-endian
    /// sequence number, zero filler, and a CRC-32C of everything before it in the last 4 bytes.
    public static func payload(sequence: Int, size: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: max(8, size))
        let s = UInt32(truncatingIfNeeded: sequence)
        bytes[0] = UInt8(s >> 24); bytes[1] = UInt8(truncatingIfNeeded: s >> 16)
        bytes[2] = UInt8(truncatingIfNeeded: s >> 8); bytes[3] = UInt8(truncatingIfNeeded: s)
        let n = bytes.count
        let crc = CRC32C.checksum(bytes[0..<(n - 4)])
        bytes[n - 4] = UInt8(crc >> 24); bytes[n - 3] = UInt8(truncatingIfNeeded: crc >> 16)
        bytes[n - 2] = UInt8(truncatingIfNeeded: crc >> 8); bytes[n - 1] = UInt8(truncatingIfNeeded: crc)
        return bytes
    }

    /// The sequence number of a payload made by `payload(sequence:size:)`, or nil when it is
    /// too short or its checksum does not match.
    public static func sequence(ofPayload bytes: [UInt8]) -> Int? {
        let n = bytes.count
        guard n >= 8 else { return nil }
        let stored = UInt32(bytes[n - 4]) << 24 | UInt32(bytes[n - 3]) << 16 | UInt32(bytes[n - 2]) << 8 | UInt32(bytes[n - 1])
        guard CRC32C.checksum(bytes[0..<(n - 4)]) == stored else { return nil }
        return Int(bytes[0]) << 24 | Int(bytes[1]) << 16 | Int(bytes[2]) << 8 | Int(bytes[3])
    }

    public func handle(datagram: [UInt8], source: TransportAddress, destination: TransportAddress, now: Instant) {
        guard datagram.count == 4 else { return }
        let sequence = Int(datagram[0]) << 24 | Int(datagram[1]) << 16 | Int(datagram[2]) << 8 | Int(datagram[3])
        guard sequence < totalPackets, !acked[sequence] else { return }
        acked[sequence] = true
        ackedCount += 1
        inFlight -= 1
        if isComplete { completedAt = now }
        fillWindow(now: now)
    }

    public func handle(timeout now: Instant) {
        if !started {
            started = true
            fillWindow(now: now)
            return
        }
        while timersHead < timers.count, timers[timersHead].deadline <= now {
            let sequence = timers[timersHead].sequence
            timersHead += 1
            if !acked[sequence] {
                retransmissions += 1
                transmit(sequence, now: now)
            }
        }
        compactTimers()
    }

    public func pollTransmit() -> Transmit? {
        guard outboxHead < outbox.count else { return nil }
        let next = outbox[outboxHead]
        outboxHead += 1
        if outboxHead == outbox.count {
            outbox.removeAll(keepingCapacity: true)
            outboxHead = 0
        }
        return next
    }

    public func pollTimeout() -> Instant? {
        if !started { return .zero }
        while timersHead < timers.count, acked[timers[timersHead].sequence] { timersHead += 1 }
        compactTimers()
        return timersHead < timers.count ? timers[timersHead].deadline : nil
    }

    private func fillWindow(now: Instant) {
        while inFlight < window, nextNew < totalPackets {
            transmit(nextNew, now: now)
            nextNew += 1
            inFlight += 1
        }
    }

    private func transmit(_ sequence: Int, now: Instant) {
        outbox.append(Transmit(source: local, destination: remote, payload: Self.payload(sequence: sequence, size: packetSize)))
        timers.append((sequence, now + retransmitTimeout))
    }

    private func compactTimers() {
        if timersHead == timers.count {
            timers.removeAll(keepingCapacity: true)
            timersHead = 0
        } else if timersHead > 4096, timersHead * 2 > timers.count {
            timers.removeFirst(timersHead)
            timersHead = 0
        }
    }
}
