/// Semantic rules for Sync (trigger and scheduled time) and WorkerPool (autoscaling
/// bounds, metric targets and scaling policies, as HPA validation checks them).
import KubeCore
import KubeMachinery

extension FerryValidation {
    public static func validate(_ sync: Sync) -> [FieldError] {
        var errors = validateMetadata(sync.metadata)
        let spec = sync.spec
        if spec.trigger == .schedule, spec.scheduledTime == nil {
            errors.append(FieldError(.required, path: "spec.scheduledTime", detail: "trigger schedule needs the schedule time the Sync was created for"))
        }
        if let t = spec.scheduledTime {
            if spec.trigger != .schedule {
                errors.append(FieldError(.forbidden, path: "spec.scheduledTime", detail: "only set for trigger schedule"))
            }
            if KubeTime.parse(t) == nil {
                errors.append(FieldError(.invalid, path: "spec.scheduledTime", value: .string(t), detail: "must be an RFC 3339 time such as 2026-01-02T03:04:05Z"))
            }
        }
        return errors
    }

    public static func validate(_ pool: WorkerPool) -> [FieldError] {
        var errors = validateMetadata(pool.metadata)
        guard let a = pool.spec.autoscaling else { return errors }
        let path = "spec.autoscaling"
        if let workers = pool.spec.workers {
            errors.append(FieldError(.forbidden, path: "spec.workers", value: .int(Int64(workers)), detail: WorkerPool.workersWithAutoscalingMessage))
        }
        if let min = a.minWorkers, min > a.maxWorkers {
            errors.append(FieldError(.invalid, path: path + ".minWorkers", value: .int(Int64(min)), detail: "must be less than or equal to maxWorkers (\(a.maxWorkers))"))
        }
        var seen: Set<String> = []
        for (i, m) in (a.metrics ?? []).enumerated() {
            let mp = "\(path).metrics[\(i)]"
            let key = m.type.rawValue + "/" + (m.resource?.name.rawValue ?? "")
            if !seen.insert(key).inserted {
                errors.append(FieldError(.duplicate, path: mp, value: .string(key), detail: "the same metric appears twice"))
            }
            switch m.type {
            case .queue:
                if m.resource != nil { errors.append(FieldError(.forbidden, path: mp + ".resource", detail: "only for type Resource")) }
                guard let t = m.target else {
                    errors.append(FieldError(.required, path: mp + ".target", detail: "type Queue needs target.averageValue"))
                    continue
                }
                if t.averageUtilization != nil { errors.append(FieldError(.forbidden, path: mp + ".target.averageUtilization", detail: "type Queue uses averageValue (syncs per worker)")) }
                if t.averageValue == nil { errors.append(FieldError(.required, path: mp + ".target.averageValue", detail: "syncs per worker, e.g. 1")) }
            case .resource:
                if m.target != nil { errors.append(FieldError(.forbidden, path: mp + ".target", detail: "type Resource sets resource.target")) }
                if m.resource == nil { errors.append(FieldError(.required, path: mp + ".resource", detail: "type Resource needs resource.name and resource.target")) }
            }
            for (t, tp) in [(m.target, mp + ".target"), (m.resource?.target, mp + ".resource.target")] {
                if case .string(let s)? = t?.averageValue, s.hasPrefix("-") || s == "0" {
                    errors.append(FieldError(.invalid, path: tp + ".averageValue", value: .string(s), detail: "must be positive"))
                } else if case .int(let i)? = t?.averageValue, i <= 0 {
                    errors.append(FieldError(.invalid, path: tp + ".averageValue", value: .int(i), detail: "must be positive"))
                }
            }
        }
        for (rules, name) in [(a.behavior?.scaleUp, "scaleUp"), (a.behavior?.scaleDown, "scaleDown")] {
            if let rules, let policies = rules.policies, policies.isEmpty, rules.selectPolicy != .disabled {
                errors.append(FieldError(.required, path: "\(path).behavior.\(name).policies", detail: "must specify at least one policy"))
            }
        }
        return errors
    }
}
