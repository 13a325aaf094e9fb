import WireKit

/// The native record layer (``DTLSRecordProtection``): starting it once connected, and
/// splitting received datagrams between it (epoch 1 application data) and OpenSSL (the rest).
extension DTLSEndpoint {
    /// Takes application data over from OpenSSL's record layer, if configured and the suite
    /// is one it supports; OpenSSL's record layer stays in use otherwise.
    func startNativeRecordLayer() {
        guard protection == nil, state == .connected, configuration.nativeRecordLayer else { return }
        let next = (callbackState.highestEpoch1WriteSequence ?? 0) + 1
        guard let protection = DTLSRecordProtection(ssl: ssl, role: role, nextWriteSequence: next) else { return }
        self.protection = protection
        callbackState.recordProtection = protection
    }

    /// Opens a datagram made only of epoch 1 application-data records (the bulk data path)
    /// straight from the caller's buffer, without a copy of the datagram: true when it was
    /// taken (each record's plaintext comes out as an `applicationData` event; records that do
    /// not authenticate or replay are dropped and counted, as in ``handle(datagram:now:)``);
    /// false, with nothing done, when the native record layer is not running or the datagram
    /// holds anything else — pass it to ``handle(datagram:now:)`` then.
    public func handle(applicationData datagram: UnsafeRawBufferPointer, now: Instant) -> Bool {
        guard let protection, state == .connected, Self.isApplicationDataOnly(datagram) else { return false }
        lastNow = now
        var offset = 0
        while offset < datagram.count {
            let end = offset + DTLSRecordFilter.headerLength + (Int(datagram[offset + 11]) << 8 | Int(datagram[offset + 12]))
            if let plain = protection.open(UnsafeRawBufferPointer(rebasing: datagram[offset..<end])) {
                events.append(.applicationData(plain))
            }
            offset = end
        }
        return true
    }

    /// As ``handle(applicationData:now:)``, but each record's plaintext goes to `deliver` as a
    /// view of a scratch buffer, valid only during the call, instead of an `applicationData`
    /// event: no array per record and no copy after decryption (AES-GCM; with
    /// ChaCha20-Poly1305, or while events wait in ``pollEvent()``, the records become events
    /// as in ``handle(applicationData:now:)``, so the order holds).
    public func handle(applicationData datagram: UnsafeRawBufferPointer, now: Instant,
                       deliver: (UnsafeRawBufferPointer) -> Void) -> Bool {
        guard let protection, protection.opensIntoScratch, !hasPendingEvents else {
            return handle(applicationData: datagram, now: now)
        }
        guard state == .connected, Self.isApplicationDataOnly(datagram) else { return false }
        lastNow = now
        var offset = 0
        while offset < datagram.count {
            let end = offset + DTLSRecordFilter.headerLength + (Int(datagram[offset + 11]) << 8 | Int(datagram[offset + 12]))
            if let plain = protection.openIntoScratch(UnsafeRawBufferPointer(rebasing: datagram[offset..<end])) {
                deliver(plain)
            }
            offset = end
        }
        return true
    }

    /// True when `datagram` is one or more whole DTLS 1.2 epoch 1 application-data records and
    /// nothing else.
    public static func isApplicationDataOnly(_ datagram: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset + DTLSRecordFilter.headerLength <= datagram.count {
            guard datagram[offset] == 23, datagram[offset + 1] == 0xFE, datagram[offset + 2] == 0xFD,
                  datagram[offset + 3] == 0, datagram[offset + 4] == 1 else { return false }
            offset += DTLSRecordFilter.headerLength + (Int(datagram[offset + 11]) << 8 | Int(datagram[offset + 12]))
        }
        return offset == datagram.count && offset > 0
    }

    /// Opens the epoch 1 application-data records of `datagram` (as `applicationData`
    /// events, in order) and returns the records left for OpenSSL, filtered as
    /// ``DTLSRecordFilter`` does (empty when none). Records that do not authenticate or
    /// replay are dropped and counted by `protection`.
    func openApplicationData(_ datagram: [UInt8], with protection: DTLSRecordProtection) -> [UInt8] {
        var rest: [UInt8] = []
        datagram.withUnsafeBytes { raw in
            var offset = 0
            while offset + DTLSRecordFilter.headerLength <= raw.count {
                let type = raw[offset]
                let length = Int(raw[offset + 11]) << 8 | Int(raw[offset + 12])
                let end = offset + DTLSRecordFilter.headerLength + length
                guard end <= raw.count, raw[offset + 1] == 0xFE, raw[offset + 2] == 0xFD,
                      raw[offset + 3] == 0, raw[offset + 4] <= 1 else { break }
                let epoch = raw[offset + 4]
                let record = UnsafeRawBufferPointer(rebasing: raw[offset..<end])
                if type == 23, epoch == 1 {
                    if let plain = protection.open(record) { events.append(.applicationData(plain)) }
                } else if (21...23).contains(type), epoch == 0 || length >= minimumProtectedLength {
                    rest.append(contentsOf: record)
                }
                offset = end
            }
        }
        return rest
    }
}
