import ControlAPI
import Foundation
import Logging
import Media

/// Screen sharing of this daemon: up to ``maxShares`` shares sent and as many received at a time,
/// at most one each way per device (a connection carries one video m-line).
///
/// `share` makes sure the connection has a VP8 m-line (renegotiation, like calls), tells the
/// peer with a `screen` ``MediaSignal`` and starts a ``ScreenSender``. The receiving side
/// decodes every frame (so a viewer can join at any time without waiting for a keyframe) and
/// hands them as YUV4MPEG2 to each `watch` stream of that share. `stop` and `watch` name the
/// device when several shares could be meant. Events: `screen-started`, `screen-stopped`.
actor ScreenController {
    /// The most shares sent (and, separately, received) at once (`maxScreenShares` in the
    /// configuration, default 4); each sent share captures and encodes VP8 in real time. A share
    /// beyond it is refused with a conflict error (outgoing) or ignored (incoming: its frames are
    /// not decoded).
    let maxShares: Int

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

    /// One `watch` stream: the share it shows, its Y4M writer (made at the first frame) and how many frames it still wants.
    struct Watcher {
        let peer: String
        let continuation: AsyncStream<[UInt8]>.Continuation
        var writer: Y4MWriter?
        var remaining: Int?
    }

    private let daemon: SyncDaemon
    private let logger: Logger
    private weak var transport: PeerTransport?
    /// Shares sent and received, by device.
    private var outgoing: [String: Outgoing] = [:]
    private var incoming: [String: Incoming] = [:]
    private var watchers: [Int: Watcher] = [:]
    private var nextWatcher = 0
    /// When each peer last stopped sharing (late frames after a stop do not restart the share).
    private var stoppedAt: [String: Date] = [:]
    /// Frame rate written in the Y4M header of watch streams.
    private let watchFrameRate = 15

    init(daemon: SyncDaemon, logger: Logger) {
        self.daemon = daemon
        self.logger = logger
        maxShares = daemon.config.maxScreenShares
    }

    /// Connects the controller to the transport that owns the sessions.
    func attach(_ transport: PeerTransport) { self.transport = transport }

    // MARK: Control API

    /// The shares in progress: outgoing ones first, each direction oldest first.
    func status() async -> [ScreenStatus] {
        var out: [ScreenStatus] = []
        for o in outgoing.values.sorted(by: { $0.since < $1.since }) { out.append(await status(of: o)) }
        for i in incoming.values.sorted(by: { $0.since < $1.since }) {
            out.append(ScreenStatus(direction: "incoming", device: i.peer, deviceName: i.name, width: i.width, height: i.height,
                                    frames: i.frames, since: i.since.timeIntervalSince1970))
        }
        return out
    }

    private func status(of o: Outgoing) async -> ScreenStatus {
        let failing = await o.sender.captureError.map { " (capture failing: \($0))" } ?? ""
        return ScreenStatus(direction: "outgoing", device: o.peer, deviceName: o.name, source: o.source.description + failing,
                            width: o.sender.width, height: o.sender.height, frames: await o.sender.framesSent,
                            since: o.since.timeIntervalSince1970)
    }

    /// Starts sharing with `request.device`.
    func share(_ request: ScreenShareRequest) async throws(DaemonError) -> ScreenStatus {
        let (peer, name) = try await daemon.resolveDevice(request.device)
        if outgoing[peer] != nil {
            throw .conflict("already sharing the screen with \(name)", hint: "stop it first: `syncctl screen stop \(name)`")
        }
        guard outgoing.count < maxShares else {
            throw .conflict("already sharing the screen with \(outgoing.count) device\(outgoing.count == 1 ? "" : "s"), the most at once (maxScreenShares \(maxShares))",
                            hint: "stop one first: `syncctl screen stop <device>`")
        }
        let source = try ScreenSourceSpec(parsing: request.source, size: request.size)
        let rate = request.frameRate ?? 15
        guard (1...30).contains(rate) else { throw .badRequest("frame rate \(rate) is out of range", hint: "use 1–30 fps") }
        guard let session = await transport?.connectedSession(peer) else {
            throw .conflict("device \(name) is not connected", hint: "both daemons must run and reach the rendezvous server; see `syncctl status`")
        }
        let sender = try ScreenSender(driver: session.driver, epoch: session.startedAt, source: source, frameRate: rate)
        let o = Outgoing(peer: peer, name: name, session: session, source: source, sender: sender, since: Date())
        outgoing[peer] = o
        await session.ensureMedia(.video)
        do { try await session.send(MediaSignal(type: "screen", action: "start")) } catch {
            outgoing[peer] = nil
            throw error
        }
        await sender.start()
        logger.info("sharing the screen (\(source.description), \(rate) fps)", metadata: ["device": "\(peer)"])
        publish("screen-started", peer, "outgoing")
        return await status(of: o)
    }

    /// Stops the share this device sends to `device` (nil: the only one).
    func stop(_ device: String?) async throws(DaemonError) {
        let o: Outgoing
        if let device {
            let (peer, name) = try await daemon.resolveDevice(device)
            guard let found = outgoing[peer] else {
                throw .conflict("this device is not sharing its screen with \(name)", hint: "see `syncctl screen status`")
            }
            o = found
        } else {
            guard let only = outgoing.values.first else {
                throw .conflict("this device is not sharing its screen", hint: "start with `syncctl screen share <device>`")
            }
            guard outgoing.count == 1 else {
                let names = outgoing.values.sorted { $0.since < $1.since }.map(\.name)
                throw .conflict("the screen is shared with \(outgoing.count) devices: \(names.joined(separator: ", "))",
                                hint: "name one: `syncctl screen stop \(names[0])`")
            }
            o = only
        }
        outgoing[o.peer] = nil
        await o.sender.stop()
        try? await o.session.send(MediaSignal(type: "screen", action: "stop"))
        logger.info("screen share stopped", metadata: ["device": "\(o.peer)"])
        publish("screen-stopped", o.peer, "outgoing")
        await releaseVideoIfUnused(o.session)
    }

    /// A YUV4MPEG2 stream of the share this device receives from `device` (nil: the only one);
    /// it ends when the share stops, or after `frames` frames.
    func watch(frames: Int?, device: String?) async throws(DaemonError) -> AsyncStream<[UInt8]> {
        let peer: String
        if let device {
            let (id, name) = try await daemon.resolveDevice(device)
            guard incoming[id] != nil else {
                throw .conflict("\(name) is not sharing its screen with this device",
                                hint: "on \(name) run `syncctl screen share <this device>`, then watch again")
            }
            peer = id
        } else {
            guard let only = incoming.values.first else {
                throw .conflict("no screen is being shared with this device",
                                hint: "on the other device run `syncctl screen share <this device>`, then watch again")
            }
            guard incoming.count == 1 else {
                let names = incoming.values.sorted { $0.since < $1.since }.map(\.name)
                throw .conflict("\(incoming.count) devices share their screen with this device: \(names.joined(separator: ", "))",
                                hint: "name one: `syncctl screen watch --from \(names[0])`")
            }
            peer = only.peer
        }
        let (stream, continuation) = AsyncStream<[UInt8]>.makeStream(bufferingPolicy: .bufferingNewest(64))
        nextWatcher += 1
        let id = nextWatcher
        watchers[id] = Watcher(peer: peer, continuation: continuation, remaining: frames.map { max(1, $0) })
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
            guard incoming[session.peerID] != nil else { return }
            // The sharing side stops the video transceiver itself (see ``PeerSession/releaseMedia(_:)``).
            endIncoming(session.peerID, reason: "stopped by the other device")
        default:
            break
        }
    }

    /// A VP8 frame from `peer` (a share that started before its `start` message arrived starts here).
    func videoFrame(_ frame: VP8EncodedFrame, from peer: String) async {
        if incoming[peer] == nil, incoming.count < maxShares, Date().timeIntervalSince(stoppedAt[peer] ?? .distantPast) > 3,
           let session = await transport?.connectedSession(peer) {
            await startIncoming(from: session)
        }
        guard var i = incoming[peer] else { return }
        if i.decoder == nil { i.decoder = try? VP8Decoder() }
        let picture: VideoFrame?
        do { picture = try i.decoder?.decode(frame.data) } catch {
            i.decodeErrors += 1
            incoming[peer] = i
            return
        }
        guard let picture else { incoming[peer] = i; return }
        i.frames += 1
        i.width = picture.width
        i.height = picture.height
        incoming[peer] = i
        for (id, var w) in watchers where w.peer == peer {
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
        await outgoing[peer]?.sender.requestKeyframe()
    }

    /// `session` closed: shares on it end.
    func sessionClosed(_ session: PeerSession) async {
        if let o = outgoing[session.peerID], o.session === session {
            outgoing[o.peer] = nil
            await o.sender.stop()
            publish("screen-stopped", o.peer, "outgoing")
        }
        if let i = incoming[session.peerID], i.session === session { endIncoming(i.peer, reason: "the connection was lost") }
    }

    /// True while a share on `session` (either way) needs its video m-line.
    func usesVideo(_ session: PeerSession) -> Bool {
        outgoing[session.peerID]?.session === session || incoming[session.peerID]?.session === session
    }

    // MARK: Helpers

    /// When no share uses `session`'s video any more (neither way), its transceiver is stopped
    /// by this side, which ended the share (see ``PeerSession/releaseMedia(_:)``).
    private func releaseVideoIfUnused(_ session: PeerSession) async {
        if outgoing[session.peerID]?.session === session || incoming[session.peerID]?.session === session { return }
        await session.releaseMedia(.video)
    }

    private func startIncoming(from session: PeerSession) async {
        let peer = session.peerID
        if let i = incoming[peer], i.session === session { return }
        if incoming[peer] != nil { endIncoming(peer, reason: "replaced by a new share") }
        guard incoming.count < maxShares else {
            logger.info("a share from this device is ignored: \(incoming.count) shares received already (the most at once)",
                        metadata: ["device": "\(peer)"])
            return
        }
        let name = (try? await daemon.resolveDevice(peer))?.name ?? String(peer.prefix(7))
        incoming[peer] = Incoming(peer: peer, name: name, session: session, since: Date())
        logger.info("\(name) shares its screen with this device", metadata: ["device": "\(peer)"])
        publish("screen-started", peer, "incoming")
    }

    private func endIncoming(_ peer: String, reason: String) {
        guard let i = incoming.removeValue(forKey: peer) else { return }
        for (id, w) in watchers where w.peer == peer {
            w.continuation.finish()
            watchers[id] = nil
        }
        logger.info("screen share from \(i.name) ended: \(reason)", metadata: ["device": "\(i.peer)"])
        publish("screen-stopped", i.peer, "incoming")
    }

    private func publish(_ type: String, _ device: String, _ message: String) {
        daemon.events.publish(ControlEvent(time: Date().timeIntervalSince1970, type: type, device: device, message: message))
    }
}
