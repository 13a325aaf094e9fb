import WireKit

/// An RTCP source description (SDES, PT 202, RFC 3550 §6.5).
public struct SourceDescription: Equatable, Sendable {
    /// One SDES item: its type (1 = CNAME, 2 = NAME, …) and value bytes.
    public struct Item: Equatable, Sendable {
        /// The item type (1 = CNAME).
        public var type: UInt8
        /// The item's text, as bytes (at most 255).
        public var value: [UInt8]
        /// An item of `type` with `value`.
        public init(type: UInt8, value: [UInt8]) {
            self.type = type
            self.value = value
        }
        /// A CNAME item.
        public static func cname(_ text: String) -> Item { Item(type: 1, value: Array(text.utf8.prefix(255))) }
    }

    /// The items describing one source.
    public struct Chunk: Equatable, Sendable {
        /// The source described.
        public var ssrc: UInt32
        /// Its items.
        public var items: [Item]
        /// A chunk for `ssrc`.
        public init(ssrc: UInt32, items: [Item]) {
            self.ssrc = ssrc
            self.items = items
        }
        /// The CNAME of this source, if present and valid UTF-8.
        public var cname: String? {
            items.first { $0.type == 1 }.flatMap { String(validating: $0.value, as: UTF8.self) }
        }
    }

    /// The chunks, one per source.
    public var chunks: [Chunk]

    /// A description with `chunks`.
    public init(chunks: [Chunk]) { self.chunks = chunks }

    init(count: Int, body r: inout ByteReader) throws(RTPParseError) {
        var chunks: [Chunk] = []
        for _ in 0..<count {
            let start = r.offset
            let ssrc = try r.u32()
            var items: [Item] = []
            while true {
                let type = try r.u8()
                if type == 0 { break }
                let len = try r.u8()
                items.append(Item(type: type, value: try r.bytes(Int(len))))
            }
            // Chunks end on a 32-bit boundary (the null item plus padding).
            let used = r.offset - start
            let pad = (4 - used % 4) % 4
            try r.skipBytes(min(pad, r.remaining))
            chunks.append(Chunk(ssrc: ssrc, items: items))
        }
        self.chunks = chunks
    }

    func writeBody(to w: inout ByteWriter) {
        for c in chunks {
            let start = w.count
            w.writeUInt32(c.ssrc)
            for i in c.items {
                w.writeUInt8(i.type)
                w.writeUInt8(UInt8(min(255, i.value.count)))
                w.writeBytes(i.value.prefix(255))
            }
            w.writeUInt8(0)
            let used = w.count - start
            w.writeZeros((4 - used % 4) % 4)
        }
    }
}
