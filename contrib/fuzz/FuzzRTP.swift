// libFuzzer target for the RTP packet and RTCP compound parsers (Sources/RTP), built by run.sh.
// Checks: no trap on any input; a parsed RTP packet survives serialise → parse unchanged; an RTCP
// compound is stable after one normalising round trip.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzRTP(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let packet = try? RTPPacket(parsing: bytes) {
        guard let again = try? RTPPacket(parsing: packet.serialized()), again == packet else {
            fatalError("RTP round trip changed the packet")
        }
    }
    if let parts = try? RTCPPacket.parseCompound(bytes), !parts.isEmpty {
        guard let once = try? RTCPPacket.parseCompound(RTCPPacket.serializeCompound(parts)),
              let twice = try? RTCPPacket.parseCompound(RTCPPacket.serializeCompound(once)), once == twice else {
            fatalError("RTCP round trip is not stable")
        }
    }
    return 0
}
