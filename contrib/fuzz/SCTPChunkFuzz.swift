// libFuzzer target for the SCTP packet and chunk parsers (and the DCEP parser).
// Built by contrib/fuzz/fuzz.sh together with the parser sources in one module.
// Every input is parsed as an SCTP packet twice: as is (mostly rejected by the CRC), and
// re-sealed with a correct CRC-32C so the chunk parsers see it. Parsed packets must
// serialize and re-parse to the same value.

@_cdecl("LLVMFuzzerTestOneInput")
public func sctpFuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    _ = try? SCTPPacket.parse(bytes)
    if bytes.count >= 12 {
        var sealed = bytes
        SCTPPacket.seal(&sealed)
        if let packet = try? SCTPPacket.parse(sealed) {
            let again = packet.serialize()
            guard let reparsed = try? SCTPPacket.parse(again), reparsed == packet else {
                fatalError("serialize/parse round trip differs")
            }
        }
    }
    return 0
}
