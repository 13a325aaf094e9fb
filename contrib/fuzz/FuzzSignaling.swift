// libFuzzer target for the rendezvous JSON frames (built by contrib/fuzz/run.sh together with
// Sources/Signaling). Checks: no trap on any input, from either side; whatever parses
// re-encodes to a frame that parses to the same value.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSignaling(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    for sender in [SignalingFrame.Sender.client, .server] {
        guard let frame = try? SignalingFrame(decoding: bytes, from: sender) else { continue }
        guard let again = try? SignalingFrame(decoding: frame.encoded(), from: sender), again == frame else {
            fatalError("signaling frame changed on re-encoding")
        }
    }
    return 0
}
