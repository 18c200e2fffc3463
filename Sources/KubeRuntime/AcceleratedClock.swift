/// A real clock that runs `speed` times faster than wall time, from the moment it is made:
/// `ferry dev --clock-speed 60` turns an `every: 1m` schedule into one Sync a second, so a
/// demo or an end-to-end test sees schedules, backoffs and history limits at work without
/// waiting for them (and without a test hook into the process).
import Foundation

public struct AcceleratedClock: RuntimeClock {
    public let speed: Double
    private let origin: ContinuousClock.Instant
    private let wallOrigin: Date

    /// `speed` is at least 1 (1 is the system clock).
    public init(speed: Double) {
        self.speed = max(1, speed)
        origin = ContinuousClock.now
        wallOrigin = Date()
    }

    public var now: Duration { origin.duration(to: ContinuousClock.now) * speed }

    public var wallTime: Date {
        let elapsed = origin.duration(to: ContinuousClock.now)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        return wallOrigin.addingTimeInterval(seconds * speed)
    }

    public func sleep(until deadline: Duration) async throws {
        try await ContinuousClock().sleep(until: origin.advanced(by: deadline / speed))
    }
}
