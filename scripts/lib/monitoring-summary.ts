/**
 * The "Monitoring" section of `summary.md`, read from the planned resources: what is installed,
 * what it scrapes and probes, how many rules, where alerts go, and which admin hostnames sit
 * behind Cloudflare Access for whom.
 */
import type { PlanDocument } from "./plan-document";

// biome-ignore lint/suspicious/noExplicitAny: planned inputs are untyped JSON
type Obj = Record<string, any>;

/** The section, or a line saying monitoring is off. */
export function monitoringSection(plan: PlanDocument): string {
  const chart = plan.resources.find(
    (r) => r.type.startsWith("kubernetes:helm.sh/") && (r.inputs as Obj).chart === "kube-prometheus-stack",
  )?.inputs as Obj | undefined;
  if (!chart) return "## Monitoring\n\nOff (`monitoring.enabled: false`): no metrics, alerts or Grafana.";
  const prometheus = chart.values?.prometheus?.prometheusSpec ?? {};
  const am = chart.values?.alertmanager?.config ?? {};
  const receiver = (am.receivers ?? []).find((r: Obj) => r.name === am.route?.receiver) ?? {};
  const sends = Object.keys(receiver)
    .filter((k) => k.endsWith("_configs"))
    .map((k) => k.replace(/_configs$/, ""));
  const objects = plan.resources.map((r) => r.inputs as Obj).filter((o) => typeof o.kind === "string");
  const monitors = objects.filter((o) => o.kind === "ServiceMonitor" || o.kind === "PodMonitor");
  const probes = objects.filter((o) => o.kind === "Probe");
  const rules = objects
    .filter((o) => o.kind === "PrometheusRule")
    .flatMap((o) => (o.spec?.groups ?? []).flatMap((g: Obj) => g.rules ?? []));
  // An Access application and its policy are children of the same AccessApplication component.
  const emailsOf = (parent: string | null): string[] =>
    plan.resources
      .filter((r) => r.type.endsWith(":ZeroTrustAccessPolicy") && r.parent === parent)
      .flatMap((r) => ((r.inputs as Obj).includes ?? []).map((i: Obj) => i.email?.email).filter(Boolean));
  const access = plan.resources
    .filter((r) => r.type.endsWith(":ZeroTrustAccessApplication"))
    .map((r) => `${(r.inputs as Obj).domain} (Access: ${emailsOf(r.parent).join(", ") || "nobody"})`);
  const lines = [
    "## Monitoring",
    "",
    `- kube-prometheus-stack ${chart.version}: retention ${prometheus.retention}, volume ${prometheus.storageSpec?.volumeClaimTemplate?.spec?.resources?.requests?.storage} (cap ${prometheus.retentionSize})`,
    `- scrapes ${monitors.length} targets: ${monitors.map((m) => `${m.metadata?.namespace}/${m.metadata?.name}`).join(", ")}`,
    `- probes ${probes.reduce((n, p) => n + (p.spec?.targets?.staticConfig?.static?.length ?? 0), 0)} public hostnames through Cloudflare`,
    `- ${rules.length} platform alert rules (docs/runbooks/alerts.md)`,
    sends.length > 0
      ? `- alerts go to: ${sends.join(", ")}`
      : "- alerts go **nowhere** (set `monitoring.alertEmail` or `monitoring.webhook`): visible in Grafana only",
    `- admin UIs: ${access.length > 0 ? access.join(", ") : "none published"}`,
  ];
  return lines.join("\n");
}
