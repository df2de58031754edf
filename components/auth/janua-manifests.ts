/**
 * Janua in the cluster as plain manifests: Deployment, Service, PodDisruptionBudget and
 * NetworkPolicies. Pure; every secret is referenced from the `janua-secrets` Secret, never a
 * literal. Facts from REFERENCE.md: port 8080, Service 80 -> 8080, liveness/startup `/health`,
 * readiness `/api/v1/health/ready` (503 while the database or Redis is down).
 */
import type { TunnelRoute } from "../edge/routes";
import { commonLabels, selectorLabels } from "../shared/labels";
import { internetIpv4 } from "../shared/network";
import { httpProbe, podDefaults, restrictedContainerSecurityContext, spreadAcrossNodes } from "../shared/pod";
import { IMAGES, type ImagePin, imageRef } from "../versions";

type Obj = Record<string, unknown>;

/** Fixed names and ports. */
export const JANUA = {
  name: "janua",
  secret: "janua-secrets",
  port: 8080,
  servicePort: 80,
  uid: 1000,
} as const;

/**
 * Options with placeholder values, for when only the shape of the manifests matters (the
 * capacity model sums their requests; tests read their labels, ports and policies).
 */
export function januaSizingOptions(overrides: Partial<JanuaManifestOptions> = {}): JanuaManifestOptions {
  return {
    namespace: "janua",
    image: IMAGES.janua,
    hostname: "auth.example.com",
    domain: "example.com",
    replicas: 2,
    adminEmail: "a@example.com",
    defaultOrgSlug: "x",
    jwtKid: "kid",
    features: {},
    email: false,
    clientNamespaces: ["enclii"],
    dataNamespace: "data",
    ...overrides,
  };
}

/** Keys of the `janua-secrets` Secret, each exposed as the env var of the same name. */
export const JANUA_SECRET_KEYS = [
  "DATABASE_URL",
  "REDIS_URL",
  "JWT_PRIVATE_KEY",
  "JWT_PUBLIC_KEY",
  "SECRET_KEY",
  "FIELD_ENCRYPTION_KEY",
  "INTERNAL_API_KEY",
  "ADMIN_BOOTSTRAP_PASSWORD",
  "METRICS_TOKEN",
] as const;

/** Options of the Janua manifests. */
export interface JanuaManifestOptions {
  readonly namespace: string;
  readonly image: ImagePin;
  /** Public hostname, e.g. `auth.enclii.dev`. */
  readonly hostname: string;
  /** The apex domain, for CORS and the audience. */
  readonly domain: string;
  readonly replicas: number;
  readonly adminEmail: string;
  readonly defaultOrgSlug: string;
  /** Key id derived from the public key (not secret). */
  readonly jwtKid: string;
  /** `ENABLE_<FLAG>` values. */
  readonly features: Record<string, boolean>;
  /** Whether `RESEND_API_KEY` is in the Secret. */
  readonly email: boolean;
  /**
   * Namespaces whose pods call Janua's API in-cluster: the control plane, and a dedicated
   * instance's tenant. Selected by name, never by a label a namespace creator could set. Tenants of
   * the shared instance each add their own allow beside these (tenant-manifests.ts), so adding a
   * tenant changes no platform object.
   */
  readonly clientNamespaces: readonly string[];
  /** Namespace of its PostgreSQL and Redis. */
  readonly dataNamespace: string;
}

/** Problems with the options (empty when valid). */
export function validateJanuaOptions(o: JanuaManifestOptions): string[] {
  const problems: string[] = [];
  if (["latest", "main"].includes(o.image.tag))
    problems.push(`image: ${o.image.tag} is a moving tag; pin a release`);
  if (o.replicas < 1) problems.push("replicas: at least 1");
  if (!o.hostname.endsWith(`.${o.domain}`))
    problems.push(`hostname: ${o.hostname} must be under ${o.domain}`);
  return problems;
}

const labels = (o: JanuaManifestOptions) =>
  commonLabels({ name: JANUA.name, component: "auth", version: o.image.tag });

/** The environment exactly as Janua reads it; secrets only through secretKeyRef. */
export function januaEnv(o: JanuaManifestOptions): Obj[] {
  const url = `https://${o.hostname}`;
  const plain: [string, string][] = [
    ["PORT", String(JANUA.port)],
    ["BASE_URL", url],
    ["API_BASE_URL", url],
    ["FRONTEND_URL", url],
    ["JANUA_CUSTOM_DOMAIN", o.hostname],
    // Janua's TrustedHostMiddleware (madfam-org/janua apps/api/app/main.py, "Add trusted host
    // middleware") admits only janua.dev names, localhost, `janua-api[.janua.svc.cluster.local]` and
    // JANUA_CUSTOM_DOMAIN unless TRUST_ALL_HOSTS=true, and answers 400 "Invalid host header"
    // otherwise: the kubelet's probes (Host: <pod IP>:8080), Prometheus's scrape and every
    // in-cluster caller (Host: janua.<ns>.svc.cluster.local) would be refused and Janua never be
    // Ready. Upstream's own Kubernetes stance is the same: the tunnel sets the public Host
    // (cloudflared httpHostHeader) and NetworkPolicies decide who reaches the pods.
    ["TRUST_ALL_HOSTS", "true"],
    ["CORS_ORIGINS", [url, `https://app.${o.domain}`].join(",")],
    ["COOKIE_DOMAIN", o.hostname],
    ["JWT_ALGORITHM", "RS256"],
    ["JWT_ISSUER", url],
    ["JWT_AUDIENCE", url],
    ["JWT_KID", o.jwtKid],
    ["ADMIN_BOOTSTRAP_EMAIL", o.adminEmail],
    ["DEFAULT_ORG_SLUG", o.defaultOrgSlug],
    ...Object.entries(o.features)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([flag, on]): [string, string] => [`ENABLE_${flag.toUpperCase()}`, on ? "true" : "false"]),
  ];
  const secretKeys: string[] = [...JANUA_SECRET_KEYS, ...(o.email ? ["RESEND_API_KEY"] : [])];
  return [
    ...plain.map(([name, value]) => ({ name, value })),
    ...secretKeys.map((key) => ({ name: key, valueFrom: { secretKeyRef: { name: JANUA.secret, key } } })),
  ];
}

/** Deployment, Service, PDB (with 2+ replicas) and NetworkPolicies. */
export function renderJanuaManifests(o: JanuaManifestOptions): Obj[] {
  const problems = validateJanuaOptions(o);
  if (problems.length > 0) throw new Error(`janua: ${problems.join("; ")}`);
  const selector = selectorLabels({ name: JANUA.name });
  const meta = (name: string) => ({ name, namespace: o.namespace, labels: labels(o) });
  const nsSelector = (ns: string) => ({
    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": ns } },
  });
  const objects: Obj[] = [
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: meta(JANUA.name),
      spec: {
        replicas: o.replicas,
        selector: { matchLabels: selector },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        template: {
          metadata: { labels: { ...labels(o), ...selector } },
          spec: {
            ...podDefaults({ uid: JANUA.uid }),
            topologySpreadConstraints: spreadAcrossNodes(selector),
            containers: [
              {
                name: JANUA.name,
                image: imageRef(o.image),
                imagePullPolicy: "IfNotPresent",
                ports: [{ name: "http", containerPort: JANUA.port }],
                env: januaEnv(o),
                startupProbe: httpProbe("/health", JANUA.port, { periodSeconds: 5, failureThreshold: 60 }),
                livenessProbe: httpProbe("/health", JANUA.port, { periodSeconds: 15, failureThreshold: 4 }),
                readinessProbe: httpProbe("/api/v1/health/ready", JANUA.port, {
                  periodSeconds: 5,
                  failureThreshold: 3,
                }),
                securityContext: restrictedContainerSecurityContext(),
                resources: {
                  requests: { cpu: "100m", memory: "256Mi" },
                  limits: { cpu: "500m", memory: "512Mi" },
                },
                volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
              },
            ],
            volumes: [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }],
          },
        },
      },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: meta(JANUA.name),
      spec: {
        type: "ClusterIP",
        selector,
        ports: [{ name: "http", port: JANUA.servicePort, targetPort: JANUA.port, protocol: "TCP" }],
      },
    },
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: meta("janua-ingress"),
      spec: {
        podSelector: { matchLabels: selector },
        policyTypes: ["Ingress"],
        ingress: [
          {
            from: [
              nsSelector("cloudflare-tunnel"),
              ...o.clientNamespaces.map(nsSelector),
              nsSelector("monitoring"),
            ],
            ports: [{ protocol: "TCP", port: JANUA.port }],
          },
        ],
      },
    },
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: meta("janua-egress"),
      spec: {
        podSelector: { matchLabels: selector },
        policyTypes: ["Egress"],
        egress: [
          {
            to: [nsSelector(o.dataNamespace)],
            ports: [5432, 6379, 26379].map((port) => ({ protocol: "TCP", port })),
          },
          // Email (Resend), social login providers and JWKS of federated IdPs.
          {
            to: [internetIpv4()],
            ports: [{ protocol: "TCP", port: 443 }],
          },
        ],
      },
    },
  ];
  if (o.replicas >= 2) {
    objects.push({
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: meta(JANUA.name),
      spec: { minAvailable: 1, selector: { matchLabels: selector } },
    });
  }
  return objects;
}

/** The tunnel route of an instance. */
export function januaRoute(hostname: string, namespace: string): TunnelRoute {
  return {
    hostname,
    service: `http://${JANUA.name}.${namespace}.svc.cluster.local:${JANUA.servicePort}`,
    targetPort: JANUA.port,
  };
}
