import WireKit

/// The first message on a stream: who the sender is and, per shared folder, how far each side's index goes.
public struct Hello: Hashable, Sendable {
    /// One folder's index positions.
    public struct Folder: Hashable, Sendable {
        /// The folder's ID (shared between devices).
        public var folderID: String
        /// The sender's current index generation for this folder.
        public var indexID: UInt64
        /// The sender's highest local sequence number.
        public var maxSequence: UInt64
        /// The receiver's index generation the sender has seen (0 when none).
        public var peerIndexID: UInt64
        /// The highest sequence of the receiver's index the sender holds.
        public var peerMaxSequence: UInt64
        /// A folder entry.
        public init(folderID: String, indexID: UInt64, maxSequence: UInt64, peerIndexID: UInt64, peerMaxSequence: UInt64) {
            self.folderID = folderID; self.indexID = indexID; self.maxSequence = maxSequence
            self.peerIndexID = peerIndexID; self.peerMaxSequence = peerMaxSequence
        }
    }
    /// The sender's device ID (opaque text; authenticated by the transport, not by this field).
    public var deviceID: String
    /// A human-readable device name.
    public var deviceName: String
    /// Folders the sender shares with the receiver.
    public var folders: [Folder]

    /// A hello.
    public init(deviceID: String, deviceName: String, folders: [Folder]) {
        self.deviceID = deviceID; self.deviceName = deviceName; self.folders = folders
    }

    func encode(into w: inout ByteWriter) {
        w.writeString16(deviceID)
        w.writeString16(deviceName)
        w.writeUInt16(UInt16(folders.count))
        for f in folders {
            w.writeString16(f.folderID)
            w.writeUInt64(f.indexID); w.writeUInt64(f.maxSequence)
            w.writeUInt64(f.peerIndexID); w.writeUInt64(f.peerMaxSequence)
        }
    }

    static func decode(from r: inout ByteReader) throws(SyncProtocolParseError) -> Hello {
        let device = try r.readString16(maxBytes: FrameLimits.maxLabelBytes, field: "device ID")
        let name = try r.readString16(maxBytes: FrameLimits.maxLabelBytes, field: "device name")
        let count = Int(try r.sync { try $0.readUInt16() })
        guard count <= FrameLimits.maxFolders else { throw .limitExceeded("\(count) folders") }
        var folders: [Folder] = []
        for _ in 0..<count {
            let id = try r.readString16(maxBytes: FrameLimits.maxLabelBytes, field: "folder ID")
            guard !id.isEmpty else { throw .invalidField("empty folder ID") }
            let values = try r.sync { r in (try r.readUInt64(), try r.readUInt64(), try r.readUInt64(), try r.readUInt64()) }
            folders.append(Folder(folderID: id, indexID: values.0, maxSequence: values.1, peerIndexID: values.2, peerMaxSequence: values.3))
        }
        return Hello(deviceID: device, deviceName: name, folders: folders)
    }
}
