/**
 * The pure renderers of the platform namespaces' network policies and the PodSecurity split of
 * monitoring (node-exporter in its own privileged namespace). Whole-plan flows are in
 * tests/stack/platform-network.test.ts.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CNPG_PODS, renderCnpgNetworkPolicies } from "../../components/data/cnpg-network";
import { platformNamespaces } from "../../components/k3s/platform-namespaces";
import {
  renderUpgradeNetworkPolicies,
  UPGRADE_CONTROLLER_POD_LABELS,
} from "../../components/k3s/upgrade-network";
import { renderControllerWorkload } from "../../components/k3s/upgrade-plans";
import { monitoringValues } from "../../components/observability/monitoring-values";
import { blackboxValues } from "../../components/observability/probes";
import { renderAllowApiServer } from "../../components/shared/namespace";
import {
  CERT_MANAGER_PODS,
  renderCertManagerNetworkPolicies,
} from "../../components/storage/cert-manager-network";
import { LONGHORN_PODS, renderLonghornNetworkPolicies } from "../../components/storage/longhorn-network";
import { longhornValues } from "../../components/storage/longhorn-values";
import { type Endpoint, mayConnect, type PodEndpoint } from "../../components/tenancy/netpol-eval";
import { longhornChartPolicies } from "../helpers/longhorn-chart-policies";
import { ROOT } from "../helpers/plan-cli";

type Obj = Record<string, unknown>;

const pod = (namespace: string, labels: Record<string, string> = {}): PodEndpoint => ({
  kind: "pod",
  namespace,
  namespaceLabels: { "kubernetes.io/metadata.name": namespace },
  labels,
});
const ip = (address: string): Endpoint => ({ kind: "ip", ip: address });
const specOf = (p: Obj) =>
  p.spec as { podSelector: Obj; policyTypes: string[]; ingress?: Obj[]; egress?: Obj[] };
const named = (policies: Obj[], name: string) =>
  policies.find((p) => (p.metadata as { name: string }).name === name) as Obj;

const ALERTING = { webhook: false, secretName: "alertmanager-receivers" };

describe("platform namespaces", () => {
  const all = platformNamespaces({ monitoring: true, managedUpgrades: true });

  it("names for each namespace a renderer of its allows that exists", () => {
    for (const ns of all) expect(existsSync(join(ROOT, ns.allows)), `${ns.name}: ${ns.allows}`).toBe(true);
  });

  it("keeps monitoring restricted and puts node-exporter alone in a privileged monitoring-node", () => {
    const byName = new Map(all.map((n) => [n.name, n]));
    expect(byName.get("monitoring")?.podSecurity).toBe("restricted");
    expect(byName.get("monitoring-node")).toMatchObject({ podSecurity: "privileged" });
    expect(byName.get("monitoring-node")?.exemptionReason).toMatch(/node-exporter.*hostNetwork/);
    expect(all.filter((n) => n.podSecurity !== "restricted").map((n) => n.name)).toEqual([
      "longhorn-system",
      "system-upgrade",
      "monitoring-node",
    ]);
  });

  it("leaves out both monitoring namespaces when monitoring is off", () => {
    const names = platformNamespaces({ monitoring: false, managedUpgrades: false }).map((n) => n.name);
    expect(names.filter((n) => n.startsWith("monitoring"))).toEqual([]);
  });
});

describe("renderAllowApiServer", () => {
  const policies = [
    {
      metadata: { namespace: "x", name: "default-deny" },
      spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    },
    renderAllowApiServer("x", "10.43.0.0/16", { podSelector: { matchLabels: { app: "a" } } }) as Obj,
  ];

  it("allows the kubernetes Service on 443 and the node address on 6443", () => {
    expect(mayConnect(policies, pod("x", { app: "a" }), ip("10.43.0.1"), 443)).toBe(true);
    expect(mayConnect(policies, pod("x", { app: "a" }), ip("10.0.1.2"), 6443)).toBe(true);
  });

  it("denies 443 outside the Service CIDR and every pod it does not select", () => {
    expect(mayConnect(policies, pod("x", { app: "a" }), ip("104.18.0.10"), 443)).toBe(false);
    expect(mayConnect(policies, pod("x", { app: "b" }), ip("10.43.0.1"), 443)).toBe(false);
  });
});

describe("renderCertManagerNetworkPolicies", () => {
  it("opens the webhook's 10250 to any source (the API server calls from the node) and nothing else there", () => {
    const policies = renderCertManagerNetworkPolicies({
      namespace: "cert-manager",
      serviceCidr: "10.43.0.0/16",
    });
    expect(specOf(named(policies, "webhook-ingress"))).toEqual({
      podSelector: { matchLabels: CERT_MANAGER_PODS.webhook },
      policyTypes: ["Ingress"],
      ingress: [{ ports: [{ protocol: "TCP", port: 10250 }] }],
    });
  });

  it("admits Prometheus to the controller only when monitoring is on", () => {
    const off = renderCertManagerNetworkPolicies({ namespace: "cert-manager", serviceCidr: "10.43.0.0/16" });
    expect(named(off, "controller-metrics")).toBeUndefined();
    const on = renderCertManagerNetworkPolicies({
      namespace: "cert-manager",
      serviceCidr: "10.43.0.0/16",
      monitoringNamespace: "monitoring",
    });
    const prometheus = pod("monitoring", { "app.kubernetes.io/name": "prometheus" });
    const controller = pod("cert-manager", CERT_MANAGER_PODS.controller);
    expect(mayConnect(on, prometheus, controller, 9402)).toBe(true);
    expect(mayConnect(on, pod("monitoring", { "app.kubernetes.io/name": "grafana" }), controller, 9402)).toBe(
      false,
    );
  });
});

describe("renderCnpgNetworkPolicies", () => {
  it("fails when no namespace holds a cluster, naming the field", () => {
    expect(() =>
      renderCnpgNetworkPolicies({
        namespace: "cnpg-system",
        serviceCidr: "10.43.0.0/16",
        clusterNamespaces: [],
      }),
    ).toThrow(/clusterNamespaces/);
  });

  it("lets the operator reach the status port of each cluster namespace, once and sorted", () => {
    const policies = renderCnpgNetworkPolicies({
      namespace: "cnpg-system",
      serviceCidr: "10.43.0.0/16",
      clusterNamespaces: ["janua-b", "data", "janua-b"],
    });
    const egress = specOf(named(policies, "operator-egress")).egress as { to: Obj[] }[];
    const targets = egress[0]?.to.map(
      (peer) =>
        (peer.namespaceSelector as { matchLabels: Record<string, string> }).matchLabels[
          "kubernetes.io/metadata.name"
        ],
    );
    expect(targets).toEqual(["data", "janua-b"]);
    expect(specOf(named(policies, "operator-egress")).podSelector).toEqual({
      matchLabels: CNPG_PODS.operator,
    });
  });
});

describe("Longhorn network policies", () => {
  const values = longhornValues({ storageNodes: 1, replicaCount: 1, backupBucket: "b" });

  it("enables the chart's policies for k3s with restrictInternalTraffic and no webhook source filter", () => {
    expect(values.networkPolicies).toEqual({
      enabled: true,
      type: "k3s",
      restrictInternalTraffic: true,
      kubeAPIServerSourceCIDRs: [],
    });
    // chart/templates/network-policies/*.yaml: six internal policies, no UI policy without ingress.
    expect(
      longhornChartPolicies("longhorn-system", values).map((p) => (p.metadata as { name: string }).name),
    ).toEqual([
      "backing-image-data-source",
      "backing-image-manager",
      "instance-manager",
      "longhorn-manager",
      "longhorn-recovery-backend",
      "longhorn-webhook",
    ]);
  });

  it("adds no ingress that would widen the chart's restrictInternalTraffic (Prometheus only)", () => {
    const ours = renderLonghornNetworkPolicies({
      namespace: "longhorn-system",
      serviceCidr: "10.43.0.0/16",
      monitoringNamespace: "monitoring",
    });
    const ingress = ours.filter((p) => specOf(p).policyTypes.includes("Ingress"));
    expect(ingress.map((p) => (p.metadata as { name: string }).name)).toEqual(["manager-metrics"]);
    expect(specOf(ingress[0] as Obj).podSelector).toEqual({ matchLabels: LONGHORN_PODS.manager });
    const policies = [...ours, ...longhornChartPolicies("longhorn-system", values)];
    const ui = pod("longhorn-system", { app: "longhorn-ui" });
    const im = pod("longhorn-system", LONGHORN_PODS.instanceManager);
    expect(mayConnect(policies, ui, im, 8500)).toBe(false);
    expect(mayConnect(policies, pod("longhorn-system", LONGHORN_PODS.manager), im, 8500)).toBe(true);
  });
});

describe("system-upgrade network policies", () => {
  it("select the controller pod by the label its Deployment's pods carry", () => {
    const [policy] = renderUpgradeNetworkPolicies({
      namespace: "system-upgrade",
      serviceCidr: "10.43.0.0/16",
    });
    expect(specOf(policy as Obj).podSelector).toEqual({ matchLabels: UPGRADE_CONTROLLER_POD_LABELS });
    const deployment = renderControllerWorkload().find((o) => o.kind === "Deployment") as {
      spec: { template: { metadata: { labels: Record<string, string> } } };
    };
    expect(deployment.spec.template.metadata.labels).toMatchObject(UPGRADE_CONTROLLER_POD_LABELS);
  });
});

describe("monitoring under PodSecurity restricted", () => {
  const values = monitoringValues({
    retention: "15d",
    storageSize: "50Gi",
    grafanaHostname: "grafana.example.com",
    alerting: ALERTING,
  }) as Record<string, Obj>;

  it("moves node-exporter to monitoring-node through the subchart's namespaceOverride", () => {
    expect(values["prometheus-node-exporter"]?.namespaceOverride).toBe("monitoring-node");
  });

  it("gives the Grafana and blackbox exporter pods the seccomp profile their charts leave unset", () => {
    expect((values.grafana as { securityContext: Obj }).securityContext).toEqual({
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(blackboxValues().podSecurityContext).toEqual({
      runAsNonRoot: true,
      seccompProfile: { type: "RuntimeDefault" },
    });
  });
});
