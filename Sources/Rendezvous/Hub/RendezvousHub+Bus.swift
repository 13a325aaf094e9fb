import DTLS
import Signaling
import WireKit

/// A local member of a room owned by another node.
struct ProxyRoom {
    let member: ConnectionID
    let owner: NodeID
    var joined: Bool
}

/// Scale-out: what this node tells other nodes, and what it does with what they say.
///
/// Each node keeps its own connections; the bus carries presence (`online`/`offline`),
/// signals for devices on other nodes, and room operations, so that clients on different
/// nodes see one service. A hub built without a `node` never produces bus messages.
extension RendezvousHub {
    /// The next message to publish on the bus.
    public mutating func pollBusMessage() -> BusMessage? {
        guard busHead < busOut.count else { return nil }
        let message = busOut[busHead]
        busHead += 1
        if busHead == busOut.count {
            busOut.removeAll(keepingCapacity: true)
            busHead = 0
        }
        return message
    }

    /// Queues a bus message (only when this hub is a node of a bus).
    mutating func publish(_ message: BusMessage) {
        guard node != nil else { return }
        busOut.append(message)
    }

    /// Asks the other nodes to re-announce their devices and rooms (call once at start).
    public mutating func announceStart() {
        guard let node else { return }
        publish(.announceRequest(node: node))
    }

    /// A message from the bus (possibly this node's own broadcast, which is ignored).
    public mutating func handle(bus message: BusMessage, now: Instant) {
        guard let me = node else { return }
        switch message {
        case .online(let device, let other):
            // The bus orders announcements: the last one wins. Our own echo tells us that
            // every earlier announcement has been seen; until it comes, ours is the newer one.
            if other == me {
                if let count = pendingOnline[device] { pendingOnline[device] = count > 1 ? count - 1 : nil }
                return
            }
            if online[device] != nil && pendingOnline[device] != nil { return }
            let wasOnline = online[device] != nil || remoteOnline[device] != nil
            remoteOnline[device] = other
            if let local = online[device] {
                // The newer connection (on the other node) wins; no offline flicker.
                close(local, .replaced, notifyPresence: false)
            }
            if !wasOnline { announce(device, online: true) }
        case .offline(let device, let other):
            guard other != me, remoteOnline[device] == other else { return }
            remoteOnline[device] = nil
            if online[device] == nil { announce(device, online: false) }
        case .announceRequest(let other):
            guard other != me else { return }
            for device in online.keys.sorted() { publish(.online(device: device, node: me)) }
            for code in rooms.keys.sorted() { publish(.roomOpened(code: code, node: me)) }
        case .signal(let to, let from, let payload, let target):
            guard target == me, let destination = online[to] else { return }
            send(destination, .signal(from: from, payload: payload))
        case .roomOpened(let code, let other):
            guard other != me, rooms[code] == nil else { return }
            remoteRooms[code] = other
        case .roomClosed(let code, let other, let reason):
            guard other != me else { return }
            if remoteRooms[code] == other { remoteRooms[code] = nil }
            guard let proxy = proxyRooms[code], proxy.owner == other else { return }
            proxyRooms[code] = nil
            leaveProxy(proxy, code: code)
            send(proxy.member, .roomClosed(code: code, reason: reason))
        case .joinRequest(let code, let owner, let from, let ref):
            guard owner == me else { return }
            guard var room = rooms[code] else {
                publish(.joinRefused(code: code, node: from, ref: ref, error: .noSuchRoom))
                return
            }
            guard !room.isFull else {
                publish(.joinRefused(code: code, node: from, ref: ref, error: .roomFull))
                return
            }
            room.remoteJoiner = from
            rooms[code] = room
            send(room.creator, .roomJoined(code: code))
            publish(.joinAccepted(code: code, node: from, ref: ref))
        case .joinAccepted(let code, let target, let ref):
            guard target == me, var proxy = proxyRooms[code], proxy.member.rawValue == ref else { return }
            proxy.joined = true
            proxyRooms[code] = proxy
            send(proxy.member, .roomJoined(code: code))
        case .joinRefused(let code, let target, let ref, let error):
            guard target == me, let proxy = proxyRooms[code], proxy.member.rawValue == ref else { return }
            proxyRooms[code] = nil
            leaveProxy(proxy, code: code)
            refuse(proxy.member, error, error == .roomFull ? "the room already has two members" : "no open room has this code", ref: code)
        case .roomMessage(let code, let target, let payload):
            guard target == me else { return }
            if let room = rooms[code], room.remoteJoiner != nil {
                send(room.creator, .roomMessage(code: code, payload: payload))
            } else if let proxy = proxyRooms[code], proxy.joined {
                send(proxy.member, .roomMessage(code: code, payload: payload))
            }
        case .roomEnd(let code, let owner, let reason):
            guard owner == me, let room = rooms[code], room.remoteJoiner != nil else { return }
            burn(room, reason: reason)
        }
    }

    /// Forgets a proxy membership on the member's connection record.
    mutating func leaveProxy(_ proxy: ProxyRoom, code: String) {
        guard var connection = connections[proxy.member] else { return }
        connection.rooms.remove(code)
        connections[proxy.member] = connection
    }

    /// Joining a room that lives on another node: ask its owner.
    mutating func joinRemoteRoom(_ id: ConnectionID, code: String, owner: NodeID) {
        guard let me = node, var connection = connections[id] else { return }
        guard proxyRooms[code] == nil else {
            refuse(id, .roomFull, "the room already has a member on this node", ref: code)
            return
        }
        guard connection.rooms.count < limits.maxRoomsPerDevice else {
            refuse(id, .roomLimit, "at most \(limits.maxRoomsPerDevice) open rooms per device", ref: code)
            return
        }
        proxyRooms[code] = ProxyRoom(member: id, owner: owner, joined: false)
        connection.rooms.insert(code)
        connections[id] = connection
        publish(.joinRequest(code: code, owner: owner, from: me, ref: id.rawValue))
    }
}
