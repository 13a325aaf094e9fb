// libFuzzer target for the DCEP parser (RFC 8832), built by contrib/fuzz/fuzz.sh together with
// Sources/DataChannel/DCEPMessage.swift and DataChannelParseError.swift as one module.
// Checks: no trap on any input; whatever parses serializes to bytes that parse to the same
// message, and an OPEN re-serializes to exactly the bytes it was parsed from (minus trailing junk).
import WireKit

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDCEP(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let message = try? DCEPMessage.parse(bytes) else { return 0 }
    let again = message.serialize()
    guard let back = try? DCEPMessage.parse(again), back == message else {
        fatalError("DCEP serialize/parse round trip changed the message: \(message)")
    }
    if case .open = message, !bytes.starts(with: again) {
        fatalError("DCEP OPEN re-serialized to different bytes")
    }
    return 0
}
