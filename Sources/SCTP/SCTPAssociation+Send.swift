import DequeModule
import WireKit

/// The send side: per-stream queues with a cap, round-robin scheduling, fragmentation into
/// MTU-sized DATA chunks, and packet building in `pollTransmit()` (control chunks, SACK,
/// FORWARD TSN, retransmissions, then new data within cwnd, peer rwnd and Max.Burst).
extension SCTPAssociation {
    /// Queues a message on `stream`.
    ///
    /// - Parameters:
    ///   - accounted: whether the bytes count towards the stream's buffered amount (false for
    ///     protocol messages such as DCEP, or the padding byte of an empty message).
    /// - Throws: ``SCTPError`` when not established, too large, the stream is being reset,
    ///   or its queue would pass ``SCTPConfiguration/maxStreamSendQueue``.
    public mutating func send(stream: UInt16, ppid: UInt32, message: [UInt8], ordered: Bool = true,
                              reliability: Reliability = .reliable, accounted: Bool = true, now: Instant) throws(SCTPError) {
        try send(stream: stream, ppid: ppid, message: message[...], ordered: ordered, reliability: reliability,
                 accounted: accounted, now: now)
    }

    /// Queues a message on `stream` given as a slice: the slice (and so the buffer it views)
    /// is kept until the message is acknowledged or abandoned, never copied. The same as
    /// ``send(stream:ppid:message:ordered:reliability:accounted:now:)`` otherwise.
    public mutating func send(stream: UInt16, ppid: UInt32, message: ArraySlice<UInt8>, ordered: Bool = true,
                              reliability: Reliability = .reliable, accounted: Bool = true, now: Instant) throws(SCTPError) {
        self.now = now
        guard state == .established else { throw .invalidState(state) }
        guard !message.isEmpty else { throw .emptyMessage }
        guard stream < outboundStreams else { throw .invalidStream(stream) }
        guard message.count <= configuration.maxSendMessageSize else {
            throw .messageTooLarge(size: message.count, limit: configuration.maxSendMessageSize)
        }
        let size = accounted ? message.count : 0
        // Taken out of the dictionary while edited, so appending does not copy the queue (and
        // checked there: one hash lookup, no copy of the entry).
        var out = outStreams.removeValue(forKey: stream) ?? OutgoingStream()
        guard !out.resetRequested, out.bufferedAmount + size <= configuration.maxStreamSendQueue else {
            let buffered = out.bufferedAmount, resetting = out.resetRequested
            if !out.isIdle { outStreams[stream] = out }
            if resetting { throw .streamResetting(stream) }
            throw .sendQueueFull(stream: stream, buffered: buffered, limit: configuration.maxStreamSendQueue)
        }
        var pending = PendingMessage(payload: message, ppid: ppid, unordered: !ordered, messageID: nextMessageID, accounted: accounted)
        nextMessageID += 1
        switch reliability {
        case .reliable: break
        case .maxRetransmits(let n): pending.maxRetransmits = Int32(clamping: max(0, n))
        case .maxLifetime(let d): pending.expiry = now + d
        }
        out.queue.append(pending)
        out.bufferedAmount += size
        queuedBytes += message.count
        if !out.scheduled {
            out.scheduled = true
            scheduler.append(stream)
        }
        outStreams[stream] = out
        burstFlightLimit = nil
    }

    /// The next packet to send, if any.
    public mutating func pollTransmit() -> [UInt8]? {
        var packet: [UInt8] = []
        return pollTransmit(into: &packet) ? packet : nil
    }

    /// Like ``pollTransmit()``, writing the packet into `packet`: its old contents are replaced
    /// and its storage reused when the caller holds the only reference to it, so a driver that
    /// passes each packet on (encrypts or copies it) before polling the next one allocates no
    /// buffer per packet. Returns false, with `packet` empty, when there is nothing to send.
    public mutating func pollTransmit(into packet: inout [UInt8]) -> Bool {
        // Built in the caller's buffer: the scratch packet (user data inline) takes its storage.
        var built = SCTPOutgoingPacket()
        swap(&built, &packetScratch)
        swap(&packet, &built.skeleton.bytes)
        let sent = pollTransmit(into: &built)
        swap(&packet, &built.skeleton.bytes)
        let sealing = built.needsChecksum
        swap(&built, &packetScratch)
        guard sent else {
            packet.removeAll(keepingCapacity: true)
            return false
        }
        if sealing { SCTPPacket.seal(&packet) }
        return true
    }

    /// Like ``pollTransmit()``, building the packet in `packet` with its user data left in the
    /// messages until ``SCTPOutgoingPacket/write(into:)-(UnsafeMutableRawBufferPointer)`` copies
    /// the whole packet into its final buffer (of ``SCTPOutgoingPacket/count`` bytes) once. The
    /// packet's storage is reused from call to call. Returns false when there is nothing to send.
    public mutating func pollTransmit(into packet: inout SCTPOutgoingPacket) -> Bool {
        if let control = controlPackets.popFirst() {
            statistics.packetsSent += 1
            packet.reset(capacity: 0)
            packet.skeleton.bytes = control
            return true
        }
        switch state {
        case .established, .shutdownPending, .shutdownSent, .shutdownReceived, .shutdownAckSent: break
        default: packet.reset(capacity: 0); return false
        }
        maybeSendReset()
        let canSendData = hasDataToSend
        // Nothing to say: return before touching the buffer (drivers poll until nil after every input).
        guard canSendData || sackImmediately || !pendingChunks.isEmpty || forwardTSNNeeded else {
            packet.reset(capacity: 0)
            return false
        }
        // A SACK-only packet needs far less than an MTU (nor does a skeleton without user data).
        packet.reset(capacity: canSendData || !pendingChunks.isEmpty ? (packet.inlineUserData ? mtu : min(mtu, 512)) : 128)
        SCTPPacket.writeHeader(sourcePort: configuration.localPort, destinationPort: configuration.remotePort,
                               verificationTag: peerTag, into: &packet.skeleton)
        let empty = packet.count
        if !pendingChunks.isEmpty {
            var kept = [SCTPChunk]()
            for c in pendingChunks {
                var tmp = ByteWriter(capacity: 64)
                c.write(into: &tmp)
                if packet.count + tmp.count <= mtu || packet.count == empty { packet.skeleton.writeBytes(tmp.bytes) } else { kept.append(c) }
            }
            pendingChunks = kept
        }
        if sackImmediately || (sackDelayed && canSendData) || (packet.count > empty && (sackDelayed || dataPacketsSinceSack > 0)) {
            makeSack().write(into: &packet.skeleton)
        }
        // Control chunks come before any user data, so the skeleton's count is the packet's here.
        if forwardTSNNeeded, packet.count + 8 + 4 * 16 <= mtu {
            writeForwardTSN(into: &packet.skeleton)
        }
        if canSendData { writeData(into: &packet) }
        guard packet.count > empty else {
            packet.reset(capacity: 0)
            return false
        }
        // RFC 9653 §5.2: both sides run under the same alternate error detection (DTLS).
        packet.needsChecksum = !(sendsZeroChecksum && isEstablished)
        statistics.packetsSent += 1
        return true
    }

    /// True when retransmissions or new data could go out now.
    var hasDataToSend: Bool {
        guard state == .established || state == .shutdownPending || state == .shutdownReceived else { return false }
        if !retransmitQueue.isEmpty && (fastRetransmitPending || flightSize < cwnd) { return true }
        return (!scheduler.isEmpty || currentStream != nil) && flightSize < min(cwnd, burstFlightLimit ?? .max) && (peerRwnd > 0 || flightSize == 0)
    }

    /// Appends retransmissions, then new fragments, while the packet, cwnd and rwnd allow.
    mutating func writeData(into packet: inout SCTPOutgoingPacket) {
        var sentAny = false
        while let tsn = retransmitQueue.first {
            let index = Int(tsn &- (lastCumAck &+ 1))
            guard index >= 0, index < outstanding.count, outstanding[index].status == .toRetransmit else {
                retransmitQueue.removeFirst()
                continue
            }
            if outstanding[index].shouldAbandon(now: now) {
                retransmitQueue.removeFirst()
                abandonMessage(at: index)
                continue
            }
            let size = outstanding[index].payload.count
            guard packet.count + dataHeaderSize + size <= mtu else { break }
            guard fastRetransmitPending || flightSize < cwnd else { break }
            retransmitQueue.removeFirst()
            let c = outstanding[index]
            if interleaving {
                IDataChunk.writeHeader(tsn: c.tsn, streamID: c.streamID, mid: c.mid, ppidOrFSN: c.isBeginning ? c.ppid : c.fsn,
                                       flags: c.flags, payloadCount: c.payload.count, into: &packet.skeleton)
            } else {
                DataChunk.writeHeader(tsn: c.tsn, streamID: c.streamID, ssn: UInt16(truncatingIfNeeded: c.mid), ppid: c.ppid,
                                      flags: c.flags, payloadCount: c.payload.count, into: &packet.skeleton)
            }
            packet.appendUserData(c.payload)
            outstanding[index].status = .inFlight
            outstanding[index].transmitCount += 1
            outstanding[index].sentAt = now
            outstanding[index].missIndications = 0
            flightSize += size
            statistics.retransmissions += 1
            sentAny = true
        }
        fastRetransmitPending = false
        let limit = min(cwnd, burstFlightLimit ?? .max)
        // Fragments fit a base-size packet, however large this one may be (PLPMTUD bundles
        // several), so they can be retransmitted after the packet size falls back.
        let fragmentLimit = baseMTU - SCTPPacket.headerSize - dataHeaderSize
        while flightSize < limit {
            let room = min(mtu - packet.count - dataHeaderSize, fragmentLimit)
            guard room >= 64 else { break }
            guard peerRwnd > 0 || (flightSize == 0 && !sentAny) else { break }
            guard writeNextFragment(room: min(room, max(peerRwnd, 1)), into: &packet) else { break }
            sentAny = true
        }
        if sentAny && t3Deadline == nil { t3Deadline = now.adding(nanoseconds: rto) }
    }

    /// Takes the next fragment from the scheduled streams. False when nothing is queued.
    mutating func writeNextFragment(room: Int, into packet: inout SCTPOutgoingPacket) -> Bool {
        while true {
            let sid: UInt16
            if let current = currentStream {
                sid = current
            } else {
                guard let next = scheduler.popFirst() else { return false }
                sid = next
            }
            // The fragment is cut from the stream's head message in place in the stream table
            // (no copy of the stream or the message; the fragment is the payload sliced).
            let interleaved = interleaving, now = now
            var f = OutgoingFragment(kind: .none)
            guard outStreams.modify(sid, { $0.cutFragment(room: room, interleaving: interleaved, now: now, into: &f) }) != nil else {
                currentStream = nil
                continue
            }
            switch f.kind {
            case .none:
                currentStream = nil
                outStreams.modify(sid) { $0.scheduled = false }
                outStreams.dropIfIdle(sid)
                continue
            case .expired:
                // Never sent and already expired: dropped without using a TSN or SSN.
                statistics.abandonedMessages += 1
                released(bytes: f.expiredBytes, lowCrossed: f.lowCrossed, streamID: sid)
                finishStreamTurn(sid)
                continue
            case .fragment:
                let tsn = nextTSN
                nextTSN &+= 1
                if interleaved {
                    IDataChunk.writeHeader(tsn: tsn, streamID: sid, mid: f.mid, ppidOrFSN: f.flags & 0x02 != 0 ? f.ppid : f.fsn,
                                           flags: f.flags, payloadCount: f.payload.count, into: &packet.skeleton)
                } else {
                    DataChunk.writeHeader(tsn: tsn, streamID: sid, ssn: UInt16(truncatingIfNeeded: f.mid), ppid: f.ppid,
                                          flags: f.flags, payloadCount: f.payload.count, into: &packet.skeleton)
                }
                packet.appendUserData(f.payload)
                let take = f.payload.count
                outstanding.append(OutstandingChunk(tsn: tsn, streamID: sid, mid: f.mid, fsn: f.fsn, ppid: f.ppid, flags: f.flags,
                                                    status: .inFlight, sentAt: now, messageID: f.messageID,
                                                    maxRetransmits: f.maxRetransmits, expiry: f.expiry, payload: f.payload))
                flightSize += take
                peerRwnd = max(0, peerRwnd - take)
                statistics.dataChunksSent += 1
                released(bytes: take, lowCrossed: f.lowCrossed, streamID: sid)
                if f.flags & 0x01 != 0 {
                    finishStreamTurn(sid)
                } else if interleaved {
                    // I-DATA (RFC 8260): the next fragment may come from another stream, so a large
                    // message does not hold back the other streams; round-robin per fragment.
                    currentStream = nil
                    scheduler.append(sid)
                } else {
                    currentStream = sid
                }
                return true
            }
        }
    }

    /// `bytes` left the send queues (the stream's buffered amount was lowered by
    /// ``OutgoingStream/release(bytes:accounted:)``); reports the low event if it crossed.
    mutating func released(bytes: Int, lowCrossed: Bool, streamID: UInt16) {
        queuedBytes -= bytes
        if lowCrossed { events.append(.bufferedAmountLow(streamID: streamID)) }
    }

    /// The current message of `sid` is done (sent or dropped): rotate the round-robin.
    mutating func finishStreamTurn(_ sid: UInt16) {
        currentStream = nil
        let queued = outStreams.modify(sid) { s -> Bool in
            if !s.hasQueuedMessages { s.scheduled = false }
            return s.hasQueuedMessages
        } ?? false
        if queued { scheduler.append(sid) }
        outStreams.dropIfIdle(sid)
        if !reset.pendingStreams.isEmpty, reset.pendingStreams.contains(sid) { reset.dirty = true }
    }

    /// `bytes` of `message` left the queue: lower the buffered amount, fire the low event on
    /// the downward crossing of the threshold.
    mutating func release(_ stream: inout OutgoingStream, accounted: Bool, bytes: Int, streamID: UInt16) {
        released(bytes: bytes, lowCrossed: stream.release(bytes: bytes, accounted: accounted), streamID: streamID)
    }

    /// FORWARD TSN with the ordered streams whose messages were abandoned up to the advanced
    /// point (I-FORWARD-TSN with every stream and message sequence when I-DATA is in use).
    mutating func writeForwardTSN(into w: inout ByteWriter) {
        if interleaving {
            writeIForwardTSN(into: &w)
            return
        }
        var streams: [UInt16: UInt16] = [:]
        var tsn = lastCumAck &+ 1
        var i = 0
        while Serial.le(tsn, advancedPeerAckPoint), i < outstanding.count {
            let c = outstanding[i]
            if c.status == .abandoned, !c.unordered {
                let ssn = UInt16(truncatingIfNeeded: c.mid)
                if let s = streams[c.streamID] { if Serial.lt16(s, ssn) { streams[c.streamID] = ssn } } else { streams[c.streamID] = ssn }
            }
            tsn &+= 1; i += 1
        }
        let list = streams.sorted { $0.key < $1.key }.prefix((mtu - w.count - 8) / 4).map { ForwardTSNChunk.SkippedStream(streamID: $0.key, ssn: $0.value) }
        ForwardTSNChunk(newCumulativeTSN: advancedPeerAckPoint, streams: Array(list)).write(into: &w)
        forwardTSNNeeded = false
        statistics.forwardTSNsSent += 1
        if t3Deadline == nil { t3Deadline = now + .nanoseconds(rto) }
    }

    /// I-FORWARD-TSN (RFC 8260 §2.3): for each stream and U bit, the largest abandoned MID.
    mutating func writeIForwardTSN(into w: inout ByteWriter) {
        var skipped: [IForwardTSNChunk.Skipped] = []
        var i = 0
        var tsn = lastCumAck &+ 1
        while Serial.le(tsn, advancedPeerAckPoint), i < outstanding.count {
            let c = outstanding[i]
            if c.status == .abandoned {
                if let k = skipped.firstIndex(where: { $0.streamID == c.streamID && $0.unordered == c.unordered }) {
                    if Serial.lt(skipped[k].mid, c.mid) { skipped[k].mid = c.mid }
                } else {
                    skipped.append(.init(streamID: c.streamID, unordered: c.unordered, mid: c.mid))
                }
            }
            tsn &+= 1; i += 1
        }
        skipped.sort { ($0.streamID, $0.unordered ? 1 : 0) < ($1.streamID, $1.unordered ? 1 : 0) }
        IForwardTSNChunk(newCumulativeTSN: advancedPeerAckPoint, skipped: Array(skipped.prefix((mtu - w.count - 8) / 8))).write(into: &w)
        forwardTSNNeeded = false
        statistics.forwardTSNsSent += 1
        if t3Deadline == nil { t3Deadline = now + .nanoseconds(rto) }
    }
}
