/**
 * The router's own objects beside the Traefik chart, as plain manifests: the GatewayClass, the one
 * Gateway every tenant HTTPRoute attaches to, and the NetworkPolicies of the `router` namespace
 * (beside its default deny and DNS allow, components/k3s/namespaces.ts). Pure.
 *
 * The Gateway has one HTTP listener and no hostname: it serves whatever hostname an HTTPRoute
 * claims, and which hostnames a route may claim is decided by the API server itself, by the
 * ValidatingAdmissionPolicy of components/tenancy/hostname-admission.ts (a listener per tenant does
 * not scale: a Gateway has at most 64 listeners, gateway.networking.k8s.io_gateways.yaml v1.6.1
 * `spec.listeners` maxItems 64). The listener admits HTTPRoutes only from namespaces labelled
 * `enclii.dev/tenant` (tenant namespaces and dedicated Januas), which only the platform creates:
 * the control plane may not create or label namespaces (components/control-plane/rbac.ts).
 */
import { commonLabels, selectorLabels } from "../shared/labels";
import { renderAllowApiServer } from "../shared/namespace";
import { prometheusPeer } from "../shared/network";
import { CLOUDFLARED } from "./cloudflared-manifests";
import { ROUTER, ROUTER_POD_LABELS } from "./router-values";

type Obj = Record<string, unknown>;

/** The namespace label every routable namespace carries (its tenant's slug). */
export const TENANT_LABEL = "enclii.dev/tenant";

/** A `parentRef` to the router's listener: what every tenant HTTPRoute names. */
export const ROUTER_PARENT_REF = {
  group: "gateway.networking.k8s.io",
  kind: "Gateway",
  name: ROUTER.gateway,
  namespace: ROUTER.namespace,
  sectionName: ROUTER.listener,
} as const;

/** Options of the router's manifests. */
export interface RouterManifestOptions {
  /** The router's namespace. @default "router" */
  readonly namespace?: string;
  /** The cluster's Service CIDR (the router watches the API server). */
  readonly serviceCidr: string;
  /** Where cloudflared runs. @default "cloudflare-tunnel" */
  readonly tunnelNamespace?: string;
  /** Where Prometheus runs; undefined when monitoring is off. */
  readonly monitoringNamespace?: string;
}

const labels = (name: string) => commonLabels({ name, component: "router" });

/** The GatewayClass Traefik's Gateway provider claims (controllerName `traefik.io/gateway-controller`). */
export function renderGatewayClass(): Obj {
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "GatewayClass",
    metadata: { name: ROUTER.gatewayClass, labels: labels(ROUTER.gatewayClass) },
    spec: {
      controllerName: ROUTER.controllerName,
      description: "Platform router behind the Cloudflare Tunnel (Traefik)",
    },
  };
}

/** The one Gateway: HTTP on the `web` entry point, routes from tenant namespaces only. */
export function renderGateway(o: RouterManifestOptions): Obj {
  return {
    apiVersion: "gateway.networking.k8s.io/v1",
    kind: "Gateway",
    metadata: {
      name: ROUTER.gateway,
      namespace: o.namespace ?? ROUTER.namespace,
      labels: labels(ROUTER.gateway),
    },
    spec: {
      gatewayClassName: ROUTER.gatewayClass,
      listeners: [
        {
          name: ROUTER.listener,
          port: ROUTER.webPort,
          protocol: "HTTP",
          allowedRoutes: {
            namespaces: {
              from: "Selector",
              selector: { matchExpressions: [{ key: TENANT_LABEL, operator: "Exists" }] },
            },
            kinds: [{ group: "gateway.networking.k8s.io", kind: "HTTPRoute" }],
          },
        },
      ],
    },
  };
}

/**
 * The router namespace's allows: cloudflared reaches the `web` entry point; the router reaches the
 * API server (its Gateway provider watches it) and any pod of a namespace labelled
 * `enclii.dev/tenant` (each of those admits the router only where its own policies say so:
 * components/tenancy/tenant-manifests.ts); Prometheus scrapes the metrics entry point.
 */
export function renderRouterNetworkPolicies(o: RouterManifestOptions): Obj[] {
  const namespace = o.namespace ?? ROUTER.namespace;
  const pods = { matchLabels: { ...ROUTER_POD_LABELS } };
  const policy = (name: string, spec: Obj): Obj => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name, namespace, labels: commonLabels({ name, component: "network-policy" }) },
    spec,
  });
  const policies: Obj[] = [
    renderAllowApiServer(namespace, o.serviceCidr, { podSelector: pods }) as Obj,
    policy("router-ingress-tunnel", {
      podSelector: pods,
      policyTypes: ["Ingress"],
      ingress: [
        {
          from: [
            {
              namespaceSelector: {
                matchLabels: { "kubernetes.io/metadata.name": o.tunnelNamespace ?? "cloudflare-tunnel" },
              },
              podSelector: { matchLabels: selectorLabels({ name: CLOUDFLARED.name }) },
            },
          ],
          ports: [{ protocol: "TCP", port: ROUTER.webPort }],
        },
      ],
    }),
    policy("router-egress-tenants", {
      podSelector: pods,
      policyTypes: ["Egress"],
      egress: [
        { to: [{ namespaceSelector: { matchExpressions: [{ key: TENANT_LABEL, operator: "Exists" }] } }] },
      ],
    }),
  ];
  if (o.monitoringNamespace) {
    policies.push(
      policy("router-metrics", {
        podSelector: pods,
        policyTypes: ["Ingress"],
        ingress: [
          {
            from: [prometheusPeer(o.monitoringNamespace)],
            ports: [{ protocol: "TCP", port: ROUTER.metricsPort }],
          },
        ],
      }),
    );
  }
  return policies;
}

/**
 * A NetworkPolicy peer for the router's pods, for the allows of the namespaces it routes to.
 * @param namespace the router's namespace @default "router"
 */
export function routerPeer(namespace: string = ROUTER.namespace): Obj {
  return {
    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } },
    podSelector: { matchLabels: { ...ROUTER_POD_LABELS } },
  };
}
