import Signaling
import WireKit

/// Pairing rooms: two members, one pairing, ten minutes at most.
extension RendezvousHub {
    mutating func createRoom(by id: ConnectionID, code proposed: String?, now: Instant) {
        guard var connection = connections[id] else { return }
        guard connection.rooms.count < limits.maxRoomsPerDevice else {
            refuse(id, .roomLimit, "at most \(limits.maxRoomsPerDevice) open rooms per device", ref: "create-room")
            return
        }
        let code: String
        if let proposed {
            guard rooms[proposed] == nil, remoteRooms[proposed] == nil else {
                refuse(id, .roomExists, "a room with this code is open", ref: proposed)
                return
            }
            code = proposed
        } else {
            guard let fresh = freshRoomCode() else {
                refuse(id, .roomLimit, "no free room code; try again later", ref: "create-room")
                return
            }
            code = fresh
        }
        let room = HubRoom(code: code, serial: nextRoomSerial, creator: id)
        nextRoomSerial += 1
        rooms[code] = room
        connection.rooms.insert(code)
        connections[id] = connection
        roomDeadlines.append(now + .seconds(limits.roomLifetimeSeconds), (code, room.serial))
        events.append(.roomOpened(code: code))
        send(id, .roomCreated(code: code, expiresIn: limits.roomLifetimeSeconds))
        if let node { publish(.roomOpened(code: code, node: node)) }
    }

    mutating func joinRoom(_ id: ConnectionID, code: String) {
        guard var connection = connections[id] else { return }
        guard var room = rooms[code] else {
            if let owner = remoteRooms[code] {
                joinRemoteRoom(id, code: code, owner: owner)
            } else {
                refuse(id, .noSuchRoom, "no open room has this code", ref: code)
            }
            return
        }
        guard !room.isMember(id) else {
            refuse(id, .invalidRoom, "already a member of this room", ref: code)
            return
        }
        guard !room.isFull else {
            refuse(id, .roomFull, "the room already has two members", ref: code)
            return
        }
        guard connection.rooms.count < limits.maxRoomsPerDevice else {
            refuse(id, .roomLimit, "at most \(limits.maxRoomsPerDevice) open rooms per device", ref: code)
            return
        }
        room.joiner = id
        rooms[code] = room
        connection.rooms.insert(code)
        connections[id] = connection
        send(room.creator, .roomJoined(code: code))
        send(id, .roomJoined(code: code))
    }

    mutating func relayRoomMessage(from id: ConnectionID, code: String, payload: String) {
        guard var room = rooms[code] else {
            if let proxy = proxyRooms[code], proxy.member == id {
                guard proxy.joined else {
                    refuse(id, .notInRoom, "the join is not confirmed yet", ref: code)
                    return
                }
                publish(.roomMessage(code: code, node: proxy.owner, payload: payload))
                events.append(.relayed(.room))
            } else {
                refuse(id, .noSuchRoom, "no open room has this code", ref: code)
            }
            return
        }
        if id == room.creator, let remote = room.remoteJoiner {
            guard room.messages < limits.maxRoomMessages else {
                refuse(id, .roomMessageLimit, "the room relayed its maximum of \(limits.maxRoomMessages) messages", ref: code)
                return
            }
            room.messages += 1
            rooms[code] = room
            publish(.roomMessage(code: code, node: remote, payload: payload))
            events.append(.relayed(.room))
            return
        }
        guard let peer = room.peer(of: id) else {
            refuse(id, .notInRoom, room.isMember(id) ? "nobody has joined the room yet" : "not a member of this room", ref: code)
            return
        }
        guard room.messages < limits.maxRoomMessages else {
            refuse(id, .roomMessageLimit, "the room relayed its maximum of \(limits.maxRoomMessages) messages", ref: code)
            return
        }
        room.messages += 1
        rooms[code] = room
        send(peer, .roomMessage(code: code, payload: payload))
        events.append(.relayed(.room))
    }

    mutating func closeRoom(by id: ConnectionID, code: String, outcome: RoomOutcome) {
        guard let room = rooms[code] else {
            if let proxy = proxyRooms[code], proxy.member == id {
                publish(.roomEnd(code: code, owner: proxy.owner, reason: outcome == .done ? .done : .failed))
            } else {
                refuse(id, .noSuchRoom, "no open room has this code", ref: code)
            }
            return
        }
        guard room.isMember(id) else {
            refuse(id, .notInRoom, "not a member of this room", ref: code)
            return
        }
        burn(room, reason: outcome == .done ? .done : .failed)
    }

    /// Removes the room and tells its live members why.
    mutating func burn(_ room: HubRoom, reason: RoomCloseReason) {
        guard rooms[room.code]?.serial == room.serial else { return }
        rooms[room.code] = nil
        events.append(.roomClosed(code: room.code, reason: reason))
        if let node { publish(.roomClosed(code: room.code, node: node, reason: reason)) }
        for member in [room.creator, room.joiner].compactMap({ $0 }) {
            guard var connection = connections[member] else { continue }
            connection.rooms.remove(room.code)
            connections[member] = connection
            send(member, .roomClosed(code: room.code, reason: reason))
        }
    }

    /// A random unused decimal code of `roomCodeDigits` digits (no leading zero); nil after
    /// 32 collisions in a row.
    mutating func freshRoomCode() -> String? {
        let digits = max(1, min(limits.roomCodeDigits, 18))
        var upper = 1
        for _ in 0..<digits { upper *= 10 }
        for _ in 0..<32 {
            let code = String(Int.random(in: 1..<upper, using: &random))
            if rooms[code] == nil, remoteRooms[code] == nil { return code }
        }
        return nil
    }
}
