import WireKit

/// A STUN client transaction over UDP: retransmissions at RTO, 2·RTO, 4·RTO, … up to Rc
/// transmissions, then a final wait of Rm·RTO before timing out (RFC 8489 §6.2.1).
///
/// Sans-IO: the owner sends ``request`` when ``start(now:)`` or ``handle(timeout:)`` says so,
/// and feeds the matching response through its own demultiplexing (by transaction ID).
public struct STUNClientTransaction: Sendable {
    /// Retransmission parameters.
    public struct Parameters: Sendable, Equatable {
        /// The initial retransmission timeout (RFC 8489 §6.2.1: SHOULD be more than 500 ms on the Internet).
        public var initialRTO: Duration
        /// Rc: total number of transmissions (default 7).
        public var maxTransmissions: Int
        /// Rm: the last wait is Rm × RTO (default 16).
        public var finalWaitMultiplier: Int
        /// An upper bound for the doubled RTO (none by default).
        public var maxRTO: Duration

        /// Creates parameters.
        public init(initialRTO: Duration = .milliseconds(500), maxTransmissions: Int = 7, finalWaitMultiplier: Int = 16,
                    maxRTO: Duration = .seconds(3600)) {
            self.initialRTO = initialRTO
            self.maxTransmissions = maxTransmissions
            self.finalWaitMultiplier = finalWaitMultiplier
            self.maxRTO = maxRTO
        }

        /// RFC 8489 defaults: RTO 500 ms, Rc 7, Rm 16 (39.5 s until timeout).
        public static let rfc8489 = Parameters()
    }

    /// What the owner must do after a timer fires.
    public enum Action: Sendable, Equatable {
        /// Nothing yet.
        case wait
        /// Send ``request`` again.
        case retransmit
        /// No response arrived in time: the transaction failed.
        case timedOut
    }

    /// The transaction ID (matches the response).
    public let id: STUNTransactionID
    /// The encoded request to (re)send.
    public let request: [UInt8]
    /// The parameters in use.
    public let parameters: Parameters
    /// How many times the request has been sent.
    public private(set) var transmissions = 0
    /// When the request was first sent (for RTT estimates).
    public private(set) var startedAt: Instant?
    private var rto: Duration
    private var deadline: Instant?

    /// Creates a transaction for an encoded request with the given ID.
    public init(id: STUNTransactionID, request: [UInt8], parameters: Parameters = .rfc8489) {
        self.id = id
        self.request = request
        self.parameters = parameters
        self.rto = parameters.initialRTO
    }

    /// Marks the first transmission at `now`; the caller sends ``request``.
    public mutating func start(now: Instant) {
        startedAt = now
        transmissions = 1
        deadline = parameters.maxTransmissions <= 1 ? now + rto * parameters.finalWaitMultiplier : now + rto
    }

    /// The next instant at which ``handle(timeout:)`` must be called, nil when finished.
    public func pollTimeout() -> Instant? { deadline }

    /// True once the transaction has timed out.
    public var isFinished: Bool { transmissions > 0 && deadline == nil }

    /// Advances the retransmission timer.
    public mutating func handle(timeout now: Instant) -> Action {
        guard let d = deadline, now >= d else { return .wait }
        if transmissions >= parameters.maxTransmissions {
            deadline = nil
            return .timedOut
        }
        transmissions += 1
        rto = min(rto * 2, parameters.maxRTO)
        if transmissions >= parameters.maxTransmissions {
            deadline = now + parameters.initialRTO * parameters.finalWaitMultiplier
        } else {
            deadline = now + rto
        }
        return .retransmit
    }

    /// Stops the timer (a response arrived or the owner gave up).
    public mutating func finish() { deadline = nil; if transmissions == 0 { transmissions = 1 } }
}
