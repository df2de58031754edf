/**
 * The router (components/edge/router*.ts): the Traefik values as the chart and Traefik read them,
 * the Gateway, the tunnel's catch-all to it, and the NetworkPolicies between cloudflared, the router
 * and tenants, evaluated with components/tenancy/netpol-eval.ts.
 */
import { describe, expect, it } from "vitest";
import { CLOUDFLARED, renderNetworkPolicies } from "../../components/edge/cloudflared-manifests";
import { matchingRule } from "../../components/edge/ingress-eval";
import {
  renderGateway,
  renderGatewayClass,
  renderRouterNetworkPolicies,
  TENANT_LABEL,
} from "../../components/edge/router-manifests";
import {
  ROUTER,
  ROUTER_POD_LABELS,
  ROUTER_SERVICE_URL,
  routerValues,
} from "../../components/edge/router-values";
import {
  CATCH_ALL,
  cloudflaredIngressProblems,
  type IngressRule,
  renderIngress,
  withFallback,
  withTcpRoutes,
} from "../../components/edge/routes";
import { selectorLabels } from "../../components/shared/labels";
import { renderAllowDns, renderDefaultDeny } from "../../components/shared/namespace";
import { type Endpoint, mayConnect } from "../../components/tenancy/netpol-eval";
import { renderTenant } from "../../components/tenancy/tenant-manifests";

type Obj = Record<string, unknown>;
// biome-ignore lint/suspicious/noExplicitAny: reading arbitrary manifest fields
type Manifest = Record<string, any>;

const values = routerValues({ clusterCidr: "10.42.0.0/16" });

describe("Traefik values (traefik-helm-chart v41.3.0)", () => {
  it("runs only the Gateway API provider, without the chart's own Gateway, GatewayClass, IngressClass or dashboard", () => {
    expect(values.providers).toEqual({
      kubernetesCRD: { enabled: false },
      kubernetesIngress: { enabled: false },
      kubernetesGateway: { enabled: true, experimentalChannel: false },
    });
    expect([values.gateway.enabled, values.gatewayClass.enabled, values.ingressClass.enabled]).toEqual([
      false,
      false,
      false,
    ]);
    expect(values.api.dashboard).toBe(false);
    expect(values.global).toEqual({ checkNewVersion: false, sendAnonymousUsage: false });
  });

  it("serves HTTP only, on a ClusterIP Service port 80 to the web entry point 8000", () => {
    expect(values.service.spec.type).toBe("ClusterIP");
    expect(values.ports.websecure).toBeNull();
    expect(values.ports.web).toMatchObject({ port: 8000, exposedPort: 80, expose: { default: true } });
    // Only web is on the Service (values.yaml `expose.default`): ping and metrics stay in the pod.
    const exposed = Object.entries(values.ports).filter(([, p]) => p?.expose.default);
    expect(exposed.map(([n]) => n)).toEqual(["web"]);
    expect(ROUTER_SERVICE_URL).toBe("http://router.router.svc.cluster.local:80");
  });

  it("binds the Gateway's listener to an entry point, as Traefik does (the address ending in the listener's port, no TLS)", () => {
    // traefik v3.7.9 pkg/provider/kubernetes/gateway/kubernetes.go entryPointName (802-818).
    const gateway = renderGateway({ serviceCidr: "10.43.0.0/16" }) as Manifest;
    for (const listener of gateway.spec.listeners) {
      const entryPoints = Object.entries(values.ports).filter(
        ([, p]) => p !== null && p.port === listener.port,
      );
      expect(
        entryPoints.map(([n]) => n),
        `listener ${listener.name}`,
      ).toEqual(["web"]);
    }
    // A listener on the Service port would match no entry point.
    expect(Object.values(values.ports).some((p) => p?.port === ROUTER.servicePort)).toBe(false);
  });

  it("keeps X-Forwarded-* only from the cluster's pods (cloudflared), not from anyone", () => {
    expect(values.ports.web.forwardedHeaders).toEqual({ trustedIPs: ["10.42.0.0/16"], insecure: false });
  });

  it("runs as the restricted PodSecurity level asks (non-root, no privilege escalation, drop ALL, RuntimeDefault)", () => {
    expect(values.podSecurityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 65532,
      seccompProfile: { type: "RuntimeDefault" },
    });
    expect(values.securityContext).toEqual({
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      readOnlyRootFilesystem: true,
    });
    expect(values.deployment.replicas).toBe(2);
    expect(values.podDisruptionBudget).toEqual({ enabled: true, minAvailable: 1 });
  });
});

describe("GatewayClass and Gateway", () => {
  it("claims the class for Traefik's controller and admits HTTPRoutes only from tenant-labelled namespaces", () => {
    expect((renderGatewayClass() as Manifest).spec.controllerName).toBe("traefik.io/gateway-controller");
    const gateway = renderGateway({ serviceCidr: "10.43.0.0/16" }) as Manifest;
    expect(gateway.metadata).toMatchObject({ name: "router", namespace: "router" });
    expect(gateway.spec.listeners).toEqual([
      {
        name: "http",
        port: 8000,
        protocol: "HTTP",
        allowedRoutes: {
          namespaces: {
            from: "Selector",
            selector: { matchExpressions: [{ key: TENANT_LABEL, operator: "Exists" }] },
          },
          kinds: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute" }],
        },
      },
    ]);
  });
});

describe("the tunnel's catch-all to the router", () => {
  const routes = [
    { hostname: "auth.enclii.dev", service: "http://janua.janua.svc.cluster.local:80" },
    { hostname: "grafana.enclii.dev", service: "http://grafana.monitoring.svc.cluster.local:80" },
  ];
  const rules = withFallback(
    withTcpRoutes(renderIngress(routes, { zone: "enclii.dev" }), [
      { hostname: "kube-tunnel.enclii.dev", service: "tcp://10.0.1.10:6443" },
    ]),
    ROUTER_SERVICE_URL,
  );

  it("sends every hostname without a rule of its own (tenants, custom hostnames) to the router, last", () => {
    expect(rules.at(-1)).toEqual({ service: ROUTER_SERVICE_URL });
    for (const host of ["acme.enclii.dev", "app.acme.example", "anything.enclii.dev"])
      expect(matchingRule(rules, { host, target: "/" }).rule.service).toBe(ROUTER_SERVICE_URL);
    expect(matchingRule(rules, { host: "grafana.enclii.dev", target: "/" }).rule.service).toContain(
      "grafana",
    );
    expect(cloudflaredIngressProblems(rules)).toEqual([]);
  });

  it("refuses to replace a last rule that is not the catch-all", () => {
    expect(() => withFallback(rules.slice(0, -1), ROUTER_SERVICE_URL)).toThrow(
      /last rule must be the catch-all/,
    );
  });
});

describe("ingress rules as cloudflared validates them (cloudflared 2026.8.2 ingress/ingress.go)", () => {
  const ok: IngressRule[] = [
    { hostname: "a.enclii.dev", service: "http://a.x.svc.cluster.local:80" },
    { hostname: "*.apps.enclii.dev", service: "http://b.x.svc.cluster.local:80" },
    { hostname: "ssh.enclii.dev", service: "ssh://10.0.0.1:22" },
    CATCH_ALL,
  ];
  it("accepts unique hostnames, a leading *. wildcard and the catch-all last", () => {
    expect(cloudflaredIngressProblems(ok)).toEqual([]);
  });
  it.each([
    ["a catch-all before the last rule", [CATCH_ALL, ...ok], /matches every hostname/],
    ["a last rule with a hostname", ok.slice(0, -1), /last rule must match all URLs/],
    [
      "a last rule with a path",
      [...ok.slice(0, -1), { path: "^/x", service: "http_status:404" }],
      /last rule/,
    ],
    [
      "a wildcard inside a hostname",
      [{ hostname: "a.*.enclii.dev", service: "http_status:404" }, CATCH_ALL],
      /wildcard/,
    ],
    [
      "a wildcard without a dot",
      [{ hostname: "*enclii.dev", service: "http_status:404" }, CATCH_ALL],
      /wildcard/,
    ],
    [
      "a hostname with a port",
      [{ hostname: "a.enclii.dev:443", service: "http_status:404" }, CATCH_ALL],
      /port/,
    ],
    ["a hostname twice", [ok[0] as IngressRule, ok[0] as IngressRule, CATCH_ALL], /listed twice/],
    [
      "an origin URL with a path",
      [{ hostname: "a.enclii.dev", service: "http://a.x.svc:80/x" }, CATCH_ALL],
      /no path/,
    ],
    [
      "an invalid status",
      [{ hostname: "a.enclii.dev", service: "http_status:42" }, CATCH_ALL],
      /invalid HTTP status/,
    ],
  ])("fails on %s", (_what, rules, message) => {
    expect(cloudflaredIngressProblems(rules as IngressRule[]).join("; ")).toMatch(message);
  });
});

describe("network paths through the router (evaluated)", () => {
  const ranges = {
    clusterCidr: "10.42.0.0/16",
    serviceCidr: "10.43.0.0/16",
    privateNetworkCidr: "10.0.0.0/16",
    nodeIps: ["203.0.113.10"],
  };
  const tenant = (slug: string) =>
    renderTenant({
      slug,
      tier: "starter",
      environment: "production",
      hostnames: [`${slug}.enclii.dev`],
      ranges,
      controlPlane: { namespace: "enclii", port: 4200, podLabels: { app: "switchyard-api" } },
      janua: { namespace: "janua", port: 8080, podLabels: { app: "janua" }, shared: true },
    }) as Obj[];
  const cloudflared = renderNetworkPolicies({
    namespace: "cloudflare-tunnel",
    replicas: 2,
    routes: [
      { hostname: "auth.enclii.dev", service: "http://janua.janua.svc.cluster.local:80", targetPort: 8080 },
    ],
    fallback: { namespace: ROUTER.namespace, port: ROUTER.webPort },
  });
  const policies = [
    ...["cloudflare-tunnel", "router", "data"].flatMap(
      (ns) => [renderDefaultDeny(ns), renderAllowDns(ns)] as Obj[],
    ),
    ...cloudflared,
    ...renderRouterNetworkPolicies({ serviceCidr: "10.43.0.0/16", monitoringNamespace: "monitoring" }),
    ...tenant("acme"),
    ...tenant("globex"),
  ].filter((o) => o.kind === "NetworkPolicy") as Obj[];
  const pod = (
    namespace: string,
    labels: Record<string, string> = {},
    nsLabels: Record<string, string> = {},
  ): Endpoint => ({
    kind: "pod",
    namespace,
    namespaceLabels: {
      "kubernetes.io/metadata.name": namespace,
      ...(namespace.startsWith("tenant-") ? { [TENANT_LABEL]: namespace.slice(7) } : {}),
      ...nsLabels,
    },
    labels,
  });
  const cloudflaredPod = pod("cloudflare-tunnel", selectorLabels({ name: CLOUDFLARED.name }));
  const router = pod("router", ROUTER_POD_LABELS);
  const acme = pod("tenant-acme", { app: "web" });

  it("cloudflared reaches the router's web entry point, and only it", () => {
    expect(mayConnect(policies, cloudflaredPod, router, ROUTER.webPort)).toBe(true);
    expect(mayConnect(policies, cloudflaredPod, router, ROUTER.pingPort)).toBe(false);
    expect(mayConnect(policies, cloudflaredPod, router, ROUTER.metricsPort)).toBe(false);
  });

  it("cloudflared no longer reaches tenants directly", () => {
    expect(mayConnect(policies, cloudflaredPod, acme, 8080)).toBe(false);
  });

  it("the router reaches each tenant's pods, and not the data namespace or the internet", () => {
    expect(mayConnect(policies, router, acme, 8080)).toBe(true);
    expect(mayConnect(policies, router, pod("tenant-globex", { app: "web" }), 3000)).toBe(true);
    expect(mayConnect(policies, router, pod("data", { "cnpg.io/cluster": "postgres" }), 5432)).toBe(false);
    expect(mayConnect(policies, router, { kind: "ip", ip: "1.1.1.1" }, 443)).toBe(false);
    expect(mayConnect(policies, router, pod("cloudflare-tunnel", {}), 2000)).toBe(false);
  });

  it("a tenant reaches neither the router nor the tunnel; another namespace's pods cannot pose as cloudflared", () => {
    expect(mayConnect(policies, acme, router, ROUTER.webPort)).toBe(false);
    expect(
      mayConnect(
        policies,
        pod("tenant-globex", selectorLabels({ name: CLOUDFLARED.name })),
        router,
        ROUTER.webPort,
      ),
    ).toBe(false);
  });

  it("Prometheus scrapes the router's metrics entry point", () => {
    const prometheus = pod("monitoring", { "app.kubernetes.io/name": "prometheus" });
    expect(mayConnect(policies, prometheus, router, ROUTER.metricsPort)).toBe(true);
    expect(mayConnect(policies, prometheus, router, ROUTER.webPort)).toBe(false);
  });
});
