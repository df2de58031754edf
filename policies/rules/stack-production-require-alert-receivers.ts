import type { StackValidationPolicy } from "@pulumi/policy";
import { environmentOf } from "../lib/stack";

type Obj = Record<string, unknown>;

/** In production, monitoring is installed and its alerts reach someone. */
export const stackProductionRequireAlertReceivers: StackValidationPolicy = {
  name: "stack-production-require-alert-receivers",
  description:
    "In production, kube-prometheus-stack is installed and Alertmanager's default route sends to email or a webhook.",
  enforcementLevel: "advisory",
  severity: "medium",
  remediationSteps:
    "Set monitoring.enabled (default) and monitoring.alertEmail and/or monitoring.webhook with their secrets.",
  validateStack: (args, reportViolation) => {
    if (environmentOf(args.resources) !== "production") return;
    const chart = args.resources.find(
      (r) => r.type.startsWith("kubernetes:helm.sh/") && r.props.chart === "kube-prometheus-stack",
    );
    if (!chart) {
      reportViolation("production has no monitoring: nobody hears about a failed backup or a down tunnel");
      return;
    }
    const config = (chart.props.values?.alertmanager?.config ?? {}) as Obj;
    const route = (config.route ?? {}) as Obj;
    const receivers = (config.receivers ?? []) as Obj[];
    const target = receivers.find((r) => r.name === route.receiver) ?? {};
    const sends = Object.keys(target).some((k) => k.endsWith("_configs"));
    if (!sends) {
      reportViolation(
        `Alertmanager's default receiver ${String(route.receiver)} sends nowhere: alerts are only visible in Grafana`,
        chart.urn,
      );
    }
  },
};
