import WireKit

/// Outgoing SSN reset (RFC 6525 §5.1.2) to close data channels, and the peer's resets of our
/// incoming streams (§5.2.2), including deferred processing until the data has arrived.
extension SCTPAssociation {
    /// Resets the outgoing `streams` once their queued messages are sent; their SSNs restart
    /// at 0 and ``SCTPEvent/outgoingStreamsReset(_:)`` reports completion. New sends on them
    /// fail until then.
    public mutating func resetStreams(_ streams: [UInt16], now: Instant) throws(SCTPError) {
        self.now = now
        guard state == .established else { throw .invalidState(state) }
        for s in streams {
            outStreams[s, default: OutgoingStream()].resetRequested = true
            reset.pendingStreams.insert(s)
        }
        reset.dirty = true
    }

    /// Sends a request for the pending streams whose queues drained, if none is in flight.
    mutating func maybeSendReset() {
        guard reset.inFlight == nil, reset.dirty, !reset.pendingStreams.isEmpty, state == .established else { return }
        reset.dirty = false
        let ready = reset.pendingStreams.filter { sid in
            currentStream != sid && !(outStreams[sid]?.hasQueuedMessages ?? false)
        }.sorted()
        guard !ready.isEmpty else { return }
        let batch = Array(ready.prefix((mtu - 64) / 2))
        for s in batch { reset.pendingStreams.remove(s) }
        reset.inFlight = (reset.nextRequest, batch, nextTSN &- 1)
        sendResetRequest()
    }

    mutating func sendResetRequest() {
        guard let inFlight = reset.inFlight else { return }
        pendingChunks.append(.reconfig(ReconfigChunk(parameters: [
            .outgoingResetRequest(requestSequence: inFlight.sequence, responseSequence: reset.expectedPeerRequest &- 1,
                                  lastAssignedTSN: inFlight.lastTSN, streams: inFlight.streams),
        ])))
        reset.deadline = now + .nanoseconds(rto)
    }

    mutating func resetTimerExpired() {
        reset.deadline = nil
        guard reset.inFlight != nil, state == .established else { return }
        errorCount += 1
        if errorCount > configuration.maxRetransmissions {
            queuePacket(tag: peerTag, chunks: [.abort(AbortChunk(causes: [.violation("RE-CONFIG unanswered")]))])
            terminate(.aborted(reason: "too many retransmissions (RE-CONFIG)"))
            return
        }
        sendResetRequest()
    }

    mutating func handleReconfig(_ chunk: ReconfigChunk) {
        guard state == .established || state == .shutdownPending else { return }
        for p in chunk.parameters {
            switch p {
            case .outgoingResetRequest(let seq, _, let lastTSN, let streams):
                handlePeerResetRequest(sequence: seq, lastTSN: lastTSN, streams: streams)
            case .response(let seq, let result):
                handleResetResponse(sequence: seq, result: result)
            case .incomingResetRequest(let seq, _):
                respond(seq, ReconfigParameter.resultDenied)
            case .other(_, let seq):
                if let seq { respond(seq, ReconfigParameter.resultDenied) }
            }
        }
    }

    mutating func respond(_ sequence: UInt32, _ result: UInt32) {
        pendingChunks.append(.reconfig(ReconfigChunk(parameters: [.response(responseSequence: sequence, result: result)])))
    }

    mutating func handlePeerResetRequest(sequence: UInt32, lastTSN: UInt32, streams: [UInt16]) {
        if sequence == reset.expectedPeerRequest {
            if let d = reset.deferred, d.sequence == sequence {
                respond(sequence, ReconfigParameter.resultInProgress)
                return
            }
            reset.deferred = (sequence, lastTSN, streams)
            checkDeferredReset()
            if reset.deferred != nil { respond(sequence, ReconfigParameter.resultInProgress) }
        } else if sequence == reset.expectedPeerRequest &- 1 {
            respond(sequence, reset.lastResponse)  // retransmitted request: same answer
        } else {
            respond(sequence, ReconfigParameter.resultBadSequence)
        }
    }

    /// Performs a deferred peer reset once all data up to its last TSN arrived.
    mutating func checkDeferredReset() {
        guard let d = reset.deferred, Serial.le(d.lastTSN, cumulativeTSN) else { return }
        reset.deferred = nil
        reset.expectedPeerRequest &+= 1
        reset.lastResponse = ReconfigParameter.resultSuccess
        var ids = d.streams
        if ids.isEmpty {
            ids = reassembly.knownStreams.sorted()
        }
        reassembly.resetStreams(ids)
        respond(d.sequence, ReconfigParameter.resultSuccess)
        events.append(.incomingStreamsReset(d.streams))
        // Data sent on the reset streams after the request now starts their new sequence.
        guard !reset.held.isEmpty else { return }
        var held = reset.held
        reset.held = []
        reset.heldBytes = 0
        let base = d.lastTSN
        held.sort { ($0.fragment.tsn &- base) < ($1.fragment.tsn &- base) }
        for h in held {
            undeliveredBytes += h.payload.withUnsafeBytes { reassembly.insert(h.fragment, payload: $0, into: &events) }
        }
    }

    mutating func handleResetResponse(sequence: UInt32, result: UInt32) {
        guard let inFlight = reset.inFlight, inFlight.sequence == sequence else { return }
        switch result {
        case ReconfigParameter.resultInProgress:
            // The peer is alive and waits for our data up to the request's last TSN: ask
            // again later, without counting this towards the retransmission limit.
            reset.deadline = now + .nanoseconds(rto)
            errorCount = 0
            return
        case ReconfigParameter.resultSuccess, 0:
            for s in inFlight.streams {
                if var stream = outStreams.removeValue(forKey: s) {
                    stream.nextSSN = 0
                    stream.nextUnorderedMID = 0
                    stream.resetRequested = false
                    if !stream.isIdle { outStreams[s] = stream }
                }
            }
            events.append(.outgoingStreamsReset(inFlight.streams))
        default:
            for s in inFlight.streams { outStreams[s]?.resetRequested = false }
            events.append(.streamResetFailed(inFlight.streams))
        }
        reset.inFlight = nil
        reset.deadline = nil
        reset.nextRequest &+= 1
        reset.dirty = true
        errorCount = 0
    }
}
