/// Per-stream state keyed by stream id: a dense array for ids below ``denseLimit`` (data
/// channels use small ids, so the hot paths index an array instead of hashing), a dictionary
/// for the rest.
///
/// The array grows to the highest id stored below the limit and never past it, so a peer that
/// names a large stream id costs one dictionary entry, and the table stays at most
/// ``denseLimit`` optional entries however many streams come and go.
struct StreamTable<Value: Sendable>: Sendable {
    /// Ids below this are stored in the dense array.
    static var denseLimit: Int { 1024 }

    var dense: [Value?] = []
    var sparse: [UInt16: Value] = [:]

    /// The entry of stream `id`, if any. Setting nil removes it.
    subscript(id: UInt16) -> Value? {
        get {
            let i = Int(id)
            if i < dense.count { return dense[i] }
            return i >= Self.denseLimit ? sparse[id] : nil
        }
        set {
            let i = Int(id)
            if i >= Self.denseLimit {
                sparse[id] = newValue
            } else if i < dense.count {
                dense[i] = newValue
            } else if let newValue {
                grow(to: i)
                dense[i] = newValue
            }
        }
    }

    /// The entry of stream `id`, created from `defaultValue` when absent, edited in place (no
    /// copy of the entry, no hashing below ``denseLimit``).
    subscript(id: UInt16, default defaultValue: @autoclosure () -> Value) -> Value {
        get { self[id] ?? defaultValue() }
        _modify {
            let i = Int(id)
            if i >= Self.denseLimit {
                yield &sparse[id, default: defaultValue()]
            } else {
                if i >= dense.count { grow(to: i) }
                var value: Value? = nil
                swap(&value, &dense[i])
                var entry = value ?? defaultValue()
                defer { dense[i] = entry }
                yield &entry
            }
        }
    }

    /// Removes and returns the entry of stream `id` (moved out: editing it and storing it back
    /// with the subscript copies nothing).
    mutating func removeValue(forKey id: UInt16) -> Value? {
        let i = Int(id)
        if i < dense.count {
            var value: Value? = nil
            swap(&value, &dense[i])
            return value
        }
        return i >= Self.denseLimit ? sparse.removeValue(forKey: id) : nil
    }

    /// Runs `body` on the entry of stream `id` in place (no copy of it); nil when absent.
    @discardableResult
    mutating func modify<R>(_ id: UInt16, _ body: (inout Value) -> R) -> R? {
        let i = Int(id)
        if i < dense.count {
            guard dense[i] != nil else { return nil }
            return body(&dense[i]!)
        }
        guard i >= Self.denseLimit, sparse[id] != nil else { return nil }
        return body(&sparse[id]!)
    }

    /// Drops every entry.
    mutating func removeAll() {
        dense = []
        sparse = [:]
    }

    mutating func grow(to index: Int) {
        dense.append(contentsOf: repeatElement(nil, count: index + 1 - dense.count))
    }
}
