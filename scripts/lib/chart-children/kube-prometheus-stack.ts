/**
 * kube-prometheus-stack, transcribed from prometheus-community/helm-charts at
 * kube-prometheus-stack 88.5.3 (the newest this workplace could read; CHARTS pins 92.9.0) and the
 * subcharts it depends on (Chart.yaml: kube-state-metrics 8.4.0, prometheus-node-exporter 4.56.1,
 * grafana 12.11.1, the last not modelled here: its Deployment is checked through its values by
 * helm-chart-require-workload-resources only):
 * - templates/alertmanager/alertmanager.yaml (the `Alertmanager`, spec.resources from
 *   alertmanager.alertmanagerSpec.resources) and secret.yaml lines 14-24 (the configuration
 *   Secret `alertmanager-<crname>`, `data.alertmanager.yaml` = b64 of toYaml of alertmanager.config);
 * - templates/prometheus/prometheus.yaml (the `Prometheus`, spec.resources from prometheusSpec.resources);
 * - templates/prometheus-operator/deployment.yaml with values.yaml prometheusOperator
 *   securityContext / containerSecurityContext / livenessProbe / readinessProbe (lines 2850-2870,
 *   3469-3490) and resources;
 * - _helpers.tpl "kube-prometheus-stack.fullname" (fullnameOverride, trunc 26) and
 *   "alertmanager.crname" / "prometheus.crname" (`<fullname>-alertmanager`, `<fullname>-prometheus`);
 * - kube-state-metrics 8.4.0 templates/deployment.yaml with values.yaml securityContext,
 *   containerSecurityContext, image (registry.k8s.io, tag v + appVersion 2.20.0), probes;
 * - prometheus-node-exporter 4.56.1 templates/daemonset.yaml with values.yaml hostNetwork (382),
 *   hostPID (390), hostRootFsMount (396), securityContext (360), containerSecurityContext (366),
 *   in `namespaceOverride` (templates/_helpers.tpl "prometheus-node-exporter.namespace").
 */
import { stringify } from "yaml";
import { at, type ChartModel, merge, type Obj, withValue, workload } from "./model";

function fullname(releaseName: string, values: Obj): string {
  const name = String(values.fullnameOverride ?? "");
  const full =
    name ||
    (releaseName.includes("kube-prometheus-stack") ? releaseName : `${releaseName}-kube-prometheus-stack`);
  return full.slice(0, 26).replace(/-+$/, "");
}

export const kubePrometheusStackModel: ChartModel = {
  chart: "kube-prometheus-stack",
  version: "88.5.3",
  render: (release, values) => {
    const full = fullname(release.name, values);
    const ns = release.namespace;
    const out: Obj[] = [];
    if (at(values, "alertmanager.enabled", true)) {
      const spec = at<Obj>(values, "alertmanager.alertmanagerSpec", {});
      const crname = `${full}-alertmanager`;
      out.push({
        apiVersion: "monitoring.coreos.com/v1",
        kind: "Alertmanager",
        metadata: { name: crname, namespace: ns },
        spec: {
          replicas: spec.replicas ?? 1,
          ...withValue("resources", spec.resources),
          ...withValue("secrets", spec.secrets),
        },
      });
      if (!spec.useExistingSecret) {
        out.push({
          apiVersion: "v1",
          kind: "Secret",
          metadata: { name: `alertmanager-${crname}`, namespace: ns },
          data: {
            "alertmanager.yaml": Buffer.from(stringify(at(values, "alertmanager.config", {}))).toString(
              "base64",
            ),
          },
        });
      }
    }
    if (at(values, "prometheus.enabled", true)) {
      const spec = at<Obj>(values, "prometheus.prometheusSpec", {});
      out.push({
        apiVersion: "monitoring.coreos.com/v1",
        kind: "Prometheus",
        metadata: { name: `${full}-prometheus`, namespace: ns },
        spec: { replicas: spec.replicas ?? 1, ...withValue("resources", spec.resources) },
      });
    }
    if (at(values, "prometheusOperator.enabled", true)) {
      const op = at<Obj>(values, "prometheusOperator", {});
      const labels = { app: `${full}-operator`, release: release.name };
      const probe = { httpGet: { path: "/healthz", port: "https", scheme: "HTTPS" } };
      out.push(
        workload(
          "Deployment",
          `${full}-operator`,
          ns,
          labels,
          {
            serviceAccountName: `${full}-operator`,
            automountServiceAccountToken: true,
            securityContext: merge(
              {
                fsGroup: 65534,
                runAsGroup: 65534,
                runAsNonRoot: true,
                runAsUser: 65534,
                seccompProfile: { type: "RuntimeDefault" },
              },
              op.securityContext,
            ),
            containers: [
              {
                name: "kube-prometheus-stack",
                image: "quay.io/prometheus-operator/prometheus-operator:v0.93.1",
                ...withValue("resources", op.resources),
                securityContext: merge(
                  {
                    allowPrivilegeEscalation: false,
                    readOnlyRootFilesystem: true,
                    capabilities: { drop: ["ALL"] },
                  },
                  op.containerSecurityContext,
                ),
                livenessProbe: probe,
                readinessProbe: probe,
              },
            ],
          },
          1,
        ),
      );
    }
    const ksm = at<Obj>(values, "kube-state-metrics", {});
    if (at(values, "kubeStateMetrics.enabled", true)) {
      const labels = {
        "app.kubernetes.io/name": "kube-state-metrics",
        "app.kubernetes.io/instance": release.name,
      };
      out.push(
        workload(
          "Deployment",
          `${release.name}-kube-state-metrics`,
          ns,
          labels,
          {
            serviceAccountName: `${release.name}-kube-state-metrics`,
            securityContext: merge(
              {
                runAsGroup: 65534,
                runAsUser: 65534,
                fsGroup: 65534,
                runAsNonRoot: true,
                seccompProfile: { type: "RuntimeDefault" },
              },
              ksm.securityContext,
            ),
            containers: [
              {
                name: "kube-state-metrics",
                image: "registry.k8s.io/kube-state-metrics/kube-state-metrics:v2.20.0",
                ...withValue("resources", ksm.resources),
                securityContext: merge(
                  {
                    readOnlyRootFilesystem: true,
                    allowPrivilegeEscalation: false,
                    capabilities: { drop: ["ALL"] },
                  },
                  ksm.containerSecurityContext,
                ),
                livenessProbe: { httpGet: { path: "/livez", port: 8080 } },
                readinessProbe: { httpGet: { path: "/readyz", port: 8081 } },
              },
            ],
          },
          Number(ksm.replicas ?? 1),
        ),
      );
    }
    const ne = at<Obj>(values, "prometheus-node-exporter", {});
    if (at(values, "nodeExporter.enabled", true)) {
      const labels = {
        "app.kubernetes.io/name": "prometheus-node-exporter",
        "app.kubernetes.io/instance": release.name,
      };
      const hostRoot = at(ne, "hostRootFsMount.enabled", true);
      out.push(
        workload(
          "DaemonSet",
          `${release.name}-prometheus-node-exporter`,
          String(ne.namespaceOverride || ns),
          labels,
          {
            serviceAccountName: `${release.name}-prometheus-node-exporter`,
            hostNetwork: ne.hostNetwork ?? true,
            hostPID: ne.hostPID ?? true,
            securityContext: merge(
              { fsGroup: 65534, runAsGroup: 65534, runAsNonRoot: true, runAsUser: 65534 },
              ne.securityContext,
            ),
            containers: [
              {
                name: "node-exporter",
                image: "quay.io/prometheus/node-exporter:v1.12.1",
                ...withValue("resources", ne.resources),
                securityContext: merge({ readOnlyRootFilesystem: true }, ne.containerSecurityContext),
                livenessProbe: { httpGet: { path: "/", port: 9100 } },
                readinessProbe: { httpGet: { path: "/", port: 9100 } },
                volumeMounts: [
                  { name: "proc", mountPath: "/host/proc", readOnly: true },
                  { name: "sys", mountPath: "/host/sys", readOnly: true },
                  ...(hostRoot ? [{ name: "root", mountPath: "/host/root", readOnly: true }] : []),
                ],
              },
            ],
            volumes: [
              { name: "proc", hostPath: { path: "/proc" } },
              { name: "sys", hostPath: { path: "/sys" } },
              ...(hostRoot ? [{ name: "root", hostPath: { path: "/" } }] : []),
            ],
          },
        ),
      );
    }
    return out;
  },
};
