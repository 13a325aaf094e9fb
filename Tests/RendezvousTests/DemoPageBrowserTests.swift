import DTLS
import Foundation
import Logging
import NIOPosix
import Signaling
import Testing
@testable import Rendezvous

/// `/demo` in headless Chromium against a real server: the page authenticates with its own
/// WebCrypto key (the browser form of `auth`), and a signaling round trip runs between it and
/// a Swift `SignalingClient`: the page's offer reaches the Swift device from the ID the page
/// computed for itself, and the Swift device's answer reaches the page, which applies it.
@Suite("The /demo page in headless Chromium", .serialized, .timeLimit(.minutes(1)))
struct DemoPageBrowserTests {
    @Test("the page authenticates, sends an offer through the server and applies the answer")
    func signalingRoundTrip() async throws {
        try await withServer { _, port in
            let browser = try await offPool { try HeadlessChromium() }
            defer { browser.quit() }
            let bob = EndToEndTests.client(Devices.bob, port: port)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { await bob.run() }
                var bobEvents = bob.events.makeAsyncIterator()
                await expectEvent(&bobEvents) { $0 == .authenticated(Devices.bob.deviceID) }

                let session = try await offPool { try browser.open("http://127.0.0.1:\(port)/demo") }
                // The page shows its device ID once the server has welcomed it.
                let shown = try await offPool {
                    try browser.evaluate(Self.waitFor(#"/^[A-Z2-7]{7}(-[A-Z2-7]{7}){7}$/.test(document.getElementById("me").textContent) && document.getElementById("me").textContent"#),
                                         session: session)
                }
                let browserID = try DeviceID(parsing: shown ?? "")
                // Someone types bob's ID and clicks "Connect data channel".
                _ = try await offPool {
                    try browser.evaluate(#"document.getElementById("peer").value = "\#(Devices.bob.deviceID)"; document.getElementById("call").click(); true"#,
                                         session: session)
                }
                let offerEvent = await nextEvent(&bobEvents) {
                    if case .message(.signal(_, let payload)) = $0 { payload.contains(#""offer""#) } else { false }
                }
                guard case .message(.signal(let from, let payload))? = offerEvent,
                      let offer = try JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any],
                      let sdp = offer["sdp"] as? String else {
                    Issue.record("bob never got the page's offer: \(String(describing: offerEvent))")
                    return
                }
                #expect(from == browserID, "the server bound the page to the ID it computed from its own key")
                #expect(sdp.contains("webrtc-datachannel"))

                let answer = Self.answer(to: sdp, fingerprint: Devices.bob.deviceID.fingerprint.sdpValue)
                let answerPayload = String(decoding: try JSONSerialization.data(withJSONObject: ["kind": "answer", "sdp": answer]), as: UTF8.self)
                try await bob.send(.signal(to: browserID, payload: answerPayload))
                let log = try await offPool {
                    try browser.evaluate(Self.waitFor(#"pc && pc.signalingState === "stable" && pc.remoteDescription && pc.remoteDescription.type === "answer" && document.getElementById("log").textContent"#),
                                         session: session)
                } ?? ""
                #expect(log.contains("(matches SHA-256 of my SPKI)"))
                #expect(log.contains("presence: \(Devices.bob.deviceID) online"))
                #expect(log.contains("signal from \(Devices.bob.deviceID): answer"))
                await bob.stop()
                try await tasks.waitForAll()
            }
        }
    }

    /// A page expression that resolves with `condition`'s value once it is truthy (10 s at most).
    static func waitFor(_ condition: String) -> String {
        """
        new Promise((resolve, reject) => {
          const started = Date.now();
          (function check() {
            let value; try { value = (\(condition)); } catch (e) { value = undefined; }
            if (value) { resolve(value); return; }
            if (Date.now() - started > 10000) { reject(new Error("timed out; log: " + document.getElementById("log").textContent)); return; }
            setTimeout(check, 20);
          })();
        })
        """
    }

    /// A data-channel answer to `offer` (same mid), with `fingerprint` and fresh ICE credentials;
    /// it offers no candidates, so the browser never sends a connectivity check anywhere.
    static func answer(to offer: String, fingerprint: String) -> String {
        let lines = offer.split(whereSeparator: { $0 == "\r" || $0 == "\n" }).map(String.init)
        let mid = lines.first { $0.hasPrefix("a=mid:") }.map { String($0.dropFirst(6)) } ?? "0"
        return [
            "v=0", "o=- 4242 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE \(mid)",
            "m=application 9 UDP/DTLS/SCTP webrtc-datachannel", "c=IN IP4 0.0.0.0",
            "a=ice-ufrag:psyn", "a=ice-pwd:peersyncpeersyncpeersync", "a=ice-options:trickle",
            "a=fingerprint:\(fingerprint)", "a=setup:active", "a=mid:\(mid)",
            "a=sctp-port:5000", "a=max-message-size:262144", "",
        ].joined(separator: "\r\n")
    }
}

/// Runs blocking work on NIO's thread pool, so the cooperative pool keeps serving the server.
func offPool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await NIOThreadPool.singleton.runIfActive(work)
}
