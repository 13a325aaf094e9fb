import DTLS
import Logging
import NIOCore
import NIOWebSocket
import WSCore
import WireKit

/// A rendezvous client over a real WebSocket: connects, authenticates, reconnects with
/// jittered backoff and re-authenticates, queues (boundedly) while disconnected, and
/// publishes everything the server says on `events`.
///
/// All decisions are made by `SignalingClientMachine`; this actor only plumbs sockets and
/// timers. Call `run()` in a task (it returns when stopped or cancelled).
public actor SignalingClient {
    /// Everything the client reports, in order. Finishes when `run()` returns.
    public nonisolated let events: AsyncStream<SignalingClientEvent>
    private let eventSink: AsyncStream<SignalingClientEvent>.Continuation
    private let url: String
    private let tls: TLSClientConfiguration
    private let logger: Logger
    private var machine: SignalingClientMachine
    private let codec = SignalingCodec()
    private var outlet: AsyncStream<String>.Continuation?
    private var connectRequests: AsyncStream<Void>.Continuation?
    private var timer: Task<Void, Never>?
    private var timerDeadline: Instant?

    /// A client for `url` (e.g. `ws://127.0.0.1:7480/ws` or `wss://rendezvous.example/ws`)
    /// authenticating with `credential`. For `wss://`, `tls` says which CAs to trust (the
    /// system store by default, or a pinned CA file for a self-hosted server).
    public init(url: String, credential: any SignalingCredential,
                configuration: SignalingClientMachine.Configuration = .init(),
                tls: TLSClientConfiguration = TLSClientConfiguration(),
                random: any RandomNumberGenerator & Sendable = SystemRandomNumberGenerator(),
                eventBufferLimit: Int = 4_096, logger: Logger) {
        self.url = url
        self.tls = tls
        self.logger = logger
        self.machine = SignalingClientMachine(credential: credential, configuration: configuration, random: random)
        let (stream, sink) = AsyncStream<SignalingClientEvent>.makeStream(bufferingPolicy: .bufferingOldest(eventBufferLimit))
        self.events = stream
        self.eventSink = sink
    }

    /// Connects and keeps connecting until `stop()` or cancellation.
    public func run() async {
        let (requests, continuation) = AsyncStream<Void>.makeStream()
        connectRequests = continuation
        machine.start(now: .monotonicNow())
        drain()
        await withTaskCancellationHandler {
            for await _ in requests {
                await connectOnce()
            }
        } onCancel: {
            continuation.finish()
        }
        timer?.cancel()
        timer = nil
        outlet?.finish()
        outlet = nil
        eventSink.finish()
    }

    /// Sends a message now, or queues it until authenticated; throws `queueFull` when the
    /// queue is full and `stopped` after `stop()`.
    public func send(_ message: ClientMessage) throws(SignalingClientError) {
        try machine.send(message, now: .monotonicNow())
        drain()
    }

    /// Closes the connection and stops reconnecting; `run()` returns.
    public func stop() {
        machine.stop()
        drain()
        connectRequests?.finish()
    }

    /// True while authenticated.
    public var isReady: Bool { machine.isReady }

    // MARK: Plumbing

    private func connectOnce() async {
        var code: UInt16?
        var reason = "connection closed"
        do {
            let closeFrame = try await WebSocketConnector.connect(
                url: url, maxFrameSize: codec.maxFrameBytes * 2, logger: logger, tls: tls
            ) { inbound, outbound, _ in
                let (frames, outlet) = AsyncStream<String>.makeStream()
                await self.connected(outlet)
                let codec = self.codec
                await withTaskGroup(of: Void.self) { group in
                    group.addTask {
                        for await text in frames {
                            do { try await outbound.write(.text(text)) } catch { break }
                        }
                        try? await outbound.close(.normalClosure, reason: nil)
                    }
                    group.addTask {
                        var iterator = inbound.messages(maxSize: codec.maxFrameBytes * 2).makeAsyncIterator()
                        while let message = try? await iterator.next() {
                            if case .text(let text) = message { await self.received(text) }
                        }
                    }
                    await group.next()
                    group.cancelAll()
                }
            }
            if let closeFrame {
                code = UInt16(webSocketErrorCode: closeFrame.closeCode)
                reason = closeFrame.reason ?? "closed with \(closeFrame.closeCode)"
            }
        } catch {
            reason = "\(error)"
        }
        disconnected(code: code, reason: reason)
    }

    private func connected(_ newOutlet: AsyncStream<String>.Continuation) {
        outlet = newOutlet
        machine.handleConnected(now: .monotonicNow())
        drain()
    }

    private func received(_ text: String) {
        machine.handle(frame: text, now: .monotonicNow())
        drain()
    }

    private func disconnected(code: UInt16?, reason: String) {
        outlet?.finish()
        outlet = nil
        machine.handleDisconnected(code: code, reason: reason, now: .monotonicNow())
        drain()
    }

    private func fire() {
        timerDeadline = nil
        machine.handle(timeout: .monotonicNow())
        drain()
    }

    /// Carries out the machine's actions, publishes its events, and re-arms the timer.
    private func drain() {
        while let action = machine.pollAction() {
            switch action {
            case .connect:
                connectRequests?.yield()
            case .send(let message):
                outlet?.yield(codec.encode(message))
            case .disconnect:
                outlet?.finish()
                outlet = nil
            }
        }
        while let event = machine.pollEvent() {
            eventSink.yield(event)
            if case .disconnected(_, _, nil) = event { connectRequests?.finish() }
        }
        let deadline = machine.pollTimeout()
        guard deadline != timerDeadline else { return }
        timer?.cancel()
        timerDeadline = deadline
        guard let deadline else {
            timer = nil
            return
        }
        // The one unstructured task: a cancellable one-shot timer, replaced whenever the
        // machine's deadline changes and cancelled when `run()` ends.
        let delay = deadline - Instant.monotonicNow()
        timer = Task { [weak self] in
            try? await Task.sleep(for: max(.zero, delay))
            guard !Task.isCancelled else { return }
            await self?.fire()
        }
    }
}
