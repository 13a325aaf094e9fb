import NIOCore

extension AddressedEnvelope where DataType == ByteBuffer {
    /// Calls `body` with each datagram of this received envelope, as an array: the whole
    /// buffer, or, when UDP GRO merged several (`metadata.segmentSize`), each `segmentSize`
    /// slice in order (the last may be shorter).
    public func forEachDatagram(_ body: ([UInt8]) throws -> Void) rethrows {
        try forEachDatagramBytes { try body(Array($0)) }
    }

    /// The same as ``forEachDatagram(_:)`` without copying: each datagram is a view of the
    /// receive buffer, valid only during the call to `body`.
    public func forEachDatagramBytes(_ body: (UnsafeRawBufferPointer) throws -> Void) rethrows {
        let total = data.readableBytes
        try data.withUnsafeReadableBytes { raw in
            guard let segment = metadata?.segmentSize, segment > 0, segment < total else {
                try body(raw)
                return
            }
            var offset = 0
            while offset < total {
                let end = Swift.min(total, offset + segment)
                try body(UnsafeRawBufferPointer(rebasing: raw[offset..<end]))
                offset = end
            }
        }
    }
}
