import WireKit

/// Reception statistics for one remote source (RFC 3550 Appendix A.1, A.3, A.8).
///
/// Feed every received packet with ``record(sequenceNumber:rtpTimestamp:payloadBytes:arrival:)``
/// and every sender report with ``recordSenderReport(_:arrival:)``; ``makeReportBlock(now:)``
/// builds the block for the next RR/SR. Pure: arrival times are passed in.
public struct ReceiverStatistics: Sendable {
    /// The source these statistics describe.
    public let ssrc: UInt32
    /// The payload's RTP clock rate in Hz (48000 for Opus, 90000 for video).
    public let clockRate: UInt32

    private var started = false
    private var baseSequence: UInt16 = 0
    private var maxSequence: UInt16 = 0
    private var cycles: UInt32 = 0
    private var badSequence: UInt32 = UInt32.max
    /// Packets received (duplicates included, as in RFC 3550).
    public private(set) var packetsReceived: UInt64 = 0
    /// Payload bytes received.
    public private(set) var bytesReceived: UInt64 = 0
    private var expectedPrior: UInt64 = 0
    private var receivedPrior: UInt64 = 0
    private var lastTransit: Int64?
    private var jitterUnits: Double = 0
    private var lastSenderReport: UInt32 = 0
    private var lastSenderReportArrival: Instant?

    private static let maxDropout: UInt16 = 3000
    private static let maxMisorder: UInt16 = 100

    /// Statistics for `ssrc` at `clockRate` Hz.
    public init(ssrc: UInt32, clockRate: UInt32) {
        self.ssrc = ssrc
        self.clockRate = clockRate
    }

    /// The extended highest sequence number received.
    public var extendedHighestSequence: UInt32 { cycles &+ UInt32(maxSequence) }

    /// Packets expected so far (from the first to the highest sequence number).
    public var packetsExpected: UInt64 {
        started ? UInt64(extendedHighestSequence) - UInt64(baseSequence) + 1 : 0
    }

    /// Cumulative packets lost (expected − received; negative with duplicates).
    public var packetsLost: Int64 { Int64(packetsExpected) - Int64(packetsReceived) }

    /// Interarrival jitter in timestamp units.
    public var jitter: UInt32 { UInt32(jitterUnits) }

    /// Interarrival jitter in seconds.
    public var jitterSeconds: Double { jitterUnits / Double(clockRate) }

    /// Records one received packet.
    public mutating func record(sequenceNumber seq: UInt16, rtpTimestamp: UInt32, payloadBytes: Int, arrival: Instant) {
        if !started {
            started = true
            baseSequence = seq
            maxSequence = seq
        } else {
            let delta = seq &- maxSequence
            if delta < Self.maxDropout {
                if seq < maxSequence { cycles &+= 65536 }
                maxSequence = seq
            } else if delta <= UInt16.max - Self.maxMisorder {
                // A large jump: accept it only when the next packet confirms it (a source restart).
                if UInt32(seq) == badSequence {
                    baseSequence = seq
                    maxSequence = seq
                    cycles = 0
                    packetsReceived = 0
                    bytesReceived = 0
                    expectedPrior = 0
                    receivedPrior = 0
                    badSequence = UInt32.max
                } else {
                    badSequence = UInt32(seq &+ 1)
                    return
                }
            }
            // else: duplicate or reordered packet, counted below.
        }
        packetsReceived += 1
        bytesReceived += UInt64(max(0, payloadBytes))

        let arrivalUnits = Int64(truncatingIfNeeded: arrival.nanoseconds / 1000 &* UInt64(clockRate) / 1_000_000)
        let transit = arrivalUnits &- Int64(rtpTimestamp)
        if let last = lastTransit {
            let d = Double(abs(Int32(truncatingIfNeeded: transit &- last)))
            jitterUnits += (d - jitterUnits) / 16
        }
        lastTransit = transit
    }

    /// Records a sender report from this source, received at `arrival`.
    public mutating func recordSenderReport(_ sr: SenderReport, arrival: Instant) {
        lastSenderReport = NTPTime.middle32(sr.ntpTimestamp)
        lastSenderReportArrival = arrival
    }

    /// Builds the report block for the next RR/SR, and starts a new loss interval.
    public mutating func makeReportBlock(now: Instant) -> ReportBlock {
        let expected = packetsExpected
        let expectedInterval = Int64(expected) - Int64(expectedPrior)
        let receivedInterval = Int64(packetsReceived) - Int64(receivedPrior)
        expectedPrior = expected
        receivedPrior = packetsReceived
        let lostInterval = expectedInterval - receivedInterval
        let fraction: UInt8 = (expectedInterval <= 0 || lostInterval <= 0)
            ? 0 : UInt8(clamping: (lostInterval << 8) / expectedInterval)
        let dlsr = lastSenderReportArrival.map { NTPTime.compact(now - $0) } ?? 0
        return ReportBlock(ssrc: ssrc, fractionLost: fraction,
                           cumulativeLost: Int32(clamping: max(-0x80_0000, min(0x7F_FFFF, packetsLost))),
                           extendedHighestSequence: extendedHighestSequence, jitter: jitter,
                           lastSenderReport: lastSenderReport, delaySinceLastSenderReport: dlsr)
    }
}
