/// The state OpenSSL's callbacks reach through raw pointers while a ``DTLSEndpoint`` calls
/// into libssl: the datagram queues behind the custom BIO, the timer settings, the expected
/// fingerprints and what the handshake learned (peer certificate, alerts).
///
/// Owned by one endpoint and only touched on the thread currently calling that endpoint
/// (OpenSSL invokes BIO, verify, timer and info callbacks synchronously inside `SSL_*` calls),
/// so it needs no locking and is not `Sendable`. The BIO's data pointer and the SSL's app-data
/// slot hold it unretained; the endpoint frees the `SSL` (and with it the BIO) before it.
final class DTLSCallbackState {
    /// Datagrams received, not yet read by OpenSSL.
    private var inbound: [[UInt8]] = []
    private var inboundHead = 0
    /// Records OpenSSL wrote, not yet polled (each BIO write is one DTLS record or more).
    private var outbound: [[UInt8]] = []
    private var outboundHead = 0

    /// The first retransmission timeout in microseconds.
    var initialTimeoutMicroseconds: UInt32
    /// The ceiling of the retransmission timeout in microseconds.
    var maximumTimeoutMicroseconds: UInt32
    /// The fingerprints the peer's certificate must match; empty = not known yet.
    var expectedFingerprints: [CertificateFingerprint]
    /// The peer's leaf certificate (DER) once the handshake has shown it.
    var peerCertificateDER: [UInt8]?
    /// Set when the verify callback rejected the peer certificate for its fingerprint.
    var fingerprintMismatch = false
    /// The last fatal alert sent or received.
    var lastFatalAlert: DTLSAlert?
    /// Set when the peer sent `close_notify`.
    var receivedCloseNotify = false

    init(initialTimeoutMicroseconds: UInt32, maximumTimeoutMicroseconds: UInt32, expectedFingerprints: [CertificateFingerprint]) {
        self.initialTimeoutMicroseconds = initialTimeoutMicroseconds
        self.maximumTimeoutMicroseconds = maximumTimeoutMicroseconds
        self.expectedFingerprints = expectedFingerprints
    }

    // MARK: Inbound (network → OpenSSL)

    /// Queues a received datagram for OpenSSL to read.
    func pushInbound(_ datagram: [UInt8]) { inbound.append(datagram) }

    /// Whether a received datagram waits to be read.
    var hasInbound: Bool { inboundHead < inbound.count }

    /// Copies the next datagram into `buffer` (truncating to `capacity`, as a datagram socket
    /// does); nil when none is queued.
    func popInbound(into buffer: UnsafeMutableRawPointer, capacity: Int) -> Int? {
        guard inboundHead < inbound.count else { return nil }
        let datagram = inbound[inboundHead]
        inbound[inboundHead] = []
        inboundHead += 1
        if inboundHead == inbound.count {
            inbound.removeAll(keepingCapacity: true)
            inboundHead = 0
        }
        let n = min(datagram.count, capacity)
        datagram.withUnsafeBytes { raw in
            if let base = raw.baseAddress, n > 0 { buffer.copyMemory(from: base, byteCount: n) }
        }
        return n
    }

    /// Drops every queued inbound datagram.
    func clearInbound() {
        inbound.removeAll()
        inboundHead = 0
    }

    // MARK: Outbound (OpenSSL → network)

    /// Once set (the handshake is done and our record layer took over application data),
    /// epoch 1 records OpenSSL writes are re-sealed by it under its sequence numbers.
    var recordProtection: DTLSRecordProtection?
    /// The highest sequence number of an epoch 1 record OpenSSL wrote before `recordProtection`
    /// was set (its Finished), or nil.
    private(set) var highestEpoch1WriteSequence: UInt64?

    /// Queues bytes OpenSSL wrote as one record (or more).
    func pushOutbound(_ bytes: [UInt8]) {
        if let recordProtection {
            let rewritten = recordProtection.resequenced(bytes)
            if !rewritten.isEmpty { outbound.append(rewritten) }
            return
        }
        noteEpoch1Sequences(bytes)
        outbound.append(bytes)
    }

    /// True while datagrams wait in the outbound queue.
    var hasOutbound: Bool { outboundHead < outbound.count }

    /// Queues a record sealed by ``recordProtection``.
    func pushSealed(_ record: [UInt8]) { outbound.append(record) }

    private func noteEpoch1Sequences(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { raw in
            var offset = 0
            while offset + DTLSRecordProtection.headerLength <= raw.count {
                let record = UnsafeRawBufferPointer(rebasing: raw[offset...])
                if DTLSRecordProtection.epoch(of: record) == DTLSRecordProtection.epoch {
                    let sequence = DTLSRecordProtection.sequence(of: record)
                    highestEpoch1WriteSequence = max(highestEpoch1WriteSequence ?? 0, sequence)
                }
                offset += DTLSRecordProtection.headerLength + (Int(raw[offset + 11]) << 8 | Int(raw[offset + 12]))
            }
        }
    }

    /// The next datagram to send: one BIO write, as OpenSSL's own datagram BIO sends it;
    /// nil when nothing is queued.
    ///
    /// Writes are not coalesced: OpenSSL discards the rest of a datagram when it drops one of
    /// its records (e.g. a retransmitted ClientHello), so an alert or Finished that shared a
    /// datagram with such a record would be lost with it.
    func popOutbound() -> [UInt8]? {
        guard outboundHead < outbound.count else { return nil }
        let datagram = outbound[outboundHead]
        outbound[outboundHead] = []
        outboundHead += 1
        if outboundHead == outbound.count {
            outbound.removeAll(keepingCapacity: true)
            outboundHead = 0
        }
        return datagram
    }
}
