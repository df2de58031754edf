/**
 * Every image, chart and binary version the program deploys, pinned in one place.
 *
 * Bump a version here and nowhere else; the plan diff on the pull request shows every
 * object that changes with it. Each entry names where the pin was checked.
 */

/** A container image: repository plus an immutable tag (and a digest where production pins one). */
export interface ImagePin {
  /** Registry and repository, e.g. `cloudflare/cloudflared`. */
  readonly repository: string;
  /** A release tag; never `latest`, `main` or another moving tag. */
  readonly tag: string;
  /** Optional `sha256:` digest; when set the reference is `repository:tag@digest`. */
  readonly digest?: string;
}

/** A Helm chart from a repository, pinned to one chart version. */
export interface ChartPin {
  readonly chart: string;
  readonly repository: string;
  readonly version: string;
}

/** k3s release installed on new nodes and targeted by the system-upgrade-controller Plan. */
export const K3S_VERSION = "v1.34.11+k3s1"; // k3s-io/k3s PR #14543 (release-1.34); CNPG 1.30 needs Kubernetes 1.34+

/** Container images. */
export const IMAGES = {
  /** cloudflare/cloudflared releases (2026.9.1, Sep 2026); distroless, runs as 65532. */
  cloudflared: { repository: "cloudflare/cloudflared", tag: "2026.9.1" },
  /** rancher/k3s-upgrade follows the k3s version; the tag uses `-` where k3s uses `+`. */
  k3sUpgrade: { repository: "rancher/k3s-upgrade", tag: K3S_VERSION.replace("+", "-") },
  /** rancher/system-upgrade-controller latest release v0.20.1 (REFERENCE.md). */
  systemUpgradeController: { repository: "rancher/system-upgrade-controller", tag: "v0.20.1" },
  /** Official Redis image (not Bitnami: deprecated Aug 2025, REFERENCE.md). */
  redis: { repository: "redis", tag: "8.2.2-alpine" },
  /**
   * Janua API (madfam-org/janua). The release you deploy: set `janua.imageTag` (or a digest) in
   * the stack config; production should pin a digest. Never `latest`/`main`.
   */
  janua: { repository: "ghcr.io/madfam-org/janua-api", tag: "1.0.0" },
  /** Enclii control plane (madfam-org/enclii); `controlPlane.imageTag` overrides the tag. */
  switchyardApi: { repository: "ghcr.io/madfam-org/enclii/switchyard-api", tag: "1.0.0" },
  switchyardUi: { repository: "ghcr.io/madfam-org/enclii/switchyard-ui", tag: "1.0.0" },
  /**
   * Prometheus exporter sidecar of the Redis pods (oliver006/redis_exporter v1.91.1, Sep 2026,
   * per prometheus-community/helm-charts prometheus-redis-exporter-6.31.1); a static binary on
   * scratch that runs as any non-root user.
   */
  redisExporter: { repository: "oliver006/redis_exporter", tag: "v1.91.1" },
  /**
   * cert-manager's startupapicheck (`cmctl check api`) at the pinned chart's appVersion: the image
   * the chart's post-install hook Job would run (cert-manager v1.20.2
   * deploy/charts/cert-manager/values.yaml: `imageRegistry: quay.io`, `imageNamespace: jetstack`,
   * `startupapicheck.image.name: cert-manager-startupapicheck`, tag = appVersion). Follows
   * `CHARTS.certManager`; components/storage/cert-manager-check.ts runs it as a Job the program owns.
   */
  certManagerStartupApiCheck: { repository: "quay.io/jetstack/cert-manager-startupapicheck", tag: "v1.20.2" },
  /**
   * Traefik Proxy, the Gateway API router behind the tunnel (docs/router.md): the appVersion of
   * `CHARTS.traefik` (traefik/traefik-helm-chart v41.3.0 traefik/Chart.yaml `appVersion: v3.7.11`),
   * set explicitly so the pin is here. A static Go binary that runs as 65532 (the chart's
   * podSecurityContext).
   */
  traefik: { repository: "docker.io/traefik", tag: "v3.7.11" },
  /** PostgreSQL operand image for CloudNativePG clusters. */
  postgres: { repository: "ghcr.io/cloudnative-pg/postgresql", tag: "17.6" },
} as const satisfies Record<string, ImagePin>;

/** Helm charts. */
export const CHARTS = {
  /** Longhorn 1.12.1 (longhorn/website PR #1421, Aug 2026). */
  longhorn: { chart: "longhorn", repository: "https://charts.longhorn.io", version: "1.12.1" },
  /** cert-manager v1.20.2 (1.19 unsupported since Jun 2026). */
  certManager: { chart: "cert-manager", repository: "https://charts.jetstack.io", version: "v1.20.2" },
  /** cloudnative-pg chart 0.29 ships operator 1.30 (REFERENCE.md). */
  cloudnativePg: {
    chart: "cloudnative-pg",
    repository: "https://cloudnative-pg.github.io/charts",
    version: "0.29.0",
  },
  /** plugin-barman-cloud chart 0.7.1 (Jul 2026); chart versions differ from the plugin's (0.6.0 shipped v0.12.0). */
  barmanCloudPlugin: {
    chart: "plugin-barman-cloud",
    repository: "https://cloudnative-pg.github.io/charts",
    version: "0.7.1",
  },
  /**
   * kube-prometheus-stack 92.9.0 (prometheus-community/helm-charts release, grafana chart v14):
   * Prometheus, Alertmanager, the operator, node-exporter, kube-state-metrics and Grafana.
   */
  kubePrometheusStack: {
    chart: "kube-prometheus-stack",
    repository: "https://prometheus-community.github.io/helm-charts",
    version: "92.9.0",
  },
  /**
   * prometheus-blackbox-exporter 11.21.3 (prometheus-community/helm-charts release, blackbox_exporter
   * 0.29.x): probes the public hostnames from inside the cluster through Cloudflare.
   */
  blackboxExporter: {
    chart: "prometheus-blackbox-exporter",
    repository: "https://prometheus-community.github.io/helm-charts",
    version: "11.21.3",
  },
  /**
   * Traefik chart 41.3.0 (traefik/traefik-helm-chart tag v41.3.0, a8a66d00, Aug 2026; Traefik
   * v3.7.11): the Gateway API router (docs/router.md). No Helm hooks (templates/ has none), so
   * helm.v4.Chart applies all of it.
   */
  traefik: { chart: "traefik", repository: "https://traefik.github.io/charts", version: "41.3.0" },
} as const satisfies Record<string, ChartPin>;

/**
 * Gateway API release whose standard-channel CRDs the program installs (its `standard-install.yaml`):
 * the same release as the CRDs the tests validate against (../shared/crds, kubernetes-sigs/gateway-api v1.6.1).
 * Traefik's Gateway provider starts informers for GRPCRoute, BackendTLSPolicy and TLSRoute besides
 * the HTTP kinds and waits for their caches (traefik/traefik v3.7.9
 * pkg/provider/kubernetes/gateway/client.go `WatchAll`, lines 178-265), so it needs the whole
 * standard channel, not only the kinds this program renders.
 */
export const GATEWAY_API_VERSION = "v1.6.1";

/** The standard-channel install manifest of {@link GATEWAY_API_VERSION} (its release asset). */
export const GATEWAY_API_CRDS_URL = `https://github.com/kubernetes-sigs/gateway-api/releases/download/${GATEWAY_API_VERSION}/standard-install.yaml`;

/**
 * The Plan CRD shipped with the pinned system-upgrade-controller release: the schema the tests
 * validate the Plans against (scripts/lib/crd-sources.ts). The program does not apply it: the
 * controller registers its own copy at start (components/k3s/upgrade-plans.ts).
 */
export const SYSTEM_UPGRADE_CRD_URL = `https://github.com/rancher/system-upgrade-controller/releases/download/${IMAGES.systemUpgradeController.tag}/crd.yaml`;

/** Image reference as a container spec wants it: `repo:tag` or `repo:tag@sha256:...`. */
export function imageRef(pin: ImagePin): string {
  return pin.digest ? `${pin.repository}:${pin.tag}@${pin.digest}` : `${pin.repository}:${pin.tag}`;
}
