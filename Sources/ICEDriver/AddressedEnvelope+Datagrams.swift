import NIOCore

extension AddressedEnvelope where DataType == ByteBuffer {
    /// Calls `body` with each datagram of this received envelope, as an array: the whole
    /// buffer, or, when UDP GRO merged several (`metadata.segmentSize`), each `segmentSize`
    /// slice in order (the last may be shorter).
    public func forEachDatagram(_ body: ([UInt8]) throws -> Void) rethrows {
        let total = data.readableBytes
        guard let segment = metadata?.segmentSize, segment > 0, segment < total else {
            try body(data.withUnsafeReadableBytes { Array($0) })
            return
        }
        try data.withUnsafeReadableBytes { raw in
            var offset = 0
            while offset < total {
                let end = Swift.min(total, offset + segment)
                try body(Array(UnsafeRawBufferPointer(rebasing: raw[offset..<end])))
                offset = end
            }
        }
    }
}
