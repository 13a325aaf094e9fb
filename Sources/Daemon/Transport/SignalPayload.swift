import Foundation
import PeerConnection

/// What syncd puts in a rendezvous `signal` payload: JSON text in the convention of the
/// server's `/demo` page (`{"kind":"offer","sdp":…}`, `{"kind":"candidate","candidate":{…}}`),
/// plus a `session` tag naming one offer/answer exchange so that late candidates of an older
/// attempt are not applied to a newer connection, and `hello`, which asks the peer (the side
/// that offers) to start a connection now.
struct SignalPayload: Codable, Sendable, Equatable {
    /// `offer`, `answer`, `candidate` or `hello`.
    var kind: String
    /// The exchange this belongs to (chosen by the offerer).
    var session: String?
    /// The SDP of an offer or answer.
    var sdp: String?
    /// A trickled candidate (`candidate` empty: end of candidates).
    var candidate: ICECandidateInit?

    /// Largest payload accepted from the server (its own limit is 60,000 bytes).
    static let maxBytes = 60_000

    /// JSON text.
    func encoded() -> String {
        let data = (try? JSONEncoder().encode(self)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }

    /// Parses a payload; nil when it is not one of ours.
    init?(decoding text: String) {
        guard text.utf8.count <= Self.maxBytes,
              let value = try? JSONDecoder().decode(SignalPayload.self, from: Data(text.utf8)),
              ["offer", "answer", "candidate", "hello"].contains(value.kind) else { return nil }
        self = value
    }

    /// A payload.
    init(kind: String, session: String? = nil, sdp: String? = nil, candidate: ICECandidateInit? = nil) {
        self.kind = kind
        self.session = session
        self.sdp = sdp
        self.candidate = candidate
    }
}
