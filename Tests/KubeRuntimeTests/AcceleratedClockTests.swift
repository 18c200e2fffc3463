/// `ferry dev --clock-speed`: the operator's clock runs faster than real time.
import Foundation
import KubeRuntime
import Testing

@Suite struct AcceleratedClockTests {
    @Test func sleepingAnHourOfClockTimeTakesAFractionOfItInRealTime() async throws {
        let clock = AcceleratedClock(speed: 3600)
        let realStart = ContinuousClock.now, wallStart = clock.wallTime
        try await clock.sleep(for: .seconds(3600))
        let real = realStart.duration(to: .now)
        #expect(clock.now >= .seconds(3600))
        #expect(clock.wallTime.timeIntervalSince(wallStart) >= 3600)
        // An hour of clock time, one real second of it at this speed; far below the hour.
        #expect(real < .seconds(60), "\(real)")
    }

    @Test func speedBelowOneIsTheSystemClocksPace() {
        #expect(AcceleratedClock(speed: 0.5).speed == 1)
    }

    @Test func cancellationEndsASleep() async {
        let clock = AcceleratedClock(speed: 2)
        let task = Task { try await clock.sleep(for: .seconds(3600)) }
        task.cancel()
        await #expect(throws: CancellationError.self) { try await task.value }
    }
}
