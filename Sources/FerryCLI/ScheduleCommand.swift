/// `ferry schedule next`: a Connection's next activation times, computed offline with the
/// same library the controller uses (API.md, "Command-line contract").
import ArgumentParser
import FerrySchedule
import Foundation

struct ScheduleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedule",
        abstract: "Inspect schedules.",
        subcommands: [Next.self]
    )

    struct Next: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "next",
            abstract: "Print the next activation times, one RFC 3339 line each with the zone's offset.",
            discussion: "--cron takes a standard 5-field expression (as CronJob does, with @hourly-style descriptors and @every) or a Quartz 6-7 field expression; --every takes a duration such as 1h30m."
        )

        @Option(help: "A cron expression, e.g. \"0 */6 * * *\" or \"0 0 12 ? * MON-FRI\".")
        var cron: String?

        @Option(help: "A fixed interval instead of --cron, e.g. 1h30m, 90s, 24h.")
        var every: String?

        @Option(help: "IANA time zone the cron fields are read in.")
        var tz = "UTC"

        @Option(help: "Reference time (RFC 3339); activations strictly after it are printed. Default: now.")
        var from: String?

        @Option(help: "How many activations to print.")
        var count = 5

        /// Bad input is reported here, so ArgumentParser prints this subcommand's usage.
        func validate() throws {
            guard count >= 0 else { throw ValidationError("--count must not be negative") }
            _ = try parsedSchedule(in: zone())
            _ = try referenceTime()
        }

        func run() throws {
            let zone = try zone()
            let schedule = try parsedSchedule(in: zone)
            var after = try referenceTime()
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime]
            formatter.timeZone = zone
            for printed in 0..<count {
                guard let next = schedule.next(after: after) else {
                    // e.g. "0 0 30 2 *"; standard cron looks 5 years ahead, Quartz up to 2099.
                    FileHandle.standardError.write(Data("no further activation after \(formatter.string(from: after))\n".utf8))
                    if printed == 0 { throw ExitCode(1) }
                    break
                }
                print(formatter.string(from: next))
                after = next
            }
        }

        /// The schedule to evaluate; an invalid one is a usage error naming the bad field.
        func parsedSchedule(in zone: TimeZone) throws -> Schedule {
            switch (cron, every) {
            case (let expression?, nil):
                return .cron(try checked { () throws(CronParseError) in try CronSchedule(parsing: expression) }, zone)
            case (nil, let duration?):
                return .interval(try checked { () throws(CronParseError) in try IntervalSchedule(parsing: duration) })
            default:
                throw ValidationError("give exactly one of --cron EXPR and --every DURATION")
            }
        }

        func zone() throws -> TimeZone {
            try checked { () throws(CronParseError) in try Schedule.timeZone(named: tz) }
        }

        func referenceTime() throws -> Date {
            guard let from else { return Date() }
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = [.withInternetDateTime]
            if let date = formatter.date(from: from) { return date }
            formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
            if let date = formatter.date(from: from) { return date }
            throw ValidationError("--from: \"\(from)\" is not an RFC 3339 time such as 2026-03-08T01:30:00-05:00")
        }

        func checked<T>(_ parse: () throws(CronParseError) -> T) throws -> T {
            do {
                return try parse()
            } catch {
                throw ValidationError(error.description)
            }
        }
    }
}
