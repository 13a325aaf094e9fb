import SDP
import Testing

@Suite struct MalformedTests {
    static let good = [
        "v=0", "o=- 1 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE 0",
        "m=application 9 UDP/DTLS/SCTP webrtc-datachannel", "c=IN IP4 0.0.0.0",
        "a=mid:0", "a=ice-ufrag:abcd", "a=ice-pwd:abcdefghijklmnopqrstuv", "a=setup:actpass",
        "a=fingerprint:sha-256 00:11:22:33", "a=sctp-port:5000", "a=max-message-size:262144",
    ]

    /// `good` with line `number` (1-based) replaced by `line` (nil removes it).
    static func replacing(_ number: Int, with line: String?) -> String {
        var lines = good
        if let line { lines[number - 1] = line } else { lines.remove(at: number - 1) }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    struct Case: Sendable, CustomStringConvertible {
        let line: Int
        let text: String?
        let expectedLine: Int
        var description: String { "line \(line): \(text ?? "<removed>")" }
    }

    static let cases: [Case] = [
        Case(line: 1, text: "v=1", expectedLine: 1),
        Case(line: 1, text: "x=0", expectedLine: 1),
        Case(line: 2, text: "o=- 1 IN IP4 127.0.0.1", expectedLine: 2),
        Case(line: 2, text: "o=- x 2 IN IP4 127.0.0.1", expectedLine: 2),
        Case(line: 2, text: "s=-", expectedLine: 2),
        Case(line: 3, text: "s=", expectedLine: 3),
        Case(line: 4, text: "t=0", expectedLine: 4),
        Case(line: 4, text: nil, expectedLine: 5), // m= before any t=
        Case(line: 5, text: "a=group", expectedLine: 5),
        Case(line: 5, text: "y=unknown", expectedLine: 5),
        Case(line: 5, text: "just text", expectedLine: 5),
        Case(line: 5, text: "A=mid:0", expectedLine: 5),
        Case(line: 6, text: "m=application 99999 UDP/DTLS/SCTP webrtc-datachannel", expectedLine: 6),
        Case(line: 6, text: "m=application 9 UDP/DTLS/SCTP", expectedLine: 6),
        Case(line: 6, text: "m=application 9/x UDP/DTLS/SCTP webrtc-datachannel", expectedLine: 6),
        Case(line: 7, text: "c=IN IP4", expectedLine: 7),
        Case(line: 7, text: "t=0 0", expectedLine: 7), // t= in a media section
        Case(line: 8, text: "a=mid:", expectedLine: 8),
        Case(line: 8, text: "a=mid", expectedLine: 8),
        Case(line: 8, text: "a=rtcp-mux:yes", expectedLine: 8),
        Case(line: 8, text: "a=:x", expectedLine: 8),
        Case(line: 9, text: "a=ice-ufrag:ab cd", expectedLine: 9),
        Case(line: 10, text: "a=ice-pwd:pässword", expectedLine: 10),
        Case(line: 11, text: "a=setup:sometimes", expectedLine: 11),
        Case(line: 12, text: "a=fingerprint:sha-256 0:11", expectedLine: 12),
        Case(line: 12, text: "a=fingerprint:sha-256 +0:11", expectedLine: 12),
        Case(line: 12, text: "a=fingerprint:sha-256", expectedLine: 12),
        Case(line: 12, text: "a=fingerprint:sha-256 GG:11", expectedLine: 12),
        Case(line: 13, text: "a=sctp-port:65536", expectedLine: 13),
        Case(line: 13, text: "a=sctp-port:+500", expectedLine: 13),
        Case(line: 14, text: "a=max-message-size:-1", expectedLine: 14),
        Case(line: 14, text: "a=rtpmap:128 opus/48000", expectedLine: 14),
        Case(line: 14, text: "a=rtpmap:111 opus", expectedLine: 14),
        Case(line: 14, text: "a=rtcp-fb:x nack", expectedLine: 14),
        Case(line: 14, text: "a=extmap:0 urn:x", expectedLine: 14),
        Case(line: 14, text: "a=extmap:1/sideways urn:x", expectedLine: 14),
        Case(line: 14, text: "a=ssrc:4294967296 cname:x", expectedLine: 14),
        Case(line: 14, text: "a=ssrc-group:FID 1 x", expectedLine: 14),
        Case(line: 14, text: "a=candidate:1 1 udp 1 1.2.3.4 5 host", expectedLine: 14),
        Case(line: 14, text: "a=candidate:1 0 udp 1 1.2.3.4 5 typ host", expectedLine: 14),
        Case(line: 14, text: "a=candidate:1 1 udp 1 1.2.3.4 70000 typ host", expectedLine: 14),
        Case(line: 14, text: "a=msid:a b c", expectedLine: 14),
        Case(line: 14, text: "a=ice-options:", expectedLine: 14),
    ]

    @Test(arguments: cases)
    func malformedLineIsRejectedByNumber(_ c: Case) throws {
        let text = Self.replacing(c.line, with: c.text)
        let error = try #require(throws: SDPParseError.self) { try SessionDescription(parsing: text) }
        #expect(error.line == c.expectedLine, "\(error)")
        if let t = c.text, c.expectedLine == c.line { #expect(error.content == t) }
        #expect(error.description.contains("line \(c.expectedLine)"))
    }

    @Test func theGoodBaseParses() throws {
        let sdp = try SessionDescription(parsing: Self.replacing(1, with: "v=0"))
        #expect(sdp.media.count == 1)
    }

    @Test func structuralErrors() throws {
        let empty = try #require(throws: SDPParseError.self) { try SessionDescription(parsing: "") }
        #expect(empty.reason == .empty)
        let blankInside = Self.good[0...3].joined(separator: "\r\n") + "\r\n\r\na=x\r\n"
        #expect(throws: SDPParseError(line: 5, content: "", reason: .notTypeEqualsValue)) {
            try SessionDescription(parsing: blankInside)
        }
        let noTiming = "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\n"
        #expect(throws: SDPParseError(line: 4, content: "", reason: .missing("t"))) {
            try SessionDescription(parsing: noTiming)
        }
        let bareCR = Array("v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=a\rb\r\nt=0 0\r\n".utf8)
        #expect((try? SessionDescription(parsing: bareCR)) == nil)
        var invalidUTF8 = Array("v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=".utf8)
        invalidUTF8 += [0xFF, 0xFE]
        invalidUTF8 += Array("\r\nt=0 0\r\n".utf8)
        #expect(throws: SDPParseError.self) { try SessionDescription(parsing: invalidUTF8) }
        let outOfOrder = "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\na=x\r\nc=IN IP4 0.0.0.0\r\n"
        let e = try #require(throws: SDPParseError.self) { try SessionDescription(parsing: outOfOrder) }
        #expect(e.line == 6 && e.content == "c=IN IP4 0.0.0.0")
        let twoC = "v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=audio 9 RTP/AVP 0\r\nc=IN IP4 0.0.0.0\r\nc=IN IP4 0.0.0.0\r\n"
        #expect((try? SessionDescription(parsing: twoC)) == nil)
    }

    @Test func lfOnlyAndMissingFinalNewlineAreAccepted() throws {
        let lf = Self.good.joined(separator: "\n")
        let sdp = try SessionDescription(parsing: lf)
        #expect(sdp.serialized == Self.good.joined(separator: "\r\n") + "\r\n")
    }
}
