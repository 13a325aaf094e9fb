import WireKit

/// What a sender counts for its RTCP sender reports, and the round-trip time it learns back.
///
/// RTT follows RFC 3550 §6.4.1: `A − LSR − DLSR`, where A is the arrival time of a report
/// block (as the middle 32 bits of our NTP clock), LSR echoes our SR and DLSR is the peer's hold time.
public struct SenderStatistics: Sendable {
    /// Our sending source.
    public let ssrc: UInt32
    /// The payload's RTP clock rate in Hz.
    public let clockRate: UInt32
    /// NTP seconds at the `Instant` origin (see ``NTPTime``).
    public let epochSeconds: UInt64
    /// Packets sent.
    public private(set) var packetsSent: UInt32 = 0
    /// Payload octets sent.
    public private(set) var octetsSent: UInt32 = 0
    private var lastTimestamp: UInt32?
    private var lastTimestampInstant: Instant = .zero
    /// The latest round-trip time computed from a report block, if any.
    public private(set) var roundTripTime: Duration?
    /// The latest report about our stream from the peer.
    public private(set) var lastReport: ReportBlock?

    /// Counters for `ssrc` at `clockRate`.
    public init(ssrc: UInt32, clockRate: UInt32, epochSeconds: UInt64 = 0) {
        self.ssrc = ssrc
        self.clockRate = clockRate
        self.epochSeconds = epochSeconds
    }

    /// Records one packet sent at `now`.
    public mutating func record(_ packet: RTPPacket, now: Instant) {
        packetsSent &+= 1
        octetsSent &+= UInt32(truncatingIfNeeded: packet.payload.count)
        lastTimestamp = packet.timestamp
        lastTimestampInstant = now
    }

    /// A sender report for `now`, carrying `reports` about the sources we receive.
    public func makeSenderReport(now: Instant, reports: [ReportBlock] = []) -> SenderReport {
        let ntp = NTPTime.timestamp(now, epochSeconds: epochSeconds)
        var rtp: UInt32 = 0
        if let last = lastTimestamp {
            let elapsed = (now - lastTimestampInstant).nanosecondsClamped
            let ticks = Int64(Double(elapsed) * Double(clockRate) / 1e9)
            rtp = last &+ UInt32(truncatingIfNeeded: ticks)
        }
        return SenderReport(ssrc: ssrc, ntpTimestamp: ntp, rtpTimestamp: rtp, packetCount: packetsSent,
                            octetCount: octetsSent, reports: reports)
    }

    /// Takes in a report block about our stream received at `now`; updates ``roundTripTime``.
    public mutating func handle(reportBlock block: ReportBlock, now: Instant) {
        guard block.ssrc == ssrc else { return }
        lastReport = block
        guard block.lastSenderReport != 0 else { return }
        let arrival = NTPTime.middle32(NTPTime.timestamp(now, epochSeconds: epochSeconds))
        let rtt = arrival &- block.lastSenderReport &- block.delaySinceLastSenderReport
        // A "negative" RTT (clock mismatch or a forged block) wraps to a huge value: ignore it.
        guard rtt < 0x8000_0000 else { return }
        roundTripTime = NTPTime.duration(compact: rtt)
    }
}
