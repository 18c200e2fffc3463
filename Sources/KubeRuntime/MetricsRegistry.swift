/// A small in-house metrics registry: counters, gauges and histograms with labels,
/// rendered in the Prometheus text exposition format (version 0.0.4).
import Foundation
import Synchronization

/// Holds every metric family of one process. Thread-safe; cheap enough to call on every
/// work-queue operation (one lock, one dictionary lookup).
public final class MetricsRegistry: Sendable {
    public enum Kind: String, Sendable {
        case counter, gauge, histogram
    }

    /// Prometheus' default buckets, which controller-runtime also uses for its latencies.
    public static let defaultBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]
    /// controller-runtime's work-queue latency buckets: 10^-8 … 10^1 seconds.
    public static let workQueueBuckets: [Double] = (-8...1).map { pow10($0) }
    /// controller-runtime's reconcile-time buckets.
    public static let reconcileBuckets: [Double] = [
        0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0,
        1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5, 6, 7, 8, 9, 10, 15, 20, 25, 30, 40, 50, 60,
    ]

    private static func pow10(_ e: Int) -> Double {
        var v = 1.0
        if e >= 0 { for _ in 0..<e { v *= 10 } } else { for _ in 0..<(-e) { v /= 10 } }
        return v
    }

    private struct Histogram {
        var counts: [UInt64]
        var sum: Double = 0
        var count: UInt64 = 0
    }
    private struct Family {
        var kind: Kind
        var help: String
        var buckets: [Double]
        var values: [Labels: Double] = [:]
        var histograms: [Labels: Histogram] = [:]
    }
    /// Label pairs sorted by name, so equal label sets compare equal.
    private struct Labels: Hashable, Comparable {
        var pairs: [String]
        init(_ dict: [String: String]) {
            pairs = dict.sorted { $0.key < $1.key }.flatMap { [$0.key, $0.value] }
        }
        static func < (a: Labels, b: Labels) -> Bool { a.pairs.lexicographicallyPrecedes(b.pairs) }
        func render(extra: (String, String)? = nil) -> String {
            var parts: [String] = []
            var i = 0
            while i + 1 < pairs.count {
                parts.append("\(pairs[i])=\"\(MetricsRegistry.escape(pairs[i + 1]))\"")
                i += 2
            }
            if let extra { parts.append("\(extra.0)=\"\(extra.1)\"") }
            return parts.isEmpty ? "" : "{" + parts.joined(separator: ",") + "}"
        }
    }

    private let families = Mutex<[String: Family]>([:])
    private let collectors = Mutex<[@Sendable () -> Void]>([])

    public init() {}

    /// Declares a family. Declaring it again keeps the first declaration.
    public func describe(_ name: String, kind: Kind, help: String, buckets: [Double] = MetricsRegistry.defaultBuckets) {
        families.withLock { f in
            if f[name] == nil { f[name] = Family(kind: kind, help: help, buckets: buckets.sorted()) }
        }
    }

    /// Adds to a counter (declared as an untyped counter on first use).
    public func increment(_ name: String, _ labels: [String: String] = [:], by amount: Double = 1) {
        let key = Labels(labels)
        families.withLock { f in
            if f[name] == nil { f[name] = Family(kind: .counter, help: name, buckets: []) }
            f[name]?.values[key, default: 0] += amount
        }
    }

    public func set(_ name: String, _ labels: [String: String] = [:], to value: Double) {
        let key = Labels(labels)
        families.withLock { f in
            if f[name] == nil { f[name] = Family(kind: .gauge, help: name, buckets: []) }
            f[name]?.values[key] = value
        }
    }

    public func add(_ name: String, _ labels: [String: String] = [:], _ delta: Double) {
        let key = Labels(labels)
        families.withLock { f in
            if f[name] == nil { f[name] = Family(kind: .gauge, help: name, buckets: []) }
            f[name]?.values[key, default: 0] += delta
        }
    }

    public func observe(_ name: String, _ labels: [String: String] = [:], _ value: Double) {
        let key = Labels(labels)
        families.withLock { f in
            if f[name] == nil { f[name] = Family(kind: .histogram, help: name, buckets: MetricsRegistry.defaultBuckets) }
            guard var family = f[name] else { return }
            var h = family.histograms[key] ?? Histogram(counts: Array(repeating: 0, count: family.buckets.count))
            for (i, bound) in family.buckets.enumerated() where value <= bound { h.counts[i] += 1 }
            h.sum += value
            h.count += 1
            family.histograms[key] = h
            f[name] = family
        }
    }

    /// The current value of a counter or gauge (nil when never set).
    public func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        families.withLock { $0[name]?.values[Labels(labels)] }
    }

    /// The number of observations of a histogram.
    public func observationCount(_ name: String, _ labels: [String: String] = [:]) -> UInt64 {
        families.withLock { $0[name]?.histograms[Labels(labels)]?.count ?? 0 }
    }

    /// Registers a function run before every render, for gauges computed at scrape time.
    public func addCollector(_ collect: @escaping @Sendable () -> Void) {
        collectors.withLock { $0.append(collect) }
    }

    /// The Prometheus text format of every family, sorted by name.
    public func render() -> String {
        for collect in collectors.withLock({ $0 }) { collect() }
        let snapshot = families.withLock { $0 }
        var out = ""
        for name in snapshot.keys.sorted() {
            guard let family = snapshot[name] else { continue }
            out += "# HELP \(name) \(family.help)\n# TYPE \(name) \(family.kind.rawValue)\n"
            switch family.kind {
            case .counter, .gauge:
                for labels in family.values.keys.sorted() {
                    out += "\(name)\(labels.render()) \(Self.format(family.values[labels] ?? 0))\n"
                }
            case .histogram:
                for labels in family.histograms.keys.sorted() {
                    guard let h = family.histograms[labels] else { continue }
                    for (i, bound) in family.buckets.enumerated() {
                        out += "\(name)_bucket\(labels.render(extra: ("le", Self.format(bound)))) \(h.counts[i])\n"
                    }
                    out += "\(name)_bucket\(labels.render(extra: ("le", "+Inf"))) \(h.count)\n"
                    out += "\(name)_sum\(labels.render()) \(Self.format(h.sum))\n"
                    out += "\(name)_count\(labels.render()) \(h.count)\n"
                }
            }
        }
        return out
    }

    static func format(_ v: Double) -> String {
        if v.isNaN { return "NaN" }
        if v.isInfinite { return v > 0 ? "+Inf" : "-Inf" }
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return "\(v)"
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }
}

extension Duration {
    /// The duration in seconds as a Double, for metrics and log fields.
    var seconds: Double {
        let c = components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }
}
