/// Placeholder so the target builds before its first suite lands.
import Testing
