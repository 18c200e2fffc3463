/// A syntax check for cron expressions for `ferry validate` and admission-time checks:
/// the scheduler's own parser (FerrySchedule), so what validates is exactly what runs —
/// standard 5-field (robfig/cron `ParseStandard`, what CronJob accepts, with descriptors
/// such as `@daily` and `@every 1h`) and Quartz 6/7-field with seconds (and year).
import FerrySchedule

public enum CronSyntax {
    /// nil when `expression` is well formed, otherwise why it is not (naming the field).
    public static func problem(in expression: String) -> String? {
        do {
            _ = try CronSchedule(parsing: expression)
            return nil
        } catch {
            return error.description
        }
    }
}
