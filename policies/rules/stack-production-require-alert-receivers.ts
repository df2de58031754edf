import type { StackValidationPolicy } from "@pulumi/policy";
import { parse } from "yaml";
import { environmentOf, kubernetesObjects } from "../lib/stack";
import { decide } from "../lib/unknown";

type Obj = Record<string, unknown>;

/**
 * The Alertmanager configuration in a Secret's outputs: the chart renders `data` (base64 of the
 * config's YAML, prometheus-community/helm-charts kube-prometheus-stack 88.5.3
 * templates/alertmanager/secret.yaml lines 14-24); a Secret written with `stringData` reads back
 * as `data` too. The engine reveals the Secret's values to the pack.
 */
function configText(secret: Obj): string | undefined {
  const stringData = (secret.stringData ?? {}) as Obj;
  if (typeof stringData["alertmanager.yaml"] === "string") return stringData["alertmanager.yaml"];
  const data = (secret.data ?? {}) as Obj;
  const b64 = data["alertmanager.yaml"];
  return typeof b64 === "string" ? Buffer.from(b64, "base64").toString("utf8") : undefined;
}

/**
 * In production, an Alertmanager runs and its default route reaches someone. Decided on the stack's
 * outputs: the `Alertmanager` object and its configuration Secret are children of the
 * kube-prometheus-stack chart (templates/alertmanager/alertmanager.yaml and secret.yaml), which
 * the engine registers and hands to `AnalyzeStack` with their outputs; the Chart component itself
 * has only `resources` among its outputs. The operator reads the configuration from
 * `spec.configSecret`, else from `alertmanager-<name>` in the Alertmanager's namespace
 * (prometheus-operator pkg/alertmanager/statefulset.go defaultConfigSecretName, prefixedName).
 */
export const stackProductionRequireAlertReceivers: StackValidationPolicy = {
  name: "stack-production-require-alert-receivers",
  description:
    "In production, an Alertmanager (kube-prometheus-stack) runs and its configuration's default route sends to email or a webhook.",
  enforcementLevel: "advisory",
  severity: "medium",
  remediationSteps:
    "Set monitoring.enabled (default) and monitoring.alertEmail and/or monitoring.webhook with their secrets.",
  validateStack: (args, reportViolation) => {
    if (environmentOf(args.resources) !== "production") return;
    const objects = kubernetesObjects(args.resources);
    const managers = objects.filter(
      ({ props }) =>
        props.kind === "Alertmanager" && String(props.apiVersion).startsWith("monitoring.coreos.com/"),
    );
    if (managers.length === 0) {
      reportViolation("production has no Alertmanager: nobody hears about a failed backup or a down tunnel");
      return;
    }
    for (const { resource, props } of managers) {
      const namespace = props.metadata?.namespace;
      const where = `Alertmanager ${namespace}/${props.metadata?.name}`;
      decide(reportViolation, resource.urn, `${where}'s receivers`, () => {
        const secretName = props.spec?.configSecret || `alertmanager-${props.metadata?.name}`;
        const secret = objects.find(
          (o) =>
            o.props.kind === "Secret" &&
            o.props.metadata?.namespace === namespace &&
            o.props.metadata?.name === secretName,
        );
        const text = secret ? configText(secret.props) : undefined;
        if (text === undefined) {
          reportViolation(`${where} has no configuration in Secret ${namespace}/${secretName}`, resource.urn);
          return;
        }
        const config = (parse(text) ?? {}) as Obj;
        const route = (config.route ?? {}) as Obj;
        const receivers = (config.receivers ?? []) as Obj[];
        const target = receivers.find((r) => r.name === route.receiver) ?? {};
        if (!Object.keys(target).some((k) => k.endsWith("_configs"))) {
          reportViolation(
            `${where}: the default receiver ${String(route.receiver)} sends nowhere: alerts are only visible in Grafana`,
            resource.urn,
          );
        }
      });
    }
  },
};
