// libFuzzer target for the rendezvous JSON frames (built by contrib/fuzz/fuzz.sh together with
// Sources/Signaling/Protocol). Checks: no trap on any input, in either direction; whatever
// decodes re-encodes to a frame that decodes to the same value; the `signal` shortcut
// (SignalFrameScanner) and the general JSONDecoder path give the same message or the same error.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSignaling(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let codec = SignalingCodec()
    let client = Result { () throws(SignalingParseError) in try codec.decodeClientMessage(text) }
    let clientGeneral = Result { () throws(SignalingParseError) in try codec.decodeClientMessageGenerally(text) }
    guard client == clientGeneral else { fatalError("client signal shortcut disagrees with the general decoder") }
    if case .success(let message) = client {
        guard let again = try? codec.decodeClientMessage(codec.encode(message)), again == message else {
            fatalError("client message changed on re-encoding")
        }
    }
    let server = Result { () throws(SignalingParseError) in try codec.decodeServerMessage(text) }
    let serverGeneral = Result { () throws(SignalingParseError) in try codec.decodeServerMessageGenerally(text) }
    guard server == serverGeneral else { fatalError("server signal shortcut disagrees with the general decoder") }
    if case .success(let message) = server {
        guard let again = try? codec.decodeServerMessage(codec.encode(message)), again == message else {
            fatalError("server message changed on re-encoding")
        }
    }
    return 0
}
