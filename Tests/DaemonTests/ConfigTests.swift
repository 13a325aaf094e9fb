import ControlAPI
import Daemon
import Foundation
import Testing

@Suite struct ConfigTests {
    @Test func xdgDefaults() throws {
        let env = ["HOME": "/home/a", "XDG_STATE_HOME": "/s", "XDG_RUNTIME_DIR": "/run/user/7"]
        let c = try DaemonConfig.load(configFile: nil, stateDirectory: nil, environment: env)
        #expect(c.stateDirectory == "/s/peersync")
        #expect(c.controlSocket == "/run/user/7/peersync/syncd.sock")
        let p = PeerSyncPaths.defaults(environment: ["HOME": "/home/a"])
        #expect(p.stateDirectory == "/home/a/.local/state/peersync")
        #expect(p.configFile == "/home/a/.config/peersync/syncd.json")
        #expect(p.controlSocket == "/home/a/.local/state/peersync/syncd.sock")
    }

    @Test func exampleFileParsesWithEveryKey() throws {
        let example = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Config/syncd.example.json").path
        let c = try DaemonConfig.load(configFile: example, stateDirectory: nil, environment: ["HOME": "/h"])
        #expect(c.deviceName == "my-laptop")
        #expect(c.rendezvousURL == "ws://127.0.0.1:8787/ws")
        #expect(c.iceServers.count == 2 && c.iceServers[1].username == "peersync")
        #expect(c.metricsPort == nil)
        #expect(c.maxCalls == 4 && c.maxScreenShares == 4)
        #expect(c.maxActivePulls == 128 && c.maxBytesInFlight == 4 << 20)
        let text = try String(contentsOfFile: example, encoding: .utf8)
        for key in DaemonConfig.fileKeys { #expect(text.contains("\"\(key)\""), "example lacks \(key)") }
    }

    @Test func environmentAndFlagsOverrideTheFile() throws {
        let dir = TempDir()
        let file = dir.path + "/c.json"
        try #"{ "deviceName": "file", "logLevel": "debug", "maxCalls": 1, "maxActivePulls": 512 } // trailing comment"#.write(toFile: file, atomically: true, encoding: .utf8)
        let c = try DaemonConfig.load(configFile: file, stateDirectory: "/var/x",
                                      environment: ["HOME": "/h", "PEERSYNC_DEVICE_NAME": "env", "PEERSYNC_METRICS_PORT": "9100"])
        #expect(c.deviceName == "env")
        #expect(c.logLevel == "debug")
        #expect(c.maxCalls == 1, "a 1 is a number, not true")
        #expect(c.maxActivePulls == 512)
        #expect(c.describe().contains("maxActivePulls = 512"))
        #expect(c.metricsPort == 9100)
        #expect(c.stateDirectory == "/var/x")
        #expect(c.controlSocket == "/var/x/syncd.sock")
    }

    @Test(arguments: [
        (#"{ "devicename": "x" }"#, "did you mean \"deviceName\""),
        (#"{ "logLevel": "loud" }"#, "loud is not one of"),
        (#"{ "metricsPort": "80" }"#, "expected a whole number"),
        (#"{ "metricsPort": 70000 }"#, "70000 is not in 1…65535"),
        (#"{ "maxCalls": true }"#, "expected a whole number"),
        (#"{ "maxCalls": 0 }"#, "0 is not in 1…16"),
        (#"{ "maxScreenShares": 17 }"#, "17 is not in 1…16"),
        (#"{ "maxActivePulls": 0 }"#, "0 is not in 1…4096"),
        (#"{ "maxActivePulls": 1.5 }"#, "expected a whole number"),
        (#"{ "rendezvousURL": "http://x" }"#, "must start with ws://"),
        (#"{ "deviceName": "x" "logLevel": "info" }"#, "is not valid JSON"),
        (#"[1]"#, "top level must be an object"),
        (#"{ "iceServers": [{"url": "stun:x"}] }"#, "expected a list of"),
    ])
    func badConfigurationsSayWhatIsWrong(text: String, expected: String) throws {
        let dir = TempDir()
        let file = dir.path + "/c.json"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        do {
            _ = try DaemonConfig.load(configFile: file, stateDirectory: nil, environment: ["HOME": "/h"])
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.description.contains(expected), "\(error.description)")
        }
    }

    @Test func missingExplicitFileIsAnError() {
        #expect(throws: ConfigError.missing(path: "/nonexistent/syncd.json")) {
            try DaemonConfig.load(configFile: "/nonexistent/syncd.json", stateDirectory: nil, environment: ["HOME": "/h"])
        }
    }
}
