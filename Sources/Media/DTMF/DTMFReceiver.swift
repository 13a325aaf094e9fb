import RTP
import WireKit

/// A DTMF digit received as RFC 4733 telephone-events.
public struct ReceivedDTMF: Equatable, Sendable {
    /// The digit (`0-9 * # A-D`).
    public var tone: Character
    /// How long it lasted.
    public var duration: Duration
    /// The RTP timestamp of its start.
    public var timestamp: UInt32
}

/// Turns telephone-event packets into digits with durations, once each (RFC 4733 §2.5.2).
///
/// Retransmitted end packets are ignored; an event whose end packets were all lost is reported
/// when the next event starts (with the last duration heard).
public struct DTMFReceiver: Sendable {
    /// The telephone-event clock rate.
    public let clockRate: Int
    private var current: (timestamp: UInt32, event: TelephoneEvent)?
    private var lastEnded: UInt32?
    private var digits: [ReceivedDTMF] = []

    /// A receiver for events at `clockRate`.
    public init(clockRate: Int = 8000) { self.clockRate = clockRate }

    /// Takes in one telephone-event RTP packet; malformed payloads are dropped.
    public mutating func handle(_ packet: RTPPacket) {
        guard let ev = try? TelephoneEvent(parsing: packet.payload), ev.tone != nil else { return }
        if packet.timestamp == lastEnded { return } // repeated end packet
        if let c = current, c.timestamp != packet.timestamp {
            emit(c.timestamp, c.event) // its end was lost
            current = nil
        }
        if ev.isEnd {
            emit(packet.timestamp, ev)
            lastEnded = packet.timestamp
            current = nil
        } else if current == nil || ev.duration >= (current?.event.duration ?? 0) {
            current = (packet.timestamp, ev)
        }
    }

    /// The next completed digit.
    public mutating func pollEvent() -> ReceivedDTMF? { digits.isEmpty ? nil : digits.removeFirst() }

    private mutating func emit(_ timestamp: UInt32, _ ev: TelephoneEvent) {
        guard let tone = ev.tone else { return }
        let d = Duration.nanoseconds(Int64(ev.duration) * 1_000_000_000 / Int64(max(1, clockRate)))
        digits.append(ReceivedDTMF(tone: tone, duration: d, timestamp: timestamp))
    }
}
