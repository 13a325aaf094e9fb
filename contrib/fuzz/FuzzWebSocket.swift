// libFuzzer target for the rendezvous server's WebSocket reader (built by contrib/fuzz/fuzz.sh
// together with Sources/Signaling/WebSocket, against the package's own SwiftNIO build).
// Input: byte 0 picks the limits (masking required or not, a small or larger message limit),
// byte 1 the size of the pieces the rest arrives in; the rest is the client's byte stream.
// Checks: no trap on any input; a message never exceeds the limit (a control frame 125 bytes); buffered bytes stay within
// one message plus a frame header; once the reader fails it keeps failing with the same error;
// the same stream read whole and read in pieces gives the same messages and the same error;
// every message re-framed by WebSocketFrameWriter (unmasked) reads back unchanged.
import NIOCore

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzWebSocket(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size >= 2 else { return 0 }
    let input = UnsafeBufferPointer(start: data, count: size)
    let requireMasking = input[0] & 1 != 0
    let limit = input[0] & 2 != 0 ? 64 : 70_000
    let fragments = Int(input[0] >> 2 & 7) + 1
    let piece = Int(input[1]) + 1
    let stream = Array(input[2...])

    let whole = read(stream, piece: stream.count + 1, limit: limit, fragments: fragments, masking: requireMasking)
    let pieces = read(stream, piece: piece, limit: limit, fragments: fragments, masking: requireMasking)
    guard whole.messages == pieces.messages, whole.error == pieces.error else {
        fatalError("reading in pieces of \(piece) changed the result")
    }
    for message in whole.messages { reframe(message, limit: limit) }
    return 0
}

private struct Outcome {
    var messages: [WebSocketFrameReader.Message] = []
    var error: WebSocketFrameParseError?
}

private func read(_ stream: [UInt8], piece: Int, limit: Int, fragments: Int, masking: Bool) -> Outcome {
    var reader = WebSocketFrameReader(maxMessageBytes: limit, maxFragments: fragments, requireMasking: masking, headroom: 10)
    let allocator = ByteBufferAllocator()
    var outcome = Outcome()
    var offset = 0
    while offset < stream.count, outcome.error == nil {
        let end = min(stream.count, offset + piece)
        reader.append(allocator.buffer(bytes: stream[offset..<end]))
        offset = end
        do {
            while let message = try reader.next(allocator: allocator) {
                switch message {
                case .text(let b), .binary(let b):
                    guard b.readableBytes <= limit else { fatalError("a message over the limit") }
                case .ping(let b), .pong(let b), .close(let b):
                    guard b.readableBytes <= 125 else { fatalError("a control frame over 125 bytes") }
                }
                outcome.messages.append(message)
            }
        } catch {
            outcome.error = error
            do {
                _ = try reader.next(allocator: allocator)
                fatalError("a failed reader read on")
            } catch let again {
                guard again == error else { fatalError("a failed reader changed its error") }
            }
        }
        guard outcome.error != nil || reader.bufferedBytes < max(limit, 125) + 14 else {
            fatalError("buffered \(reader.bufferedBytes) bytes, more than a message and a header")
        }
    }
    return outcome
}

private func payload(of message: WebSocketFrameReader.Message) -> ByteBuffer {
    switch message {
    case .text(let b), .binary(let b), .ping(let b), .pong(let b), .close(let b): b
    }
}

/// Writes the message as one unmasked frame and reads it back with a client-side reader.
private func reframe(_ message: WebSocketFrameReader.Message, limit: Int) {
    let allocator = ByteBufferAllocator()
    var bytes = payload(of: message)
    let opcode: UInt8 = switch message {
    case .text: WebSocketFrameWriter.text
    case .binary: WebSocketFrameWriter.binary
    case .ping: WebSocketFrameWriter.ping
    case .pong: WebSocketFrameWriter.pong
    case .close: WebSocketFrameWriter.close
    }
    WebSocketFrameWriter.frame(&bytes, opcode: opcode, allocator: allocator)
    var reader = WebSocketFrameReader(maxMessageBytes: max(limit, 125), requireMasking: false)
    reader.append(bytes)
    guard let again = try? reader.next(allocator: allocator), again == message, reader.bufferedBytes == 0 else {
        fatalError("a message changed when written as a frame and read back")
    }
}
