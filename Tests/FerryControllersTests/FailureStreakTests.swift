/// Airbyte's auto-disable of a Connection that only fails: the failure streak folded from
/// finished Syncs (each counted once, after the status' lastSync; a success ends it, a
/// cancellation is neither), and the verdict at 30 in a row or 7 days of failures.
import Foundation
import Testing
@testable import FerryControllers

@Suite struct FailureStreakTests {
    static let base = Date(timeIntervalSince1970: 1_780_000_000)
    static let day: TimeInterval = 86_400
    static func sync(_ name: String, _ outcome: FinishedSync.Outcome, at minutes: Double) -> FinishedSync {
        FinishedSync(name: name, outcome: outcome, completionTime: base.addingTimeInterval(minutes * 60))
    }

    @Test func failuresCountUntilASuccessAndCancellationsAreNeither() {
        var streak = FailureStreak()
        let added = streak.fold([Self.sync("a", .failed, at: 1), Self.sync("b", .succeeded, at: 2), Self.sync("c", .failed, at: 3),
                                 Self.sync("d", .cancelled, at: 4), Self.sync("e", .failed, at: 5)], after: nil)
        #expect(streak == FailureStreak(count: 2, since: Self.base.addingTimeInterval(180)))
        // The failure before the success is not part of the streak.
        #expect(added == 2)
        // A success ends it.
        #expect(streak.fold([Self.sync("f", .succeeded, at: 6)], after: nil) == 0 && streak == FailureStreak())
    }

    @Test func onlySyncsAfterTheLastCountedOneAreFolded() {
        let history = [Self.sync("a", .failed, at: 1), Self.sync("b", .failed, at: 2), Self.sync("c", .failed, at: 3)]
        var streak = FailureStreak(count: 2, since: Self.base.addingTimeInterval(60))
        // a and b were counted (lastSync is b): only c is new.
        #expect(streak.fold(history, after: (Self.base.addingTimeInterval(120), "b")) == 1)
        #expect(streak == FailureStreak(count: 3, since: Self.base.addingTimeInterval(60)))
        // Nothing new: nothing changes, whatever order the cache lists them in.
        #expect(streak.fold(history.reversed(), after: (Self.base.addingTimeInterval(180), "c")) == 0 && streak.count == 3)
        // Same completion second: the name decides.
        var tied = FailureStreak()
        #expect(tied.fold([Self.sync("x-2", .failed, at: 3)], after: (Self.base.addingTimeInterval(180), "x-1")) == 1)
    }

    @Test func thirtyInARowDisables() {
        let options = ConnectionControllerOptions()
        #expect(AutoDisable.verdict(FailureStreak(count: 29, since: Self.base), newFailures: 1, now: Self.base, options: options) == nil)
        #expect(AutoDisable.verdict(FailureStreak(count: 30, since: Self.base), newFailures: 1, now: Self.base, options: options) == .consecutiveFailures(30))
        // Only a newly counted failure triggers it.
        #expect(AutoDisable.verdict(FailureStreak(count: 30, since: Self.base), newFailures: 0, now: Self.base, options: options) == nil)
        // 0 turns the rule off.
        #expect(AutoDisable.verdict(FailureStreak(count: 500, since: Self.base), newFailures: 1, now: Self.base,
                                    options: ConnectionControllerOptions(autoDisableConsecutiveFailures: 0)) == nil)
    }

    @Test func sevenDaysOfOnlyFailuresDisables() {
        let options = ConnectionControllerOptions()
        let streak = FailureStreak(count: 3, since: Self.base)
        #expect(AutoDisable.verdict(streak, newFailures: 1, now: Self.base.addingTimeInterval(7 * Self.day - 1), options: options) == nil)
        #expect(AutoDisable.verdict(streak, newFailures: 1, now: Self.base.addingTimeInterval(7 * Self.day), options: options)
            == .failingFor(days: 7, since: Self.base, count: 3))
        #expect(AutoDisable.verdict(streak, newFailures: 1, now: Self.base.addingTimeInterval(30 * Self.day),
                                    options: ConnectionControllerOptions(autoDisableFailingDays: 0)) == nil)
        #expect(AutoDisable.verdict(FailureStreak(), newFailures: 1, now: Self.base.addingTimeInterval(30 * Self.day), options: options) == nil)
        let message = AutoDisableVerdict.failingFor(days: 7, since: Self.base, count: 3).message
        #expect(message.contains("7 days") && message.contains("3 failures") && message.contains("spec.suspend"))
        #expect(AutoDisableVerdict.consecutiveFailures(30).message.hasPrefix("30 Syncs failed in a row"))
    }
}
