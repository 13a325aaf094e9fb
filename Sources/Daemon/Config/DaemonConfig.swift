import ControlAPI
import Foundation
import SyncEngine

/// syncd's settings: the configuration file (JSON with `//` comments), then environment
/// overrides, then command-line flags. Every key is documented in `Config/syncd.example.json`.
public struct DaemonConfig: Sendable, Equatable {
    /// One STUN or TURN server.
    public struct ICEServer: Codable, Sendable, Equatable {
        /// `stun:host:port` or `turn:host:port?transport=udp` URLs.
        public var urls: [String]
        /// TURN user name.
        public var username: String?
        /// TURN password.
        public var credential: String?
    }

    /// The device name shown to peers.
    public var deviceName: String
    /// The state folder (identity, index database, trust store, folder list).
    public var stateDirectory: String
    /// The control socket path.
    public var controlSocket: String
    /// The rendezvous (signaling) server, e.g. `ws://127.0.0.1:8787/ws`; nil = no signaling.
    public var rendezvousURL: String?
    /// STUN/TURN servers for ICE.
    public var iceServers: [ICEServer] = []
    /// Local addresses used for ICE host candidates: `all` (every interface but loopback),
    /// `loopback` (127.0.0.1 only: tests and one-machine demos) or `all+loopback`.
    public var iceInterfaces: String = "all"
    /// Log level: trace, debug, info, notice, warning, error, critical.
    public var logLevel: String = "info"
    /// `auto` (journald when started by systemd with JOURNAL_STREAM), `journal` or `text`.
    public var logFormat: String = "auto"
    /// Port of the Prometheus endpoint on 127.0.0.1; nil = off.
    public var metricsPort: Int?
    /// Seconds between full rescans of each folder (inotify catches changes in between).
    public var rescanIntervalSeconds: Int = 3600
    /// Most chunk bytes requested and not yet answered, per folder (the engine's default unless set).
    public var maxBytesInFlight: Int = FolderConfig.defaultMaxBytesInFlight
    /// Most files pulled at once, per folder (each holds a temp file open): for small files this,
    /// not ``maxBytesInFlight``, bounds what is requested.
    public var maxActivePulls: Int = FolderConfig.defaultMaxActivePulls
    /// Keep replaced and deleted files under `.peersync/versions/`.
    public var versioning: Bool = false
    /// Most voice calls (ringing or active, one per device) at once; a ring beyond it is refused as busy.
    public var maxCalls: Int = 4
    /// Most screen shares sent (and, separately, received) at once, one per device each way.
    public var maxScreenShares: Int = 4

    /// The keys the configuration file may hold.
    public static let fileKeys: Set<String> = ["deviceName", "stateDirectory", "controlSocket", "rendezvousURL", "iceServers",
                                               "iceInterfaces", "logLevel", "logFormat", "metricsPort", "rescanIntervalSeconds",
                                               "maxBytesInFlight", "maxActivePulls", "versioning", "maxCalls", "maxScreenShares"]

    /// The environment variables that override file keys.
    public static let environmentKeys: [String: String] = [
        "PEERSYNC_DEVICE_NAME": "deviceName", "PEERSYNC_STATE_DIR": "stateDirectory",
        "PEERSYNC_CONTROL_SOCKET": "controlSocket", "PEERSYNC_RENDEZVOUS_URL": "rendezvousURL",
        "PEERSYNC_LOG_LEVEL": "logLevel", "PEERSYNC_ICE_INTERFACES": "iceInterfaces", "PEERSYNC_LOG_FORMAT": "logFormat", "PEERSYNC_METRICS_PORT": "metricsPort",
    ]

    static let logLevels: Set<String> = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    /// Defaults for `environment` (XDG paths, host name).
    public static func defaults(environment: [String: String]) -> DaemonConfig {
        let paths = PeerSyncPaths.defaults(environment: environment)
        return DaemonConfig(deviceName: ProcessInfo.processInfo.hostName, stateDirectory: paths.stateDirectory,
                            controlSocket: paths.controlSocket)
    }

    /// Loads the configuration: `configFile` (nil = the XDG default, which may be absent),
    /// then `environment` overrides, then `stateDirectory` (the `--state-dir` flag).
    ///
    /// When `--state-dir` is given and the file names no socket, the socket moves into the state
    /// folder, so that two daemons with separate state never share a socket.
    public static func load(configFile: String?, stateDirectory: String?, environment: [String: String]) throws(ConfigError) -> DaemonConfig {
        var config = defaults(environment: environment)
        let path = configFile ?? environment["PEERSYNC_CONFIG"] ?? PeerSyncPaths.defaults(environment: environment).configFile
        var socketSet = false
        if FileManager.default.fileExists(atPath: path) {
            let text: String
            do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
                throw .unreadable(path: path, reason: "\(error.localizedDescription)")
            }
            let object = try parse(text, path: path)
            try config.apply(object, path: path)
            socketSet = object["controlSocket"] != nil
        } else if configFile != nil || environment["PEERSYNC_CONFIG"] != nil {
            throw .missing(path: path)
        }
        var overrides: [String: Any] = [:]
        for (variable, key) in environmentKeys {
            guard let value = environment[variable], !value.isEmpty else { continue }
            if key == "metricsPort" {
                guard let port = Int(value) else { throw .invalidValue(source: variable, key: key, reason: "\(value) is not a port number") }
                overrides[key] = port
            } else {
                overrides[key] = value
            }
        }
        try config.apply(overrides, path: "environment")
        if overrides["controlSocket"] != nil { socketSet = true }
        if let stateDirectory {
            config.stateDirectory = stateDirectory
            if !socketSet { config.controlSocket = stateDirectory + "/syncd.sock" }
        }
        try config.validate()
        return config
    }

    /// Parses JSON with `//` and `/* */` comments into an object.
    static func parse(_ text: String, path: String) throws(ConfigError) -> [String: Any] {
        let stripped = JSONComments.strip(text)
        let any: Any
        do { any = try JSONSerialization.jsonObject(with: Data(stripped.utf8)) } catch {
            let detail = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String ?? "\(error)"
            throw .syntax(path: path, reason: detail)
        }
        guard let object = any as? [String: Any] else { throw .syntax(path: path, reason: "the top level must be an object { … }") }
        return object
    }

    mutating func apply(_ object: [String: Any], path: String) throws(ConfigError) {
        for key in object.keys.sorted() where !Self.fileKeys.contains(key) {
            let near = Self.fileKeys.first { $0.lowercased() == key.lowercased() }
            throw .unknownKey(source: path, key: key, suggestion: near)
        }
        func string(_ key: String) throws(ConfigError) -> String? {
            guard let v = object[key] else { return nil }
            if v is NSNull { return nil }
            guard let s = v as? String else { throw .invalidValue(source: path, key: key, reason: "expected a string") }
            return s
        }
        func int(_ key: String) throws(ConfigError) -> Int? {
            guard let v = object[key], !(v is NSNull) else { return nil }
            // `true`/`false` are NSNumbers of ObjC type "c" (`v is Bool` also holds for 0 and 1 on Linux).
            guard let n = v as? NSNumber, String(cString: n.objCType) != "c", n.doubleValue == n.doubleValue.rounded() else {
                throw .invalidValue(source: path, key: key, reason: "expected a whole number")
            }
            return n.intValue
        }
        if let v = try string("deviceName") { deviceName = v }
        if let v = try string("stateDirectory") { stateDirectory = v }
        if let v = try string("controlSocket") { controlSocket = v }
        if object["rendezvousURL"] is NSNull { rendezvousURL = nil } else if let v = try string("rendezvousURL") { rendezvousURL = v }
        if let v = try string("iceInterfaces") { iceInterfaces = v }
        if let v = try string("logLevel") { logLevel = v }
        if let v = try string("logFormat") { logFormat = v }
        if object["metricsPort"] is NSNull { metricsPort = nil } else if let v = try int("metricsPort") { metricsPort = v }
        if let v = try int("rescanIntervalSeconds") { rescanIntervalSeconds = v }
        if let v = try int("maxBytesInFlight") { maxBytesInFlight = v }
        if let v = try int("maxActivePulls") { maxActivePulls = v }
        if let v = try int("maxCalls") { maxCalls = v }
        if let v = try int("maxScreenShares") { maxScreenShares = v }
        if let v = object["versioning"] {
            guard let b = v as? Bool else { throw .invalidValue(source: path, key: "versioning", reason: "expected true or false") }
            versioning = b
        }
        if let v = object["iceServers"] {
            do {
                let data = try JSONSerialization.data(withJSONObject: v)
                iceServers = try JSONDecoder().decode([ICEServer].self, from: data)
            } catch {
                throw .invalidValue(source: path, key: "iceServers",
                                    reason: "expected a list of {\"urls\": [\"stun:host:port\"], \"username\": …, \"credential\": …}")
            }
        }
    }

    func validate() throws(ConfigError) {
        guard Self.logLevels.contains(logLevel) else {
            throw .invalidValue(source: "configuration", key: "logLevel", reason: "\(logLevel) is not one of \(Self.logLevels.sorted().joined(separator: ", "))")
        }
        guard ["auto", "journal", "text"].contains(logFormat) else {
            throw .invalidValue(source: "configuration", key: "logFormat", reason: "\(logFormat) is not auto, journal or text")
        }
        guard stateDirectory.hasPrefix("/") else {
            throw .invalidValue(source: "configuration", key: "stateDirectory", reason: "\(stateDirectory) is not an absolute path")
        }
        guard controlSocket.hasPrefix("/"), controlSocket.utf8.count < 108 else {
            throw .invalidValue(source: "configuration", key: "controlSocket", reason: "\(controlSocket) must be an absolute path shorter than 108 bytes")
        }
        if let port = metricsPort, !(1...65535).contains(port) {
            throw .invalidValue(source: "configuration", key: "metricsPort", reason: "\(port) is not in 1…65535")
        }
        guard rescanIntervalSeconds >= 10 else {
            throw .invalidValue(source: "configuration", key: "rescanIntervalSeconds", reason: "must be at least 10")
        }
        guard maxBytesInFlight >= 1 << 16 else {
            throw .invalidValue(source: "configuration", key: "maxBytesInFlight", reason: "must be at least 65536")
        }
        guard (1...4096).contains(maxActivePulls) else {
            throw .invalidValue(source: "configuration", key: "maxActivePulls", reason: "\(maxActivePulls) is not in 1…4096")
        }
        guard (1...16).contains(maxCalls) else {
            throw .invalidValue(source: "configuration", key: "maxCalls", reason: "\(maxCalls) is not in 1…16")
        }
        guard (1...16).contains(maxScreenShares) else {
            throw .invalidValue(source: "configuration", key: "maxScreenShares", reason: "\(maxScreenShares) is not in 1…16")
        }
        guard ["all", "loopback", "all+loopback"].contains(iceInterfaces) else {
            throw .invalidValue(source: "configuration", key: "iceInterfaces", reason: "\(iceInterfaces) is not all, loopback or all+loopback")
        }
        if let url = rendezvousURL, !(url.hasPrefix("ws://") || url.hasPrefix("wss://")) {
            throw .invalidValue(source: "configuration", key: "rendezvousURL", reason: "\(url) must start with ws:// or wss://")
        }
        for server in iceServers {
            for url in server.urls where !(url.hasPrefix("stun:") || url.hasPrefix("turn:") || url.hasPrefix("turns:")) {
                throw .invalidValue(source: "configuration", key: "iceServers", reason: "\(url) must start with stun:, turn: or turns:")
            }
        }
    }
}

extension DaemonConfig {
    /// The effective settings, one `key = value` per line (for `syncd --print-config`).
    public func describe() -> String {
        """
        deviceName = \(deviceName)
        stateDirectory = \(stateDirectory)
        controlSocket = \(controlSocket)
        rendezvousURL = \(rendezvousURL ?? "(none)")
        iceServers = \(iceServers.flatMap(\.urls).joined(separator: ", "))
        iceInterfaces = \(iceInterfaces)
        logLevel = \(logLevel)
        logFormat = \(logFormat)
        metricsPort = \(metricsPort.map(String.init) ?? "(off)")
        rescanIntervalSeconds = \(rescanIntervalSeconds)
        maxBytesInFlight = \(maxBytesInFlight)
        maxActivePulls = \(maxActivePulls)
        versioning = \(versioning)
        """
    }
}
