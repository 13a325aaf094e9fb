#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Signaling

/// Everything `syncd-rendezvous` can be configured with. Documented key by key in
/// `Config/rendezvous.example.json`; precedence: defaults < file < environment < flags.
public struct RendezvousConfiguration: Sendable, Equatable {
    /// Address to listen on.
    public var host: String = "127.0.0.1"
    /// TCP port to listen on (0: any free port).
    public var port: Int = 7480
    /// The identity string sent in `hello` and signed by clients (pin it in clients).
    public var serverIdentity: String = "peersync-rendezvous"
    /// Log level name (`trace` … `critical`).
    public var logLevel: String = "info"
    /// Outbound frames buffered per connection before it counts as a slow consumer.
    public var outboundQueueLimit: Int = 256
    /// Event loop threads serving connections (0: NIO's shared group, one thread per core).
    /// Every thread takes the hub's one lock per message, and a signal between connections on
    /// different threads costs a wake-up of the other thread, so on a small or busy machine
    /// one thread can relay with lower latency than several.
    public var eventLoopThreads: Int = 0
    /// The hub's limits.
    public var limits = HubLimits()
    /// When set, the server speaks TLS (`https://`, `wss://`) with this certificate chain and key
    /// (PEM files; keys `tlsCertificateFile` and `tlsKeyFile`). Nil: plain HTTP, for loopback or
    /// behind a TLS-terminating reverse proxy.
    public var tls: TLSServerConfiguration?

    /// The defaults.
    public init() {}

    /// Why a configuration could not be loaded.
    public enum LoadError: Error, Equatable, CustomStringConvertible {
        /// The file could not be read.
        case unreadable(String)
        /// The file is not JSON of the documented shape.
        case malformed(String)
        /// A key is not one this version knows (catches typos).
        case unknownKey(String)
        /// A value is out of range or of the wrong form.
        case invalidValue(key: String, value: String)

        public var description: String {
            switch self {
            case .unreadable(let why): "cannot read the configuration file: \(why)"
            case .malformed(let why): "the configuration file is malformed: \(why)"
            case .unknownKey(let key): "unknown configuration key \"\(key)\""
            case .invalidValue(let key, let value): "invalid value \"\(value)\" for \(key)"
            }
        }
    }

    /// Loads the defaults, then the JSON file at `path` (if any), then `RENDEZVOUS_*`
    /// variables from `environment`.
    public static func load(path: String?, environment: [String: String]) throws(LoadError) -> RendezvousConfiguration {
        var configuration = RendezvousConfiguration()
        if let path {
            let data: Data
            do { data = try Data(contentsOf: URL(fileURLWithPath: path)) } catch { throw .unreadable("\(path): \(error)") }
            try configuration.apply(json: data)
        }
        try configuration.apply(environment: environment)
        return configuration
    }

    /// Applies the keys present in a JSON configuration document.
    public mutating func apply(json data: Data) throws(LoadError) {
        let file: FileShape
        do { file = try JSONDecoder().decode(FileShape.self, from: data) } catch { throw .malformed("\(error)") }
        if let value = file.host { host = value }
        if let value = file.port { try setPort(value, key: "port") }
        if let value = file.serverIdentity { serverIdentity = value }
        if let value = file.logLevel { logLevel = value }
        if let value = file.outboundQueueLimit { outboundQueueLimit = value }
        if let value = file.eventLoopThreads { eventLoopThreads = value }
        for (key, value) in file.limits ?? [:] { try setLimit(key, value) }
        try setTLS(certificate: file.tlsCertificateFile, key: file.tlsKeyFile)
        try validate()
    }

    /// Applies `RENDEZVOUS_HOST`, `RENDEZVOUS_PORT`, `RENDEZVOUS_SERVER_IDENTITY`,
    /// `RENDEZVOUS_LOG_LEVEL`, `RENDEZVOUS_OUTBOUND_QUEUE_LIMIT`, `RENDEZVOUS_EVENT_LOOP_THREADS`,
    /// `RENDEZVOUS_TLS_CERTIFICATE_FILE`,
    /// `RENDEZVOUS_TLS_KEY_FILE` and one `RENDEZVOUS_<LIMIT>` per limit (`maxConnections` →
    /// `RENDEZVOUS_MAX_CONNECTIONS`).
    public mutating func apply(environment: [String: String]) throws(LoadError) {
        try setTLS(certificate: environment["RENDEZVOUS_TLS_CERTIFICATE_FILE"], key: environment["RENDEZVOUS_TLS_KEY_FILE"])
        for (name, value) in environment where name.hasPrefix("RENDEZVOUS_") {
            switch name {
            case "RENDEZVOUS_TLS_CERTIFICATE_FILE", "RENDEZVOUS_TLS_KEY_FILE": continue
            case "RENDEZVOUS_HOST": host = value
            case "RENDEZVOUS_PORT":
                guard let port = Int(value) else { throw .invalidValue(key: name, value: value) }
                try setPort(port, key: name)
            case "RENDEZVOUS_SERVER_IDENTITY": serverIdentity = value
            case "RENDEZVOUS_LOG_LEVEL": logLevel = value
            case "RENDEZVOUS_OUTBOUND_QUEUE_LIMIT":
                guard let limit = Int(value) else { throw .invalidValue(key: name, value: value) }
                outboundQueueLimit = limit
            case "RENDEZVOUS_EVENT_LOOP_THREADS":
                guard let threads = Int(value), threads >= 0 else { throw .invalidValue(key: name, value: value) }
                eventLoopThreads = threads
            default:
                let snake = String(name.dropFirst("RENDEZVOUS_".count))
                guard let key = Self.limitKeys.first(where: { Self.screamingSnake($0.name) == snake })?.name else {
                    throw .unknownKey(name)
                }
                guard let number = Double(value) else { throw .invalidValue(key: name, value: value) }
                try setLimit(key, number)
            }
        }
        try validate()
    }

    /// Sets (or, with both nil, keeps) the TLS files; one without the other is an error.
    public mutating func setTLS(certificate: String?, key: String?) throws(LoadError) {
        switch (certificate, key) {
        case (nil, nil): return
        case (let certificate?, let key?): tls = TLSServerConfiguration(certificateChainFile: certificate, privateKeyFile: key)
        case (nil, _?): throw .invalidValue(key: "tlsCertificateFile", value: "(missing; tlsKeyFile is set)")
        case (_?, nil): throw .invalidValue(key: "tlsKeyFile", value: "(missing; tlsCertificateFile is set)")
        }
    }

    private mutating func setPort(_ value: Int, key: String) throws(LoadError) {
        guard (0...65_535).contains(value) else { throw .invalidValue(key: key, value: String(value)) }
        port = value
    }

    private mutating func setLimit(_ key: String, _ value: Double) throws(LoadError) {
        guard let entry = Self.limitKeys.first(where: { $0.name == key }) else { throw .unknownKey("limits.\(key)") }
        guard value >= 0, value.isFinite else { throw .invalidValue(key: "limits.\(key)", value: String(value)) }
        switch entry.path {
        case .integer(let path):
            guard value == value.rounded(), value <= Double(Int32.max) else {
                throw .invalidValue(key: "limits.\(key)", value: String(value))
            }
            limits[keyPath: path] = Int(value)
        case .real(let path):
            limits[keyPath: path] = value
        }
    }

    private func validate() throws(LoadError) {
        guard outboundQueueLimit >= 1 else { throw .invalidValue(key: "outboundQueueLimit", value: String(outboundQueueLimit)) }
        guard eventLoopThreads >= 0 else { throw .invalidValue(key: "eventLoopThreads", value: String(eventLoopThreads)) }
        guard limits.maxFrameBytes >= 1_024 else { throw .invalidValue(key: "limits.maxFrameBytes", value: String(limits.maxFrameBytes)) }
        guard limits.messagesPerSecond > 0 else { throw .invalidValue(key: "limits.messagesPerSecond", value: String(limits.messagesPerSecond)) }
        guard (1...18).contains(limits.roomCodeDigits) else { throw .invalidValue(key: "limits.roomCodeDigits", value: String(limits.roomCodeDigits)) }
    }

    /// The JSON file's shape; every key optional.
    private struct FileShape: Decodable {
        var host: String?
        var port: Int?
        var serverIdentity: String?
        var logLevel: String?
        var outboundQueueLimit: Int?
        var eventLoopThreads: Int?
        var limits: [String: Double]?
        var tlsCertificateFile: String?
        var tlsKeyFile: String?
    }

    private enum LimitPath {
        case integer(WritableKeyPath<HubLimits, Int>)
        case real(WritableKeyPath<HubLimits, Double>)
    }

    /// Every limit's configuration key and where it lives in `HubLimits`.
    private static var limitKeys: [(name: String, path: LimitPath)] { [
        ("maxConnections", .integer(\.maxConnections)),
        ("maxConnectionsPerAddress", .integer(\.maxConnectionsPerAddress)),
        ("maxFrameBytes", .integer(\.maxFrameBytes)),
        ("maxPayloadBytes", .integer(\.maxPayloadBytes)),
        ("messagesPerSecond", .real(\.messagesPerSecond)),
        ("messageBurst", .real(\.messageBurst)),
        ("rateLimitCloseAfter", .integer(\.rateLimitCloseAfter)),
        ("maxMalformedFrames", .integer(\.maxMalformedFrames)),
        ("maxSubscriptions", .integer(\.maxSubscriptions)),
        ("maxRoomsPerDevice", .integer(\.maxRoomsPerDevice)),
        ("roomLifetimeSeconds", .integer(\.roomLifetimeSeconds)),
        ("maxRoomMessages", .integer(\.maxRoomMessages)),
        ("authTimeoutSeconds", .integer(\.authTimeoutSeconds)),
        ("roomCodeDigits", .integer(\.roomCodeDigits)),
    ] }

    /// `maxConnectionsPerAddress` → `MAX_CONNECTIONS_PER_ADDRESS`.
    static func screamingSnake(_ camel: String) -> String {
        var out = ""
        for character in camel {
            if character.isUppercase, !out.isEmpty { out.append("_") }
            out.append(contentsOf: character.uppercased())
        }
        return out
    }
}
