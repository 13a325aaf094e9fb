import CPlatform
import Logging
import ServiceLifecycle

/// syncd as a swift-service-lifecycle `Service`: starts the daemon and the control server,
/// tells systemd READY (and STATUS, WATCHDOG while running), and on graceful shutdown
/// (SIGTERM/SIGINT) says STOPPING, stops the folders (each finishes its write in progress),
/// closes the links and checkpoints the database.
public struct DaemonService: Service {
    let daemon: SyncDaemon
    let logger: Logger
    let notifier = SystemdNotifier()

    /// A service running `daemon`.
    public init(daemon: SyncDaemon, logger: Logger) { self.daemon = daemon; self.logger = logger }

    /// Runs until graceful shutdown.
    public func run() async throws {
        await daemon.start()
        var transport: PeerTransport?
        if daemon.config.rendezvousURL != nil {
            do {
                let t = try PeerTransport(daemon: daemon, logger: logger)
                await daemon.setTransport(t)
                transport = t
            } catch {
                logger.error("\(error)")
            }
        }
        let server = ControlServer(socketPath: daemon.config.controlSocket, service: ControlService(backend: daemon), logger: logger)
        let notifier = self.notifier
        let daemon = self.daemon
        let logger = self.logger
        var failure: (any Error)?
        await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await server.run(ready: {
                    let summary = await daemon.summary()
                    notifier.ready(status: summary)
                    logger.info("control socket ready", metadata: ["socket": "\(daemon.config.controlSocket)"])
                })
            }
            if let port = daemon.config.metricsPort {
                group.addTask {
                    try await MetricsServer(port: port, daemon: daemon, logger: logger).run(bound: { p in
                        logger.info("metrics on http://127.0.0.1:\(p)/metrics")
                    })
                }
            }
            group.addTask {
                // STATUS every 10 s; WATCHDOG at half the interval systemd asks for. Once no
                // folder scans or syncs any more, the memory malloc keeps free for the next
                // buffers (syncd's main) goes back to the kernel.
                let watchdog = notifier.watchdogInterval()
                let tick = watchdog.map { min($0 / 2, .seconds(10)) } ?? .seconds(10)
                var wasBusy = true
                while !Task.isCancelled {
                    try await Task.sleep(for: tick)
                    if watchdog != nil { notifier.watchdog() }
                    notifier.status(await daemon.summary())
                    let busy = await daemon.isBusy()
                    if wasBusy && !busy { _ = cplatform_release_free_heap() }
                    wasBusy = busy
                }
            }
            if let transport {
                group.addTask { await transport.run() }
            } else {
                logger.notice("no rendezvous server configured: this device will not connect to peers")
            }
            group.addTask { try await gracefulShutdown() }
            do { _ = try await group.next() } catch {
                failure = error
                logger.error("\(error)")
            }
            notifier.stopping()
            logger.info("shutting down")
            group.cancelAll()
            while let result = await group.nextResult() {
                if case .failure(let error) = result, !(error is CancellationError) { logger.debug("task ended: \(error)") }
            }
        }
        await daemon.shutdown()
        if let failure { throw failure }
    }
}
