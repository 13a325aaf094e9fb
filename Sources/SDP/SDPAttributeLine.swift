/// One `a=` line of a description: the exact text (so writing reproduces what was read, byte
/// for byte) and its typed meaning.
///
/// Parsed lines keep the sender's spelling (`a=msid-semantic: WMS`, lower-case hex…);
/// lines built from an ``SDPAttribute`` use the canonical spelling.
public struct SDPAttributeLine: Hashable, Sendable, CustomStringConvertible {
    /// The attribute name.
    public let name: String
    /// The value text after the first `:`, nil for a line without `:`.
    public let value: String?
    /// The typed attribute.
    public let attribute: SDPAttribute

    /// A line for `attribute` in canonical spelling.
    public init(_ attribute: SDPAttribute) {
        self.name = attribute.name
        self.value = attribute.value
        self.attribute = attribute
    }

    /// Parses the text after `a=` (e.g. `mid:0`, `rtcp-mux`).
    public init(parsing text: Substring) throws(SDPAttributeValueError) {
        let name: Substring
        let value: Substring?
        if let colon = text.firstIndex(of: ":") {
            name = text[..<colon]
            value = text[text.index(after: colon)...]
        } else {
            name = text
            value = nil
        }
        self.name = String(name)
        self.value = value.map(String.init)
        self.attribute = try SDPAttribute(name: self.name, value: self.value)
    }

    /// The line without `a=` or line ending, e.g. `mid:0`.
    public var description: String { value.map { name + ":" + $0 } ?? name }
}
