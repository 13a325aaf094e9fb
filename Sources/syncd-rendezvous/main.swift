import ArgumentParser
import Foundation
import Logging
import Rendezvous

#if canImport(Glibc)
import Glibc
#endif

/// `syncd-rendezvous`: the PeerSync signaling server.
@main
struct SyncdRendezvous: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "syncd-rendezvous",
        abstract: "The PeerSync rendezvous (signaling) server.",
        discussion: "Configuration: defaults < --config file < RENDEZVOUS_* environment < flags. See Config/rendezvous.example.json.")

    @Option(help: "A JSON configuration file (see Config/rendezvous.example.json).")
    var config: String?

    @Option(help: "Address to listen on (default 127.0.0.1).")
    var host: String?

    @Option(help: "TCP port to listen on (default 7480; 0 picks a free one).")
    var port: Int?

    @Option(help: "PEM certificate chain: serve https:// and wss:// (needs --tls-key).")
    var tlsCert: String?

    @Option(help: "PEM private key of --tls-cert.")
    var tlsKey: String?

    @Flag(help: "Shut down (as on SIGTERM) when standard input reaches end of file, so a parent holding the other end of a pipe takes the server down with it, even when the parent is killed.")
    var exitOnStdinEof = false

    func run() async throws {
        var environment: [String: String] = [:]
        var cursor = environ
        while let pointer = cursor.pointee {
            let entry = String(cString: pointer)
            if let eq = entry.firstIndex(of: "=") {
                environment[String(entry[..<eq])] = String(entry[entry.index(after: eq)...])
            }
            cursor += 1
        }
        var settings = try RendezvousConfiguration.load(path: config, environment: environment)
        if let host { settings.host = host }
        if let port {
            guard (0...65_535).contains(port) else { throw ValidationError("--port must be 0…65535") }
            settings.port = port
        }
        if tlsCert != nil || tlsKey != nil {
            do {
                try settings.setTLS(certificate: tlsCert, key: tlsKey)
            } catch {
                throw ValidationError("--tls-cert and --tls-key go together")
            }
        }
        let level = Logger.Level(rawValue: settings.logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "syncd-rendezvous")
        logger.logLevel = level
        logger.info("starting", metadata: ["host": "\(settings.host)", "port": "\(settings.port)",
                                           "tls": "\(settings.tls == nil ? "off" : "on")",
                                           "serverIdentity": "\(settings.serverIdentity)"])
        if exitOnStdinEof { watchStandardInput() }
        try await RendezvousServer(configuration: settings, logger: logger).run()
    }

    /// Reads (and discards) standard input on a thread of its own; at end of file or an error,
    /// sends this process SIGTERM, which starts the graceful shutdown.
    func watchStandardInput() {
        Thread.detachNewThread {
            var buffer = [UInt8](repeating: 0, count: 256)
            while true {
                let count = read(STDIN_FILENO, &buffer, buffer.count)
                if count > 0 { continue }
                if count < 0 && errno == EINTR { continue }
                break
            }
            kill(getpid(), SIGTERM)
        }
    }
}
