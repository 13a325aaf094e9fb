import ICE
import NIOCore
import NIOPosix
import WireKit

/// Runs an ``ICEAgent`` on SwiftNIO: one UDP socket per local address (vectored reads), one
/// timer armed from `pollTimeout()`, and an `async` API. STUN and TURN stay inside the agent;
/// every other datagram (DTLS, SRTP…) arrives as ``ICEEvent/data(_:)`` on ``events``.
///
/// All agent access happens on one event loop; the public methods hop onto it.
public final class ICEDriver: Sendable {
    /// The agent's events: candidates to signal, state changes, application datagrams. At most
    /// ``defaultEventBacklog`` (or the `eventBacklog` given to ``start(configuration:interfaces:group:eventBacklog:)``)
    /// datagrams wait for a slow consumer; further ones are dropped, as UDP would.
    public let events: ICEEventStream
    /// The default bound on datagrams waiting in ``events``.
    public static let defaultEventBacklog = 1024
    /// The local credentials to signal to the peer (as of start).
    public let localCredentials: ICECredentials
    /// The event loop the agent lives on.
    public let eventLoop: any EventLoop
    private let core: NIOLoopBound<ICEDriverCore>
    /// Datagrams read per system call.
    static let readBatch = 16

    private init(events: ICEEventStream, localCredentials: ICECredentials, eventLoop: any EventLoop,
                 core: NIOLoopBound<ICEDriverCore>) {
        self.events = events
        self.localCredentials = localCredentials
        self.eventLoop = eventLoop
        self.core = core
    }

    /// Binds one UDP socket (ephemeral port) per selected address, registers them with a new
    /// agent and starts gathering. `configuration.seed` should come from the system generator.
    /// `eventBacklog` bounds the datagrams (and debug messages) waiting in ``events``.
    public static func start(configuration: ICEConfiguration, interfaces: ICEInterfaceSelection = .all(includeLoopback: false),
                             group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
                             eventBacklog: Int = ICEDriver.defaultEventBacklog) async throws -> ICEDriver {
        let loop = group.next()
        // Unbounded in the policy, bounded by the backlog: only control events (a handful per
        // gathering or state change) pass it unconditionally.
        let (stream, continuation) = AsyncStream<ICEEvent>.makeStream(bufferingPolicy: .unbounded)
        let backlog = ICEEventBacklog(limit: max(1, eventBacklog))
        let bound = try await loop.submit {
            NIOLoopBound(ICEDriverCore(agent: ICEAgent(configuration: configuration), loop: loop, continuation: continuation,
                                       backlog: backlog), eventLoop: loop)
        }.get()
        let credentials = try await loop.submit { bound.value.agent.localCredentials }.get()
        for ip in try interfaces.resolve() {
            let channel = try await DatagramBootstrap(group: loop)
                .dataPathOptions(readBatch: Self.readBatch, maxDatagramSize: 1500, receiveOffload: false, socketBufferBytes: nil)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(UDPHandler(core: bound.value))
                    }
                }
                .bind(host: ip.description, port: 0).get()
            guard let local = channel.localAddress.flatMap(TransportAddress.init) else {
                try? await channel.close()
                continue
            }
            try await loop.submit {
                bound.value.writer.channels[local] = channel
                bound.value.agent.addLocalInterface(local)
            }.get()
        }
        try await loop.submit {
            bound.value.agent.startGathering(now: .monotonicNow())
            bound.value.afterInput()
        }.get()
        return ICEDriver(events: ICEEventStream(stream: stream, backlog: backlog), localCredentials: credentials, eventLoop: loop, core: bound)
    }

    private func onLoop<T: Sendable>(_ body: @escaping @Sendable (ICEDriverCore) throws -> T) async throws -> T {
        let core = self.core
        return try await eventLoop.submit {
            let value = try body(core.value)
            core.value.afterInput()
            return value
        }.get()
    }

    /// Sets the peer's credentials.
    public func setRemoteCredentials(_ credentials: ICECredentials) async throws {
        try await onLoop { $0.agent.setRemoteCredentials(credentials) }
    }

    /// Adds a remote candidate.
    public func addRemoteCandidate(_ candidate: Candidate) async throws {
        try await onLoop { $0.agent.addRemoteCandidate(candidate) }
    }

    /// The peer signalled end-of-candidates.
    public func setRemoteGatheringComplete() async throws {
        try await onLoop { $0.agent.setRemoteGatheringComplete() }
    }

    /// Sends an application datagram on the selected pair.
    public func send(_ data: [UInt8]) async throws {
        let result: Result<Void, ICEError> = try await onLoop { core in
            do {
                try core.agent.send(data: data, now: .monotonicNow())
                return .success(())
            } catch let error as ICEError {
                return .failure(error)
            }
        }
        try result.get()
    }

    /// ICE restart: returns the new local credentials to signal.
    public func restart() async throws -> ICECredentials {
        try await onLoop { core in
            core.agent.restart()
            return core.agent.localCredentials
        }
    }

    /// The selected pair, if any.
    public func selectedPair() async throws -> CandidatePair? {
        try await onLoop { $0.agent.selectedPair }
    }

    /// The agent's counters (checks, drops, data).
    public func counters() async throws -> ICECounters {
        try await onLoop { $0.agent.counters }
    }

    /// The connection state.
    public func connectionState() async throws -> ICEConnectionState {
        try await onLoop { $0.agent.connectionState }
    }

    /// Closes the agent (releasing TURN allocations) and the sockets; ends ``events``.
    public func close() async {
        let core = self.core
        try? await eventLoop.submit { core.value.shutdown() }.get()
    }
}
