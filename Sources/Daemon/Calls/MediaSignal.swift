import Foundation

/// A call, screen or renegotiation message on a connection's `control` data channel (JSON with a
/// `type`; folder announcements have none):
///
/// ```
/// {"type":"sdp","sdpType":"offer"|"answer","sdp":"…"}       renegotiation on the live connection
/// {"type":"media-need","kinds":["audio"]}                  answerer → offerer: add these m-lines
/// {"type":"call","action":"ring"|"accept"|"reject"|"hangup"|"busy","call":"<id>"}
/// {"type":"screen","action":"start"|"stop"}
/// ```
///
/// Only the connection's offerer adds m-lines; the answerer asks for what it needs with
/// `media-need`. Either side offers to stop its own transceivers when it ends a call or share
/// (crossing offers are settled by perfect negotiation, see ``PeerSession/releaseMedia(_:)``).
/// Every media section is `sendrecv` on both sides and the call state decides what is actually
/// sent. A `call` message names its call by id, so one connection's messages never touch the
/// calls on others.
struct MediaSignal: Codable, Sendable, Equatable {
    /// `sdp`, `media-need`, `call` or `screen`.
    var type: String
    /// `offer` or `answer` (type `sdp`).
    var sdpType: String?
    /// The description (type `sdp`).
    var sdp: String?
    /// `audio` and/or `video` (type `media-need`).
    var kinds: [String]?
    /// What happens (types `call` and `screen`).
    var action: String?
    /// The call's id (type `call`).
    var call: String?

    /// Largest control message accepted.
    static let maxBytes = 1 << 16

    /// JSON text.
    func encoded() -> String {
        String(decoding: (try? JSONEncoder().encode(self)) ?? Data("{}".utf8), as: UTF8.self)
    }

    /// Parses a control message that carries a `type`; nil for anything else (e.g. a folder announcement).
    init?(decoding bytes: [UInt8]) {
        guard bytes.count <= Self.maxBytes, let s = try? JSONDecoder().decode(MediaSignal.self, from: Data(bytes)),
              ["sdp", "media-need", "call", "screen"].contains(s.type) else { return nil }
        self = s
    }

    /// A message.
    init(type: String, sdpType: String? = nil, sdp: String? = nil, kinds: [String]? = nil, action: String? = nil, call: String? = nil) {
        self.type = type; self.sdpType = sdpType; self.sdp = sdp; self.kinds = kinds; self.action = action; self.call = call
    }
}
