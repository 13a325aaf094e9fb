import WireKit

/// An INIT or INIT ACK chunk (RFC 9260 §3.3.2, §3.3.3) with the parameters WebRTC uses.
public struct InitChunk: Sendable, Equatable {
    /// The verification tag the sender wants in packets sent to it; never zero.
    public var initiateTag: UInt32
    /// The sender's initial receive window.
    public var advertisedReceiverWindow: UInt32
    /// Number of outbound streams the sender wants.
    public var outboundStreams: UInt16
    /// Maximum number of inbound streams the sender accepts.
    public var inboundStreams: UInt16
    /// The first TSN the sender will use.
    public var initialTSN: UInt32
    /// The state cookie (INIT ACK only).
    public var stateCookie: [UInt8]?
    /// True when the sender supports PR-SCTP (Forward-TSN-Supported parameter, RFC 3758).
    public var forwardTSNSupported: Bool
    /// Chunk types listed in a Supported Extensions parameter (RFC 5061), e.g. RE-CONFIG, FORWARD-TSN.
    public var supportedExtensions: [UInt8]
    /// Cookie Preservative (RFC 9260 §3.3.2.1, §5.2.6): the lifetime increment in milliseconds
    /// the sender asks for after its previous cookie went stale (INIT only).
    public var cookiePreservative: UInt32?
    /// Zero Checksum Acceptable (RFC 9653 §4): the alternate error detection method
    /// (``zeroChecksumOverDTLS``) under which the sender accepts packets with a zero checksum.
    public var zeroChecksumMethod: UInt32?

    /// Parameter type of the state cookie.
    static let stateCookieParameter: UInt16 = 7
    /// Parameter type of Cookie Preservative.
    static let cookiePreservativeParameter: UInt16 = 9
    /// Parameter type of Forward-TSN-Supported.
    static let forwardTSNSupportedParameter: UInt16 = 0xC000
    /// Parameter type of Supported Extensions.
    static let supportedExtensionsParameter: UInt16 = 0x8008
    /// Parameter type of Zero Checksum Acceptable (RFC 9653 §4).
    static let zeroChecksumAcceptableParameter: UInt16 = 0x8001
    /// RFC 9653 error detection method identifier 1: SCTP over DTLS (RFC 8261).
    public static let zeroChecksumOverDTLS: UInt32 = 1

    /// Creates an INIT or INIT ACK.
    public init(initiateTag: UInt32, advertisedReceiverWindow: UInt32, outboundStreams: UInt16, inboundStreams: UInt16,
                initialTSN: UInt32, stateCookie: [UInt8]? = nil, forwardTSNSupported: Bool = true,
                supportedExtensions: [UInt8] = [ChunkType.reconfig, ChunkType.forwardTSN], cookiePreservative: UInt32? = nil) {
        self.initiateTag = initiateTag; self.advertisedReceiverWindow = advertisedReceiverWindow
        self.outboundStreams = outboundStreams; self.inboundStreams = inboundStreams
        self.initialTSN = initialTSN; self.stateCookie = stateCookie
        self.forwardTSNSupported = forwardTSNSupported; self.supportedExtensions = supportedExtensions
        self.cookiePreservative = cookiePreservative
    }

    /// True when the peer can process RE-CONFIG chunks.
    public var supportsReconfig: Bool { supportedExtensions.contains(ChunkType.reconfig) }
    /// True when the peer can send and receive I-DATA and I-FORWARD-TSN (RFC 8260 §2.2).
    public var supportsInterleaving: Bool { supportedExtensions.contains(ChunkType.iData) }

    static func parse(value: inout ByteReader) throws(SCTPParseError) -> InitChunk {
        let chunk = try SCTPParseError.wrap { () throws(WireParseError) -> InitChunk in
            var c = InitChunk(initiateTag: try value.readUInt32(), advertisedReceiverWindow: try value.readUInt32(),
                              outboundStreams: try value.readUInt16(), inboundStreams: try value.readUInt16(),
                              initialTSN: try value.readUInt32(), forwardTSNSupported: false, supportedExtensions: [])
            while value.remaining >= 4 {
                let type = try value.readUInt16()
                let length = Int(try value.readUInt16())
                guard length >= 4 else { throw .malformed("INIT parameter length \(length)") }
                var body = try value.readReader(count: length - 4)
                try value.skip(min(value.remaining, (4 - length % 4) % 4))
                switch type {
                case stateCookieParameter: c.stateCookie = body.readRemainingBytes()
                case cookiePreservativeParameter where body.remaining >= 4: c.cookiePreservative = try body.readUInt32()
                case zeroChecksumAcceptableParameter where body.remaining >= 4: c.zeroChecksumMethod = try body.readUInt32()
                case forwardTSNSupportedParameter: c.forwardTSNSupported = true
                case supportedExtensionsParameter:
                    c.supportedExtensions = body.readRemainingBytes()
                    if c.supportedExtensions.contains(ChunkType.forwardTSN) { c.forwardTSNSupported = true }
                default: break  // IPv4/IPv6 addresses, ECN, AUTH, cookie preservative: not used
                }
            }
            return c
        }
        guard chunk.initiateTag != 0 else { throw .malformed("INIT with a zero initiate tag") }
        guard chunk.outboundStreams != 0, chunk.inboundStreams != 0 else { throw .malformed("INIT with zero streams") }
        return chunk
    }

    /// Appends the whole chunk as `type` (INIT or INIT ACK).
    public func write(type: UInt8, into w: inout ByteWriter) {
        let start = w.count
        w.writeUInt8(type)
        w.writeUInt8(0)
        w.writeUInt16(0)
        w.writeUInt32(initiateTag)
        w.writeUInt32(advertisedReceiverWindow)
        w.writeUInt16(outboundStreams)
        w.writeUInt16(inboundStreams)
        w.writeUInt32(initialTSN)
        if forwardTSNSupported {
            w.writeUInt16(InitChunk.forwardTSNSupportedParameter)
            w.writeUInt16(4)
        }
        if !supportedExtensions.isEmpty {
            w.writeUInt16(InitChunk.supportedExtensionsParameter)
            w.writeUInt16(UInt16(4 + supportedExtensions.count))
            w.writeBytes(supportedExtensions)
            w.pad(to: 4)
        }
        if let zeroChecksumMethod {
            w.writeUInt16(InitChunk.zeroChecksumAcceptableParameter)
            w.writeUInt16(8)
            w.writeUInt32(zeroChecksumMethod)
        }
        if let cookiePreservative {
            w.writeUInt16(InitChunk.cookiePreservativeParameter)
            w.writeUInt16(8)
            w.writeUInt32(cookiePreservative)
        }
        if let cookie = stateCookie {
            w.writeUInt16(InitChunk.stateCookieParameter)
            w.writeUInt16(UInt16(truncatingIfNeeded: 4 + cookie.count))
            w.writeBytes(cookie)
            w.pad(to: 4)
        }
        w.setUInt16(UInt16(truncatingIfNeeded: w.count - start), at: start + 2)
    }
}
