import ControlAPI
import Foundation
import Logging
import Media

/// Screen sharing of this daemon: at most one share sent and one received at a time.
///
/// `share` makes sure the connection has a VP8 m-line (renegotiation, like calls), tells the
/// peer with a `screen` ``MediaSignal`` and starts a ``ScreenSender``. The receiving side
/// decodes every frame (so a viewer can join at any time without waiting for a keyframe) and
/// hands them as YUV4MPEG2 to each `watch` stream. Events: `screen-started`, `screen-stopped`.
actor ScreenController {
    struct Outgoing {
        let peer: String
        let name: String
        let session: PeerSession
        let source: ScreenSourceSpec
        let sender: ScreenSender
        let since: Date
    }

    struct Incoming {
        let peer: String
        let name: String
        let session: PeerSession
        let since: Date
        var decoder: VP8Decoder?
        var width: Int?
        var height: Int?
        var frames = 0
        var decodeErrors = 0
    }

    /// One `watch` stream: its Y4M writer (made at the first frame) and how many frames it still wants.
    struct Watcher {
        let continuation: AsyncStream<[UInt8]>.Continuation
        var writer: Y4MWriter?
        var remaining: Int?
    }

    private let daemon: SyncDaemon
    private let logger: Logger
    private weak var transport: PeerTransport?
    private var outgoing: Outgoing?
    private var incoming: Incoming?
    private var watchers: [Int: Watcher] = [:]
    private var nextWatcher = 0
    /// When each peer last stopped sharing (late frames after a stop do not restart the share).
    private var stoppedAt: [String: Date] = [:]
    /// Frame rate written in the Y4M header of watch streams.
    private let watchFrameRate = 15

    init(daemon: SyncDaemon, logger: Logger) {
        self.daemon = daemon
        self.logger = logger
    }

    /// Connects the controller to the transport that owns the sessions.
    func attach(_ transport: PeerTransport) { self.transport = transport }

    // MARK: Control API

    /// The shares in progress.
    func status() async -> [ScreenStatus] {
        var out: [ScreenStatus] = []
        if let o = outgoing {
            let failing = await o.sender.captureError.map { " (capture failing: \($0))" } ?? ""
            out.append(ScreenStatus(direction: "outgoing", device: o.peer, deviceName: o.name, source: o.source.description + failing,
                                    width: o.sender.width, height: o.sender.height, frames: await o.sender.framesSent,
                                    since: o.since.timeIntervalSince1970))
        }
        if let i = incoming {
            out.append(ScreenStatus(direction: "incoming", device: i.peer, deviceName: i.name, width: i.width, height: i.height,
                                    frames: i.frames, since: i.since.timeIntervalSince1970))
        }
        return out
    }

    /// Starts sharing with `request.device`.
    func share(_ request: ScreenShareRequest) async throws(DaemonError) -> ScreenStatus {
        let (peer, name) = try await daemon.resolveDevice(request.device)
        if let o = outgoing {
            throw .conflict("already sharing the screen with \(o.name)", hint: "stop it first: `syncctl screen stop`")
        }
        let source = try ScreenSourceSpec(parsing: request.source, size: request.size)
        let rate = request.frameRate ?? 15
        guard (1...30).contains(rate) else { throw .badRequest("frame rate \(rate) is out of range", hint: "use 1–30 fps") }
        guard let session = await transport?.connectedSession(peer) else {
            throw .conflict("device \(name) is not connected", hint: "both daemons must run and reach the rendezvous server; see `syncctl status`")
        }
        let sender = try ScreenSender(driver: session.driver, epoch: session.startedAt, source: source, frameRate: rate)
        let o = Outgoing(peer: peer, name: name, session: session, source: source, sender: sender, since: Date())
        outgoing = o
        await session.ensureMedia(.video)
        do { try await session.send(MediaSignal(type: "screen", action: "start")) } catch {
            outgoing = nil
            throw error
        }
        await sender.start()
        logger.info("sharing the screen (\(source.description), \(rate) fps)", metadata: ["device": "\(peer)"])
        publish("screen-started", peer, "outgoing")
        return await status().first { $0.direction == "outgoing" } ?? ScreenStatus(direction: "outgoing", device: peer, since: o.since.timeIntervalSince1970)
    }

    /// Stops the share this device sends.
    func stop() async throws(DaemonError) {
        guard let o = outgoing else {
            throw .conflict("this device is not sharing its screen", hint: "start with `syncctl screen share <device>`")
        }
        outgoing = nil
        await o.sender.stop()
        try? await o.session.send(MediaSignal(type: "screen", action: "stop"))
        logger.info("screen share stopped", metadata: ["device": "\(o.peer)"])
        publish("screen-stopped", o.peer, "outgoing")
        await releaseVideoIfUnused(o.session)
    }

    /// A YUV4MPEG2 stream of the share this device receives (ends when the share stops, or after `frames` frames).
    func watch(frames: Int?) throws(DaemonError) -> AsyncStream<[UInt8]> {
        guard incoming != nil else {
            throw .conflict("no screen is being shared with this device",
                            hint: "on the other device run `syncctl screen share <this device>`, then watch again")
        }
        let (stream, continuation) = AsyncStream<[UInt8]>.makeStream(bufferingPolicy: .bufferingNewest(64))
        nextWatcher += 1
        let id = nextWatcher
        watchers[id] = Watcher(continuation: continuation, remaining: frames.map { max(1, $0) })
        continuation.onTermination = { [weak self] _ in Task { await self?.dropWatcher(id) } }
        return stream
    }

    private func dropWatcher(_ id: Int) { watchers[id] = nil }

    // MARK: From the connections

    /// A `screen` message from `session`'s peer.
    func received(_ signal: MediaSignal, from session: PeerSession) async {
        switch signal.action {
        case "start":
            await startIncoming(from: session)
        case "stop":
            stoppedAt[session.peerID] = Date()
            guard let i = incoming, i.peer == session.peerID else { return }
            endIncoming(reason: "stopped by the other device")
            await releaseVideoIfUnused(session)
        default:
            break
        }
    }

    /// A VP8 frame from `peer` (a share that started before its `start` message arrived starts here).
    func videoFrame(_ frame: VP8EncodedFrame, from peer: String) async {
        if incoming == nil, Date().timeIntervalSince(stoppedAt[peer] ?? .distantPast) > 3,
           let session = await transport?.connectedSession(peer) {
            await startIncoming(from: session)
        }
        guard var i = incoming, i.peer == peer else { return }
        if i.decoder == nil { i.decoder = try? VP8Decoder() }
        let picture: VideoFrame?
        do { picture = try i.decoder?.decode(frame.data) } catch {
            i.decodeErrors += 1
            incoming = i
            return
        }
        guard let picture else { incoming = i; return }
        i.frames += 1
        i.width = picture.width
        i.height = picture.height
        incoming = i
        for (id, var w) in watchers {
            if w.writer == nil { w.writer = Y4MWriter(width: picture.width, height: picture.height, frameRate: watchFrameRate) }
            guard w.writer?.write(picture) == true, let bytes = w.writer?.drain() else { continue }
            w.continuation.yield(bytes)
            if let r = w.remaining {
                w.remaining = r - 1
                if r - 1 <= 0 { w.continuation.finish(); watchers[id] = nil; continue }
            }
            watchers[id] = w
        }
    }

    /// The peer asked for a keyframe on the video we send.
    func keyframeRequested(by peer: String) async {
        guard let o = outgoing, o.peer == peer else { return }
        await o.sender.requestKeyframe()
    }

    /// `session` closed: shares on it end.
    func sessionClosed(_ session: PeerSession) async {
        if let o = outgoing, o.session === session {
            outgoing = nil
            await o.sender.stop()
            publish("screen-stopped", o.peer, "outgoing")
        }
        if let i = incoming, i.session === session { endIncoming(reason: "the connection was lost") }
    }

    // MARK: Helpers

    /// When no share uses `session`'s video any more (neither way), its transceiver is stopped
    /// (the offerer does it; see ``PeerSession/releaseMedia(_:)``).
    private func releaseVideoIfUnused(_ session: PeerSession) async {
        if let o = outgoing, o.session === session { return }
        if let i = incoming, i.session === session { return }
        await session.releaseMedia(.video)
    }

    private func startIncoming(from session: PeerSession) async {
        if let i = incoming, i.session === session { return }
        if incoming != nil { endIncoming(reason: "replaced by a new share") }
        let name = (try? await daemon.resolveDevice(session.peerID))?.name ?? String(session.peerID.prefix(7))
        incoming = Incoming(peer: session.peerID, name: name, session: session, since: Date())
        logger.info("\(name) shares its screen with this device", metadata: ["device": "\(session.peerID)"])
        publish("screen-started", session.peerID, "incoming")
    }

    private func endIncoming(reason: String) {
        guard let i = incoming else { return }
        incoming = nil
        for w in watchers.values { w.continuation.finish() }
        watchers.removeAll()
        logger.info("screen share from \(i.name) ended: \(reason)", metadata: ["device": "\(i.peer)"])
        publish("screen-stopped", i.peer, "incoming")
    }

    private func publish(_ type: String, _ device: String, _ message: String) {
        daemon.events.publish(ControlEvent(time: Date().timeIntervalSince1970, type: type, device: device, message: message))
    }
}
