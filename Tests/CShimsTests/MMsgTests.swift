import CPlatform
import Glibc
import Testing

@Suite struct MMsgTests {
    /// Sends a batch of datagrams to ourselves on 127.0.0.1 with sendmmsg and reads them with recvmmsg.
    @Test func batchOverLoopback() throws {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        #expect(fd >= 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                _ = bind(fd, $0, len)
                _ = getsockname(fd, $0, &len)
            }
        }
        let count = 8
        var payloads = (0..<count).map { i in [UInt8](repeating: UInt8(i), count: 100 + i) }
        var datagrams = [cplatform_datagram](repeating: cplatform_datagram(), count: count)
        for i in 0..<count {
            withUnsafeMutableBytes(of: &datagrams[i].address) { raw in
                withUnsafeBytes(of: addr) { raw.copyMemory(from: $0) }
            }
            datagrams[i].address_length = len
        }
        let sent = payloads.withUnsafeMutableBufferPointer { bufs -> Int32 in
            for i in 0..<count {
                datagrams[i].data = UnsafeMutableRawPointer(bufs[i].withUnsafeMutableBufferPointer { $0.baseAddress })
                datagrams[i].length = bufs[i].count
            }
            return cplatform_sendmmsg(fd, &datagrams, UInt32(count))
        }
        #expect(sent == Int32(count))

        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: count * 2048, alignment: 16)
        defer { storage.deallocate() }
        var incoming = [cplatform_datagram](repeating: cplatform_datagram(), count: count)
        for i in 0..<count {
            incoming[i].data = storage.baseAddress! + i * 2048
            incoming[i].length = 2048
        }
        var received = 0
        while received < count {
            var batch = Array(incoming[received...])
            let n = cplatform_recvmmsg(fd, &batch, UInt32(batch.count), 0)
            #expect(n > 0)
            if n <= 0 { break }
            for j in 0..<Int(n) { incoming[received + j] = batch[j] }
            received += Int(n)
        }
        for i in 0..<count {
            #expect(incoming[i].length == 100 + i)
            #expect(storage[i * 2048] == UInt8(i))
        }
    }
}
