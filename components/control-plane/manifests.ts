/**
 * The Enclii control plane as plain manifests: switchyard-api (port 4200) and switchyard-ui
 * (port 4201), their Services (80 -> port), PodDisruptionBudgets and NetworkPolicies. Pure;
 * secrets only through secretKeyRef to the `switchyard-api` Secret. switchyard-api runs as its own
 * ServiceAccount with a mounted token and may reach the API server (./rbac.ts says what it may
 * do there); switchyard-ui has no token.
 */
import { stringify } from "yaml";
import type { TunnelRoute } from "../edge/routes";
import { commonLabels, selectorLabels } from "../shared/labels";
import { renderAllowApiServer } from "../shared/namespace";
import { internetIpv4 } from "../shared/network";
import { httpProbe, podDefaults, restrictedContainerSecurityContext, spreadAcrossNodes } from "../shared/pod";
import { IMAGES, type ImagePin, imageRef } from "../versions";
import { CONTROL_PLANE_IDENTITY, renderControlPlaneIdentity } from "./rbac";

type Obj = Record<string, unknown>;

/** Fixed names and ports. */
export const CONTROL_PLANE = {
  api: { name: "switchyard-api", port: 4200 },
  ui: { name: "switchyard-ui", port: 4201 },
  secret: "switchyard-api",
  uid: 1000,
} as const;

/**
 * Keys of the API's Secret. switchyard-api reads its settings through viper with the prefix
 * `ENCLII` (madfam-org/enclii `apps/switchyard-api/internal/config/config.go` `Load`): the database
 * is `database-url`, so `ENCLII_DATABASE_URL`, and `Load` fails without it (SEC-001).
 * ../shared/REFERENCE.md says `ENCLII_DB_URL`; the source binds no such name.
 */
export const API_SECRET_KEYS = [
  "ENCLII_DATABASE_URL",
  "ENCLII_REDIS_PASSWORD",
  "ENCLII_OIDC_CLIENT_SECRET",
  "ENCLII_CLOUDFLARE_API_TOKEN",
] as const;

/** Options of the control plane manifests. */
export interface ControlPlaneOptions {
  readonly namespace: string;
  readonly apiImage: ImagePin;
  readonly uiImage: ImagePin;
  readonly apiReplicas: number;
  readonly uiReplicas: number;
  readonly apiHostname: string;
  readonly uiHostname: string;
  readonly januaIssuer: string;
  readonly januaInternalUrl: string;
  readonly oidcClientId: string;
  readonly redisHost: string;
  readonly redisPort: number;
  /**
   * The zone its custom hostnames live in. No tunnel id: the control plane routes through
   * Kubernetes (HTTPRoutes), and switchyard-api leaves its tunnel sync off when
   * `ENCLII_CLOUDFLARE_TUNNEL_ID` is empty (madfam-org/enclii 08d42436
   * apps/switchyard-api/internal/config/config.go: `cloudflare-tunnel-id` defaults to "").
   */
  readonly cloudflare: { readonly accountId: string; readonly zoneId: string };
  readonly dataNamespace: string;
  readonly januaNamespace: string;
  /** The cluster's Service CIDR (the `kubernetes` Service address lives in it). */
  readonly serviceCidr: string;
}

/**
 * Options with placeholder values, for when only the shape of the manifests matters (the
 * capacity model sums their requests; tests read their labels and ports).
 */
export function controlPlaneSizingOptions(overrides: Partial<ControlPlaneOptions> = {}): ControlPlaneOptions {
  return {
    namespace: "enclii",
    apiImage: IMAGES.switchyardApi,
    uiImage: IMAGES.switchyardUi,
    apiReplicas: 2,
    uiReplicas: 2,
    apiHostname: "api.example.com",
    uiHostname: "app.example.com",
    januaIssuer: "https://auth.example.com",
    januaInternalUrl: "http://janua",
    oidcClientId: "x",
    redisHost: "redis",
    redisPort: 6379,
    cloudflare: { accountId: "a", zoneId: "z" },
    dataNamespace: "data",
    januaNamespace: "janua",
    serviceCidr: "10.43.0.0/16",
    ...overrides,
  };
}

/** Problems with the options (empty when valid). */
export function validateControlPlaneOptions(o: ControlPlaneOptions): string[] {
  const problems: string[] = [];
  for (const [what, pin] of [
    ["apiImage", o.apiImage],
    ["uiImage", o.uiImage],
  ] as const) {
    if (["latest", "main"].includes(pin.tag))
      problems.push(`${what}: ${pin.tag} is a moving tag; pin a release`);
  }
  return problems;
}

/**
 * The kubeconfig switchyard-api loads. Its config defaults `kube-config` to `$HOME/.kube/config`
 * (config.go `Load`), so `NewClient` (internal/k8s/client.go) never takes its
 * `rest.InClusterConfig()` branch; an empty `ENCLII_KUBE_CONFIG` does not help (viper treats an
 * empty variable as unset), and client-go refuses a named kubeconfig that does not exist
 * (tools/clientcmd/loader.go `Load`), which ends the process (cmd/api/main.go `logrus.Fatal`).
 * So the pod gets a kubeconfig that names the in-cluster identity: the API server's Service
 * name (in the k3s serving certificate), the service account CA and its token file, which
 * client-go re-reads, so the projected token's rotation keeps working.
 */
export const KUBECONFIG = {
  configMap: "switchyard-api-kubeconfig",
  dir: "/etc/enclii/kube",
  file: "config",
  context: "in-cluster",
} as const;

const SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";

/** The in-cluster kubeconfig (no secret in it: the token is read from the mounted file). */
export function renderKubeconfig(namespace: string): string {
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [
      {
        name: "in-cluster",
        cluster: {
          server: "https://kubernetes.default.svc",
          "certificate-authority": `${SERVICE_ACCOUNT_DIR}/ca.crt`,
        },
      },
    ],
    users: [{ name: "switchyard-api", user: { tokenFile: `${SERVICE_ACCOUNT_DIR}/token` } }],
    contexts: [
      { name: KUBECONFIG.context, context: { cluster: "in-cluster", user: "switchyard-api", namespace } },
    ],
    "current-context": KUBECONFIG.context,
  });
}

/** The API's environment exactly as switchyard-api reads it (config.go `Load`). */
export function apiEnv(o: ControlPlaneOptions): Obj[] {
  const plain: [string, string][] = [
    // Production mode: Load then requires ENCLII_ALLOWED_ORIGINS (SEC-003), and the development
    // defaults (unauthenticated internal callbacks) are off. Staging runs the same way.
    ["ENCLII_ENVIRONMENT", "production"],
    ["ENCLII_ALLOWED_ORIGINS", `https://${o.uiHostname},https://${o.apiHostname}`],
    ["ENCLII_WEBSOCKET_ALLOWED_ORIGINS", `https://${o.uiHostname}`],
    ["ENCLII_KUBE_CONFIG", `${KUBECONFIG.dir}/${KUBECONFIG.file}`],
    ["ENCLII_KUBE_CONTEXT", KUBECONFIG.context],
    ["ENCLII_PORT", String(CONTROL_PLANE.api.port)],
    ["ENCLII_AUTH_MODE", "oidc"],
    ["ENCLII_OIDC_ISSUER", o.januaIssuer],
    ["ENCLII_OIDC_CLIENT_ID", o.oidcClientId],
    ["ENCLII_OIDC_REDIRECT_URL", `https://${o.apiHostname}/v1/auth/callback`],
    ["ENCLII_EXTERNAL_JWKS_URL", `${o.januaIssuer}/.well-known/jwks.json`],
    ["ENCLII_EXTERNAL_ISSUER", o.januaIssuer],
    ["ENCLII_JANUA_API_URL", o.januaInternalUrl],
    ["ENCLII_REDIS_HOST", o.redisHost],
    ["ENCLII_REDIS_PORT", String(o.redisPort)],
    ["ENCLII_CLOUDFLARE_ACCOUNT_ID", o.cloudflare.accountId],
    ["ENCLII_CLOUDFLARE_ZONE_ID", o.cloudflare.zoneId],
  ];
  return [
    ...plain.map(([name, value]) => ({ name, value })),
    ...API_SECRET_KEYS.map((key) => ({
      name: key,
      valueFrom: { secretKeyRef: { name: CONTROL_PLANE.secret, key } },
    })),
  ];
}

function workload(o: ControlPlaneOptions, which: "api" | "ui"): Obj[] {
  const spec = CONTROL_PLANE[which];
  const image = which === "api" ? o.apiImage : o.uiImage;
  const replicas = which === "api" ? o.apiReplicas : o.uiReplicas;
  const selector = selectorLabels({ name: spec.name });
  const labels = commonLabels({ name: spec.name, component: "control-plane", version: image.tag });
  const meta = (name: string) => ({ name, namespace: o.namespace, labels });
  const probes =
    which === "api"
      ? {
          startupProbe: httpProbe("/health", spec.port, { periodSeconds: 5, failureThreshold: 30 }),
          readinessProbe: httpProbe("/health/ready", spec.port, { periodSeconds: 5 }),
          livenessProbe: httpProbe("/health/live", spec.port, { periodSeconds: 15 }),
        }
      : {
          readinessProbe: httpProbe("/api/health", spec.port, { periodSeconds: 5 }),
          livenessProbe: httpProbe("/api/health", spec.port, {
            periodSeconds: 15,
            failureThreshold: 4,
            initialDelaySeconds: 10,
          }),
        };
  const env =
    which === "api"
      ? apiEnv(o)
      : [
          { name: "PORT", value: String(spec.port) },
          { name: "NEXT_PUBLIC_API_URL", value: `https://${o.apiHostname}` },
          { name: "NEXT_PUBLIC_AUTH_MODE", value: "oidc" },
          { name: "NEXT_PUBLIC_JANUA_URL", value: o.januaIssuer },
        ];
  const resources =
    which === "api"
      ? { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "1000m", memory: "1Gi" } }
      : { requests: { cpu: "50m", memory: "128Mi" }, limits: { cpu: "500m", memory: "512Mi" } };
  const objects: Obj[] = [
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: meta(spec.name),
      spec: {
        replicas,
        selector: { matchLabels: selector },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        template: {
          metadata: { labels: { ...labels, ...selector } },
          spec: {
            // switchyard-api deploys tenants' apps through the API server with this identity.
            ...podDefaults({ uid: CONTROL_PLANE.uid, needsApiAccess: which === "api" }),
            ...(which === "api" ? { serviceAccountName: CONTROL_PLANE_IDENTITY.serviceAccount } : {}),
            topologySpreadConstraints: spreadAcrossNodes(selector),
            containers: [
              {
                name: spec.name,
                image: imageRef(image),
                imagePullPolicy: "IfNotPresent",
                ports: [{ name: "http", containerPort: spec.port }],
                env,
                ...probes,
                securityContext: restrictedContainerSecurityContext(),
                resources,
                volumeMounts: [
                  { name: "tmp", mountPath: "/tmp" },
                  ...(which === "api"
                    ? [{ name: "kubeconfig", mountPath: KUBECONFIG.dir, readOnly: true }]
                    : []),
                ],
              },
            ],
            volumes: [
              { name: "tmp", emptyDir: { sizeLimit: "128Mi" } },
              ...(which === "api"
                ? [
                    {
                      name: "kubeconfig",
                      configMap: {
                        name: KUBECONFIG.configMap,
                        items: [{ key: KUBECONFIG.file, path: KUBECONFIG.file }],
                      },
                    },
                  ]
                : []),
            ],
          },
        },
      },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: meta(spec.name),
      spec: {
        type: "ClusterIP",
        selector,
        ports: [{ name: "http", port: 80, targetPort: spec.port, protocol: "TCP" }],
      },
    },
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: meta(`${spec.name}-ingress`),
      spec: {
        podSelector: { matchLabels: selector },
        policyTypes: ["Ingress"],
        ingress: [
          {
            from: [
              ...["cloudflare-tunnel", "monitoring"].map((ns) => ({
                namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } },
              })),
            ],
            ports: [{ protocol: "TCP", port: spec.port }],
          },
        ],
      },
    },
  ];
  if (replicas >= 2) {
    objects.push({
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: meta(spec.name),
      spec: { minAvailable: 1, selector: { matchLabels: selector } },
    });
  }
  return objects;
}

/** Every control plane object. */
export function renderControlPlane(o: ControlPlaneOptions): Obj[] {
  const problems = validateControlPlaneOptions(o);
  if (problems.length > 0) throw new Error(`control plane: ${problems.join("; ")}`);
  const nsSelector = (ns: string) => ({
    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } },
  });
  // Only switchyard-api calls the API server (the UI has no token).
  const apiEgress = renderAllowApiServer(o.namespace, o.serviceCidr, {
    name: "switchyard-api-server",
    podSelector: { matchLabels: selectorLabels({ name: CONTROL_PLANE.api.name }) },
  }) as Obj;
  const egress: Obj = {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: {
      name: "switchyard-egress",
      namespace: o.namespace,
      labels: commonLabels({ name: "switchyard", component: "control-plane" }),
    },
    spec: {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [
        {
          to: [nsSelector(o.dataNamespace)],
          ports: [5432, 6379, 26379].map((port) => ({ protocol: "TCP", port })),
        },
        { to: [nsSelector(o.januaNamespace)], ports: [{ protocol: "TCP", port: 8080 }] },
        // Cloudflare's API, GitHub, Janua's public issuer (JWKS) and the API's public URL for the UI.
        {
          to: [internetIpv4()],
          ports: [{ protocol: "TCP", port: 443 }],
        },
      ],
    },
  };
  const kubeconfig: Obj = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: KUBECONFIG.configMap,
      namespace: o.namespace,
      labels: commonLabels({ name: CONTROL_PLANE.api.name, component: "control-plane" }),
    },
    data: { [KUBECONFIG.file]: renderKubeconfig(o.namespace) },
  };
  return [
    ...renderControlPlaneIdentity({ namespace: o.namespace }),
    kubeconfig,
    ...workload(o, "api"),
    ...workload(o, "ui"),
    egress,
    apiEgress,
  ];
}

/** The control plane's tunnel routes (known before the component exists). */
export function controlPlaneRoutes(
  namespace: string,
  apiHostname: string,
  uiHostname: string,
): TunnelRoute[] {
  return [
    {
      hostname: apiHostname,
      service: `http://${CONTROL_PLANE.api.name}.${namespace}.svc.cluster.local:80`,
      targetPort: CONTROL_PLANE.api.port,
    },
    {
      hostname: uiHostname,
      service: `http://${CONTROL_PLANE.ui.name}.${namespace}.svc.cluster.local:80`,
      targetPort: CONTROL_PLANE.ui.port,
    },
  ];
}
