// libFuzzer target for the DTLS core (built with Sources/DTLS and WireKit's Instant, see
// contrib/fuzz/fuzz.sh --run dtls). The input is parsed as a typed device ID and an SDP fingerprint,
// then split at 0xFF 0xFF into datagrams fed to an established association: nothing may trap,
// and forged datagrams may never break the association (it must still carry data afterwards).

private final class Established {
    let client: DTLSEndpoint
    let server: DTLSEndpoint

    init() {
        guard let a = try? DeviceIdentity.generate(), let b = try? DeviceIdentity.generate(),
              let client = try? DTLSEndpoint(configuration: DTLSConfiguration(role: .client, identity: a, remoteFingerprints: [b.fingerprint])),
              let server = try? DTLSEndpoint(configuration: DTLSConfiguration(role: .server, identity: b, remoteFingerprints: [a.fingerprint]))
        else { fatalError("fuzz setup failed") }
        self.client = client
        self.server = server
        client.start(now: .zero)
        server.start(now: .zero)
        for _ in 0..<20 { shuttle() }
        guard client.state == .connected, server.state == .connected else { fatalError("fuzz handshake failed") }
        drain()
    }

    func shuttle() {
        while let d = client.pollTransmit() { server.handle(datagram: d, now: .zero) }
        while let d = server.pollTransmit() { client.handle(datagram: d, now: .zero) }
    }

    func drain() {
        while client.pollEvent() != nil {}
        while server.pollEvent() != nil {}
    }
}

nonisolated(unsafe) private let established = Established()  // libFuzzer calls from one thread

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDTLS(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let text = String(decoding: bytes, as: UTF8.self)
    _ = try? DeviceID(parsing: text)
    _ = try? CertificateFingerprint(sdp: text)

    var datagrams: [[UInt8]] = []
    var current: [UInt8] = []
    var i = 0
    while i < bytes.count {
        if i + 1 < bytes.count, bytes[i] == 0xFF, bytes[i + 1] == 0xFF {
            datagrams.append(current)
            current = []
            i += 2
        } else {
            current.append(bytes[i])
            i += 1
        }
    }
    datagrams.append(current)
    for d in datagrams {
        _ = DTLSRecordFilter.sanitized(d, minimumProtectedLength: 24)
        established.server.handle(datagram: d, now: .zero)
        established.client.handle(datagram: d, now: .zero)
        // The driver's copy-free path for application-data datagrams.
        _ = d.withUnsafeBytes { established.client.handle(applicationData: $0, now: .zero) }
    }
    established.shuttle()
    established.drain()
    guard established.client.state == .connected, established.server.state == .connected else {
        fatalError("forged datagrams broke the association: \(established.server.failureDetail ?? established.client.failureDetail ?? "")")
    }
    // The association still carries data.
    do { try established.client.send([1, 2, 3]) } catch { fatalError("send failed: \(error)") }
    established.shuttle()
    var delivered = false
    while let e = established.server.pollEvent() { if case .applicationData([1, 2, 3]) = e { delivered = true } }
    guard delivered else { fatalError("forged datagrams wedged the association") }
    return 0
}
