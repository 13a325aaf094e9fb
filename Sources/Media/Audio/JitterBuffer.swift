import RTP
import WireKit

/// What the jitter buffer tells the decoder to do for one playout slot.
public enum JitterBufferOutput: Equatable, Sendable {
    /// Decode this packet.
    case packet(RTPPacket)
    /// The slot's packet is lost but the next one is here: decode its in-band FEC (Opus `decode_fec`).
    case recoverFromNext(RTPPacket)
    /// Nothing to decode: conceal (Opus PLC).
    case conceal
}

/// Counters a jitter buffer keeps (for `getStats()` and the loss report).
public struct JitterBufferStatistics: Equatable, Sendable {
    /// Slots played from a real packet.
    public var played = 0
    /// Slots recovered from the next packet's FEC.
    public var recovered = 0
    /// Slots concealed (PLC).
    public var concealed = 0
    /// Packets that arrived after their slot had played.
    public var late = 0
    /// Packets received twice.
    public var duplicates = 0
    /// Slots dropped to shrink the delay.
    public var dropped = 0
    /// The current target delay.
    public var targetDelay: Duration = .zero

    /// All slots output.
    public var slots: Int { played + recovered + concealed }
    /// Share of slots not played from a real packet (0…1).
    public var concealedShare: Double { slots == 0 ? 0 : Double(recovered + concealed) / Double(slots) }
}

/// An adaptive jitter buffer for fixed-duration audio frames (Opus, 20 ms), sans-IO.
///
/// Packets go in with their arrival `now`; the driver asks for one slot every frame duration at
/// ``pollTimeout()``. Slots follow RTP timestamps (so DTX gaps become concealment, not a
/// jump). The target delay starts at `minDelay`, grows by one frame whenever a packet comes too
/// late (up to `maxDelay`) and shrinks after a quiet period; the buffer then drops or inserts one
/// slot to reach it.
public struct JitterBuffer: Sendable {
    /// RTP clock ticks per frame (960 for 20 ms at 48 kHz).
    public let ticksPerFrame: Int64
    /// Wall time of one frame.
    public let frameDuration: Duration
    /// Least and most delay the buffer aims for.
    public let minDelay: Duration, maxDelay: Duration
    /// Frames of quiet (no late packet) before the target shrinks by one frame.
    public var shrinkAfterFrames = 250
    /// Counters.
    public private(set) var statistics = JitterBufferStatistics()

    private var packets: [Int64: RTPPacket] = [:]
    private var lastExtended: Int64?
    private var nextTimestamp: Int64?
    private var nextPlayout: Instant?
    private var targetFrames: Int
    private var insertSlots = 0
    private var quietFrames = 0
    private var minDepthInWindow = Int.max
    private var windowFrames = 0
    private let capacityFrames = 50

    /// A buffer for frames of `frameDuration` at `clockRate`, aiming between `minDelay` and `maxDelay`.
    public init(clockRate: Int = 48000, frameDuration: Duration = .milliseconds(20),
                minDelay: Duration = .milliseconds(40), maxDelay: Duration = .milliseconds(80)) {
        let frameNanos = max(1, frameDuration.nanosecondsClamped)
        ticksPerFrame = Int64(clockRate) * frameNanos / 1_000_000_000
        self.frameDuration = frameDuration
        self.minDelay = minDelay
        self.maxDelay = maxDelay
        targetFrames = max(1, Int(minDelay.nanosecondsClamped / frameNanos))
        statistics.targetDelay = frameDuration * targetFrames
    }

    private var maxFrames: Int { max(targetFrames, Int(maxDelay.nanosecondsClamped / max(1, frameDuration.nanosecondsClamped))) }
    private var minFrames: Int { max(1, Int(minDelay.nanosecondsClamped / max(1, frameDuration.nanosecondsClamped))) }

    /// Packets held.
    public var count: Int { packets.count }

    /// Takes in a received packet at `now`.
    public mutating func insert(_ packet: RTPPacket, now: Instant) {
        let ext: Int64
        if let last = lastExtended {
            ext = last + Int64(Int32(bitPattern: packet.timestamp &- UInt32(truncatingIfNeeded: last)))
        } else {
            ext = Int64(packet.timestamp)
        }
        lastExtended = max(lastExtended ?? ext, ext)
        guard let next = nextTimestamp else {
            // First packet: start playing it after the target delay.
            nextTimestamp = ext
            nextPlayout = now + frameDuration * targetFrames
            packets[ext] = packet
            return
        }
        if ext < next {
            statistics.late += 1
            quietFrames = 0
            if targetFrames < maxFrames {
                targetFrames += 1
                insertSlots += 1
                statistics.targetDelay = frameDuration * targetFrames
            }
            return
        }
        if ext > next + ticksPerFrame * Int64(capacityFrames) {
            // Far ahead (a source jump): restart at it.
            packets.removeAll()
            nextTimestamp = ext
            nextPlayout = now + frameDuration * targetFrames
            packets[ext] = packet
            return
        }
        if packets[ext] != nil { statistics.duplicates += 1; return }
        packets[ext] = packet
    }

    /// When the next slot is due, or nil before the first packet.
    public func pollTimeout() -> Instant? { nextPlayout }

    /// The output for the slot due at `now`, or nil when no slot is due yet.
    public mutating func pollFrame(now: Instant) -> JitterBufferOutput? {
        guard let due = nextPlayout, let next = nextTimestamp, now >= due else { return nil }
        nextPlayout = due + frameDuration
        if insertSlots > 0 {
            // Grow the delay: one extra concealed slot, the timeline does not advance.
            insertSlots -= 1
            statistics.concealed += 1
            return .conceal
        }
        adapt(next: next)
        guard let slotStart = nextTimestamp else { return nil }
        nextTimestamp = slotStart + ticksPerFrame
        if let p = packets.removeValue(forKey: slotStart) {
            statistics.played += 1
            return .packet(p)
        }
        if let following = packets[slotStart + ticksPerFrame] {
            statistics.recovered += 1
            return .recoverFromNext(following)
        }
        statistics.concealed += 1
        return .conceal
    }

    private mutating func adapt(next: Int64) {
        quietFrames += 1
        if quietFrames >= shrinkAfterFrames && targetFrames > minFrames {
            targetFrames -= 1
            quietFrames = 0
            statistics.targetDelay = frameDuration * targetFrames
        }
        // Depth = frames buffered from the slot about to play.
        var depth = 0
        while packets[next + ticksPerFrame * Int64(depth)] != nil && depth <= capacityFrames { depth += 1 }
        minDepthInWindow = min(minDepthInWindow, depth)
        windowFrames += 1
        if windowFrames >= 50 {
            // Consistently more buffered than the target: drop one slot to cut the delay.
            if minDepthInWindow > targetFrames + 1, packets.removeValue(forKey: next) != nil {
                statistics.dropped += 1
                nextTimestamp = next + ticksPerFrame
            }
            windowFrames = 0
            minDepthInWindow = .max
        }
    }
}
