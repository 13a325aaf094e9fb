import COpenSSL

/// A BIO that keeps datagram boundaries between OpenSSL and ``DTLSCallbackState``'s queues.
///
/// OpenSSL 3.0 has no datagram memory BIO (it arrived in 3.2), and a plain memory BIO would
/// merge datagrams into one byte stream, which DTLS cannot parse. This source/sink BIO returns
/// one queued datagram per read and queues each write as one record.
enum DatagramBIO {
    /// Holds the process-wide `BIO_METHOD *`. It is created once (Swift global initialisation
    /// is thread-safe), never mutated afterwards and only read by OpenSSL, so sharing it across
    /// threads is safe: that is why this box is `@unchecked Sendable`.
    final class Method: @unchecked Sendable {
        let pointer: OpaquePointer
        init(pointer: OpaquePointer) { self.pointer = pointer }
    }

    /// The BIO method, built on first use.
    static let method: Method = {
        let type = BIO_get_new_index() | BIO_TYPE_SOURCE_SINK
        guard let method = BIO_meth_new(type, "peersync datagram") else {
            preconditionFailure("BIO_meth_new failed: \(OpenSSLErrorQueue.drain())")
        }
        BIO_meth_set_write(method, write)
        BIO_meth_set_read(method, read)
        BIO_meth_set_ctrl(method, ctrl)
        BIO_meth_set_create(method, create)
        BIO_meth_set_destroy(method, destroy)
        return Method(pointer: method)
    }()

    /// A new BIO reading from and writing to `state` (held unretained).
    static func make(state: DTLSCallbackState) -> OpaquePointer? {
        guard let bio = BIO_new(method.pointer) else { return nil }
        BIO_set_data(bio, Unmanaged.passUnretained(state).toOpaque())
        return bio
    }

    private static func state(of bio: OpaquePointer?) -> DTLSCallbackState? {
        guard let bio, let data = BIO_get_data(bio) else { return nil }
        return Unmanaged<DTLSCallbackState>.fromOpaque(data).takeUnretainedValue()
    }

    private static let write: @convention(c) (OpaquePointer?, UnsafePointer<CChar>?, Int32) -> Int32 = { bio, data, length in
        CShim_BIO_clear_retry_flags(bio)
        guard let state = state(of: bio), let data, length >= 0 else { return -1 }
        let bytes = Array(UnsafeRawBufferPointer(start: data, count: Int(length)))
        state.pushOutbound(bytes)
        return length
    }

    private static let read: @convention(c) (OpaquePointer?, UnsafeMutablePointer<CChar>?, Int32) -> Int32 = { bio, buffer, capacity in
        CShim_BIO_clear_retry_flags(bio)
        guard let state = state(of: bio), let buffer, capacity > 0 else { return -1 }
        guard let n = state.popInbound(into: buffer, capacity: Int(capacity)) else {
            CShim_BIO_set_retry_read(bio)
            return -1
        }
        return Int32(n)
    }

    private static let ctrl: @convention(c) (OpaquePointer?, Int32, Int, UnsafeMutableRawPointer?) -> Int = { _, command, _, _ in
        switch command {
        case BIO_CTRL_FLUSH:
            return 1
        case BIO_CTRL_DGRAM_GET_MTU_OVERHEAD:
            // The configured MTU is the DTLS datagram size itself: no IP/UDP overhead to remove.
            return 0
        default:
            // Queries about sockets, peers, MTU discovery and timeouts do not apply.
            return 0
        }
    }

    private static let create: @convention(c) (OpaquePointer?) -> Int32 = { bio in
        BIO_set_init(bio, 1)
        return 1
    }

    private static let destroy: @convention(c) (OpaquePointer?) -> Int32 = { bio in
        BIO_set_data(bio, nil)
        return 1
    }
}
