import Testing
@testable import FerrySchedule

@Suite struct PlaceholderTests {
    @Test func moduleLoads() { _ = FerrySchedule.self }
}
