import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOPosix
import Prometheus
import ServiceLifecycle
import Signaling

/// The rendezvous server as a library: a Hummingbird application with the WebSocket
/// endpoint (`/ws`), `/healthz`, `/metrics` (Prometheus text) and `/demo` (a browser client).
///
/// All routing and state live in `RendezvousHub`; this type only wires HTTP, WebSockets,
/// metrics and timers around it.
public struct RendezvousServer: Sendable {
    /// The configuration in force.
    public let configuration: RendezvousConfiguration
    /// The Prometheus registry behind `/metrics`.
    public let registry: PrometheusCollectorRegistry
    let driver: RendezvousHubDriver
    let logger: Logger
    let busService: BusService?
    /// The TLS context when `configuration.tls` is set (a failure to load it stops the server
    /// from starting, with the reason).
    let tlsContext: Result<TLSContext, TLSError>?

    /// A server with this configuration. `random` supplies nonces and room codes (the system's
    /// cryptographic generator unless a test injects another). With a `bus`, this server is one
    /// node (named `node`, random by default) of several sharing devices and rooms.
    public init(configuration: RendezvousConfiguration, logger: Logger,
                registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
                random: any RandomNumberGenerator & Sendable = SystemRandomNumberGenerator(),
                bus: (any RendezvousBus)? = nil, node: NodeID? = nil) {
        self.configuration = configuration
        self.registry = registry
        self.logger = logger
        self.tlsContext = configuration.tls.map { files in Result { () throws(TLSError) in try TLSContext(server: files) } }
        var generator = random
        let nodeID = bus == nil ? nil : (node ?? NodeID("node-\(UInt64.random(in: 0...UInt64.max, using: &generator))"))
        let hub = RendezvousHub(limits: configuration.limits, serverIdentity: configuration.serverIdentity,
                                random: generator, node: nodeID)
        let metrics = RendezvousMetrics(factory: PrometheusMetricsFactory(registry: registry))
        if let bus {
            let (outbox, outlet) = AsyncStream<BusMessage>.makeStream()
            let driver = RendezvousHubDriver(hub: hub, metrics: metrics, logger: logger, busOutlet: outlet)
            self.driver = driver
            self.busService = BusService(bus: bus, driver: driver, outbox: outbox, logger: logger)
        } else {
            self.driver = RendezvousHubDriver(hub: hub, metrics: metrics, logger: logger)
            self.busService = nil
        }
    }

    /// The Hummingbird application; `onServerRunning` learns the bound channel (and port).
    public func makeApplication(onServerRunning: @escaping @Sendable (any Channel) async -> Void = { _ in }) -> some ApplicationProtocol {
        let router = Router()
        let registry = self.registry
        router.get("/healthz") { _, _ -> String in "ok\n" }
        router.get("/metrics") { _, _ -> Response in
            var buffer = ByteBuffer()
            buffer.writeBytes(registry.emitToBuffer())
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                            body: .init(byteBuffer: buffer))
        }
        router.get("/demo") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/html; charset=utf-8"],
                     body: .init(byteBuffer: ByteBuffer(string: DemoPage.html)))
        }
        let limits = configuration.limits
        let driver = self.driver
        let outboundQueueLimit = configuration.outboundQueueLimit
        let tlsContext = self.tlsContext
        let server = HTTPServerBuilder { responder -> any ServerChildChannel in
            let plain = RendezvousChildChannel(responder: responder, driver: driver, codec: limits.codec,
                                               outboundQueueLimit: outboundQueueLimit,
                                               maxFrameSize: limits.maxFrameBytes * 2, pingInterval: .seconds(30))
            guard let tlsContext else { return plain }
            return TLSServerChannel(base: plain, context: try tlsContext.get())
        }
        // A dedicated group lives as long as the process (a server makes one application).
        let eventLoops: EventLoopGroupProvider = configuration.eventLoopThreads > 0
            ? .shared(MultiThreadedEventLoopGroup(numberOfThreads: configuration.eventLoopThreads))
            : .singleton
        return Application(
            router: router,
            server: server,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "syncd-rendezvous"),
            services: [HubTicker(driver: driver, interval: .milliseconds(250))] + (busService.map { [$0] } ?? []),
            onServerRunning: onServerRunning,
            eventLoopGroupProvider: eventLoops,
            logger: logger
        )
    }

    /// Runs until SIGTERM or SIGINT, then shuts down gracefully (WebSockets are closed with 1001).
    public func run() async throws {
        try await makeApplication().runService(gracefulShutdownSignals: [.sigterm, .sigint])
    }

    /// Connections, online devices and open rooms right now (for tests and tools).
    public func counts() async -> (connections: Int, devices: Int, rooms: Int) {
        driver.counts()
    }
}
