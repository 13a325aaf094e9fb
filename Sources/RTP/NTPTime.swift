import WireKit

/// Conversions between `Instant`s and the 64-bit NTP timestamps in RTCP (RFC 3550 §4).
///
/// Cores have no wall clock, so an NTP timestamp here is `epoch` plus the instant: the driver
/// chooses `epoch` (seconds since 1900 at the instant's origin). RTT needs only that one side
/// uses the same mapping for the SRs it sends and the report blocks it receives.
public enum NTPTime {
    /// The 64-bit NTP timestamp (32.32 fixed point) of `instant`, `epochSeconds` being the origin's NTP time.
    public static func timestamp(_ instant: Instant, epochSeconds: UInt64 = 0) -> UInt64 {
        let seconds = instant.nanoseconds / 1_000_000_000 &+ epochSeconds
        let nanos = instant.nanoseconds % 1_000_000_000
        let fraction = (nanos << 32) / 1_000_000_000
        return (seconds << 32) | fraction
    }

    /// The middle 32 bits of an NTP timestamp (the "compact" 16.16 form used by LSR/DLSR).
    public static func middle32(_ ntp: UInt64) -> UInt32 {
        UInt32(truncatingIfNeeded: ntp >> 16)
    }

    /// A duration as 16.16 fixed-point seconds (clamped to 32 bits; negative is 0).
    public static func compact(_ duration: Duration) -> UInt32 {
        let ns = duration.nanosecondsClamped
        guard ns > 0 else { return 0 }
        let units = (UInt64(ns) << 16) / 1_000_000_000
        return UInt32(clamping: units)
    }

    /// A 16.16 fixed-point value of seconds as a `Duration`.
    public static func duration(compact: UInt32) -> Duration {
        .nanoseconds(Int64((UInt64(compact) * 1_000_000_000) >> 16))
    }
}
