/**
 * Grafana's RBAC in the production program: the Role the chart binds (`rbac.useExistingRole`,
 * grafana-community/helm-charts grafana 12.11.1 templates/rolebinding.yaml) exists in the
 * monitoring namespace before the chart, reads only ConfigMaps, and the chart values keep Grafana
 * namespaced (tests/unit/grafana-rbac.test.ts derives what the chart renders from them).
 */
import { beforeAll, describe, expect, it } from "vitest";
import type { Recorder } from "../helpers/mocks";
import { runStackProgram } from "../helpers/program";

// biome-ignore lint/suspicious/noExplicitAny: reading arbitrary resource inputs
type Obj = Record<string, any>;
let recorder: Recorder;

beforeAll(async () => {
  recorder = await runStackProgram("production");
});

describe("Grafana's RBAC in the production program", () => {
  it("creates the sidecars' Role in monitoring before the chart, with ConfigMap reads only", () => {
    const roles = recorder.resources.filter((r) => r.type === "kubernetes:rbac.authorization.k8s.io/v1:Role");
    const role = roles.find((r) => (r.rawInputs.metadata as Obj).name === "grafana-sidecar");
    expect(role?.rawInputs).toMatchObject({
      metadata: { namespace: "monitoring" },
      rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] }],
    });
    const chart = recorder.resources.find(
      (r) => r.type === "kubernetes:helm.sh/v4:Chart" && r.inputs.chart === "kube-prometheus-stack",
    );
    expect(chart?.dependencies).toContain(role?.urn);
    const grafana = ((chart as { inputs: Obj }).inputs.values as Obj).grafana;
    expect(grafana.rbac).toEqual({ create: true, namespaced: true, useExistingRole: "grafana-sidecar" });
    expect(grafana.sidecar.dashboards).toMatchObject({
      searchNamespace: ["monitoring"],
      resource: "configmap",
    });
    expect(grafana.sidecar.datasources).toMatchObject({
      searchNamespace: ["monitoring"],
      resource: "configmap",
    });
  });

  it("puts the platform dashboard in the namespace the sidecar searches", () => {
    const cm = recorder.resources.find(
      (r) =>
        r.type === "kubernetes:core/v1:ConfigMap" &&
        (r.rawInputs.metadata as Obj).name === "enclii-platform-dashboard",
    );
    expect(((cm as { rawInputs: Obj }).rawInputs.metadata as Obj).namespace).toBe("monitoring");
    expect(((cm as { rawInputs: Obj }).rawInputs.metadata as Obj).labels.grafana_dashboard).toBe("1");
  });
});
