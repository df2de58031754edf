/**
 * Probes of the public hostnames, from inside the cluster out through Cloudflare and back in
 * through the tunnel: the blackbox exporter's values and one `Probe` per kind of hostname. Pure.
 *
 * A platform probe succeeds when the name resolves, Cloudflare presents a valid certificate for
 * it and an HTTP answer comes back that is not an edge or tunnel error (5xx). A custom-hostname
 * probe also accepts the origin's 5xx (a tenant without a deployment answers 502): it proves
 * exactly "the custom hostname is active", because before the tenant's DNS points at the zone
 * and Cloudflare validated it and issued its certificate, the TLS handshake fails.
 */
import { commonLabels } from "../shared/labels";
import { MONITORING_RESOURCES } from "./monitoring-values";

type Obj = Record<string, unknown>;

/** Names and ports of the blackbox exporter the chart creates. */
export const BLACKBOX = {
  fullname: "blackbox-exporter",
  port: 9115,
  /** Platform hostnames: the whole path must work. */
  module: "https_public",
  /** Custom hostnames: DNS and Cloudflare's certificate must work; the tenant's origin may fail. */
  activeModule: "https_active",
  /** Pod labels the chart sets. */
  podLabels: { "app.kubernetes.io/name": "prometheus-blackbox-exporter" },
} as const;

/**
 * Answers that prove the path works: success, redirects, and the client errors an application
 * gives to an anonymous GET (sign-in required, not found). 5xx (Cloudflare 52x/530, a tunnel
 * without a healthy origin) fails.
 */
export const PROBE_VALID_STATUS = [
  200, 201, 202, 204, 301, 302, 303, 304, 307, 308, 400, 401, 403, 404, 405, 410, 429,
];

/** Origin errors Cloudflare passes through or reports for an origin (not for the hostname). */
export const ORIGIN_ERROR_STATUS = [500, 502, 503, 504, 520, 521, 522, 523, 524];

const httpsModule = (validStatusCodes: number[]) => ({
  prober: "http",
  timeout: "10s",
  http: {
    method: "GET",
    preferred_ip_protocol: "ip4",
    ip_protocol_fallback: true,
    fail_if_not_ssl: true,
    follow_redirects: false,
    valid_status_codes: validStatusCodes,
  },
});

/** The chart values (sized for a few dozen targets every minute). */
export function blackboxValues(): Obj {
  return {
    fullnameOverride: BLACKBOX.fullname,
    config: {
      modules: {
        [BLACKBOX.module]: httpsModule(PROBE_VALID_STATUS),
        [BLACKBOX.activeModule]: httpsModule([...PROBE_VALID_STATUS, ...ORIGIN_ERROR_STATUS]),
      },
    },
    resources: MONITORING_RESOURCES.blackbox,
    // PodSecurity `restricted` needs a seccomp profile: the chart sets none (prometheus-blackbox-exporter
    // 11.17.2 values.yaml `podSecurityContext: {}`; its container securityContext has runAsNonRoot,
    // no privilege escalation, drop ALL, but no seccompProfile). Rendered as the pod's
    // securityContext (templates/_helpers.tpl 138-141).
    podSecurityContext: { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } },
    serviceMonitor: { selfMonitor: { enabled: false } },
  };
}

/** What to probe. */
export interface ProbeTargets {
  /** The platform's own public hostnames (issuers, API, UI). */
  readonly platform: readonly string[];
  /** Tenants' custom hostnames (Cloudflare for SaaS). */
  readonly custom: readonly string[];
}

/** One Probe per kind (label `probe_kind`: `platform` or `custom`), skipping empty kinds. */
export function renderProbes(namespace: string, targets: ProbeTargets, interval = "60s"): Obj[] {
  const kinds: [string, readonly string[]][] = [
    ["platform", targets.platform],
    ["custom", targets.custom],
  ];
  return kinds
    .filter(([, hosts]) => hosts.length > 0)
    .map(([kind, hosts]) => ({
      apiVersion: "monitoring.coreos.com/v1",
      kind: "Probe",
      metadata: {
        name: `${kind}-hostnames`,
        namespace,
        labels: commonLabels({ name: `${kind}-hostnames`, component: "monitoring" }),
      },
      spec: {
        jobName: `${kind}-hostnames`,
        interval,
        scrapeTimeout: "15s",
        module: kind === "custom" ? BLACKBOX.activeModule : BLACKBOX.module,
        prober: { url: `${BLACKBOX.fullname}.${namespace}.svc.cluster.local:${BLACKBOX.port}` },
        targets: {
          staticConfig: {
            static: [...hosts].sort().map((h) => `https://${h}/`),
            labels: { probe_kind: kind },
          },
        },
      },
    }));
}
