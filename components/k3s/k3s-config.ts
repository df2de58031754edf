/**
 * k3s configuration files rendered from typed options: `/etc/rancher/k3s/config.yaml`, the
 * admission configuration (PodSecurity and EventRateLimit), the API server audit policy, and the
 * secret files k3s reads beside them (join token, service environment). Pure functions.
 *
 * config.yaml holds no secret, so the plan and the plan diff show every k3s flag in clear: the
 * join token is read from `token-file`, the etcd S3 keys from the service's environment file.
 */
import { stringify } from "yaml";

/** Where k3s reads its files on the node. */
export const K3S_PATHS = {
  config: "/etc/rancher/k3s/config.yaml",
  podSecurity: "/etc/rancher/k3s/pod-security.yaml",
  auditPolicy: "/etc/rancher/k3s/audit-policy.yaml",
  auditLog: "/var/lib/rancher/k3s/server/logs/audit.log",
  kubeconfig: "/etc/rancher/k3s/k3s.yaml",
  /** EventRateLimit's configuration, referenced from the admission configuration. */
  eventRateLimit: "/etc/rancher/k3s/event-rate-limit.yaml",
  /** The join token (`token-file`, k3s-io/docs docs/cli/server.md "Cluster Options"). */
  token: "/etc/rancher/k3s/token",
} as const;

/**
 * The environment file the k3s unit reads and the installer never touches. k3s's install.sh
 * (`systemd_disable`, `create_env_file`) deletes and rewrites `/etc/systemd/system/<unit>.env`
 * with only its own `K3S_*`/`CONTAINERD_*`/proxy variables on every install, so secrets written
 * there are lost; the unit it writes also reads `EnvironmentFile=-/etc/default/%N`, which it
 * leaves alone.
 */
export const serviceEnvFile = (role: "server" | "agent") =>
  role === "server" ? "/etc/default/k3s" : "/etc/default/k3s-agent";

/**
 * Kubelet flags of the k3s CIS hardening guide (k3s-io/docs docs/security/hardening-guide.md,
 * "Configuration for Kubernetes Components", v1.29 and newer), on every node. `anonymous-auth`
 * is k3s's default already; it is explicit so a CIS scan and a reader of the plan both see it.
 */
export const CIS_KUBELET_ARGS: readonly string[] = [
  "anonymous-auth=false",
  "streaming-connection-idle-timeout=5m",
  "tls-cipher-suites=TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
];

/** etcd snapshots to an S3-compatible bucket (R2). */
export interface EtcdS3Options {
  /** Host of the S3 endpoint, without scheme (`<account>.r2.cloudflarestorage.com`). */
  readonly endpoint: string;
  readonly bucket: string;
  /** Prefix inside the bucket. @default "etcd" */
  readonly folder?: string;
  /** @default "auto" */
  readonly region?: string;
  readonly accessKey: string;
  readonly secretKey: string;
}

/** Options of one node's k3s config. */
export interface K3sNodeConfigOptions {
  readonly role: "server" | "agent";
  /** The first server initializes embedded etcd; every other node joins `serverUrl`. */
  readonly clusterInit: boolean;
  /** `https://<first server>:6443`, for joining nodes. */
  readonly serverUrl?: string;
  readonly nodeName: string;
  /** Address other nodes reach this one on (private network when there is one). */
  readonly nodeIp: string;
  /** Public address, when different from `nodeIp`. */
  readonly nodeExternalIp?: string;
  readonly tlsSans?: readonly string[];
  readonly clusterCidr: string;
  readonly serviceCidr: string;
  readonly nodeLabels?: Record<string, string>;
  readonly nodeTaints?: readonly string[];
  /** Schedule and retention of etcd snapshots (servers). */
  readonly etcdSnapshots?: { readonly schedule: string; readonly retention: number };
  /**
   * Upload etcd snapshots to S3 (servers), when R2 credentials are available. Only the
   * non-secret settings go into config.yaml; the keys go to {@link renderK3sServiceEnv}.
   */
  readonly etcdS3?: Omit<EtcdS3Options, "accessKey" | "secretKey">;
  /** Network interface flannel uses (the private one in multi-node clusters). */
  readonly flannelIface?: string;
}

/** Problems with the options (empty when valid). */
export function validateK3sNodeConfig(o: K3sNodeConfigOptions): string[] {
  const problems: string[] = [];
  if (o.clusterInit && o.role !== "server")
    problems.push(`${o.nodeName}: only a server can initialize the cluster`);
  if (!o.clusterInit && !o.serverUrl) problems.push(`${o.nodeName}: a joining node needs serverUrl`);
  if (o.clusterInit && o.serverUrl)
    problems.push(`${o.nodeName}: the initializing server must not have serverUrl`);
  return problems;
}

/** The config.yaml of one node as an object (stringify with {@link renderK3sConfig}). */
export function k3sConfigObject(o: K3sNodeConfigOptions): Record<string, unknown> {
  const problems = validateK3sNodeConfig(o);
  if (problems.length > 0) throw new Error(`k3s config: ${problems.join("; ")}`);
  const config: Record<string, unknown> = {};
  if (o.clusterInit) config["cluster-init"] = true;
  if (o.serverUrl) config.server = o.serverUrl;
  config["token-file"] = K3S_PATHS.token;
  config["node-name"] = o.nodeName;
  config["node-ip"] = o.nodeIp;
  if (o.nodeExternalIp && o.nodeExternalIp !== o.nodeIp) config["node-external-ip"] = o.nodeExternalIp;
  if (o.flannelIface) config["flannel-iface"] = o.flannelIface;
  if (o.nodeLabels && Object.keys(o.nodeLabels).length > 0) {
    config["node-label"] = Object.entries(o.nodeLabels).map(([k, v]) => `${k}=${v}`);
  }
  if (o.nodeTaints && o.nodeTaints.length > 0) config["node-taint"] = [...o.nodeTaints];
  // CIS: the kubelet refuses to run when the kernel settings differ from what it needs.
  config["protect-kernel-defaults"] = true;
  config["kubelet-arg"] = [...CIS_KUBELET_ARGS];
  if (o.role === "agent") return config;

  config["advertise-address"] = o.nodeIp;
  config["tls-san"] = [
    ...new Set([o.nodeIp, ...(o.nodeExternalIp ? [o.nodeExternalIp] : []), ...(o.tlsSans ?? [])]),
  ];
  // Traffic enters through the Cloudflare Tunnel: no ingress controller, no service load
  // balancer. Longhorn is the storage: k3s's local-path provisioner would compete as default.
  config.disable = ["traefik", "servicelb", "local-storage"];
  config["cluster-cidr"] = o.clusterCidr;
  config["service-cidr"] = o.serviceCidr;
  config["write-kubeconfig-mode"] = "0600";
  config["secrets-encryption"] = true;
  // The hardening guide's API server and controller manager flags: EventRateLimit (configured
  // beside PodSecurity in one admission configuration) and no extended service account tokens.
  // DenyServiceExternalIPs refuses any Service with `spec.externalIPs` (CVE-2020-8554: whoever
  // may write a Service, the control plane in a tenant namespace included, could otherwise claim
  // an address and intercept other pods' traffic to it; nothing here uses externalIPs).
  config["kube-apiserver-arg"] = [
    "enable-admission-plugins=NodeRestriction,EventRateLimit,DenyServiceExternalIPs",
    `admission-control-config-file=${K3S_PATHS.podSecurity}`,
    `audit-policy-file=${K3S_PATHS.auditPolicy}`,
    `audit-log-path=${K3S_PATHS.auditLog}`,
    "audit-log-maxage=30",
    "audit-log-maxbackup=10",
    "audit-log-maxsize=100",
    "service-account-extend-token-expiration=false",
  ];
  config["kube-controller-manager-arg"] = ["terminated-pod-gc-threshold=100"];
  if (o.etcdSnapshots) {
    config["etcd-snapshot-schedule-cron"] = o.etcdSnapshots.schedule;
    config["etcd-snapshot-retention"] = o.etcdSnapshots.retention;
  }
  if (o.etcdS3) {
    config["etcd-s3"] = true;
    config["etcd-s3-endpoint"] = o.etcdS3.endpoint;
    config["etcd-s3-bucket"] = o.etcdS3.bucket;
    config["etcd-s3-folder"] = o.etcdS3.folder ?? "etcd";
    config["etcd-s3-region"] = o.etcdS3.region ?? "auto";
  }
  return config;
}

/** `/etc/rancher/k3s/config.yaml` of one node. Holds no secret. */
export function renderK3sConfig(o: K3sNodeConfigOptions): string {
  return stringify(k3sConfigObject(o), { lineWidth: 0 });
}

/** The secret material of one node: the join token and, on servers, the etcd S3 keys. */
export interface K3sSecretOptions {
  readonly nodeName: string;
  /** Shared join token, written to {@link K3S_PATHS.token}. */
  readonly token: string;
  /** etcd S3 keys (servers with snapshots to R2). */
  readonly etcdS3?: Pick<EtcdS3Options, "accessKey" | "secretKey">;
}

/** Problems with the secret material (empty when valid); never quotes a value. */
export function validateK3sSecrets(o: K3sSecretOptions): string[] {
  const problems: string[] = [];
  if (o.token.length < 32) problems.push(`${o.nodeName}: the join token must be at least 32 characters`);
  const unsafe = /[\s"'`$\\]/;
  if (o.etcdS3 && (unsafe.test(o.etcdS3.accessKey) || unsafe.test(o.etcdS3.secretKey))) {
    problems.push(`${o.nodeName}: the etcd S3 keys must not contain whitespace, quotes, $ or backslashes`);
  }
  return problems;
}

/**
 * The k3s service environment ({@link serviceEnvFile}): the etcd S3 keys as the variables k3s
 * reads for `--etcd-s3-access-key`/`--etcd-s3-secret-key` (`AWS_ACCESS_KEY_ID`,
 * `AWS_SECRET_ACCESS_KEY`: k3s-io/docs docs/cli/server.md "Database" table). Secret.
 */
export function renderK3sServiceEnv(o: K3sSecretOptions): string {
  const problems = validateK3sSecrets(o);
  if (problems.length > 0) throw new Error(`k3s secrets: ${problems.join("; ")}`);
  if (!o.etcdS3) return "";
  return `AWS_ACCESS_KEY_ID=${o.etcdS3.accessKey}\nAWS_SECRET_ACCESS_KEY=${o.etcdS3.secretKey}\n`;
}

/**
 * EventRateLimit's configuration: a server-wide ceiling and a per-namespace limit, so one noisy
 * tenant cannot flood the API server with events (CIS 1.2.9, kubernetes.io
 * apiserver-eventratelimit.v1alpha1).
 */
export function renderEventRateLimitConfig(): string {
  return stringify(
    {
      apiVersion: "eventratelimit.admission.k8s.io/v1alpha1",
      kind: "Configuration",
      limits: [
        { type: "Server", qps: 5000, burst: 20000 },
        { type: "Namespace", qps: 50, burst: 100, cacheSize: 2000 },
      ],
    },
    { lineWidth: 0 },
  );
}

/**
 * The admission configuration: PodSecurity `restricted` for every namespace without its own
 * labels, and the listed namespaces exempt (kube-system's k3s add-ons, and the platform's
 * privileged namespaces, which also carry their own labels); EventRateLimit reading
 * {@link K3S_PATHS.eventRateLimit}.
 */
export function renderPodSecurityConfig(exemptNamespaces: readonly string[]): string {
  return stringify(
    {
      apiVersion: "apiserver.config.k8s.io/v1",
      kind: "AdmissionConfiguration",
      plugins: [
        {
          name: "PodSecurity",
          configuration: {
            apiVersion: "pod-security.admission.config.k8s.io/v1",
            kind: "PodSecurityConfiguration",
            defaults: {
              enforce: "restricted",
              "enforce-version": "latest",
              audit: "restricted",
              "audit-version": "latest",
              warn: "restricted",
              "warn-version": "latest",
            },
            exemptions: {
              usernames: [],
              runtimeClasses: [],
              namespaces: [...new Set(["kube-system", ...exemptNamespaces])].sort(),
            },
          },
        },
        { name: "EventRateLimit", path: K3S_PATHS.eventRateLimit },
      ],
    },
    { lineWidth: 0 },
  );
}

/**
 * The API server audit policy: secrets and tokens at Metadata only (never their bodies),
 * changes to RBAC and workloads with their request, reads and noise left out.
 */
export function renderAuditPolicy(): string {
  return stringify(
    {
      apiVersion: "audit.k8s.io/v1",
      kind: "Policy",
      omitStages: ["RequestReceived"],
      rules: [
        { level: "None", nonResourceURLs: ["/healthz*", "/livez*", "/readyz*", "/version", "/metrics"] },
        { level: "None", resources: [{ group: "", resources: ["events"] }] },
        { level: "None", users: ["system:kube-proxy"], verbs: ["watch"] },
        { level: "None", userGroups: ["system:nodes"], verbs: ["get", "list", "watch"] },
        {
          level: "Metadata",
          resources: [
            { group: "", resources: ["secrets", "configmaps", "serviceaccounts/token"] },
            { group: "authentication.k8s.io", resources: ["tokenreviews"] },
          ],
        },
        {
          level: "RequestResponse",
          verbs: ["create", "update", "patch", "delete", "deletecollection"],
          resources: [{ group: "rbac.authorization.k8s.io" }],
        },
        { level: "Request", verbs: ["create", "update", "patch", "delete", "deletecollection"] },
        { level: "Metadata" },
      ],
    },
    { lineWidth: 0 },
  );
}
