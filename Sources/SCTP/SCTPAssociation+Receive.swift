import WireKit

/// Packet intake (tag checks, chunk dispatch, §8.5) and the receive side of DATA:
/// TSN tracking, duplicates, the receive window and delayed SACK (§6.2).
extension SCTPAssociation {
    /// Processes one received SCTP packet. Malformed, mis-tagged or corrupted packets are
    /// dropped and counted in ``statistics``; they never trap.
    public mutating func handle(packet bytes: [UInt8], now: Instant) {
        self.now = now
        statistics.packetsReceived += 1
        if bytes.withUnsafeBytes({ handleBulkPacket($0) }) { return }
        handleGeneralPacket(bytes)
    }

    /// Handles a received packet given as a view of the caller's buffer, valid only during the
    /// call (a DTLS record opened in a scratch buffer): DATA and SACK packets of the
    /// established association are read in place with no copy; any other packet is copied and
    /// takes the path of ``handle(packet:now:)``.
    public mutating func handle(packetBytes raw: UnsafeRawBufferPointer, now: Instant) {
        self.now = now
        statistics.packetsReceived += 1
        if handleBulkPacket(raw) { return }
        handleGeneralPacket(Array(raw))
    }

    /// Every packet the bulk path does not take: parsed into chunks, checked, dispatched.
    mutating func handleGeneralPacket(_ bytes: [UInt8]) {
        // The chunk list reuses one buffer across packets (no allocation per packet).
        var chunks = chunkScratch
        chunkScratch = []
        defer {
            chunks.removeAll(keepingCapacity: true)
            chunkScratch = chunks
        }
        let header: (sourcePort: UInt16, destinationPort: UInt16, verificationTag: UInt32)
        do {
            header = try SCTPPacket.parse(bytes, chunks: &chunks, acceptingZeroChecksum: configuration.zeroChecksumMethod != nil)
        } catch {
            if case .badChecksum = error { statistics.badChecksum += 1 } else { statistics.malformed += 1 }
            return
        }
        guard header.destinationPort == configuration.localPort, header.sourcePort == configuration.remotePort else {
            statistics.badTag += 1
            return
        }
        guard acceptsTag(header.verificationTag, chunks) else { statistics.badTag += 1; return }
        var sawData = false
        for chunk in chunks {
            if state == .closed, !isSetupChunk(chunk) { break }
            switch chunk {
            case .data(let d):
                sawData = true
                // RFC 8260 §2.2: once I-DATA is negotiated, DATA is a protocol violation (and
                // I-DATA is one when it is not).
                guard !interleaving else { protocolViolation("DATA chunk on an I-DATA association"); return }
                receive(chunk: d)
            case .iData(let d):
                sawData = true
                guard interleaving else { protocolViolation("I-DATA chunk without negotiating it"); return }
                receive(chunk: d)
            case .initiation(let c): handleInit(c)
            case .initiationAck(let c): handleInitAck(c)
            case .sack(let s): handleSack(s)
            case .heartbeat(let h): pendingChunks.append(.heartbeatAck(h))
            case .heartbeatAck(let h): handleHeartbeatAck(h)
            case .abort(let a):
                terminate(.aborted(reason: a.causes.map(\.description).joined(separator: "; ").ifEmpty("peer aborted")))
                return
            case .shutdown(let s): handleShutdown(s)
            case .shutdownAck: handleShutdownAck()
            case .shutdownComplete: handleShutdownComplete()
            case .error(let e): handleError(e)
            case .cookieEcho(let c): handleCookieEcho(c, packetTag: header.verificationTag)
            case .cookieAck: handleCookieAck()
            case .reconfig(let r): handleReconfig(r)
            case .forwardTSN(let f): sawData = true; if !interleaving { handleForwardTSN(f) }
            case .iForwardTSN(let f): sawData = true; if interleaving { handleIForwardTSN(f) }
            case .unknown(ChunkType.pad, _):
                break  // RFC 4820: padding (of a PLPMTUD probe); skipped without a report
            case .unknown(let type, let raw):
                statistics.unknownChunks += 1
                // Upper two bits (§3.2): 00 stop, 01 stop and report, 10 skip, 11 skip and report.
                if type & 0x40 != 0, state != .closed, raw.count <= 512 {
                    pendingChunks.append(.error(ErrorChunk(causes: [ErrorCause(code: ErrorCause.unrecognizedChunkType, info: raw)])))
                }
                if type & 0x80 == 0 { break }
            }
        }
        if sawData { afterDataPacket() }
        checkDeferredReset()
        progressShutdown()
    }

    /// The fast path for an established association's packets of DATA chunks (I-DATA when
    /// interleaving) and SACKs only, the bulk of a transfer: the chunks are read in place and
    /// handed on one at a time, with no chunk list. Same checks and outcome as the general path,
    /// which takes every other packet (false): other chunk types, another state, wrong ports or
    /// tag, or any framing the general parser would reject.
    mutating func handleBulkPacket(_ raw: UnsafeRawBufferPointer) -> Bool {
        guard state == .established, localTag != 0 else { return false }
        let dataType = interleaving ? ChunkType.iData : ChunkType.data
        let minimumLength = (interleaving ? IDataChunk.headerSize : DataChunk.headerSize) + 1
        let valid: Bool = {
            let count = raw.count
            guard count >= SCTPPacket.headerSize + 16 else { return false }
            let ports = UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 0, as: UInt32.self))
            guard ports == UInt32(configuration.remotePort) << 16 | UInt32(configuration.localPort),
                  UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: 4, as: UInt32.self)) == localTag else { return false }
            var offset = SCTPPacket.headerSize
            while count - offset >= 4 {
                let length = Int(raw[offset + 2]) << 8 | Int(raw[offset + 3])
                guard length <= count - offset else { return false }
                if raw[offset] == dataType {
                    guard length >= minimumLength else { return false }
                } else if raw[offset] == ChunkType.sack {
                    // As SackChunk.parse: the fixed part, then room for the announced blocks.
                    guard length >= 16 else { return false }
                    let gaps = Int(raw[offset + 12]) << 8 | Int(raw[offset + 13])
                    let duplicates = Int(raw[offset + 14]) << 8 | Int(raw[offset + 15])
                    guard (gaps + duplicates) * 4 <= length - 16 else { return false }
                } else {
                    return false
                }
                offset += length + min(count - offset - length, (4 - length % 4) % 4)
            }
            return true
        }()
        guard valid else { return false }
        let received = UInt32(raw[8]) | UInt32(raw[9]) << 8 | UInt32(raw[10]) << 16 | UInt32(raw[11]) << 24
        // RFC 9653 §5.3: having announced a zero checksum method, a zero checksum is accepted.
        guard (received == 0 && configuration.zeroChecksumMethod != nil) || CRC32C.sctpChecksum(raw) == received else {
            statistics.badChecksum += 1
            return true
        }
        var offset = SCTPPacket.headerSize
        let count = raw.count
        var sawData = false
        while count - offset >= 4 {
            if raw[offset] == ChunkType.sack {
                let length = Int(raw[offset + 2]) << 8 | Int(raw[offset + 3])
                var reader = ByteReader(Array(raw[(offset + 4)..<(offset + length)]))
                if let sack = try? SackChunk.parse(value: &reader) { handleSack(sack) }
                offset += length + min(count - offset - length, (4 - length % 4) % 4)
                continue
            }
            sawData = true
            let length = Int(raw[offset + 2]) << 8 | Int(raw[offset + 3])
            // The fragment is read in place and its payload passed as a pointer into the
            // packet: no chunk value, no retain of the packet.
            let flags = raw[offset + 1]
            let tsn = UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self))
            let word1 = UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: offset + 8, as: UInt32.self))
            let word2 = UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
            if interleaving {
                let word3 = UInt32(bigEndian: raw.loadUnaligned(fromByteOffset: offset + 16, as: UInt32.self))
                receive(DataFragment(iDataTSN: tsn, flags: flags, word1: word1, word2: word2, word3: word3),
                        payload: UnsafeRawBufferPointer(rebasing: raw[(offset + IDataChunk.headerSize)..<(offset + length)]))
            } else {
                receive(DataFragment(dataTSN: tsn, flags: flags, word1: word1, word2: word2),
                        payload: UnsafeRawBufferPointer(rebasing: raw[(offset + DataChunk.headerSize)..<(offset + length)]))
            }
            offset += length + min(count - offset - length, (4 - length % 4) % 4)
        }
        if sawData { afterDataPacket() }
        checkDeferredReset()
        progressShutdown()
        return true
    }

    func isSetupChunk(_ chunk: SCTPChunk) -> Bool {
        switch chunk {
        case .initiation, .cookieEcho, .initiationAck, .cookieAck, .error, .abort: return true
        default: return false
        }
    }

    /// Verification tag rules (§8.5, §8.5.1).
    func acceptsTag(_ tag: UInt32, _ chunks: [SCTPChunk]) -> Bool {
        guard let first = chunks.first else { return false }
        switch first {
        case .initiation:
            return tag == 0 && chunks.count == 1
        case .abort(let a):
            return tag == (a.tagReflected ? peerTag : localTag) && state != .closed
        case .shutdownComplete(let reflected):
            return tag == (reflected ? peerTag : localTag)
        case .cookieEcho:
            return true  // checked against the cookie
        case .error where state == .cookieEchoed:
            return tag == localTag
        default:
            return localTag != 0 && tag == localTag
        }
    }

    /// Aborts the association with a Protocol Violation cause.
    mutating func protocolViolation(_ reason: String) {
        statistics.malformed += 1
        queuePacket(tag: peerTag, chunks: [.abort(AbortChunk(causes: [.violation(reason)]))])
        terminate(.aborted(reason: "protocol violation: \(reason)"))
    }

    /// One DATA or I-DATA fragment (`payload` is read during the call only): TSN bookkeeping,
    /// then reassembly, or held with a copy of its payload for a deferred stream reset.
    mutating func receive(_ f: DataFragment, payload: UnsafeRawBufferPointer) {
        guard acceptTSN(f.tsn, payloadBytes: payload.count) else { return }
        if reset.deferred != nil, reset.mustHold(tsn: f.tsn, streamID: f.streamID) {
            reset.held.append(HeldFragment(fragment: f, payload: [UInt8](payload)))
            reset.heldBytes += payload.count
            return
        }
        undeliveredBytes += reassembly.insert(f, payload: payload, into: &events)
    }

    /// A DATA or I-DATA chunk of the general path.
    mutating func receive<C: FragmentChunk>(chunk: C) {
        chunk.payload.withUnsafeBytes { receive(chunk.fragment, payload: $0) }
    }

    /// The receive bookkeeping of a data chunk's TSN: duplicate check, window check, the
    /// cumulative TSN and gap ranges. False when the chunk must be dropped.
    mutating func acceptTSN(_ tsn: UInt32, payloadBytes: Int) -> Bool {
        guard state == .established || state == .shutdownPending || state == .shutdownSent else { return false }
        if Serial.le(tsn, cumulativeTSN) || Self.contains(tsn, in: receivedRanges) {
            statistics.duplicateTSNs += 1
            if duplicateTSNs.count < 32 { duplicateTSNs.append(tsn) }
            sackImmediately = true
            return false
        }
        let highest = receivedRanges.last?.1 ?? cumulativeTSN
        // §6.2: with no window left, drop new data beyond what we already hold; data that fills
        // a hole is always taken, so memory stays within twice the window and never deadlocks.
        if Serial.lt(highest, tsn),
           reassembly.bufferedBytes + undeliveredBytes + reset.heldBytes + payloadBytes > configuration.receiveWindow {
            statistics.droppedForWindow += 1
            sackImmediately = true
            return false
        }
        guard tsn &- cumulativeTSN < 1 << 24 else { statistics.malformed += 1; return false }
        if tsn == cumulativeTSN &+ 1 {
            cumulativeTSN = tsn
            if let first = receivedRanges.first, first.0 == cumulativeTSN &+ 1 {
                cumulativeTSN = first.1
                receivedRanges.removeFirst()
            }
        } else {
            insertRange(tsn)
            sackImmediately = true  // a gap: report it at once (§6.7)
        }
        return true
    }

    /// Binary search over the sorted ranges. Static, so a mutating caller does not copy the
    /// whole association to call it.
    static func contains(_ tsn: UInt32, in receivedRanges: [(UInt32, UInt32)]) -> Bool {
        var low = 0, high = receivedRanges.count
        while low < high {
            let mid = (low + high) / 2
            let r = receivedRanges[mid]
            if Serial.lt(tsn, r.0) { high = mid } else if Serial.lt(r.1, tsn) { low = mid + 1 } else { return true }
        }
        return false
    }

    /// Adds `tsn` (above cumulativeTSN + 1) to the sorted range list, merging neighbours.
    mutating func insertRange(_ tsn: UInt32) {
        if let last = receivedRanges.last {
            // The common case under loss: new data above everything received so far.
            if Serial.lt(last.1 &+ 1, tsn) { receivedRanges.append((tsn, tsn)); return }
            if last.1 &+ 1 == tsn { receivedRanges[receivedRanges.count - 1].1 = tsn; return }
        }
        var i = 0
        while i < receivedRanges.count, Serial.lt(receivedRanges[i].1 &+ 1, tsn) { i += 1 }
        if i == receivedRanges.count {
            receivedRanges.append((tsn, tsn))
            return
        }
        if receivedRanges[i].1 &+ 1 == tsn {
            receivedRanges[i].1 = tsn
            if i + 1 < receivedRanges.count, receivedRanges[i + 1].0 == tsn &+ 1 {
                receivedRanges[i].1 = receivedRanges[i + 1].1
                receivedRanges.remove(at: i + 1)
            }
        } else if receivedRanges[i].0 == tsn &+ 1 {
            receivedRanges[i].0 = tsn
        } else {
            receivedRanges.insert((tsn, tsn), at: i)
        }
    }

    /// FORWARD TSN (RFC 3758 §3.6): skip abandoned TSNs and stream sequence numbers.
    mutating func handleForwardTSN(_ chunk: ForwardTSNChunk) {
        guard let newCum = forwardCumulativeTSN(to: chunk.newCumulativeTSN) else { return }
        // Even when every TSN up to newCum already arrived (our SACK was lost), the abandoned
        // message's fragments and its SSN must still be dropped and skipped.
        undeliveredBytes += reassembly.skip(upTo: newCum, streams: chunk.streams, into: &events)
    }

    /// I-FORWARD-TSN (RFC 8260 §2.3): as FORWARD TSN, skipping messages by stream, U bit and MID.
    mutating func handleIForwardTSN(_ chunk: IForwardTSNChunk) {
        guard forwardCumulativeTSN(to: chunk.newCumulativeTSN) != nil else { return }
        undeliveredBytes += reassembly.skip(chunk.skipped, into: &events)
    }

    /// Moves the cumulative TSN forward to `newCum` (never back). Nil when not receiving or
    /// the TSN is implausibly far.
    mutating func forwardCumulativeTSN(to newCum: UInt32) -> UInt32? {
        guard state == .established || state == .shutdownPending || state == .shutdownSent else { return nil }
        sackImmediately = true
        guard newCum &- cumulativeTSN < 1 << 24 || cumulativeTSN &- newCum < 1 << 24 else { return nil }
        if Serial.lt(cumulativeTSN, newCum) {
            cumulativeTSN = newCum
            while let first = receivedRanges.first, Serial.le(first.0, cumulativeTSN &+ 1) {
                if Serial.lt(cumulativeTSN, first.1) { cumulativeTSN = first.1 }
                receivedRanges.removeFirst()
            }
        }
        return newCum
    }

    /// After a packet with DATA: SACK every second packet, at once on gaps/duplicates,
    /// otherwise within the delayed-ack timeout.
    mutating func afterDataPacket() {
        dataPacketsSinceSack += 1
        if sackImmediately || dataPacketsSinceSack >= 2 || !receivedRanges.isEmpty {
            sackImmediately = true
            delayedAckDeadline = nil
        } else if delayedAckDeadline == nil {
            sackDelayed = true
            delayedAckDeadline = now.adding(nanoseconds: delayedAckNanoseconds)
        }
    }

    /// Builds a SACK from the receive state and clears the SACK triggers.
    mutating func makeSack() -> SackChunk {
        var blocks = [SackChunk.GapBlock]()
        if !receivedRanges.isEmpty { blocks.reserveCapacity(min(receivedRanges.count, 64)) }  // (allocates even for 0)
        for r in receivedRanges.prefix(64) {
            let start = r.0 &- cumulativeTSN, end = r.1 &- cumulativeTSN
            guard end <= 0xFFFF else { break }
            blocks.append(.init(start: UInt16(start), end: UInt16(end)))
        }
        let rwnd = advertisedReceiveWindow
        lastAdvertisedRwnd = rwnd
        let sack = SackChunk(cumulativeTSNAck: cumulativeTSN, advertisedReceiverWindow: UInt32(clamping: rwnd),
                             gapBlocks: blocks, duplicateTSNs: duplicateTSNs)
        if !duplicateTSNs.isEmpty { duplicateTSNs = [] }
        sackImmediately = false
        sackDelayed = false
        dataPacketsSinceSack = 0
        delayedAckDeadline = nil
        return sack
    }

    /// The application consumed data: if the window opened a lot since we last advertised
    /// it, send a window update (§6.2, receiver silly-window avoidance).
    mutating func noteWindowOpened() {
        guard state == .established || state == .shutdownPending || state == .shutdownSent else { return }
        let rwnd = advertisedReceiveWindow
        if rwnd - lastAdvertisedRwnd >= max(configuration.receiveWindow / 4, 4 * mtu) || (lastAdvertisedRwnd < mtu && rwnd >= 2 * mtu) {
            sackImmediately = true
        }
    }
}

extension String {
    func ifEmpty(_ replacement: String) -> String { isEmpty ? replacement : self }
}
