import KubeCore
import Testing

/// Quantities as apimachinery's `resource.ParseQuantity` reads them, with `MilliValue()`
/// and `Value()` rounding up (away from zero) as Kubernetes does.
@Suite("Resource quantities")
struct ResourceQuantityTests {
    @Test(arguments: [
        ("500m", Int64(500), Int64(1), 0.5),
        ("1", 1000, 1, 1),
        ("1.5", 1500, 2, 1.5),
        ("2Gi", 2_147_483_648_000, 2_147_483_648, 2_147_483_648),
        ("300Mi", 314_572_800_000, 314_572_800, 314_572_800),
        ("1.5Gi", 1_610_612_736_000, 1_610_612_736, 1_610_612_736),
        ("128974848", 128_974_848_000, 128_974_848, 128_974_848),
        ("129e6", 129_000_000_000, 129_000_000, 129e6),
        ("129E6", 129_000_000_000, 129_000_000, 129e6),
        ("1.5e3", 1_500_000, 1500, 1500),
        ("1e-3", 1, 1, 0.001),
        ("123456n", 1, 1, 0.000123456),
        ("250u", 1, 1, 0.00025),
        ("0.1m", 1, 1, 0.0001),
        ("10Ki", 10_240_000, 10240, 10240),
        ("1k", 1_000_000, 1000, 1000),
        ("1M", 1_000_000_000, 1_000_000, 1e6),
        ("0", 0, 0, 0),
        ("0.000", 0, 0, 0),
        ("-500m", -500, -1, -0.5),
        ("+1.5", 1500, 2, 1.5),
        (".5", 500, 1, 0.5),
        ("5.", 5000, 5, 5),
        ("007", 7000, 7, 7),
        ("0.0000000000000000000001", 1, 1, 1e-22),
        ("0.1234567890123456789012", 124, 1, 0.1234567890123456789012),
    ])
    func parses(text: String, milli: Int64, value: Int64, double: Double) throws {
        let q = try ResourceQuantity(parsing: text)
        #expect(q.milliValue == milli)
        #expect(q.value == value)
        #expect(abs(q.doubleValue - double) <= abs(double) * 1e-12)
        #expect(q.description == text)
    }

    /// Valid, but too large for an Int64 in thousandths or at all.
    @Test func outOfRangeIsNil() throws {
        let exa = try ResourceQuantity(parsing: "1E")
        #expect(exa.value == 1_000_000_000_000_000_000)
        #expect(exa.milliValue == nil)
        #expect(try ResourceQuantity(parsing: "8Ei").value == nil)
        #expect(try ResourceQuantity(parsing: "12345678901234567890123").value == nil)
        #expect(try ResourceQuantity(parsing: "1e9999").value == nil)
    }

    @Test(arguments: [
        ("", ResourceQuantity.ParseError.empty),
        ("abc", .invalidNumber("abc")),
        ("e3", .invalidNumber("e3")),
        ("--1", .invalidNumber("--1")),
        (".", .invalidNumber(".")),
        ("1.2.3", .invalidNumber("1.2.3")),
        ("1 Ki", .invalidNumber("1 Ki")),
        ("1K", .invalidSuffix("1K", suffix: "K")),
        ("1KiB", .invalidSuffix("1KiB", suffix: "KiB")),
        ("1e", .invalidSuffix("1e", suffix: "e")),
        ("1ee3", .invalidSuffix("1ee3", suffix: "ee3")),
        ("5mi", .invalidSuffix("5mi", suffix: "mi")),
    ])
    func rejects(text: String, error: ResourceQuantity.ParseError) {
        #expect(throws: error) { try ResourceQuantity(parsing: text) }
        #expect(ResourceQuantity(text) == nil)
    }
}
