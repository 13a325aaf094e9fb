// libFuzzer target for the SDP parser (built by contrib/fuzz/fuzz.sh together with
// Sources/SDP as one module). Checks: no trap on any input; whatever parses writes back
// to text that parses to the same value; errors name a line that exists.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSDP(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        let sdp = try SessionDescription(parsing: bytes)
        let text = sdp.serialized
        guard let again = try? SessionDescription(parsing: text), again == sdp, again.serialized == text else {
            fatalError("SDP write/parse round trip changed the description")
        }
    } catch {
        let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: false).count
        guard error.line >= 1, error.line <= lines + 1 else {
            fatalError("SDPParseError names line \(error.line) of \(lines)")
        }
    }
    return 0
}
