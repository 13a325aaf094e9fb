import DTLS
import Foundation
import Testing
import WireKit
@testable import Signaling

/// The seed corpus of the signaling fuzz target (`contrib/fuzz/corpus/signaling`) is made by
/// the current codec: one file per message form (`client-*`, `server-*`) plus a few malformed
/// frames (`bad-*`). This test fails when the committed corpus drifts from the codec;
/// `PEERSYNC_REGENERATE_FUZZ_CORPUS=1 swift test --filter FuzzCorpusTests` rewrites it.
@Suite("Signaling fuzz seed corpus")
struct FuzzCorpusTests {
    static let alice = DeviceID(digest: Array(0..<32))!
    static let bob = DeviceID(digest: (0..<32).map { UInt8(255 - $0) })!
    static let offer = #"{"kind":"offer","sdp":"v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\na=group:BUNDLE 0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=ice-ufrag:u1Zx\r\na=ice-pwd:q1w2e3r4t5y6u7i8o9p0a1s2\r\na=fingerprint:sha-256 AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89\r\na=setup:actpass\r\na=mid:0\r\na=sctp-port:5000\r\n"}"#
    static let candidate = #"{"kind":"candidate","candidate":{"candidate":"candidate:1 1 udp 2122260223 127.0.0.1 50000 typ host","sdpMid":"0","sdpMLineIndex":0}}"#

    static let clientMessages: [(String, ClientMessage)] = [
        ("client-auth-certificate", .auth(AuthProof(credential: .certificate(Array(repeating: 0x30, count: 48)),
                                                   signature: Array(repeating: 0x02, count: 70)))),
        ("client-auth-public-key", .auth(AuthProof(credential: .publicKey(Array(repeating: 0x04, count: 91)),
                                                  signature: Array(repeating: 0x5a, count: 64), signatureFormat: .raw))),
        ("client-signal-offer", .signal(to: bob, payload: offer)),
        ("client-signal-candidate", .signal(to: bob, payload: candidate)),
        ("client-subscribe", .subscribe([alice, bob])),
        ("client-unsubscribe", .unsubscribe([bob])),
        ("client-create-room", .createRoom(code: nil)),
        ("client-create-room-chosen", .createRoom(code: "7")),
        ("client-join-room", .joinRoom(code: "4711")),
        ("client-room-message", .roomMessage(code: "4711", payload: "spake2:share:BASE64")),
        ("client-close-room-done", .closeRoom(code: "4711", outcome: .done)),
        ("client-close-room-failed", .closeRoom(code: "4711", outcome: .failed)),
        ("client-ping", .ping(id: "1")),
        ("client-ping-bare", .ping(id: nil)),
    ]

    static let serverMessages: [(String, ServerMessage)] = [
        ("server-hello", .hello(version: 1, nonce: Array(0..<32), server: "peersync-rendezvous")),
        ("server-welcome", .welcome(device: alice)),
        ("server-signal", .signal(from: alice, payload: offer)),
        ("server-presence-online", .presence(device: bob, online: true)),
        ("server-presence-offline", .presence(device: bob, online: false)),
        ("server-room-created", .roomCreated(code: "4711", expiresIn: 600)),
        ("server-room-joined", .roomJoined(code: "4711")),
        ("server-room-message", .roomMessage(code: "4711", payload: "spake2:confirm:BASE64")),
        ("server-room-closed-peer-left", .roomClosed(code: "4711", reason: .peerLeft)),
        ("server-room-closed-expired", .roomClosed(code: "4711", reason: .expired)),
        ("server-error-device-offline", .error(code: .deviceOffline, message: "the device is not online", ref: bob.description)),
        ("server-error-rate-limited", .error(code: .rateLimited, message: "slow down", ref: nil)),
        ("server-pong", .pong(id: "1")),
    ]

    /// Frames every decoder must refuse (seeds for the error paths).
    static let malformed: [(String, String)] = [
        ("bad-not-json", "{\"type\":\"signal\""),
        ("bad-unknown-type", #"{"type":"challenge","version":1}"#),
        ("bad-device-id-check", #"{"type":"signal","to":"AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAA-AAAAAAB","payload":"x"}"#),
        ("bad-auth-both-forms", #"{"type":"auth","certificate":"AQI=","publicKey":"AQI=","signature":"AwQ="}"#),
        ("bad-room-code", #"{"type":"join-room","room":"no spaces allowed"}"#),
    ]

    /// The corpus files as the codec makes them, by file name.
    static func expectedFiles() -> [String: String] {
        let codec = SignalingCodec()
        var files: [String: String] = [:]
        for (name, message) in clientMessages { files["\(name).json"] = codec.encode(message) }
        for (name, message) in serverMessages { files["\(name).json"] = codec.encode(message) }
        for (name, text) in malformed { files["\(name).json"] = text }
        return files
    }

    static var corpusDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("contrib/fuzz/corpus/signaling")
    }

    @Test("the committed seed corpus is what the current codec makes")
    func corpusMatchesCodec() throws {
        let expected = Self.expectedFiles()
        let directory = Self.corpusDirectory
        let manager = FileManager.default
        if ProcessInfo.processInfo.environment["PEERSYNC_REGENERATE_FUZZ_CORPUS"] == "1" {
            for name in (try? manager.contentsOfDirectory(atPath: directory.path)) ?? [] {
                try manager.removeItem(at: directory.appendingPathComponent(name))
            }
            try manager.createDirectory(at: directory, withIntermediateDirectories: true)
            for (name, text) in expected {
                try Data(text.utf8).write(to: directory.appendingPathComponent(name))
            }
        }
        let present = Set(try manager.contentsOfDirectory(atPath: directory.path))
        #expect(present == Set(expected.keys),
                "corpus drifted: run PEERSYNC_REGENERATE_FUZZ_CORPUS=1 swift test --filter FuzzCorpusTests")
        // JSONEncoder's key order varies between runs, so seeds are compared as messages.
        let codec = SignalingCodec()
        func onDisk(_ name: String) -> String {
            (try? String(contentsOf: directory.appendingPathComponent("\(name).json"), encoding: .utf8)) ?? ""
        }
        for (name, message) in Self.clientMessages {
            #expect((try? codec.decodeClientMessage(onDisk(name))) == message, "\(name).json is not what the codec makes")
        }
        for (name, message) in Self.serverMessages {
            #expect((try? codec.decodeServerMessage(onDisk(name))) == message, "\(name).json is not what the codec makes")
        }
        for (name, text) in Self.malformed {
            #expect(onDisk(name) == text, "\(name).json differs")
        }
    }

    @Test("every seed decodes as its direction's message, and every bad seed is refused")
    func seedsDecode() {
        let codec = SignalingCodec()
        for (name, message) in Self.clientMessages {
            #expect((try? codec.decodeClientMessage(codec.encode(message))) == message, "\(name)")
        }
        for (name, message) in Self.serverMessages {
            #expect((try? codec.decodeServerMessage(codec.encode(message))) == message, "\(name)")
        }
        for (name, text) in Self.malformed {
            #expect((try? codec.decodeClientMessage(text)) == nil, "\(name)")
            #expect((try? codec.decodeServerMessage(text)) == nil, "\(name)")
        }
    }
}
