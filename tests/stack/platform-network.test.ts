/**
 * Network policies of every namespace through both committed plans: each namespace starts with a
 * default deny of ingress and egress, namespaces are selected by `kubernetes.io/metadata.name`
 * only, and the NetworkPolicy evaluator (components/tenancy/netpol-eval.ts) answers "can X reach
 * Y" for every platform namespace on the plan's own NetworkPolicies, plus the Longhorn chart's
 * (rendered at deploy time, so modelled from its templates in ../helpers/longhorn-chart-policies.ts).
 *
 * The pods are placed with the labels their charts give them (cited in each renderer:
 * components/storage/cert-manager-network.ts, components/data/cnpg-network.ts,
 * components/storage/longhorn-network.ts, components/k3s/upgrade-network.ts,
 * components/observability/monitoring-network.ts). The API server is an address outside the pod
 * network: k3s runs it in the host network namespace, so its webhook calls come from a node address.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CNPG_PODS, CNPG_PORTS } from "../../components/data/cnpg-network";
import { CNPG_INSTANCE_SELECTOR, DATA_PORTS } from "../../components/data/data-network";
import { CLOUDFLARED } from "../../components/edge/cloudflared-manifests";
import { TENANT_LABEL } from "../../components/edge/router-manifests";
import { UPGRADE_CONTROLLER_POD_LABELS } from "../../components/k3s/upgrade-network";
import { MONITORING_PODS } from "../../components/observability/monitoring-network";
import { MONITORING } from "../../components/observability/monitoring-values";
import { selectorLabels } from "../../components/shared/labels";
import { CERT_MANAGER_PODS, CERT_MANAGER_PORTS } from "../../components/storage/cert-manager-network";
import { LONGHORN_PORTS } from "../../components/storage/longhorn-network";
import { longhornValues } from "../../components/storage/longhorn-values";
import { type Endpoint, mayConnect, type PodEndpoint } from "../../components/tenancy/netpol-eval";
import type { PlanDocument } from "../../scripts/lib/plan-document";
import { LONGHORN_TEST_PODS, longhornChartPolicies } from "../helpers/longhorn-chart-policies";
import { planCommittedStacks, ROOT, STACKS } from "../helpers/plan-cli";

type Obj = Record<string, unknown>;

const planOf = planCommittedStacks();

const manifestsOf = (plan: PlanDocument, kind: string): Obj[] =>
  plan.resources.filter((r) => r.custom && r.inputs.kind === kind).map((r) => r.inputs as Obj);
const nameOf = (o: Obj) => (o.metadata as { name: string }).name;
const namespaceOf = (o: Obj) => (o.metadata as { namespace: string }).namespace;

/** The stack's Service CIDR (stacks/config-schema.ts `k3s.serviceCidr`, default 10.43.0.0/16). */
function serviceCidr(stack: string): string {
  const file = parse(readFileSync(join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config: Obj };
  const k3s = file.config["enclii-infra:k3s"] as { serviceCidr?: string } | undefined;
  return k3s?.serviceCidr ?? "10.43.0.0/16";
}

/** The first address of a /16 (the `kubernetes` Service takes the Service CIDR's first address). */
const kubernetesServiceIp = (cidr: string) => cidr.replace(/\.0\/\d+$/, ".1");

/** Everything the evaluator needs for one stack. */
function world(stack: (typeof STACKS)[number]) {
  const plan = planOf(stack);
  const namespaces = manifestsOf(plan, "Namespace");
  // The API server adds `kubernetes.io/metadata.name` to every Namespace itself (the
  // NamespaceDefaultLabelName admission, GA since Kubernetes 1.22); the manifests do not carry it.
  const labelsOf = new Map(
    namespaces.map((n) => [
      nameOf(n),
      {
        ...(n.metadata as { labels: Record<string, string> }).labels,
        "kubernetes.io/metadata.name": nameOf(n),
      },
    ]),
  );
  const pod = (namespace: string, labels: Record<string, string> = {}): PodEndpoint => {
    const namespaceLabels = labelsOf.get(namespace);
    if (!namespaceLabels) throw new Error(`no namespace ${namespace} in the ${stack} plan`);
    return { kind: "pod", namespace, namespaceLabels, labels };
  };
  const policies = [
    ...manifestsOf(plan, "NetworkPolicy"),
    ...longhornChartPolicies(
      "longhorn-system",
      longhornValues({ storageNodes: 1, replicaCount: 1, backupBucket: "b" }),
    ),
  ];
  const cidr = serviceCidr(stack);
  const tenants = namespaces.map(nameOf).filter((n) => n.startsWith("tenant-"));
  const dataNamespaces = namespaces.map(nameOf).filter((n) => n === "data" || /^janua-/.test(n));
  return { plan, namespaces, policies, pod, cidr, tenants, dataNamespaces };
}

/** A node address (the API server's source for webhook calls, node-exporter and kubelet's host). */
const NODE: Endpoint = { kind: "ip", ip: "10.0.1.2" };
const NODE_PUBLIC: Endpoint = { kind: "ip", ip: "203.0.113.10" };
/** An internet host (R2's edge, an ACME server, anything). */
const INTERNET: Endpoint = { kind: "ip", ip: "104.18.0.10" };

describe.each(STACKS)("platform network policies (%s)", (stack) => {
  it("gives every namespace of the plan a default deny covering both Ingress and Egress", () => {
    const { namespaces, policies } = world(stack);
    expect(namespaces.length).toBeGreaterThan(8);
    for (const ns of namespaces.map(nameOf)) {
      const denies = policies.filter((p) => {
        const spec = p.spec as {
          podSelector?: Obj;
          policyTypes?: string[];
          ingress?: unknown;
          egress?: unknown;
        };
        return (
          namespaceOf(p) === ns &&
          spec.podSelector !== undefined &&
          Object.keys(spec.podSelector).length === 0 &&
          spec.ingress === undefined &&
          spec.egress === undefined &&
          spec.policyTypes?.includes("Ingress") === true &&
          spec.policyTypes?.includes("Egress") === true
        );
      });
      expect(denies.map(nameOf), ns).toEqual(["default-deny"]);
    }
  });

  it("selects namespaces only by kubernetes.io/metadata.name (or all of them), never by a settable label", () => {
    const { policies } = world(stack);
    const selectors = policies.flatMap((p) => {
      const spec = p.spec as { ingress?: { from?: Obj[] }[]; egress?: { to?: Obj[] }[] };
      const peers = [
        ...(spec.ingress ?? []).flatMap((r) => r.from ?? []),
        ...(spec.egress ?? []).flatMap((r) => r.to ?? []),
      ];
      return peers
        .filter((peer) => peer.namespaceSelector !== undefined)
        .map((peer) => ({
          policy: `${namespaceOf(p)}/${nameOf(p)}`,
          selector: peer.namespaceSelector as Obj,
        }));
    });
    expect(selectors.length).toBeGreaterThan(10);
    const NAME = "kubernetes.io/metadata.name";
    for (const { policy, selector } of selectors) {
      if (Object.keys(selector).length === 0) continue; // every namespace (Prometheus's scrape egress)
      // The one exception: the router reaches tenants it has never heard of (tenant stacks add them
      // without touching the platform), so its egress selects the label every tenant namespace
      // carries. Only the platform's stacks create and label namespaces (the control plane may only
      // read them, components/control-plane/rbac.ts), and each tenant namespace's own ingress allow
      // still names the router by namespace name (components/edge/router-manifests.ts routerPeer).
      if (policy === "router/router-egress-tenants") {
        expect(selector).toEqual({ matchExpressions: [{ key: TENANT_LABEL, operator: "Exists" }] });
        continue;
      }
      const { matchLabels, matchExpressions, ...rest } = selector as {
        matchLabels?: Record<string, string>;
        matchExpressions?: { key: string; operator: string; values?: string[] }[];
      };
      expect(rest, policy).toEqual({});
      // Either `matchLabels: {name: x}` or `matchExpressions: [{key: name, operator: In, values}]`.
      expect(
        Object.keys(matchLabels ?? {}).every((k) => k === NAME),
        policy,
      ).toBe(true);
      for (const e of matchExpressions ?? []) {
        expect({ key: e.key, operator: e.operator }, policy).toEqual({ key: NAME, operator: "In" });
        expect(e.values?.length, policy).toBeGreaterThan(0);
      }
      expect(Object.keys(matchLabels ?? {}).length + (matchExpressions ?? []).length, policy).toBeGreaterThan(
        0,
      );
    }
  });

  it("lets the API server call every platform admission webhook, on its port only", () => {
    const { policies, pod } = world(stack);
    const webhooks: [PodEndpoint, number][] = [
      [pod("cert-manager", CERT_MANAGER_PODS.webhook), CERT_MANAGER_PORTS.webhook],
      [pod("cnpg-system", CNPG_PODS.operator), CNPG_PORTS.webhook],
      [pod("longhorn-system", LONGHORN_TEST_PODS.manager), 9502],
      [pod("monitoring", MONITORING_PODS.operator), MONITORING.operatorWebhookPort],
    ];
    for (const [webhook, port] of webhooks) {
      for (const source of [NODE, NODE_PUBLIC]) {
        expect(mayConnect(policies, source, webhook, port), `${webhook.namespace}:${port}`).toBe(true);
      }
      expect(mayConnect(policies, NODE, webhook, port + 1), `${webhook.namespace}:${port + 1}`).toBe(false);
    }
  });

  it("lets every platform operator and the cert-manager-check Job reach the API server (Service and node address)", () => {
    const { policies, pod, cidr } = world(stack);
    const clients = [
      pod("cert-manager", CERT_MANAGER_PODS.controller),
      pod("cert-manager", CERT_MANAGER_PODS.webhook),
      pod("cert-manager", CERT_MANAGER_PODS.cainjector),
      pod("cert-manager", { "app.kubernetes.io/name": "cert-manager-api-check" }),
      pod("cnpg-system", CNPG_PODS.operator),
      pod("cnpg-system", CNPG_PODS.plugin),
      pod("longhorn-system", LONGHORN_TEST_PODS.manager),
      pod("longhorn-system", LONGHORN_TEST_PODS.csiAttacher),
      pod("longhorn-system", LONGHORN_TEST_PODS.driverDeployer),
      pod("system-upgrade", UPGRADE_CONTROLLER_POD_LABELS),
      pod("monitoring", MONITORING_PODS.operator),
    ];
    const service: Endpoint = { kind: "ip", ip: kubernetesServiceIp(cidr) };
    for (const client of clients) {
      const who = `${client.namespace} ${JSON.stringify(client.labels)}`;
      expect(mayConnect(policies, client, service, 443), who).toBe(true);
      expect(mayConnect(policies, client, NODE, 6443), who).toBe(true);
    }
  });

  it("lets the CloudNativePG operator reach every instance's status port and the barman-cloud plugin, and nothing else there", () => {
    const { policies, pod, dataNamespaces } = world(stack);
    const operator = pod("cnpg-system", CNPG_PODS.operator);
    const plugin = pod("cnpg-system", CNPG_PODS.plugin);
    expect(dataNamespaces.length).toBeGreaterThan(0);
    for (const ns of dataNamespaces) {
      const instance = pod(ns, { ...CNPG_INSTANCE_SELECTOR, "cnpg.io/cluster": "c" });
      expect(mayConnect(policies, operator, instance, CNPG_PORTS.instanceStatus), ns).toBe(true);
      expect(mayConnect(policies, operator, instance, DATA_PORTS.postgres), ns).toBe(false);
      // The plugin never calls the instances; their sidecar talks to it over a unix socket.
      expect(mayConnect(policies, plugin, instance, CNPG_PORTS.instanceStatus), ns).toBe(false);
      expect(mayConnect(policies, instance, plugin, CNPG_PORTS.pluginGrpc), ns).toBe(false);
    }
    expect(mayConnect(policies, operator, plugin, CNPG_PORTS.pluginGrpc)).toBe(true);
    expect(mayConnect(policies, pod("cnpg-system", { app: "other" }), plugin, CNPG_PORTS.pluginGrpc)).toBe(
      false,
    );
  });

  it("lets Prometheus scrape each platform namespace's metrics port and node-exporter on the nodes", () => {
    const { policies, pod, dataNamespaces } = world(stack);
    const prometheus = pod("monitoring", MONITORING_PODS.prometheus);
    const scrapes: [Endpoint, number][] = [
      [pod("cert-manager", CERT_MANAGER_PODS.controller), CERT_MANAGER_PORTS.metrics],
      [pod("longhorn-system", LONGHORN_TEST_PODS.manager), LONGHORN_PORTS.manager],
      [pod("cloudflare-tunnel", selectorLabels({ name: CLOUDFLARED.name })), CLOUDFLARED.metricsPort],
      ...dataNamespaces.map((ns): [Endpoint, number] => [
        pod(ns, CNPG_INSTANCE_SELECTOR),
        DATA_PORTS.cnpgMetrics,
      ]),
      [NODE, 9100],
      [NODE_PUBLIC, 9100],
      [NODE, 10250],
    ];
    for (const [target, port] of scrapes) {
      expect(mayConnect(policies, prometheus, target, port), `${JSON.stringify(target)}:${port}`).toBe(true);
    }
    // Only Prometheus: Grafana in the same namespace does not scrape the platform.
    const grafana = pod("monitoring", MONITORING_PODS.grafana);
    expect(mayConnect(policies, grafana, pod("cert-manager", CERT_MANAGER_PODS.controller), 9402)).toBe(
      false,
    );
    expect(mayConnect(policies, grafana, pod("longhorn-system", LONGHORN_TEST_PODS.manager), 9500)).toBe(
      false,
    );
  });

  it("lets Longhorn's parts talk across nodes and reach R2 from the manager and instance managers only", () => {
    const { policies, pod } = world(stack);
    const manager = pod("longhorn-system", LONGHORN_TEST_PODS.manager);
    const instanceManager = pod("longhorn-system", LONGHORN_TEST_PODS.instanceManager);
    const csi = pod("longhorn-system", LONGHORN_TEST_PODS.csiPlugin);
    const ui = pod("longhorn-system", LONGHORN_TEST_PODS.ui);
    expect(mayConnect(policies, manager, instanceManager, 8500)).toBe(true);
    expect(mayConnect(policies, instanceManager, instanceManager, 10_005)).toBe(true);
    expect(mayConnect(policies, csi, manager, LONGHORN_PORTS.manager)).toBe(true);
    expect(mayConnect(policies, ui, manager, LONGHORN_PORTS.manager)).toBe(true);
    expect(mayConnect(policies, manager, INTERNET, 443)).toBe(true);
    expect(mayConnect(policies, instanceManager, INTERNET, 443)).toBe(true);
    // The chart's restrictInternalTraffic still decides who may call an instance manager.
    expect(mayConnect(policies, ui, instanceManager, 8500)).toBe(false);
    for (const other of [csi, ui]) expect(mayConnect(policies, other, INTERNET, 443)).toBe(false);
    expect(mayConnect(policies, manager, INTERNET, 80)).toBe(false);
  });

  it("denies platform pods the internet where they have no reason to reach it", () => {
    const { policies, pod } = world(stack);
    const noInternet = [
      pod("cert-manager", CERT_MANAGER_PODS.controller),
      pod("cert-manager", CERT_MANAGER_PODS.webhook),
      pod("cert-manager", CERT_MANAGER_PODS.cainjector),
      pod("cert-manager", { "app.kubernetes.io/name": "cert-manager-api-check" }),
      pod("cnpg-system", CNPG_PODS.operator),
      pod("cnpg-system", CNPG_PODS.plugin),
      pod("system-upgrade", UPGRADE_CONTROLLER_POD_LABELS),
      pod("monitoring", MONITORING_PODS.grafana),
      pod("monitoring", MONITORING_PODS.operator),
    ];
    for (const p of noInternet) {
      for (const port of [80, 443]) {
        expect(
          mayConnect(policies, p, INTERNET, port),
          `${p.namespace} ${JSON.stringify(p.labels)}:${port}`,
        ).toBe(false);
      }
    }
  });

  it("denies tenant pods every platform namespace at its ingress, except the port-only webhook rules", () => {
    const { policies, pod, tenants } = world(stack);
    expect(tenants.length).toBeGreaterThan(0);
    const tenant = tenants[0] as string;
    // The tenant's own egress policies left out: the platform's ingress alone must refuse it.
    const platformOnly = policies.filter((p) => namespaceOf(p) !== tenant);
    const source = pod(tenant, { app: "anything" });
    const targets: [PodEndpoint, number[]][] = [
      [pod("cert-manager", CERT_MANAGER_PODS.controller), [9402, 9403]],
      [pod("cert-manager", CERT_MANAGER_PODS.cainjector), [9402]],
      [pod("cnpg-system", CNPG_PODS.operator), [8080]],
      [pod("cnpg-system", CNPG_PODS.plugin), [CNPG_PORTS.pluginGrpc]],
      [pod("longhorn-system", LONGHORN_TEST_PODS.manager), [9500, 9503]],
      [pod("longhorn-system", LONGHORN_TEST_PODS.instanceManager), [8500, 10_005]],
      [pod("longhorn-system", LONGHORN_TEST_PODS.ui), [8000]],
      [pod("longhorn-system", LONGHORN_TEST_PODS.csiPlugin), [9808]],
      [pod("system-upgrade", UPGRADE_CONTROLLER_POD_LABELS), [8080]],
      [pod("monitoring", MONITORING_PODS.prometheus), [MONITORING.prometheusPort]],
      [pod("monitoring", MONITORING_PODS.alertmanager), [9093]],
      [pod("monitoring", MONITORING_PODS.grafana), [MONITORING.grafanaPort]],
    ];
    for (const [target, ports] of targets) {
      for (const port of ports) {
        expect(mayConnect(platformOnly, source, target, port), `${target.namespace}:${port}`).toBe(false);
      }
    }
    // The webhook rules name no source (the API server calls from the node address); the tenant's
    // own egress policies are what keep its pods away from them.
    const webhooks: [PodEndpoint, number][] = [
      [pod("cert-manager", CERT_MANAGER_PODS.webhook), CERT_MANAGER_PORTS.webhook],
      [pod("cnpg-system", CNPG_PODS.operator), CNPG_PORTS.webhook],
      [pod("longhorn-system", LONGHORN_TEST_PODS.manager), 9502],
      [pod("monitoring", MONITORING_PODS.operator), MONITORING.operatorWebhookPort],
    ];
    for (const [webhook, port] of webhooks) {
      expect(mayConnect(platformOnly, source, webhook, port), `${webhook.namespace}:${port}`).toBe(true);
      expect(mayConnect(policies, source, webhook, port), `${webhook.namespace}:${port}`).toBe(false);
    }
  });
});
