import Foundation
import Testing
@testable import Rendezvous

@Suite("Rendezvous configuration")
struct ConfigurationTests {
    static var examplePath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Config/rendezvous.example.json").path
    }

    @Test("the example file loads and equals the defaults")
    func example() throws {
        let loaded = try RendezvousConfiguration.load(path: Self.examplePath, environment: [:])
        #expect(loaded == RendezvousConfiguration())
    }

    @Test("environment overrides the file; limits by their screaming-snake names")
    func environment() throws {
        let loaded = try RendezvousConfiguration.load(path: Self.examplePath, environment: [
            "RENDEZVOUS_PORT": "9000", "RENDEZVOUS_SERVER_IDENTITY": "rv.example",
            "RENDEZVOUS_MAX_CONNECTIONS_PER_ADDRESS": "7", "RENDEZVOUS_MESSAGES_PER_SECOND": "2.5", "HOME": "/root",
        ])
        #expect(loaded.port == 9000)
        #expect(loaded.serverIdentity == "rv.example")
        #expect(loaded.limits.maxConnectionsPerAddress == 7)
        #expect(loaded.limits.messagesPerSecond == 2.5)
    }

    @Test("typos and bad values are errors")
    func errors() {
        #expect(throws: RendezvousConfiguration.LoadError.unknownKey("RENDEZVOUS_MAX_CONECTIONS")) {
            try RendezvousConfiguration.load(path: nil, environment: ["RENDEZVOUS_MAX_CONECTIONS": "1"])
        }
        #expect(throws: RendezvousConfiguration.LoadError.invalidValue(key: "RENDEZVOUS_PORT", value: "70000")) {
            try RendezvousConfiguration.load(path: nil, environment: ["RENDEZVOUS_PORT": "70000"])
        }
        var configuration = RendezvousConfiguration()
        #expect(throws: RendezvousConfiguration.LoadError.unknownKey("limits.maxRooms")) {
            try configuration.apply(json: Data(#"{"limits":{"maxRooms":3}}"#.utf8))
        }
        #expect(throws: RendezvousConfiguration.LoadError.invalidValue(key: "limits.maxConnections", value: "1.5")) {
            try configuration.apply(json: Data(#"{"limits":{"maxConnections":1.5}}"#.utf8))
        }
    }
}
