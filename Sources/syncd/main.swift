import ArgumentParser
import CPlatform
import ControlAPI
import Daemon
import Logging
import Foundation
import ServiceLifecycle

/// `syncd`: the PeerSync daemon (see `syncd --help`); all logic lives in the Daemon library.
@main
struct SyncdCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "syncd",
        abstract: "The PeerSync daemon: keeps folders in sync with paired devices.",
        discussion: """
        Configuration: --config, else $PEERSYNC_CONFIG, else $XDG_CONFIG_HOME/peersync/syncd.json (optional). \
        Environment overrides: PEERSYNC_DEVICE_NAME, PEERSYNC_STATE_DIR, PEERSYNC_CONTROL_SOCKET, \
        PEERSYNC_RENDEZVOUS_URL, PEERSYNC_LOG_LEVEL, PEERSYNC_LOG_FORMAT, PEERSYNC_METRICS_PORT. \
        Exit codes: 0 stopped cleanly, 1 runtime failure, 78 bad configuration (EX_CONFIG).
        """)

    @Option(name: .long, help: "The configuration file (JSON with // comments).")
    var config: String?

    @Option(name: .customLong("state-dir"), help: "The state folder (identity, index, trust store).")
    var stateDir: String?

    @Flag(name: .customLong("print-config"), help: "Print the effective configuration and exit.")
    var printConfig = false

    func run() async throws {
        // Two malloc arenas: the daemon's many short-lived threads (cooperative pool, event
        // loops, fsync queues) otherwise each get one that keeps freed chunk buffers (peak RSS
        // of a 287 MiB sync: 78–84 MiB → 71 MiB). An explicit MALLOC_ARENA_MAX still wins.
        if getenv("MALLOC_ARENA_MAX") == nil { _ = cplatform_limit_malloc_arenas(2) }
        // Fixed thresholds: glibc otherwise raises its mmap threshold after the hasher's 1.25 MiB
        // read buffers are freed (and the trim threshold to twice that), so later buffers come
        // from the heap and freed megabytes stay resident. An arena keeps 2 MiB at its top when
        // it trims: with none, every chunk frame and datagram batch freed there was handed back
        // (madvise) and faulted in again while a sync ran (8 % of a sender's CPU). The daemon
        // releases the rest once its folders go idle (DaemonService).
        if getenv("MALLOC_MMAP_THRESHOLD_") == nil { _ = cplatform_keep_freed_heap(256 << 10, 1 << 20, 2 << 20) }
        let environment = PeerSyncPaths.processEnvironment()
        let settings: DaemonConfig
        do { settings = try DaemonConfig.load(configFile: config, stateDirectory: stateDir, environment: environment) } catch {
            print("syncd: \(error)", to: &StandardError.shared)
            throw ExitCode(78)
        }
        if printConfig {
            print(settings.describe())
            return
        }
        let logger = DaemonLogging.bootstrap(config: settings, environment: environment)
        // Each folder holds up to `maxActivePulls` temp files open while it pulls (128 by default),
        // plus the files it serves, its database and the sockets: a few busy folders outgrow the
        // usual soft limit of 1,024. The hard limit is the administrator's; it is taken, up to 65,536.
        // Under the shipped systemd units the call is filtered (EPERM) and LimitNOFILE sets it.
        let openFiles = cplatform_raise_open_file_limit(65_536)
        if openFiles >= 0 {
            logger.debug("open-file limit \(openFiles)")
        } else if openFiles == -Int64(EPERM) {
            logger.debug("open-file limit left as the service manager set it")
        } else {
            logger.warning("could not raise the open-file limit (errno \(-openFiles)); syncing many folders at once may fail with 'too many open files'")
        }
        let daemon: SyncDaemon
        do { daemon = try SyncDaemon(config: settings, logger: logger) } catch {
            logger.critical("\(error)")
            print("syncd: \(error)", to: &StandardError.shared)
            throw ExitCode(1)
        }
        let group = ServiceGroup(configuration: .init(services: [.init(service: DaemonService(daemon: daemon, logger: logger))],
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        do { try await group.run() } catch {
            print("syncd: \(error)", to: &StandardError.shared)
            throw ExitCode(1)
        }
    }
}

/// stderr as a `TextOutputStream`.
struct StandardError: TextOutputStream {
    // nonisolated(unsafe): a stateless value; writes go straight to fd 2.
    nonisolated(unsafe) static var shared = StandardError()
    mutating func write(_ string: String) { FileHandle.standardError.write(Data(string.utf8)) }
}
