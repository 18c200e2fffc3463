/// The classifier's fast paths: the relay's common RECORD opening, the framing check
/// after `data`, the `"namespace"` search (SIMD), and the structural-byte test used
/// when skipping values.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ByteScanner {
    static let recordOpening: StaticString = #"{"type":"RECORD","record":{"stream":""#
    static let spacedRecordOpening: StaticString = #"{"type": "RECORD", "record": {"stream": ""#
    static let dataOpening: StaticString = #","data":{"#
    static let spacedDataOpening: StaticString = #", "data": {"#

    /// The relay's fast path for the line shape every Airbyte CDK writes (compact, or
    /// Python's `json.dumps` spacing): a fixed opening up to the stream name, a name
    /// without escapes, `data` next, then the framing check. nil: take the general path
    /// (which gives the same answer for these lines, only slower).
    mutating func classifyCommonRecord() -> LineClassification? {
        guard let base = bytes.baseAddress else { return nil }
        let spaced: Bool
        if hasPrefix(Self.recordOpening, at: 0) { spaced = false; i = Self.recordOpening.utf8CodeUnitCount }
        else if hasPrefix(Self.spacedRecordOpening, at: 0) { spaced = true; i = Self.spacedRecordOpening.utf8CodeUnitCount }
        else { return nil }
        let nameStart = i
        // Stream names are short: a loop here beats a libc call per line.
        var nameEnd = nameStart
        while nameEnd < bytes.count, base[nameEnd] != Self.quote {
            if base[nameEnd] == Self.backslash || base[nameEnd] < 0x20 { return nil }
            nameEnd += 1
        }
        guard nameEnd < bytes.count else { return nil }
        let data = spaced ? Self.spacedDataOpening : Self.dataOpening
        guard hasPrefix(data, at: nameEnd + 1) else { return nil }
        i = nameEnd + data.utf8CodeUnitCount   // at the `{` of `data`
        guard framedAfterData(namespaceSeen: false) else { return nil }
        return .record(stream: StringSpan(range: nameStart..<nameEnd, hasEscapes: false), namespace: nil)
    }

    @inline(__always) func hasPrefix(_ literal: StaticString, at offset: Int) -> Bool {
        let n = literal.utf8CodeUnitCount
        guard let base = bytes.baseAddress, offset + n <= bytes.count else { return false }
        return Self.equalBytes(base + offset, literal.utf8Start, n)
    }

    /// memcmp for the short literals here, inline: a libc call per line cost more than the compare.
    @inline(__always) static func equalBytes(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ n: Int) -> Bool {
        var k = 0
        while k + 8 <= n {
            if a.loadUnaligned(fromByteOffset: k, as: UInt64.self) != b.loadUnaligned(fromByteOffset: k, as: UInt64.self) { return false }
            k += 8
        }
        while k < n {
            if a.load(fromByteOffset: k, as: UInt8.self) != b.load(fromByteOffset: k, as: UInt8.self) { return false }
            k += 1
        }
        return true
    }

    /// At the `{` of `data`: the line ends with `}` `}` (whitespace allowed) after it, and
    /// names no `"namespace"` later unless one was already seen (then a full scan decides).
    func framedAfterData(namespaceSeen: Bool) -> Bool {
        var j = bytes.count - 1
        func skipBackWhitespace() {
            while j > i, bytes[j] == 0x20 || bytes[j] == 0x09 || bytes[j] == 0x0D || bytes[j] == 0x0A { j -= 1 }
        }
        skipBackWhitespace()
        guard j > i, bytes[j] == Self.closeBrace else { return false }
        j -= 1
        skipBackWhitespace()
        guard j > i + 1, bytes[j] == Self.closeBrace else { return false }
        if namespaceSeen || namespaceKeyAbsent { return true }
        return Self.firstOccurrence(of: Self.namespaceKey, probe: Self.namespaceProbe, in: bytes, from: i) == nil
    }

    static let namespaceKey: StaticString = "\"namespace\""
    static let namespaceProbe = 6

    /// Where `needle` first occurs in `bytes` at or after `from`. Sixteen candidate
    /// positions at a time: the needle's first byte and the byte at `probe` must match
    /// (one SSE/NEON compare each), then a compare confirms. For `"namespace"` the probe
    /// is its `p`: a quote with a `p` six bytes on is rare in JSON, where a quote and an
    /// `n` next to it (every `"name"`) are not, and a third compare cost a third more.
    static func firstOccurrence(of needle: StaticString, probe: Int, in bytes: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        guard let base = bytes.baseAddress else { return nil }
        let n = needle.utf8CodeUnitCount, p = needle.utf8Start
        let raw = UnsafeRawPointer(base)
        let first = SIMD16<UInt8>(repeating: p[0]), probed = SIMD16<UInt8>(repeating: p[probe])
        /// The first of the sixteen positions from `k` where the needle starts.
        @inline(__always) func window(_ k: Int) -> Int? {
            let m = (raw.loadUnaligned(fromByteOffset: k, as: SIMD16<UInt8>.self) .== first)
                .& (raw.loadUnaligned(fromByteOffset: k + probe, as: SIMD16<UInt8>.self) .== probed)
            // `any(m)` is an out-of-line call here; two 64-bit lanes test the same bits.
            let lanes = unsafeBitCast(m, to: SIMD2<UInt64>.self)
            guard lanes[0] | lanes[1] != 0 else { return nil }
            for c in 0..<16 where m[c] && equalBytes(raw + k + c, p, n) { return k + c }
            return nil
        }
        // The last start position that leaves room for the needle and a whole window.
        let lastWindow = bytes.count - n + 1 - 16
        var k = from
        while k <= lastWindow {
            if let found = window(k) { return found }
            k += 16
        }
        // The remaining positions: one window ending at the end, overlapping the last one
        // (a scalar loop over up to 25 positions per line cost as much as the SIMD part).
        if k < lastWindow + 16 {
            if lastWindow >= from { return window(lastWindow) }
            while k + n <= bytes.count {
                if equalBytes(raw + k, p, n) { return k }
                k += 1
            }
        }
        return nil
    }

    /// Whether any byte of `w` is `"`, `{`, `}`, `[` or `]` (SWAR: a zero byte after XOR
    /// with the pattern; `{`/`[` and `}`/`]` differ only in bit 5, so one test covers each pair).
    @inline(__always) static func hasStructural(_ w: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
        let folded = w | (ones &* 0x20)  // '[' 0x5B -> 0x7B '{', ']' 0x5D -> 0x7D '}'
        let q = w ^ (ones &* 0x22), open = folded ^ (ones &* 0x7B), close = folded ^ (ones &* 0x7D)
        return ((q &- ones) & ~q | (open &- ones) & ~open | (close &- ones) & ~close) & highs != 0
    }
}
