extension SessionDescription {
    /// The description as SDP text: lines in RFC 8866 order, each ended by CRLF.
    public var serialized: String {
        var out = ""
        out.reserveCapacity(256 + media.count * 512)
        func line(_ type: Character, _ value: String) {
            out.append(type)
            out.append("=")
            out.append(value)
            out.append("\r\n")
        }
        line("v", "0")
        line("o", origin.description)
        line("s", sessionName)
        if let sessionInformation { line("i", sessionInformation) }
        if let uri { line("u", uri) }
        for e in emails { line("e", e) }
        for p in phones { line("p", p) }
        if let connection { line("c", connection.description) }
        for b in bandwidths { line("b", b.description) }
        for t in timings {
            line("t", t.description)
            for r in t.repeats { line("r", r) }
        }
        if let timeZones { line("z", timeZones) }
        if let encryptionKey { line("k", encryptionKey) }
        for a in attributes { line("a", a.description) }
        for m in media {
            line("m", m.mediaLine)
            if let title = m.title { line("i", title) }
            if let c = m.connection { line("c", c.description) }
            for b in m.bandwidths { line("b", b.description) }
            if let k = m.encryptionKey { line("k", k) }
            for a in m.attributes { line("a", a.description) }
        }
        return out
    }
}

extension SessionDescription: CustomStringConvertible {
    /// The SDP text (``serialized``).
    public var description: String { serialized }
}
