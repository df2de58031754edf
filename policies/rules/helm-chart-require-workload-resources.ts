import type { ResourceValidationPolicy } from "@pulumi/policy";
import { chartOf, valueAt } from "../lib/chart";

/**
 * The values that set each chart workload's container resources, per chart, read from the charts'
 * templates: the chart renders `resources` only from these, so a child's resources are known when
 * `Analyze` sees the Chart, before any child is registered. A `when` path names the value that
 * switches the workload on (its default in the chart is on).
 */
export const CHART_RESOURCE_VALUES: Readonly<Record<string, readonly { path: string; when?: string }[]>> = {
  // cert-manager v1.20.2 templates/deployment.yaml 191-193, webhook-deployment.yaml (webhook.resources),
  // cainjector-deployment.yaml 128-130; values.yaml 406, 929, 1335.
  "cert-manager": [
    { path: "resources" },
    { path: "webhook.resources" },
    { path: "cainjector.resources", when: "cainjector.enabled" },
  ],
  // longhorn v1.12.1 chart/templates/daemonset-sa.yaml 110-112 (the manager container). The driver
  // deployer and the UI (deployment-driver.yaml, deployment-ui.yaml) render no resources at all and
  // offer no value for them: policies/lib/k8s.ts exempts longhorn-system from the child check.
  longhorn: [{ path: "longhornManager.resources" }],
  // cloudnative-pg 0.29.0 and plugin-barman-cloud 0.7.0 (the newest readable; CHARTS pins 0.7.1):
  // one Deployment each, `resources` (plugin-barman-cloud values.yaml line 152).
  "cloudnative-pg": [{ path: "resources" }],
  "plugin-barman-cloud": [{ path: "resources" }],
  "prometheus-blackbox-exporter": [{ path: "resources" }],
  // kube-prometheus-stack 88.5.3 (see scripts/lib/chart-children/kube-prometheus-stack.ts) and its
  // subcharts kube-state-metrics 8.4.0, prometheus-node-exporter 4.56.1, grafana 12.11.1.
  "kube-prometheus-stack": [
    { path: "prometheusOperator.resources", when: "prometheusOperator.enabled" },
    { path: "prometheus.prometheusSpec.resources", when: "prometheus.enabled" },
    { path: "alertmanager.alertmanagerSpec.resources", when: "alertmanager.enabled" },
    { path: "grafana.resources", when: "grafana.enabled" },
    { path: "grafana.sidecar.resources", when: "grafana.enabled" },
    { path: "kube-state-metrics.resources", when: "kubeStateMetrics.enabled" },
    { path: "prometheus-node-exporter.resources", when: "nodeExporter.enabled" },
  ],
};

/** Whether a resources value sets CPU and memory requests and limits. */
function complete(value: unknown): boolean {
  const r = (value ?? {}) as { requests?: Record<string, unknown>; limits?: Record<string, unknown> };
  return ["cpu", "memory"].every((k) => r.requests?.[k] !== undefined && r.limits?.[k] !== undefined);
}

/** Every workload a chart renders gets requests and limits through the chart's values. */
export const helmChartRequireWorkloadResources: ResourceValidationPolicy = {
  name: "helm-chart-require-workload-resources",
  description:
    "A Helm chart the program installs sets CPU and memory requests and limits, through its values, for every workload it renders that has a resources value (cert-manager, Longhorn, CNPG, barman-cloud, kube-prometheus-stack, blackbox exporter).",
  enforcementLevel: "mandatory",
  severity: "medium",
  remediationSteps:
    "Set the named value in the component's chart values (components/*/...-values.ts) with requests and limits for cpu and memory.",
  validateResource: (args, reportViolation) => {
    const chart = chartOf(args);
    const paths = chart ? CHART_RESOURCE_VALUES[chart.chart] : undefined;
    if (!chart || !paths) return;
    for (const { path, when } of paths) {
      if (when && valueAt(chart.values, when) === false) continue;
      if (!complete(valueAt(chart.values, path))) {
        reportViolation(`chart ${chart.chart}: ${path} does not set cpu and memory requests and limits`);
      }
    }
  },
};
