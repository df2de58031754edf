import { describe, expect, it } from "vitest";
import { januaSizingOptions, renderJanuaManifests } from "../../components/auth/janua-manifests";
import { capacityReport } from "../../components/cost/capacity";
import { ROUTER_POD_LABELS } from "../../components/edge/router-values";
import { renderAllowDns, renderDefaultDeny } from "../../components/shared/namespace";
import { type Endpoint, mayConnect } from "../../components/tenancy/netpol-eval";
import { tenantRedirectUris, tenantRoutes } from "../../components/tenancy/tenant";
import {
  egressExceptions,
  egressExceptionsV6,
  renderTenant,
  renderTenantPlatformAllows,
} from "../../components/tenancy/tenant-manifests";
import { quotaHard, TIERS } from "../../components/tenancy/tiers";
import { parseStackConfig } from "../../stacks/config";
import { baseProjectConfig, toRawConfig } from "../helpers/config-fixtures";

// biome-ignore lint/suspicious/noExplicitAny: reading arbitrary manifest fields
type Manifest = Record<string, any>;

const ranges = {
  clusterCidr: "10.42.0.0/16",
  serviceCidr: "10.43.0.0/16",
  privateNetworkCidr: "10.0.0.0/16",
  nodeIps: ["203.0.113.10", "2a01:4f8:10a:1f80::/64", "198.51.100.7", "2a01:4f8:c0c:1234::/64"],
};
const tenantOptions = (slug: string) => ({
  slug,
  tier: "starter" as const,
  environment: "production",
  hostnames: [`${slug}.enclii.dev`, `app.${slug}.example`],
  ranges,
  controlPlane: {
    namespace: "enclii",
    port: 4200,
    podLabels: { "app.kubernetes.io/name": "switchyard-api", "app.kubernetes.io/instance": "switchyard-api" },
  },
  janua: {
    namespace: "janua",
    port: 8080,
    podLabels: { "app.kubernetes.io/name": "janua", "app.kubernetes.io/instance": "janua" },
    shared: true,
  },
});
const tenant = (slug: string) => renderTenant(tenantOptions(slug)) as Manifest[];
/** A tenant's objects and the allows it adds in the platform namespaces. */
const tenantWithAllows = (slug: string) =>
  [...tenant(slug), ...renderTenantPlatformAllows(tenantOptions(slug))] as Manifest[];

describe("tiers", () => {
  it("starter is the upstream tenant template", () => {
    expect(quotaHard(TIERS.starter)).toMatchObject({
      "requests.cpu": "2",
      "requests.memory": "4Gi",
      "limits.cpu": "4",
      "limits.memory": "8Gi",
      pods: "20",
      services: "10",
      persistentvolumeclaims: "5",
    });
    expect(TIERS.starter.container.defaultLimit).toEqual({ cpu: "500m", memory: "512Mi" });
  });

  it("grows from starter to growth to enterprise and never allows LoadBalancer or NodePort Services", () => {
    const order = [TIERS.starter, TIERS.growth, TIERS.enterprise];
    for (let i = 1; i < order.length; i++) {
      expect((order[i] as typeof TIERS.starter).requests.cpu).toBeGreaterThan(
        (order[i - 1] as typeof TIERS.starter).requests.cpu,
      );
      expect((order[i] as typeof TIERS.starter).pods).toBeGreaterThan(
        (order[i - 1] as typeof TIERS.starter).pods,
      );
    }
    for (const t of order)
      expect(quotaHard(t)).toMatchObject({ "services.loadbalancers": "0", "services.nodeports": "0" });
  });

  it("bounds what every tier's namespace stores (Secrets, ConfigMaps, Jobs, CronJobs), not only what runs", () => {
    for (const [name, t] of Object.entries(TIERS))
      for (const key of ["count/secrets", "count/configmaps", "count/jobs.batch", "count/cronjobs.batch"])
        expect(Number(quotaHard(t)[key]), `${name} ${key}`).toBeGreaterThan(0);
  });
});

describe("tenant stamp", () => {
  const objects = tenant("acme");

  it("has a restricted, labelled namespace, a quota, a limit range, four policies, the control plane's Role, an empty pull secret and its HTTPRoute", () => {
    const ns = objects.find((o) => o.kind === "Namespace");
    expect(ns?.metadata.name).toBe("tenant-acme");
    expect(ns?.metadata.labels).toMatchObject({
      "enclii.dev/tenant": "acme",
      "enclii.dev/tier": "starter",
      "pod-security.kubernetes.io/enforce": "restricted",
      "pod-security.kubernetes.io/audit": "restricted",
      "pod-security.kubernetes.io/warn": "restricted",
    });
    expect(objects.map((o) => o.kind).sort()).toEqual(
      [
        "HTTPRoute",
        "LimitRange",
        "Namespace",
        "NetworkPolicy",
        "NetworkPolicy",
        "NetworkPolicy",
        "NetworkPolicy",
        "ResourceQuota",
        "Role",
        "RoleBinding",
        "Secret",
      ].sort(),
    );
  });

  it("holds an empty pull secret named as switchyard names it, so nothing is copied into the namespace", () => {
    const secret = objects.find((o) => o.kind === "Secret" && o.metadata.name === "ghcr-credentials");
    expect(secret?.type).toBe("kubernetes.io/dockerconfigjson");
    expect(JSON.parse(secret?.stringData[".dockerconfigjson"])).toEqual({ auths: {} });
  });

  it("claims <slug>.<domain> and every custom domain through its HTTPRoute, and only those (namespace annotation)", () => {
    const ns = objects.find((o) => o.kind === "Namespace");
    expect(ns?.metadata.annotations["enclii.dev/hostnames"]).toBe("acme.enclii.dev,app.acme.example");
    const route = objects.find((o) => o.kind === "HTTPRoute");
    expect(route?.metadata).toMatchObject({ name: "tenant-default", namespace: "tenant-acme" });
    expect(route?.spec.hostnames).toEqual(["acme.enclii.dev", "app.acme.example"]);
    expect(route?.spec.parentRefs).toEqual([
      {
        group: "gateway.networking.k8s.io",
        kind: "Gateway",
        name: "router",
        namespace: "router",
        sectionName: "http",
      },
    ]);
    expect(route?.spec.rules[0].backendRefs).toEqual([
      { group: "", kind: "Service", name: "tenant-gateway", port: 80 },
    ]);
  });

  it("adds no tunnel route for its own hostnames; a dedicated tenant's Janua keeps auth-<slug> and its admin hostname", () => {
    const t = {
      slug: "acme",
      tier: "starter" as const,
      auth: "dedicated" as const,
      domains: ["app.acme.example"],
    };
    expect(tenantRoutes({ ...t, auth: "shared" }, "enclii.dev")).toEqual([]);
    expect(tenantRoutes(t, "enclii.dev").map((r) => r.hostname)).toEqual([
      "auth-acme.enclii.dev",
      "auth-acme-admin.enclii.dev",
    ]);
    // The public Janua route denies the admin paths; the admin hostname is for operators only.
    const [auth, admin] = tenantRoutes(t, "enclii.dev");
    expect(auth?.deniedPaths?.length).toBeGreaterThan(0);
    expect(admin).toMatchObject({ access: "operators", hostHeader: "auth-acme.enclii.dev" });
    expect(tenantRedirectUris(t, "enclii.dev")).toEqual([
      "https://acme.enclii.dev/auth/callback",
      "https://app.acme.example/auth/callback",
    ]);
  });

  it("keeps private space, the cluster's ranges and the nodes out of the internet egress", () => {
    expect(egressExceptions(ranges)).toEqual(
      expect.arrayContaining(["10.0.0.0/8", "10.42.0.0/16", "10.43.0.0/16", "203.0.113.10/32"]),
    );
    expect(egressExceptions(ranges).some((c) => c.includes(":"))).toBe(false);
    expect(egressExceptionsV6(ranges)).toEqual(
      expect.arrayContaining(["fc00::/7", "2a01:4f8:10a:1f80::/64", "2a01:4f8:c0c:1234::/64"]),
    );
  });
});

describe("network isolation, evaluated", () => {
  const janua = renderJanuaManifests(januaSizingOptions({ clientNamespaces: ["enclii"] })) as Manifest[];
  const policies = [
    ...tenantWithAllows("acme"),
    ...tenantWithAllows("globex"),
    ...janua,
    renderDefaultDeny("janua"),
    renderAllowDns("janua"),
    renderDefaultDeny("data"),
    renderDefaultDeny("cloudflare-tunnel"),
  ].filter((o) => o.kind === "NetworkPolicy") as Manifest[];
  const pod = (namespace: string, labels: Record<string, string> = {}): Endpoint => ({
    kind: "pod",
    namespace,
    namespaceLabels: {
      "kubernetes.io/metadata.name": namespace,
      ...(namespace.startsWith("tenant-") ? { "enclii.dev/tenant": namespace.slice(7) } : {}),
    },
    labels,
  });
  const acme = pod("tenant-acme", { app: "web" });
  const januaPod = pod("janua", { "app.kubernetes.io/name": "janua", "app.kubernetes.io/instance": "janua" });

  it("tenant A cannot reach tenant B", () => {
    expect(mayConnect(policies, acme, pod("tenant-globex", { app: "web" }), 8080)).toBe(false);
  });

  it("a tenant reaches the shared Janua and the internet, but not the node or the databases", () => {
    expect(mayConnect(policies, acme, januaPod, 8080)).toBe(true);
    expect(mayConnect(policies, acme, { kind: "ip", ip: "1.1.1.1" }, 443)).toBe(true);
    expect(mayConnect(policies, acme, { kind: "ip", ip: "203.0.113.10" }, 10250)).toBe(false);
    expect(mayConnect(policies, acme, pod("data", { "cnpg.io/cluster": "postgres" }), 5432)).toBe(false);
  });

  it("no tenant reaches any node's kubelet, API, node-exporter or sshd, over IPv4 or IPv6", () => {
    const nodes = ["203.0.113.10", "198.51.100.7", "2a01:4f8:10a:1f80::2", "2a01:4f8:c0c:1234::1"];
    for (const ip of nodes) {
      for (const port of [10250, 6443, 9100, 22]) {
        expect(mayConnect(policies, acme, { kind: "ip", ip }, port), `${ip}:${port}`).toBe(false);
      }
    }
    // The IPv6 peer is an internet peer, not a blanket deny: other IPv6 hosts stay reachable.
    expect(mayConnect(policies, acme, { kind: "ip", ip: "2606:4700:4700::1111" }, 443)).toBe(true);
    expect(mayConnect(policies, acme, { kind: "ip", ip: "fd00::1" }, 443)).toBe(false);
  });

  it("a peer with only a podSelector means pods of the policy's own namespace", () => {
    const sameNamespace = {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "allow-same-namespace", namespace: "data" },
      spec: { podSelector: {}, policyTypes: ["Ingress"], ingress: [{ from: [{ podSelector: {} }] }] },
    };
    const db = pod("data", { app: "db" });
    expect(mayConnect([sameNamespace], pod("data", { app: "api" }), db, 5432)).toBe(true);
    expect(mayConnect([sameNamespace], acme, db, 5432)).toBe(false);
  });

  it("the router reaches a tenant's pods, the tunnel and other routers' look-alikes do not; a tenant reaches neither", () => {
    const routerPod = pod("router", ROUTER_POD_LABELS);
    const others = policies.filter((p) => !["cloudflare-tunnel", "router"].includes(p.metadata.namespace));
    expect(mayConnect(others, routerPod, acme, 8080)).toBe(true);
    expect(
      mayConnect(others, pod("cloudflare-tunnel", { "app.kubernetes.io/name": "cloudflared" }), acme, 8080),
    ).toBe(false);
    // The router's labels in another namespace are not the router.
    expect(mayConnect(others, pod("tenant-globex", ROUTER_POD_LABELS), acme, 8080)).toBe(false);
    expect(mayConnect(others, pod("router", { app: "other" }), acme, 8080)).toBe(false);
    expect(mayConnect(policies, acme, pod("cloudflare-tunnel"), 2000)).toBe(false);
    expect(mayConnect([...policies, renderDefaultDeny("router") as Manifest], acme, routerPod, 8000)).toBe(
      false,
    );
  });

  it("tenants resolve names through kube-dns only", () => {
    const dns = pod("kube-system", { "k8s-app": "kube-dns" });
    expect(mayConnect(policies, acme, dns, 53, "UDP")).toBe(true);
    expect(mayConnect(policies, acme, pod("kube-system", { app: "metrics-server" }), 443)).toBe(false);
  });

  it("Janua admits each tenant it serves through that tenant's own allow, by namespace name, not by a label a namespace creator could set", () => {
    // A namespace that copies every tenant label is still not a tenant Janua admits.
    const impostor = pod("tenant-evil", { "enclii.dev/tenant": "evil", "enclii.dev/tier": "growth" });
    expect(mayConnect(policies, impostor, januaPod, 8080)).toBe(false);
    expect(mayConnect(policies, acme, januaPod, 8080)).toBe(true);
    // Janua's own policy names no tenant: adding one changes no platform object.
    const ingress = janua.find((o) => o.metadata.name === "janua-ingress");
    expect(JSON.stringify(ingress?.spec.ingress[0].from)).not.toMatch(/tenant/);
    // The same holds for the control plane API, whose allow each tenant adds likewise.
    const api = pod("enclii", {
      "app.kubernetes.io/name": "switchyard-api",
      "app.kubernetes.io/instance": "switchyard-api",
    });
    const withApi = [...policies, renderDefaultDeny("enclii") as Manifest];
    expect(mayConnect(withApi, acme, api, 4200)).toBe(true);
    expect(mayConnect(withApi, impostor, api, 4200)).toBe(false);
    expect(mayConnect(withApi, acme, api, 4201)).toBe(false);
  });
});

describe("capacity model", () => {
  const config = (change: (c: Record<string, unknown>) => void) => {
    const project = baseProjectConfig();
    change(project);
    return parseStackConfig(toRawConfig(project), "test", { checkSecrets: false });
  };

  it("subtracts the platform's own requests from the nodes and counts the tenants that still fit", () => {
    const report = capacityReport(config(() => {}));
    expect(report.allocatable).toEqual({ cpu: 11.5, memoryGiB: 62.5 });
    expect(report.platform.cpu).toBeGreaterThan(1);
    expect(report.tenants).toEqual({ cpu: 4 + 2, memoryGiB: 8 + 4 });
    expect(report.fits).toBe(true);
    expect(report.stillFit.starter).toBe(Math.floor(report.free.cpu / 2));
  });

  it("fails the config with the numbers when the tenants do not fit", () => {
    expect(() =>
      config((c) => {
        c.tenants = ["aa", "bb", "cc"].map((slug) => ({ slug, tier: "enterprise" }));
      }),
    ).toThrow(
      /enclii-infra:tenants: need 24\.0 CPU \/ 48\.0 GiB of requests on top of the platform's .* but the nodes offer 11\.5 CPU \/ 62\.5 GiB x 1\.5 overcommit/,
    );
  });
});
