/// Placeholder so the target builds before its first suite lands.
import Testing
import KubeTestSupport
import Foundation

@Suite struct ExternalResourcesTests {
    @Test func ferryBinaryIsBuiltNextToTheTests() {
        #expect(FileManager.default.isExecutableFile(atPath: ExternalResources.ferryBinary), "\(ExternalResources.ferryBinary)")
    }
}
