import Foundation
import PeerConnection

/// Outgoing signaling messages as JSON text in browser shapes, one per `deliver` call (a line
/// on stdout, or a rendezvous `signal` payload). Candidates are held back until our
/// description is out, so a browser peer never sees a candidate before the SDP.
final class SignalOut: @unchecked Sendable {
    // @unchecked: every field is guarded by `lock`; `deliver` is called under it, in order.
    private let lock = NSLock()
    private var descriptionSent = false
    private var held: [[String: Any]] = []
    private let deliver: @Sendable (String) -> Void

    /// Messages go to `deliver` (default: a line on stdout).
    init(deliver: @escaping @Sendable (String) -> Void = { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) }) {
        self.deliver = deliver
    }

    func send(description: SessionDescriptionInit) {
        lock.lock()
        defer { lock.unlock() }
        write(["type": description.type.rawValue, "sdp": description.sdp])
        descriptionSent = true
        for h in held { write(h) }
        held.removeAll()
    }

    func send(candidate: ICECandidateInit?) {
        lock.lock()
        defer { lock.unlock() }
        let object: [String: Any]
        if let c = candidate {
            object = ["type": "candidate", "candidate": c.candidate, "sdpMid": c.sdpMid ?? "0", "sdpMLineIndex": c.sdpMLineIndex ?? 0]
        } else {
            object = ["type": "end-of-candidates"]
        }
        if descriptionSent { write(object) } else { held.append(object) }
    }

    private func write(_ object: [String: Any]) {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
        deliver(String(decoding: data, as: UTF8.self))
    }
}

/// One signaling message read from stdin.
enum SignalIn: Sendable {
    case description(SessionDescriptionInit)
    case candidate(ICECandidateInit?)

    static func parse(_ line: String) -> SignalIn? {
        guard let data = line.data(using: .utf8),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let type = object["type"] as? String else { return nil }
        switch type {
        case "offer", "answer", "pranswer", "rollback":
            guard let t = SDPType(rawValue: type) else { return nil }
            return .description(SessionDescriptionInit(type: t, sdp: object["sdp"] as? String ?? ""))
        case "candidate":
            let text = object["candidate"] as? String ?? ""
            if text.isEmpty { return .candidate(nil) }
            return .candidate(ICECandidateInit(candidate: text, sdpMid: object["sdpMid"] as? String,
                                               sdpMLineIndex: object["sdpMLineIndex"] as? Int,
                                               usernameFragment: object["usernameFragment"] as? String))
        case "end-of-candidates":
            return .candidate(nil)
        default:
            return nil
        }
    }
}

/// Lines of stdin as an async stream (a reader thread; the stream ends at EOF).
func stdinLines() -> AsyncStream<String> {
    let (stream, continuation) = AsyncStream<String>.makeStream()
    let thread = Thread {
        while let line = readLine(strippingNewline: true) { continuation.yield(line) }
        continuation.finish()
    }
    thread.start()
    return stream
}

/// Writes a log line to stderr.
func log(_ message: String) {
    FileHandle.standardError.write(Data(("rtc-peer: " + message + "\n").utf8))
}
