extension SessionDescription {
    /// Limits that keep a hostile description from costing unbounded memory or time.
    public enum Limits {
        /// Largest accepted description in bytes.
        public static let maxBytes = 1 << 20
        /// Most media sections accepted.
        public static let maxMediaSections = 1024
        /// Most lines accepted.
        public static let maxLines = 65_536
    }

    /// Parses SDP text (CRLF or LF line endings). Rejects malformed input with an error that
    /// names the line.
    public init(parsing text: String) throws(SDPParseError) {
        try self.init(parsing: Array(text.utf8))
    }

    /// Parses SDP bytes received from a peer (must be UTF-8). Never traps on any input.
    public init(parsing bytes: [UInt8]) throws(SDPParseError) {
        guard bytes.count <= Limits.maxBytes else {
            throw SDPParseError(line: 1, content: "", reason: .tooLarge("more than \(Limits.maxBytes) bytes"))
        }
        let lines = try Self.splitLines(bytes)
        var parser = SDPLineParser()
        for (index, text) in lines.enumerated() {
            try parser.consume(text, lineNumber: index + 1)
        }
        self = try parser.finish(lineCount: lines.count)
    }

    /// Splits into lines (LF, optionally preceded by CR), validating UTF-8 and rejecting NUL
    /// and bare CR; trailing empty lines are dropped, empty lines elsewhere rejected.
    static func splitLines(_ bytes: [UInt8]) throws(SDPParseError) -> [String] {
        var lines: [String] = []
        var start = 0
        var lineNumber = 1
        func take(_ end: Int) throws(SDPParseError) {
            var stop = end
            if stop > start, bytes[stop - 1] == 0x0D { stop -= 1 }
            let slice = bytes[start..<stop]
            let text = String(decoding: slice, as: UTF8.self)
            guard !slice.contains(0x0D), !slice.contains(0x00), text.utf8.elementsEqual(slice) else {
                throw SDPParseError(line: lineNumber, content: text, reason: .invalidCharacters)
            }
            guard lines.count < Limits.maxLines else {
                throw SDPParseError(line: lineNumber, content: text, reason: .tooLarge("more than \(Limits.maxLines) lines"))
            }
            lines.append(text)
            lineNumber += 1
        }
        for i in bytes.indices where bytes[i] == 0x0A {
            try take(i)
            start = i + 1
        }
        if start < bytes.count { try take(bytes.count) }
        while lines.last?.isEmpty == true { lines.removeLast() }
        if let empty = lines.firstIndex(where: \.isEmpty) {
            throw SDPParseError(line: empty + 1, content: "", reason: .notTypeEqualsValue)
        }
        guard !lines.isEmpty else { throw SDPParseError(line: 1, content: "", reason: .empty) }
        return lines
    }
}

/// The line-by-line state machine behind ``SessionDescription/init(parsing:)-(String)``:
/// enforces RFC 8866 order (`v o s i u e p c b t r z k a`, then `m i c b k a` per section).
struct SDPLineParser {
    private var origin: SDPOrigin?
    private var sessionName: String?
    private var session = SessionDescription(origin: SDPOrigin(sessionID: 0, sessionVersion: 0), timings: [])
    private var current: MediaDescription?
    private var media: [MediaDescription] = []
    /// The rank of the last line seen in the current section, for order checks.
    private var rank = 0
    private var seen: Set<Character> = []

    private static let sessionRank: [Character: Int] = [
        "i": 1, "u": 2, "e": 3, "p": 4, "c": 5, "b": 6, "t": 7, "r": 7, "z": 8, "k": 9, "a": 10,
    ]
    private static let mediaRank: [Character: Int] = ["i": 1, "c": 2, "b": 3, "k": 4, "a": 5]
    private static let singletons: Set<Character> = ["i", "u", "c", "z", "k"]
    private static let knownTypes: Set<Character> = ["v", "o", "s", "i", "u", "e", "p", "c", "b", "t", "r", "z", "k", "a", "m"]

    mutating func consume(_ text: String, lineNumber: Int) throws(SDPParseError) {
        func fail(_ reason: SDPParseError.Reason) -> SDPParseError {
            SDPParseError(line: lineNumber, content: text, reason: reason)
        }
        let utf8 = text.utf8
        guard utf8.count >= 2, let first = utf8.first, first >= 0x61, first <= 0x7A,
              utf8[utf8.index(after: utf8.startIndex)] == 0x3D else {
            throw fail(.notTypeEqualsValue)
        }
        let type = Character(Unicode.Scalar(first))
        let value = text.dropFirst(2)
        guard Self.knownTypes.contains(type) else { throw fail(.unknownType(type)) }
        func parsed<T>(_ make: (Substring) throws(SDPAttributeValueError) -> T) throws(SDPParseError) -> T {
            do { return try make(value) } catch { throw fail(.invalidValue(error.reason)) }
        }

        // The fixed preamble: v=0, o=, s=.
        if lineNumber == 1 {
            guard type == "v" else { throw fail(.unexpected("the first line must be v=0")) }
            guard value == "0" else { throw fail(.invalidValue("only SDP version 0 exists")) }
            return
        }
        if origin == nil {
            guard type == "o" else { throw fail(.unexpected("o= must follow v=")) }
            origin = try parsed { (v) throws(SDPAttributeValueError) in try SDPOrigin(parsing: v) }
            return
        }
        if sessionName == nil {
            guard type == "s" else { throw fail(.unexpected("s= must follow o=")) }
            guard !value.isEmpty else { throw fail(.invalidValue("s= must not be empty (use `-`)")) }
            sessionName = String(value)
            return
        }
        if type == "v" || type == "o" || type == "s" {
            throw fail(.unexpected("\(type)= may appear only once, at the start"))
        }

        if type == "m" {
            guard !session.timings.isEmpty else { throw fail(.missing("t")) }
            if let current { media.append(current) }
            guard media.count < SessionDescription.Limits.maxMediaSections else {
                throw fail(.tooLarge("more than \(SessionDescription.Limits.maxMediaSections) media sections"))
            }
            current = try parsed { (v) throws(SDPAttributeValueError) in try Self.parseMediaLine(v) }
            rank = 0
            seen = []
            return
        }

        let ranks = current == nil ? Self.sessionRank : Self.mediaRank
        guard let r = ranks[type] else {
            throw fail(.unexpected("\(type)= is not allowed \(current == nil ? "at session level" : "in a media section")"))
        }
        guard r >= rank else { throw fail(.unexpected("\(type)= is out of RFC 8866 order")) }
        if Self.singletons.contains(type) {
            guard !seen.contains(type) else { throw fail(.unexpected("\(type)= may appear only once per section")) }
            seen.insert(type)
        }
        rank = r

        switch type {
        case "a":
            let line = try parsed { (v) throws(SDPAttributeValueError) in try SDPAttributeLine(parsing: v) }
            if current != nil { current?.attributes.append(line) } else { session.attributes.append(line) }
        case "c":
            let c = try parsed { (v) throws(SDPAttributeValueError) in try SDPConnectionData(parsing: v) }
            if current != nil { current?.connection = c } else { session.connection = c }
        case "b":
            let b = try parsed { (v) throws(SDPAttributeValueError) in try SDPBandwidth(parsing: v) }
            if current != nil { current?.bandwidths.append(b) } else { session.bandwidths.append(b) }
        case "i":
            if current != nil { current?.title = String(value) } else { session.sessionInformation = String(value) }
        case "k":
            if current != nil { current?.encryptionKey = String(value) } else { session.encryptionKey = String(value) }
        case "t":
            session.timings.append(try parsed { (v) throws(SDPAttributeValueError) in try SDPTiming(parsing: v) })
        case "r":
            guard !session.timings.isEmpty else { throw fail(.unexpected("r= must follow a t= line")) }
            session.timings[session.timings.count - 1].repeats.append(String(value))
        case "u": session.uri = String(value)
        case "e": session.emails.append(String(value))
        case "p": session.phones.append(String(value))
        case "z": session.timeZones = String(value)
        default: preconditionFailure("rank table and switch out of sync for \(type)")
        }
    }

    mutating func finish(lineCount: Int) throws(SDPParseError) -> SessionDescription {
        let end = lineCount + 1
        guard let origin else { throw SDPParseError(line: end, content: "", reason: .missing("o")) }
        guard let sessionName else { throw SDPParseError(line: end, content: "", reason: .missing("s")) }
        guard !session.timings.isEmpty else { throw SDPParseError(line: end, content: "", reason: .missing("t")) }
        if let current { media.append(current) }
        var result = session
        result.origin = origin
        result.sessionName = sessionName
        result.media = media
        return result
    }

    /// Parses `<media> <port>[/<count>] <proto> <fmt> …`.
    static func parseMediaLine(_ value: Substring) throws(SDPAttributeValueError) -> MediaDescription {
        let f = value.split(separator: " ", omittingEmptySubsequences: false)
        guard f.count >= 4, f.allSatisfy(SDPScalars.isNonSpaceString), SDPScalars.isToken(f[0]) else {
            throw SDPAttributeValueError("m= must be `<media> <port> <proto> <fmt> …`")
        }
        let portParts = f[1].split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(portParts.count), let port = SDPScalars.number(portParts[0], as: UInt16.self) else {
            throw SDPAttributeValueError("m= port must be 0–65535 with an optional /<count>")
        }
        var count: UInt16?
        if portParts.count == 2 {
            guard let c = SDPScalars.number(portParts[1], as: UInt16.self) else {
                throw SDPAttributeValueError("m= port count must be a number")
            }
            count = c
        }
        return MediaDescription(kind: SDPMediaKind(rawValue: String(f[0])), port: port, portCount: count,
                                transportProtocol: String(f[2]), formats: f.dropFirst(3).map(String.init))
    }
}
