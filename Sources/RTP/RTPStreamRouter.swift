/// Routes incoming RTP packets to media sections (MIDs) as BUNDLE does (RFC 8843 §9.2).
///
/// A packet carrying the MID header extension binds its SSRC to that MID; later packets are
/// routed by SSRC; without either, a payload type that only one MID uses decides.
public struct RTPStreamRouter: Sendable {
    /// The `a=extmap` id of `urn:ietf:params:rtp-hdrext:sdes:mid`, if negotiated.
    public var midExtensionID: UInt8?
    private var ssrcToMID: [UInt32: String] = [:]
    private var payloadTypeToMID: [UInt8: String] = [:]
    private var ambiguousPayloadTypes: Set<UInt8> = []

    /// A router using the MID extension id `midExtensionID`.
    public init(midExtensionID: UInt8? = nil) {
        self.midExtensionID = midExtensionID
    }

    /// Declares that `mid` receives `payloadTypes` (a PT shared by two MIDs routes by SSRC only).
    public mutating func add(mid: String, payloadTypes: [UInt8]) {
        for pt in payloadTypes {
            if let other = payloadTypeToMID[pt], other != mid {
                ambiguousPayloadTypes.insert(pt)
            }
            payloadTypeToMID[pt] = mid
        }
    }

    /// Binds `ssrc` to `mid` (from `a=ssrc` lines).
    public mutating func bind(ssrc: UInt32, mid: String) { ssrcToMID[ssrc] = mid }

    /// The MID an SSRC is bound to, if known.
    public func mid(forSSRC ssrc: UInt32) -> String? { ssrcToMID[ssrc] }

    /// The MID `packet` belongs to, learning SSRC bindings from the MID extension; nil if unknown.
    public mutating func route(_ packet: RTPPacket) -> String? {
        if let id = midExtensionID, let value = packet.headerExtension?.value(id: id),
           let mid = String(validating: value, as: UTF8.self), !mid.isEmpty {
            ssrcToMID[packet.ssrc] = mid
            return mid
        }
        if let mid = ssrcToMID[packet.ssrc] { return mid }
        if !ambiguousPayloadTypes.contains(packet.payloadType), let mid = payloadTypeToMID[packet.payloadType] {
            ssrcToMID[packet.ssrc] = mid
            return mid
        }
        return nil
    }
}
