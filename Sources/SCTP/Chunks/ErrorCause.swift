import WireKit

/// An error cause carried by ABORT and ERROR chunks (RFC 9260 §3.3.10).
public struct ErrorCause: Sendable, Equatable, CustomStringConvertible {
    /// Cause code.
    public var code: UInt16
    /// Cause-specific information.
    public var info: [UInt8]

    /// Creates a cause.
    public init(code: UInt16, info: [UInt8] = []) { self.code = code; self.info = info }

    /// Invalid Stream Identifier (1).
    public static let invalidStreamIdentifier: UInt16 = 1
    /// Missing Mandatory Parameter (2).
    public static let missingMandatoryParameter: UInt16 = 2
    /// Stale Cookie Error (3); info is the staleness in microseconds.
    public static let staleCookie: UInt16 = 3
    /// Out of Resource (4).
    public static let outOfResource: UInt16 = 4
    /// Unrecognized Chunk Type (6); info is the offending chunk.
    public static let unrecognizedChunkType: UInt16 = 6
    /// No User Data (9).
    public static let noUserData: UInt16 = 9
    /// Cookie Received While Shutting Down (10).
    public static let cookieWhileShuttingDown: UInt16 = 10
    /// User-Initiated Abort (12); info is an upper-layer reason.
    public static let userInitiatedAbort: UInt16 = 12
    /// Protocol Violation (13); info is a description.
    public static let protocolViolation: UInt16 = 13

    /// A User-Initiated Abort carrying `reason` as UTF-8.
    public static func userAbort(_ reason: String) -> ErrorCause { ErrorCause(code: userInitiatedAbort, info: Array(reason.utf8)) }
    /// A Protocol Violation carrying `reason` as UTF-8.
    public static func violation(_ reason: String) -> ErrorCause { ErrorCause(code: protocolViolation, info: Array(reason.utf8)) }

    public var description: String {
        switch code {
        case ErrorCause.userInitiatedAbort: return "user-initiated abort: \(String(decoding: info, as: UTF8.self))"
        case ErrorCause.protocolViolation: return "protocol violation: \(String(decoding: info, as: UTF8.self))"
        case ErrorCause.staleCookie: return "stale cookie"
        case ErrorCause.outOfResource: return "out of resource"
        default: return "error cause \(code)"
        }
    }

    /// Parses a list of causes filling `value`.
    static func parseList(_ value: inout ByteReader) throws(SCTPParseError) -> [ErrorCause] {
        try SCTPParseError.wrap { () throws(WireParseError) in
            var causes = [ErrorCause]()
            while value.remaining >= 4 {
                let code = try value.readUInt16()
                let length = Int(try value.readUInt16())
                guard length >= 4 else { throw .malformed("error cause length \(length)") }
                causes.append(ErrorCause(code: code, info: try value.readBytes(length - 4)))
                try value.skip(min(value.remaining, (4 - length % 4) % 4))
            }
            return causes
        }
    }

    /// Appends the cause with padding.
    func write(into w: inout ByteWriter) {
        w.writeUInt16(code)
        w.writeUInt16(UInt16(truncatingIfNeeded: 4 + info.count))
        w.writeBytes(info)
        w.pad(to: 4)
    }
}
