/// Schedules: cron expressions (standard 5-field and Quartz) and fixed intervals, over IANA time zones.
public enum FerrySchedule {}
