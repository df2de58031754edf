/**
 * Typed values of the Traefik chart that runs the platform's one Gateway API router (docs/router.md).
 * Pure. Every key below was read from traefik/traefik-helm-chart v41.3.0 (a8a66d00)
 * `traefik/values.yaml` and the template that consumes it; only what this platform sets is typed.
 *
 * - Only the Gateway API provider runs (`providers.kubernetesGateway.enabled`, values.yaml 474-505;
 *   `_podtemplate.tpl` 580 `--providers.kubernetesgateway`): the IngressRoute CRD provider and the
 *   Ingress provider are off (values.yaml 308-379), so the router reads no Ingress and no Traefik CRD,
 *   and the chart's own IngressClass is not created (values.yaml 126-130, templates/ingressclass.yaml).
 * - The chart's GatewayClass and Gateway are off (values.yaml 160-208): the program renders both
 *   (./router-manifests.ts), so they are in the plan and validated against the upstream CRDs.
 * - One HTTP entry point, `web` on 8000, behind a ClusterIP Service on 80 (`ports.web`, values.yaml
 *   961-1015; `service.spec.type`, values.yaml 1146-1147, default LoadBalancer, which this platform
 *   forbids). `websecure` is removed (`ports.websecure: null`: `_podtemplate.tpl` 126 `if $config`
 *   skips it): Cloudflare terminates TLS at the edge and cloudflared speaks HTTP to the router.
 * - A Gateway listener binds to the entry point whose address ends in the listener's port (traefik/traefik
 *   v3.7.9 pkg/provider/kubernetes/gateway/kubernetes.go `entryPointName`, lines 802-818, on the
 *   address without `/tcp`: pkg/config/static/static_config.go line 345), so the listener's port is
 *   8000, the container port, not the Service's 80.
 * - cloudflared's `X-Forwarded-For` (the visitor's address as Cloudflare saw it) is kept only from pods of
 *   the cluster CIDR (`ports.web.forwardedHeaders.trustedIPs`): Traefik strips X-Forwarded-* from
 *   untrusted peers (pkg/middlewares/forwardedheaders/forwarded_header.go `ServeHTTP`, lines 115-118:
 *   `DeleteXForwardedHeaders` unless `insecure` or the peer is trusted).
 * - No dashboard, no update check, no usage data (`api.dashboard`, `global.checkNewVersion`,
 *   `global.sendAnonymousUsage`, values.yaml 210-225 and 882-888; `_podtemplate.tpl` 205-210): the
 *   router has no internet egress.
 * - Pod and container security contexts are the chart's defaults (values.yaml 1256-1270: runAsNonRoot,
 *   65532, seccomp RuntimeDefault, drop ALL, read-only root), set explicitly so a chart bump cannot
 *   loosen them; `restricted` PodSecurity admits them.
 */
import { IMAGES } from "../versions";

/** The names and ports the rest of the platform refers to. */
export const ROUTER = {
  /** Release and Service name (`fullnameOverride`), and its namespace. */
  name: "router",
  namespace: "router",
  /** The Service port cloudflared sends to. */
  servicePort: 80,
  /** The `web` entry point inside the pod (the Gateway listener's port). */
  webPort: 8000,
  /** Traefik's own entry point: `/ping` for the kubelet's probes (values.yaml 919-921). */
  pingPort: 8080,
  /** The `metrics` entry point (values.yaml 1100-1104). */
  metricsPort: 9100,
  /** The GatewayClass and the one Gateway (./router-manifests.ts). */
  gatewayClass: "enclii-router",
  gateway: "router",
  /** Listener of the Gateway that admits tenant HTTPRoutes. */
  listener: "http",
  /** The controller name Traefik claims GatewayClasses with (templates/gatewayclass.yaml line 12). */
  controllerName: "traefik.io/gateway-controller",
} as const;

/**
 * Labels of the router pods (`traefik.labelselector`, `_helpers.tpl` 96-99: the chart name and
 * `<release>-<namespace>`), for NetworkPolicies elsewhere.
 */
export const ROUTER_POD_LABELS: Readonly<Record<string, string>> = {
  "app.kubernetes.io/name": "traefik",
  "app.kubernetes.io/instance": `${ROUTER.name}-${ROUTER.namespace}`,
};

/** The in-cluster URL the tunnel's catch-all rule sends to. */
export const ROUTER_SERVICE_URL = `http://${ROUTER.name}.${ROUTER.namespace}.svc.cluster.local:${ROUTER.servicePort}`;

/** A Traefik entry point's port settings (values.yaml `ports.<name>`). */
interface PortValues {
  readonly port: number;
  readonly expose: { readonly default: boolean };
  readonly exposedPort: number;
  readonly protocol: "TCP";
  readonly forwardedHeaders?: { readonly trustedIPs: readonly string[]; readonly insecure: false };
}

/** The values this platform passes to the Traefik chart. */
export interface RouterValues {
  readonly image: { readonly registry: string; readonly repository: string; readonly tag: string };
  readonly fullnameOverride: string;
  readonly deployment: { readonly replicas: number };
  readonly podDisruptionBudget: { readonly enabled: true; readonly minAvailable: 1 };
  readonly ingressClass: { readonly enabled: false };
  readonly gateway: { readonly enabled: false };
  readonly gatewayClass: { readonly enabled: false };
  readonly api: { readonly dashboard: false };
  readonly global: { readonly checkNewVersion: false; readonly sendAnonymousUsage: false };
  readonly providers: {
    readonly kubernetesCRD: { readonly enabled: false };
    readonly kubernetesIngress: { readonly enabled: false };
    readonly kubernetesGateway: { readonly enabled: true; readonly experimentalChannel: false };
  };
  readonly ports: {
    readonly traefik: PortValues;
    readonly web: PortValues;
    readonly websecure: null;
    readonly metrics: PortValues;
  };
  readonly service: { readonly enabled: true; readonly spec: { readonly type: "ClusterIP" } };
  readonly resources: {
    readonly requests: { readonly cpu: string; readonly memory: string };
    readonly limits: { readonly cpu: string; readonly memory: string };
  };
  readonly topologySpreadConstraints: readonly Record<string, unknown>[];
  readonly securityContext: Record<string, unknown>;
  readonly podSecurityContext: Record<string, unknown>;
}

/** Options of {@link routerValues}. */
export interface RouterValuesOptions {
  /** Router replicas. @default 2 */
  readonly replicas?: number;
  /** The cluster's pod CIDR: cloudflared's address, whose forwarded headers the router trusts. */
  readonly clusterCidr: string;
}

const port = (n: number, exposed: boolean, exposedPort = n): PortValues => ({
  port: n,
  expose: { default: exposed },
  exposedPort,
  protocol: "TCP",
});

/** The chart values. */
export function routerValues(o: RouterValuesOptions): RouterValues {
  const [registry, ...repository] = IMAGES.traefik.repository.split("/");
  return {
    image: { registry: registry as string, repository: repository.join("/"), tag: IMAGES.traefik.tag },
    fullnameOverride: ROUTER.name,
    deployment: { replicas: o.replicas ?? 2 },
    podDisruptionBudget: { enabled: true, minAvailable: 1 },
    ingressClass: { enabled: false },
    gateway: { enabled: false },
    gatewayClass: { enabled: false },
    api: { dashboard: false },
    global: { checkNewVersion: false, sendAnonymousUsage: false },
    providers: {
      kubernetesCRD: { enabled: false },
      kubernetesIngress: { enabled: false },
      kubernetesGateway: { enabled: true, experimentalChannel: false },
    },
    ports: {
      traefik: port(ROUTER.pingPort, false),
      web: {
        ...port(ROUTER.webPort, true, ROUTER.servicePort),
        forwardedHeaders: { trustedIPs: [o.clusterCidr], insecure: false },
      },
      websecure: null,
      metrics: port(ROUTER.metricsPort, false),
    },
    service: { enabled: true, spec: { type: "ClusterIP" } },
    resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "1", memory: "256Mi" } },
    topologySpreadConstraints: [
      {
        maxSkew: 1,
        topologyKey: "kubernetes.io/hostname",
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: { matchLabels: { ...ROUTER_POD_LABELS } },
      },
    ],
    securityContext: {
      allowPrivilegeEscalation: false,
      capabilities: { drop: ["ALL"] },
      readOnlyRootFilesystem: true,
    },
    podSecurityContext: {
      runAsGroup: 65532,
      runAsNonRoot: true,
      runAsUser: 65532,
      seccompProfile: { type: "RuntimeDefault" },
    },
  };
}
