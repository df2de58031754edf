/**
 * A tenant's namespace and its boundaries as plain manifests: namespace (PodSecurity
 * `restricted`), ResourceQuota and LimitRange from the tier, four NetworkPolicies, and the Role
 * that lets the control plane deploy the tenant's apps there. Pure.
 */
import { isIPv4 } from "node:net";
import { renderControlPlaneTenantAccess } from "../control-plane/rbac";
import { routerPeer } from "../edge/router-manifests";
import { commonLabels } from "../shared/labels";
import { byNames, renderAllowDns, renderDefaultDeny, renderNamespace } from "../shared/namespace";
import { internetIpv4, internetIpv6 } from "../shared/network";
import { HOSTNAMES_ANNOTATION, hostnamesAnnotation } from "./hostname-admission";
import { renderHttpRoute } from "./http-routes";
import { quotaHard, TIERS, type TierName } from "./tiers";

type Obj = Record<string, unknown>;

/** The namespace of a tenant. */
export const tenantNamespace = (slug: string) => `tenant-${slug}`;

/** The Service the control plane puts in front of a tenant's default app; tenant hostnames route to it. */
export const TENANT_GATEWAY = { name: "tenant-gateway", port: 80, targetPort: 8080 } as const;

/** The HTTPRoute the program keeps in every tenant namespace: all of its hostnames to {@link TENANT_GATEWAY}. */
export const TENANT_DEFAULT_ROUTE = "tenant-default";

/** Address ranges a tenant may never reach directly. */
export interface ClusterRanges {
  readonly clusterCidr: string;
  readonly serviceCidr: string;
  readonly privateNetworkCidr: string;
  /**
   * Public addresses of every node, IPv4 and IPv6: single addresses (/32, /128) or the node's
   * whole prefix (an hcloud server's or a Robot server's IPv6 /64).
   */
  readonly nodeIps: readonly string[];
}

/** Options of a tenant's manifests. */
export interface TenantManifestOptions {
  readonly slug: string;
  readonly tier: TierName;
  readonly environment: string;
  /**
   * The tenant's hostnames (`<slug>.<domain>` and its custom domains): the only ones its HTTPRoutes
   * may claim (./hostname-admission.ts), all routed to {@link TENANT_GATEWAY} by its default route.
   */
  readonly hostnames: readonly string[];
  readonly ranges: ClusterRanges;
  /**
   * Namespace, port and pod labels of the control plane API and of the Janua the tenant uses.
   * `shared`: the platform's Janua, which admits each tenant through an allow the tenant adds.
   */
  readonly controlPlane: PlatformPeer;
  readonly janua: PlatformPeer & { readonly shared: boolean };
}

/** A platform service a tenant's apps call. */
export interface PlatformPeer {
  readonly namespace: string;
  readonly port: number;
  /** Labels of the service's pods. */
  readonly podLabels: Record<string, string>;
}

const asCidr = (ip: string) => (ip.includes("/") ? ip : `${ip}/${isIPv4(ip) ? 32 : 128}`);
const isV4Cidr = (cidr: string) => isIPv4(cidr.split("/")[0] ?? "");

/** The IPv4 ranges excluded from a tenant's internet egress: private space, cluster ranges, the nodes. */
export function egressExceptions(ranges: ClusterRanges): string[] {
  const nodes = ranges.nodeIps.map(asCidr).filter(isV4Cidr);
  return internetIpv4([ranges.clusterCidr, ranges.serviceCidr, ranges.privateNetworkCidr, ...nodes]).ipBlock
    .except;
}

/**
 * The IPv6 ranges excluded from a tenant's internet egress: private space and every node's IPv6.
 * Pods are IPv4-only today (`k3s.clusterCidr`); the IPv6 peer keeps the same boundary if the
 * cluster turns dual-stack, so no tenant reaches a kubelet, the API or sshd over IPv6 either.
 */
export function egressExceptionsV6(ranges: ClusterRanges): string[] {
  return internetIpv6(ranges.nodeIps.map(asCidr).filter((c) => !isV4Cidr(c))).ipBlock.except;
}

/**
 * Labels switchyard-api requires on a namespace it deploys into. Its `EnsureNamespace`
 * (madfam-org/enclii `apps/switchyard-api/internal/k8s/client.go`: `managed-by`,
 * `enclii.dev/type`, `enclii.dev/verify-signatures`, `enclii.dev/data-access`) and the reconciler's
 * `ensureNamespaceLabels` (internal/reconciler/service.go: `platform` besides) get the namespace
 * and, when one of these is missing, update it, which the control plane's RBAC does not allow (the
 * platform owns namespaces): set here, the update is never needed. No NetworkPolicy of the platform selects
 * on them (policies select namespaces by name).
 */
export const SWITCHYARD_NAMESPACE_LABELS = {
  "managed-by": "enclii",
  platform: "enclii",
  "enclii.dev/type": "application",
  "enclii.dev/verify-signatures": "true",
  "enclii.dev/data-access": "true",
} as const;

/**
 * The allows a tenant adds in the platform namespaces its apps call: the control plane API and,
 * for a tenant of the shared Janua, Janua. Each admits only this tenant's namespace, by name, and
 * lives and dies with the tenant's stamp, so adding a tenant changes no platform object
 * (NetworkPolicies are additive: the platform's own policies there stay as they are).
 */
export function renderTenantPlatformAllows(o: TenantManifestOptions): Obj[] {
  const ns = tenantNamespace(o.slug);
  const allow = (to: string, peer: PlatformPeer): Obj => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: {
      name: `${ns}-to-${to}`,
      namespace: peer.namespace,
      labels: { ...commonLabels({ name: ns, component: "tenant" }), "enclii.dev/tenant": o.slug },
    },
    spec: {
      podSelector: { matchLabels: peer.podLabels },
      policyTypes: ["Ingress"],
      ingress: [{ from: [byNames([ns])], ports: [{ protocol: "TCP", port: peer.port }] }],
    },
  });
  return [allow("control-plane", o.controlPlane), ...(o.janua.shared ? [allow("janua", o.janua)] : [])];
}

/** The image pull secret switchyard-api's pods name (see {@link renderTenant}). */
export const PULL_SECRET = "ghcr-credentials";

/** The tenant's default HTTPRoute: every hostname of the tenant to {@link TENANT_GATEWAY}. */
export function renderTenantRoute(o: Pick<TenantManifestOptions, "slug" | "hostnames">): Obj {
  return renderHttpRoute({
    name: TENANT_DEFAULT_ROUTE,
    namespace: tenantNamespace(o.slug),
    hostnames: o.hostnames,
    backend: { name: TENANT_GATEWAY.name, port: TENANT_GATEWAY.port },
    labels: { "enclii.dev/tenant": o.slug },
  });
}

/** Every object of a tenant stamp except auth. */
export function renderTenant(o: TenantManifestOptions): Obj[] {
  const ns = tenantNamespace(o.slug);
  const tier = TIERS[o.tier];
  const labels = {
    ...commonLabels({ name: ns, component: "tenant" }),
    "enclii.dev/tenant": o.slug,
    "enclii.dev/tier": o.tier,
  };
  const meta = (name: string) => ({ name, namespace: ns, labels });
  const nsSelector = (name: string) => ({
    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } },
  });
  return [
    renderNamespace({
      name: ns,
      podSecurity: "restricted",
      labels: {
        "enclii.dev/tenant": o.slug,
        "enclii.dev/tier": o.tier,
        "enclii.dev/environment": o.environment,
        ...SWITCHYARD_NAMESPACE_LABELS,
      },
      description: `tenant ${o.slug} (${o.tier})`,
      annotations: { [HOSTNAMES_ANNOTATION]: hostnamesAnnotation(o.hostnames) },
    }) as Obj,
    {
      apiVersion: "v1",
      kind: "ResourceQuota",
      metadata: meta("tenant-quota"),
      spec: { hard: quotaHard(tier) },
    },
    {
      apiVersion: "v1",
      kind: "LimitRange",
      metadata: meta("tenant-limits"),
      spec: {
        limits: [
          {
            type: "Container",
            default: tier.container.defaultLimit,
            defaultRequest: tier.container.defaultRequest,
            max: tier.container.max,
          },
        ],
      },
    },
    ...renderControlPlaneTenantAccess({
      tenantNamespace: ns,
      controlPlaneNamespace: o.controlPlane.namespace,
    }),
    // switchyard names this pull secret in every pod it renders and copies `enclii/ghcr-credentials`
    // into the namespace when it is missing (internal/reconciler/manifest.go `imagePullSecrets`;
    // the auto-deploy handler's `ensureRegistryCredentials` stops the deploy when it cannot read
    // the source, which its RBAC does not allow). An empty one is found, so nothing is copied and
    // public images pull as before; a tenant with private images fills it in.
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: meta(PULL_SECRET),
      type: "kubernetes.io/dockerconfigjson",
      stringData: { ".dockerconfigjson": JSON.stringify({ auths: {} }) },
    },
    renderDefaultDeny(ns) as Obj,
    renderAllowDns(ns) as Obj,
    // Requests reach a tenant only through the router (cloudflared sends every hostname it does
    // not route itself there), on whatever port the HTTPRoute's backend Service targets.
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: meta("allow-ingress-from-router"),
      spec: {
        podSelector: {},
        policyTypes: ["Ingress"],
        ingress: [{ from: [routerPeer()] }],
      },
    },
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: meta("allow-egress"),
      spec: {
        podSelector: {},
        policyTypes: ["Egress"],
        egress: [
          {
            to: [
              { ipBlock: { cidr: "0.0.0.0/0", except: egressExceptions(o.ranges) } },
              { ipBlock: { cidr: "::/0", except: egressExceptionsV6(o.ranges) } },
            ],
          },
          {
            to: [nsSelector(o.controlPlane.namespace)],
            ports: [{ protocol: "TCP", port: o.controlPlane.port }],
          },
          { to: [nsSelector(o.janua.namespace)], ports: [{ protocol: "TCP", port: o.janua.port }] },
        ],
      },
    },
    renderTenantRoute(o),
  ];
}
