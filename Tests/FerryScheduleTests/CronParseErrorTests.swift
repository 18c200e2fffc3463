/// Rejected expressions, each naming the field at fault (or none for whole-expression
/// errors), taken from the reference implementations' error tests.
import Testing
@testable import FerrySchedule

struct ParseErrorCase: Sendable, CustomTestStringConvertible {
    var origin: String
    var expression: String
    /// The field the error must name; nil when the expression as a whole is wrong.
    var field: String?
    var testDescription: String { "\(expression) [\(origin)]" }

    init(_ origin: String, _ expression: String, _ field: String?) {
        self.origin = origin
        self.expression = expression
        self.field = field
    }
}

let robfigErrors = "robfig/cron v3 spec_test.go TestErrors"

let parseErrorCases: [ParseErrorCase] = [
    ParseErrorCase(robfigErrors, "xyz", nil),
    ParseErrorCase(robfigErrors, "60 0 * * *", "minute"),
    ParseErrorCase(robfigErrors, "0 60 * * *", "hour"),
    ParseErrorCase(robfigErrors, "0 0 * * XYZ", "day-of-week"),
    ParseErrorCase(robfigErrors, "TZ=Bogus * * * * *", nil),
    ParseErrorCase(robfigErrors, "0-0-0 * * * *", "minute"),
    ParseErrorCase(robfigErrors, "*/5/5 * * * *", "minute"),
    ParseErrorCase(robfigErrors, "* * * 0-5 * *", "day-of-month"),
    ParseErrorCase(robfigErrors, "59-2 * * * *", "minute"),
    ParseErrorCase("robfig/cron v3 spec_test.go TestSlash0NoHang", "15/0 * * * *", "minute"),
    ParseErrorCase("K8S-SEMANTICS.md 2.1 (robfig dow bounds 0-6)", "0 0 * * 7", "day-of-week"),
    ParseErrorCase("brief: day-of-month 32", "0 0 32 * *", "day-of-month"),
    ParseErrorCase("quartz CronExpressionTest.java testQuartz574", "* * * * Foo ?", "month"),
    ParseErrorCase("quartz CronExpressionTest.java testQuartz574", "* * * * Jan-Foo ?", "month"),
    ParseErrorCase("quartz CronExpressionTest.java testQuartz621", "0 0 * * * *", nil),
    ParseErrorCase("quartz CronExpressionTest.java testQuartz621", "0 0 * 4 * *", nil),
    ParseErrorCase("quartz CronExpressionTest.java testQuartz621", "0 0 * * * 4", nil),
    ParseErrorCase("quartz CronExpressionTest.java testQuartz640", "0 43 9 ? * SAT,SUN,L", "day-of-week"),
    ParseErrorCase("quartz CronExpressionTest.java testQuartz640", "0 43 9 ? * 6,7,L", "day-of-week"),
    ParseErrorCase("quartz CronExpressionTest.java testQtz96", "0/5 * * 32W 1 ?", "day-of-month"),
    ParseErrorCase("quartz CronExpressionTest.java testSecRangeIntervalAfterSlash", "/120 0 8-18 ? * 2-6", "second"),
    ParseErrorCase("quartz CronExpressionTest.java testSecRangeIntervalAfterSlash", "0/120 0 8-18 ? * 2-6", "second"),
    ParseErrorCase("quartz CronExpressionTest.java testSecRangeIntervalAfterSlash", "/ 0 8-18 ? * 2-6", "second"),
    ParseErrorCase("quartz CronExpressionTest.java testSecRangeIntervalAfterSlash", "0/ 0 8-18 ? * 2-6", "second"),
    ParseErrorCase("quartz CronExpressionTest.java testMinRangeIntervalAfterSlash", "0 0/120 8-18 ? * 2-6", "minute"),
    ParseErrorCase("quartz CronExpressionTest.java testHourRangeIntervalAfterSlash", "0 0 0/120 ? * 2-6", "hour"),
    ParseErrorCase("quartz CronExpressionTest.java testDayOfMonthRangeIntervalAfterSlash", "0 0 0 0/120 * 2-6", "day-of-month"),
    ParseErrorCase("quartz CronExpressionTest.java testMonthRangeIntervalAfterSlash", "0 0 0 ? 0/120 2-6", "month"),
    ParseErrorCase("quartz CronExpressionTest.java testDayOfWeekRangeIntervalAfterSlash", "0 0 0 ? * 0/120", "day-of-week"),
    ParseErrorCase("quartz CronExpressionTest.java testDayOfWeekRangeIntervalAfterSlash", "0 0 0 ? * /", "day-of-week"),
    ParseErrorCase("quartznet CronExpressionTest.cs Ensure_NthWeek_IsBetween1And5", "0 15 10 ? * 1#0 2010", "day-of-week"),
    ParseErrorCase("quartznet CronExpressionTest.cs Ensure_NthWeek_IsBetween1And5", "0 15 10 ? * 1#6 2010", "day-of-week"),
    ParseErrorCase("quartznet CronExpressionTest.cs Ensure_NthWeek_Day_IsBetween1And7", "0 15 10 ? * 0#1 2010", "day-of-week"),
    ParseErrorCase("quartznet CronExpressionTest.cs Ensure_NthWeek_Day_IsBetween1And7", "0 15 10 ? * 8#1 2010", "day-of-week"),
    ParseErrorCase("quartznet CronExpressionTest.cs OffSetValue_CannontBe_GreaterThan30", "0 15 10 15,L-31 * ? 2010", "day-of-month"),
    ParseErrorCase("quartznet CronExpressionTest.cs Ensure_L_Token_CanOnlyBeUsedIn_DayOfWeek_ORDayOfMonth", "L 15 10 15 * ? 2010", "second"),
    ParseErrorCase("quartznet CronExpressionTest.cs Ensure_L_Token_CanOnlyBeUsedIn_DayOfWeek_ORDayOfMonth", "0 L 10 15 * ? 2010", "minute"),
    ParseErrorCase("quartznet CronExpressionTest.cs Ensure_L_Token_CanOnlyBeUsedIn_DayOfWeek_ORDayOfMonth", "0 15 L 15 * ? 2010", "hour"),
    ParseErrorCase("quartznet CronExpressionTest.cs Ensure_L_Token_CanOnlyBeUsedIn_DayOfWeek_ORDayOfMonth", "0 15 10 15 L ? 2010", "month"),
    ParseErrorCase("quartznet CronExpressionTest.cs Ensure_L_Token_CanOnlyBeUsedIn_DayOfWeek_ORDayOfMonth", "0 15 10 15 * ? L", "year"),
    ParseErrorCase("quartznet CronExpressionTest.cs TestCronExpressionParsingIncorrectDayOfWeek", "* * * * * 2026", "day-of-week"),
    ParseErrorCase("descriptors", "@fortnightly", nil),
    ParseErrorCase("descriptors", "@every 1x", "@every"),
    ParseErrorCase("field count", "* * * *", nil),
]

@Suite struct CronParseErrorTests {
    @Test(arguments: parseErrorCases)
    func rejected(_ c: ParseErrorCase) {
        #expect(throws: CronParseError.self) { try CronSchedule(parsing: c.expression) }
        do {
            _ = try CronSchedule(parsing: c.expression)
        } catch {
            #expect(error.field == c.field, "\(error)")
            if let field = c.field { #expect(error.description.hasPrefix("field \(field): ")) }
        }
    }

    @Test func messagesSayWhatIsWrong() {
        func message(_ expression: String) -> String? {
            do { _ = try CronSchedule(parsing: expression); return nil } catch { return error.description }
        }
        #expect(message("0 0 32 * *") == "field day-of-month: 32 is out of range 1-31")
        #expect(message("0 0 * * 7") == "field day-of-week: 7 is out of range 0-6")
        #expect(message("59-2 * * * *") == "field minute: range \"59-2\" starts after it ends")
        #expect(message("0 0/120 8-18 ? * 2-6") == "field minute: step 120 is larger than 59")
        #expect(message("0 0 * * * *") == "Quartz expressions need '?' in exactly one of day-of-month and day-of-week")
    }

    /// Accepted forms from the same suites (must not throw).
    @Test(arguments: [
        "0 43 9 ? * 5L",  // quartz testQuartz640
        "58-4 5 21 ? * MON-FRI", "0 58-4 21 ? * MON-FRI", "0 0/5 21-3 ? * MON-FRI",  // quartznet TestSecond/TestMinute/TestHour
        "58 5 21 ? * 6-2", "58 5 21 ? * FRI-TUE", "58 5 21 28-5 1 ?", "58 5 21 ? 11-2 FRI",  // quartznet TestDayOfWeek*/TestDayOfMonth/TestMonth
        "0 0 14-6 ? * FRI-MON", "55-3 56-2 6 ? * FRI",  // quartznet TestAmbiguous
        " 30 *   * * * ?  ",  // quartznet TestCronExpressionWithExtraWhiteSpace
        "0 15 10 * * ? 2005", "*/61 * * * *", "@Daily", "@every 1h30m", "? ? ? ? ?",
    ])
    func accepted(_ expression: String) throws {
        _ = try CronSchedule(parsing: expression)
    }
}
