// libFuzzer target for the STUN decoder (contrib/fuzz/fuzz.sh --run stun builds and runs it).
// Every input must either decode or throw STUNParseError: a trap or a sanitizer report is a bug.
// A decoded message is also re-encoded and its integrity checked, to exercise those paths.
import STUN
import WireKit

@_cdecl("LLVMFuzzerTestOneInput")
public func stunFuzzTestOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        let message = try STUNMessage.decode(bytes)
        _ = message.verifyIntegrity(key: .shortTerm(password: "fuzz"))
        let again = message.encode(key: .shortTerm(password: "fuzz"), fingerprint: true)
        let back = try STUNMessage.decode(again)
        guard back == message else { fatalError("re-encoded message differs: \(message) vs \(back)") }
    } catch {
        // A typed parse error: the expected outcome for most inputs.
    }
    return 0
}
