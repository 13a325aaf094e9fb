// libFuzzer target for the sync side's parsers of untrusted input. The first input byte picks
// the parser: even = sync frame decoder (SyncFrame.decode, FrameAssembler), odd = .syncignore
// parser and matcher (a synced file, so it comes from peers too). Any trap is a bug.
import SyncFS
import SyncProtocol

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size > 0 else { return 0 }
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let body = Array(bytes.dropFirst())
    if bytes[0] & 1 == 0 {
        if let frame = try? SyncFrame.decode(body) {
            // Whatever decodes must re-encode to something that decodes to the same frame.
            let again = try? SyncFrame.decode(frame.encode())
            precondition(again == frame, "re-encoding changed a frame")
            // A raw chunk is carried as a view of the frame: exactly the bytes after its prefix.
            if case .response(let r) = frame, body[11] == ChunkResponse.Encoding.raw.rawValue {
                precondition(r.data.elementsEqual(body[ChunkResponse.framePrefixBytes...]), "a raw payload is not the frame's tail")
            }
        }
        var assembler = FrameAssembler()
        assembler.append(body)
        while let next = try? assembler.nextFrame() { _ = try? SyncFrame.decode(next) }
        if let text = String(validating: body, as: UTF8.self) { _ = try? PathPolicy.validate(text) }
    } else {
        let text = String(decoding: body, as: UTF8.self)
        let lines = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        let rules = IgnoreRules(text: String(lines.first ?? ""))
        let path = lines.count > 1 ? String(lines[1]) : "a/b/c.txt"
        _ = rules.isIgnored(path, isDirectory: false)
        _ = rules.isIgnored(path, isDirectory: true)
    }
    return 0
}
