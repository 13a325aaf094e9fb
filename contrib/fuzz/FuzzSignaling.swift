// libFuzzer target for the rendezvous JSON frames (built by contrib/fuzz/fuzz.sh together with
// Sources/Signaling/Protocol). Checks: no trap on any input, in either direction; whatever
// decodes re-encodes to a frame that decodes to the same value.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSignaling(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let codec = SignalingCodec()
    if let message = try? codec.decodeClientMessage(text) {
        guard let again = try? codec.decodeClientMessage(codec.encode(message)), again == message else {
            fatalError("client message changed on re-encoding")
        }
    }
    if let message = try? codec.decodeServerMessage(text) {
        guard let again = try? codec.decodeServerMessage(codec.encode(message)), again == message else {
            fatalError("server message changed on re-encoding")
        }
    }
    return 0
}
