import WireKit

/// Graceful shutdown (RFC 9260 §9.2) and ABORT (§9.1).
extension SCTPAssociation {
    /// Starts the graceful close: queued data is sent and acknowledged first, then
    /// SHUTDOWN / SHUTDOWN ACK / SHUTDOWN COMPLETE; ``SCTPEvent/closed`` reports the end.
    public mutating func shutdown(now: Instant) {
        self.now = now
        switch state {
        case .established: state = .shutdownPending
        case .cookieWait, .cookieEchoed: terminate(.closed)
        default: return
        }
        progressShutdown()
    }

    /// Closes at once with ABORT carrying a User-Initiated Abort cause with `reason`.
    public mutating func abort(reason: String, now: Instant) {
        self.now = now
        guard state != .closed else { return }
        if peerTag != 0 && state != .cookieWait {
            controlPackets.removeAll()
            queuePacket(tag: peerTag, chunks: [.abort(AbortChunk(causes: [.userAbort(reason)]))])
        }
        terminate(.aborted(reason: "local abort: \(reason)"))
    }

    var allDataAcknowledged: Bool { outstanding.isEmpty && scheduler.isEmpty && currentStream == nil && queuedBytes == 0 }

    /// Moves the shutdown along when the send side has drained.
    mutating func progressShutdown() {
        switch state {
        case .shutdownPending where allDataAcknowledged:
            state = .shutdownSent
            sendShutdown()
        case .shutdownReceived where allDataAcknowledged:
            state = .shutdownAckSent
            t2Retransmits = 0
            pendingChunks.append(.shutdownAck)
            t2Deadline = now + .nanoseconds(rto)
        default: break
        }
    }

    mutating func sendShutdown() {
        t2Retransmits = 0
        pendingChunks.append(.shutdown(ShutdownChunk(cumulativeTSNAck: cumulativeTSN)))
        t2Deadline = now + .nanoseconds(rto)
        t3Deadline = nil
    }

    mutating func handleShutdown(_ chunk: ShutdownChunk) {
        switch state {
        case .established, .shutdownPending:
            handleSack(SackChunk(cumulativeTSNAck: chunk.cumulativeTSNAck, advertisedReceiverWindow: UInt32(clamping: peerRwnd + flightSize)))
            state = .shutdownReceived
        case .shutdownSent:
            state = .shutdownAckSent
            pendingChunks.append(.shutdownAck)
            t2Deadline = now + .nanoseconds(rto)
        default: break
        }
    }

    mutating func handleShutdownAck() {
        switch state {
        case .shutdownSent, .shutdownAckSent:
            queuePacket(tag: peerTag, chunks: [.shutdownComplete(tagReflected: false)])
            terminate(.closed)
        case .cookieWait, .cookieEchoed:
            break
        default: break
        }
    }

    mutating func handleShutdownComplete() {
        guard state == .shutdownAckSent else { return }
        terminate(.closed)
    }

    mutating func t2Expired() {
        t2Retransmits += 1
        if t2Retransmits > configuration.maxRetransmissions {
            queuePacket(tag: peerTag, chunks: [.abort(AbortChunk(causes: [.violation("shutdown timed out")]))])
            terminate(.aborted(reason: "shutdown timed out"))
            return
        }
        rto = min(rto * 2, configuration.rtoMax.nanosecondsClamped)
        t2Deadline = now + .nanoseconds(rto)
        switch state {
        case .shutdownSent: pendingChunks.append(.shutdown(ShutdownChunk(cumulativeTSNAck: cumulativeTSN)))
        case .shutdownAckSent: pendingChunks.append(.shutdownAck)
        default: t2Deadline = nil
        }
    }
}
