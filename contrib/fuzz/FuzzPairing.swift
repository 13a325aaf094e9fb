// libFuzzer target for pairing messages (built by contrib/fuzz/fuzz.sh with Sources/Pairing and
// the WireKit files it uses). Feeds the input to a responder session in every state reachable
// without the peer's secret; must never trap.

private let code = try? PairingCode(parsing: "7-velvet-river")
private let info = PairingPeerInfo(deviceID: "AAAA", deviceName: "fuzz", signalingURL: "wss://x")
private let fresh: PairingSession? = code.flatMap {
    try? PairingSession(role: .responder, code: $0, localInfo: info, entropy: [UInt8](repeating: 7, count: 64),
                        now: .zero)
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPairing(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = try? PairingMessage(decoding: bytes)
    guard var session = fresh else { fatalError("could not set up the session") }
    // Split the input into up to three messages at 0xFF bytes and deliver them in order.
    for part in bytes.split(separator: 0xFF, maxSplits: 2, omittingEmptySubsequences: false) {
        session.handle(message: Array(part), now: .zero)
        while session.pollTransmit() != nil {}
        while session.pollEvent() != nil {}
    }
    return 0
}
