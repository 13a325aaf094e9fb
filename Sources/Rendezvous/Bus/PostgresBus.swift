import CLibPQ
import Logging
import NIOConcurrencyHelpers
import NIOPosix

/// A `RendezvousBus` over PostgreSQL LISTEN/NOTIFY, through libpq: every node LISTENs on one
/// channel and publishes with `pg_notify`. PostgreSQL delivers each notification to every
/// listener, in commit order, with the sender's own included.
///
/// Limits: a NOTIFY payload is at most 7,999 bytes, so bus messages over `maxPayloadBytes`
/// (signals or room messages with large payloads) cannot cross nodes; `publish` throws
/// `PostgresBusError.payloadTooLarge` and the driver logs and drops them. Clients on the same
/// node are not affected.
///
/// Blocking libpq calls run on this bus's own thread pool (one thread listens, one publishes);
/// the connections are touched only from those threads.
public final class PostgresBus: RendezvousBus {
    /// The largest NOTIFY payload PostgreSQL accepts, minus one.
    public static let maxPayloadBytes = 7_999

    private let conninfo: String
    private let channel: String
    private let logger: Logger
    private let listenerPool = NIOThreadPool(numberOfThreads: 1)
    private let publisherPool = NIOThreadPool(numberOfThreads: 1)
    private let publisher: PGConnectionBox

    /// A bus on the PostgreSQL at `conninfo` (libpq syntax, e.g.
    /// `host=127.0.0.1 port=5432 user=rendezvous dbname=rendezvous`), channel `channel`.
    public init(conninfo: String, channel: String = "peersync_rendezvous", logger: Logger) throws(PostgresBusError) {
        guard channel.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }), !channel.isEmpty else {
            throw .invalidChannel(channel)
        }
        self.conninfo = conninfo
        self.channel = channel
        self.logger = logger
        self.publisher = PGConnectionBox(try Self.open(conninfo))
        listenerPool.start()
        publisherPool.start()
    }

    deinit {
        PQfinish(publisher.raw)
        listenerPool.shutdownGracefully { _ in }
        publisherPool.shutdownGracefully { _ in }
    }

    public func publish(_ message: BusMessage) async throws {
        let text = BusCodec.encode(message)
        guard text.utf8.count <= Self.maxPayloadBytes else { throw PostgresBusError.payloadTooLarge(text.utf8.count) }
        let connection = publisher
        let channel = self.channel
        try await publisherPool.runIfActive {
            try Self.notify(connection.raw, channel: channel, payload: text)
        }
    }

    public func subscribe() async throws -> AsyncStream<BusMessage> {
        let connection = PGConnectionBox(try Self.open(conninfo))
        try Self.execute(connection.raw, "LISTEN \(channel)")
        let (stream, continuation) = AsyncStream<BusMessage>.makeStream()
        let stop = StopFlag()
        continuation.onTermination = { _ in stop.set() }
        let logger = self.logger
        listenerPool.submit { _ in
            defer { PQfinish(connection.raw) }
            Self.listen(connection.raw, stop: stop, logger: logger) { continuation.yield($0) }
            continuation.finish()
        }
        return stream
    }

    // MARK: libpq

    private static func open(_ conninfo: String) throws(PostgresBusError) -> OpaquePointer {
        guard let connection = PQconnectdb(conninfo) else { throw .connectionFailed("out of memory") }
        guard PQstatus(connection) == CONNECTION_OK else {
            let message = String(cString: PQerrorMessage(connection))
            PQfinish(connection)
            throw .connectionFailed(message)
        }
        return connection
    }

    private static func execute(_ connection: OpaquePointer, _ sql: String) throws(PostgresBusError) {
        let result = PQexec(connection, sql)
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_COMMAND_OK || PQresultStatus(result) == PGRES_TUPLES_OK else {
            throw .queryFailed(String(cString: PQerrorMessage(connection)))
        }
    }

    private static func notify(_ connection: OpaquePointer, channel: String, payload: String) throws(PostgresBusError) {
        let result = channel.withCString { channelPointer in
            payload.withCString { payloadPointer -> OpaquePointer? in
                var values: [UnsafePointer<CChar>?] = [channelPointer, payloadPointer]
                return PQexecParams(connection, "SELECT pg_notify($1, $2)", 2, nil, &values, nil, nil, 0)
            }
        }
        defer { PQclear(result) }
        guard PQresultStatus(result) == PGRES_TUPLES_OK else {
            throw .queryFailed(String(cString: PQerrorMessage(connection)))
        }
    }

    /// Waits for notifications (polling the socket every 100 ms to notice `stop`).
    private static func listen(_ connection: OpaquePointer, stop: StopFlag, logger: Logger, deliver: (BusMessage) -> Void) {
        let socket = PQsocket(connection)
        while !stop.isSet {
            var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            let ready = poll(&descriptor, 1, 100)
            if ready < 0 { break }
            if ready == 0 { continue }
            guard PQconsumeInput(connection) == 1 else {
                logger.error("bus connection lost", metadata: ["error": "\(String(cString: PQerrorMessage(connection)))"])
                break
            }
            while let notification = PQnotifies(connection) {
                let text = String(cString: notification.pointee.extra)
                PQfreemem(notification)
                do throws(BusCodec.ParseError) {
                    deliver(try BusCodec.decode(text))
                } catch {
                    logger.warning("malformed bus message dropped")
                }
            }
        }
    }
}

/// Why the PostgreSQL bus failed.
public enum PostgresBusError: Error, Equatable, Sendable {
    /// The connection could not be opened (libpq's message).
    case connectionFailed(String)
    /// A statement failed (libpq's message).
    case queryFailed(String)
    /// The channel name is not a plain identifier.
    case invalidChannel(String)
    /// The encoded message does not fit in a NOTIFY payload.
    case payloadTooLarge(Int)
}

/// A libpq connection handed between threads. `@unchecked Sendable`: each connection is used
/// by exactly one single-threaded pool (publisher or listener), never concurrently.
struct PGConnectionBox: @unchecked Sendable {
    let raw: OpaquePointer
    init(_ raw: OpaquePointer) { self.raw = raw }
}

/// A flag the listener thread polls to stop.
final class StopFlag: Sendable {
    private let lock = NIOLockedValueBox(false)
    var isSet: Bool { lock.withLockedValue { $0 } }
    func set() { lock.withLockedValue { $0 = true } }
}
