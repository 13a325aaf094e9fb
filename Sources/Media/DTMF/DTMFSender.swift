import RTP
import WireKit

/// Why an `insertDTMF` call was refused (W3C `RTCDTMFSender` errors).
public enum DTMFError: Error, Equatable, Sendable {
    /// The sender cannot send DTMF now (`InvalidStateError`: no negotiated telephone-event, stopped).
    case invalidState
    /// `tones` held a character outside `0-9 A-D # * ,` (`InvalidCharacterError`).
    case invalidCharacter(Character)
}

/// What a DTMF sender reports.
public enum DTMFSenderEvent: Equatable, Sendable {
    /// A tone started (`","` for a pause), or `""` when the buffer ran empty (W3C `tonechange`).
    case toneChange(String)
}

/// An RFC 4733 telephone-event packet ready to go on the stream (the caller assigns the sequence number).
public struct DTMFPacketOut: Equatable, Sendable {
    /// The payload.
    public var event: TelephoneEvent
    /// The RTP timestamp of the event's start.
    public var timestamp: UInt32
    /// Set on the first packet of an event.
    public var marker: Bool
}

/// `RTCDTMFSender` semantics over RFC 4733 telephone-events, sans-IO.
///
/// ``insertDTMF(_:duration:interToneGap:now:)`` replaces the ``toneBuffer``; tones then play one
/// after the other, each for `duration` ms followed by `interToneGap` ms, a `,` pausing 2 s.
/// Drive with ``handle(timeout:)`` at ``pollTimeout()``; collect packets with ``pollPacket()`` and
/// `tonechange` events with ``pollEvent()``.
public struct DTMFSender: Sendable {
    /// The telephone-event clock rate (the `a=rtpmap` rate: 8000 or 48000).
    public let clockRate: Int
    /// How often a packet updates a running event.
    public let packetInterval: Duration
    /// The tones still to play (W3C `toneBuffer`).
    public private(set) var toneBuffer = ""
    /// Tone length in ms of the current `insertDTMF` call.
    public private(set) var duration = 100
    /// Gap in ms between tones of the current call.
    public private(set) var interToneGap = 70
    /// False when no telephone-event was negotiated or the sender is stopped (W3C `canInsertDTMF`).
    public var canInsertDTMF = true

    private let timeBase: Instant
    private let timestampBase: UInt32
    private var deadline: Instant?
    private var current: (code: UInt8, start: Instant, end: Instant, nextUpdate: Instant)?
    private var packets: [DTMFPacketOut] = []
    private var events: [DTMFSenderEvent] = []

    /// A sender whose RTP timestamp is `timestampBase` at `timeBase` and advances at `clockRate`.
    public init(clockRate: Int = 8000, packetInterval: Duration = .milliseconds(20), timeBase: Instant, timestampBase: UInt32) {
        self.clockRate = clockRate
        self.packetInterval = packetInterval
        self.timeBase = timeBase
        self.timestampBase = timestampBase
    }

    /// Queues `tones` (replacing the buffer), with `duration` clamped to 40–6000 ms and `interToneGap` to 30–6000 ms.
    public mutating func insertDTMF(_ tones: String, duration: Int = 100, interToneGap: Int = 70, now: Instant) throws(DTMFError) {
        guard canInsertDTMF else { throw .invalidState }
        for c in tones where c != "," && TelephoneEvent.code(for: c) == nil { throw .invalidCharacter(c) }
        toneBuffer = tones.uppercased()
        self.duration = min(6000, max(40, duration))
        self.interToneGap = min(6000, max(30, interToneGap))
        if deadline == nil && current == nil {
            deadline = now // start playout now
        }
    }

    /// The next instant something is due.
    public func pollTimeout() -> Instant? {
        if let c = current { return min(c.nextUpdate, c.end) }
        return deadline
    }

    /// Advances playout to `now`.
    public mutating func handle(timeout now: Instant) {
        while true {
            if let c = current {
                if now >= c.end {
                    let d = ticks(c.end - c.start)
                    let end = DTMFPacketOut(event: TelephoneEvent(event: c.code, isEnd: true, duration: d), timestamp: rtp(c.start), marker: false)
                    packets += [end, end, end] // the end packet is sent three times (RFC 4733 §2.5.1.4)
                    current = nil
                    deadline = c.end + .milliseconds(interToneGap)
                    continue
                }
                if now >= c.nextUpdate {
                    let d = ticks(c.nextUpdate - c.start)
                    packets.append(DTMFPacketOut(event: TelephoneEvent(event: c.code, isEnd: false, duration: d),
                                                 timestamp: rtp(c.start), marker: false))
                    current?.nextUpdate = c.nextUpdate + packetInterval
                    continue
                }
                return
            }
            guard let due = deadline, now >= due else { return }
            guard let tone = toneBuffer.first else {
                deadline = nil
                events.append(.toneChange(""))
                return
            }
            toneBuffer.removeFirst()
            events.append(.toneChange(String(tone)))
            if tone == "," {
                deadline = due + .seconds(2)
                continue
            }
            guard let code = TelephoneEvent.code(for: tone) else { continue } // validated on insert
            let end = due + .milliseconds(duration)
            packets.append(DTMFPacketOut(event: TelephoneEvent(event: code, isEnd: false, duration: 0), timestamp: rtp(due), marker: true))
            current = (code, due, end, due + packetInterval)
            deadline = nil
        }
    }

    /// The next packet to send.
    public mutating func pollPacket() -> DTMFPacketOut? { packets.isEmpty ? nil : packets.removeFirst() }

    /// The next `tonechange` event.
    public mutating func pollEvent() -> DTMFSenderEvent? { events.isEmpty ? nil : events.removeFirst() }

    private func ticks(_ d: Duration) -> UInt16 {
        UInt16(clamping: d.nanosecondsClamped * Int64(clockRate) / 1_000_000_000)
    }

    private func rtp(_ t: Instant) -> UInt32 {
        timestampBase &+ UInt32(truncatingIfNeeded: (t - timeBase).nanosecondsClamped * Int64(clockRate) / 1_000_000_000)
    }
}
