/**
 * The zod schema of a stack's `enclii-infra:*` configuration.
 *
 * Every object is strict (an unknown key is an error) and every optional field has a default
 * that depends on the environment (`ENVIRONMENT_DEFAULTS`). Cross-field rules live in
 * `config-rules.ts`; the loader that turns problems into one message is `config.ts`.
 */
import { z } from "zod";
import { IMAGES, K3S_VERSION } from "../components/versions";
import {
  byteQuantity,
  cidr,
  cron5,
  cron6,
  dnsName,
  email,
  ipv4,
  ipv4Cidr,
  resources,
  retention,
  slug,
} from "./config-fields";

export const ENVIRONMENTS = ["production", "staging", "local"] as const;
/** Which environment a stack is; drives defaults (replicas, retention, protection). */
export type Environment = (typeof ENVIRONMENTS)[number];

export const HCLOUD_LOCATIONS = ["fsn1", "nbg1", "hel1", "ash", "hil", "sin"] as const;
export const TENANT_TIERS = ["starter", "growth", "enterprise"] as const;
export const AUTH_MODES = ["shared", "dedicated"] as const;
export const REDIS_MODES = ["standalone", "sentinel"] as const;

/** Defaults that differ between environments. */
export const ENVIRONMENT_DEFAULTS: Record<
  Environment,
  {
    replicas: number;
    etcdSnapshotRetention: number;
    backupRetentionDays: number;
    monitoringRetention: string;
    hstsMaxAgeSeconds: number;
    budgetUsd: number;
    overcommit: number;
  }
> = {
  production: {
    replicas: 2,
    etcdSnapshotRetention: 28,
    backupRetentionDays: 30,
    monitoringRetention: "15d",
    hstsMaxAgeSeconds: 31_536_000,
    budgetUsd: 100,
    overcommit: 1.5,
  },
  staging: {
    replicas: 1,
    etcdSnapshotRetention: 14,
    backupRetentionDays: 7,
    monitoringRetention: "7d",
    hstsMaxAgeSeconds: 300,
    budgetUsd: 40,
    // Staging tenants are mostly idle test stamps.
    overcommit: 3,
  },
  local: {
    replicas: 1,
    etcdSnapshotRetention: 4,
    backupRetentionDays: 3,
    monitoringRetention: "2d",
    hstsMaxAgeSeconds: 0,
    budgetUsd: 0,
    overcommit: 4,
  },
};

const hex32 = (what: string) =>
  z
    .string({ error: `must be the 32-character hex Cloudflare ${what}` })
    .regex(/^[0-9a-f]{32}$/, { error: `must be the 32-character lowercase hex Cloudflare ${what}` });

const serverName = z
  .string({ error: "must be an archive name such as postgres-2" })
  .regex(/^[a-z][a-z0-9-]{0,62}$/, {
    error: "must be lowercase letters, digits and hyphens (e.g. postgres-2)",
  });

const nodeName = z
  .string({ error: "must be a node name such as ax41-fsn1-1" })
  .regex(/^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/, {
    error: "must be a hostname label (lowercase letters, digits, hyphens; starts with a letter)",
  });

const nodeCommon = {
  name: nodeName.describe("Hostname of the node and name of its Kubernetes Node object."),
  role: z
    .enum(["server", "agent"], { error: "must be server or agent" })
    .default("server")
    .describe("`server` runs the control plane (embedded etcd); `agent` only runs workloads."),
  storage: z
    .boolean({ error: "must be true or false" })
    .default(true)
    .describe("Whether Longhorn may place volume replicas on this node."),
  labels: z.record(z.string(), z.string()).default({}).describe("Extra Kubernetes node labels."),
  taints: z
    .array(
      z.string().regex(/^[a-z0-9./-]+(=[A-Za-z0-9._-]*)?:(NoSchedule|PreferNoSchedule|NoExecute)$/, {
        error: "must be a taint such as dedicated=db:NoSchedule",
      }),
    )
    .default([])
    .describe("Kubernetes taints, `key=value:Effect`."),
};

const dedicatedNode = z.strictObject({
  ...nodeCommon,
  kind: z.literal("dedicated"),
  serverNumber: z
    .number({ error: "is required for a dedicated node: the Robot server number, e.g. 2345678" })
    .int({ error: "must be a whole number" })
    .positive({ error: "must be a positive Robot server number" })
    .describe(`Robot server number (Robot panel, "Server" tab).`),
  ipv4: ipv4.describe("Main IPv4 of the server, used for SSH, rDNS and the Kubernetes API."),
  product: z
    .enum(["AX41-NVMe"], {
      error: "must be AX41-NVMe (the only Robot product priced in components/cost/prices.ts)",
    })
    .default("AX41-NVMe")
    .describe("Robot product, used for the cost estimate."),
  reverseDns: dnsName.optional().describe("Reverse DNS of the IPv4; defaults to `<name>.<domain>`."),
});

const cloudNode = z.strictObject({
  ...nodeCommon,
  kind: z.literal("cloud"),
  serverType: z
    .string({ error: "is required for a cloud node: an hcloud server type such as cpx31" })
    .regex(/^[a-z]{2,3}\d{2}$/, { error: "must be an hcloud server type such as cpx31" })
    .describe("hcloud server type, e.g. `cpx31`."),
  location: z
    .enum(HCLOUD_LOCATIONS, { error: `must be one of ${HCLOUD_LOCATIONS.join(", ")}` })
    .describe("hcloud location."),
  image: z.string().min(1).default("ubuntu-24.04").describe("hcloud image."),
});

const existingNode = z.strictObject({
  ...nodeCommon,
  kind: z.literal("existing"),
  host: z
    .string()
    .min(1)
    .optional()
    .describe(
      "Address of the node, for the outputs only; the cluster is reached through enclii-infra:kubeconfig.",
    ),
});

const node = z.discriminatedUnion("kind", [dedicatedNode, cloudNode, existingNode], {
  error: "must be dedicated, cloud or existing",
});

const tenant = z.strictObject({
  slug: slug.describe("Tenant id: namespace `tenant-<slug>`, hostname `<slug>.<domain>`."),
  tier: z
    .enum(TENANT_TIERS, { error: `must be one of ${TENANT_TIERS.join(", ")}` })
    .default("starter")
    .describe("Resource tier: quotas and limit ranges."),
  domains: z.array(dnsName).default([]).describe("Custom hostnames served through Cloudflare for SaaS."),
  customMetadata: z
    .record(
      z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: "must be a key of letters, digits, - and _" }),
      z.string().max(256),
    )
    .optional()
    .describe(
      "Extra `custom_metadata` of the tenant's custom hostnames (added to `tenant: <slug>`); needs `cloudflare.customMetadata: true`.",
    ),
  auth: z
    .enum(AUTH_MODES, { error: "must be shared or dedicated" })
    .default("shared")
    .describe("`shared`: an organization in the shared Janua; `dedicated`: its own Janua."),
  displayName: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .describe("Human-readable name for the Janua organization; defaults to the slug."),
  billingEmail: email.optional().describe("Billing contact of the Janua organization."),
});

const imageTag = z
  .string()
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, { error: "must be an image tag such as 1.4.2" })
  .refine((t) => !["latest", "main", "master", "edge", "nightly"].includes(t), {
    error: "must be a release tag, not a moving tag such as latest or main",
  });
const imageDigest = z
  .string()
  .regex(/^sha256:[0-9a-f]{64}$/, { error: "must be sha256:<64 hex characters>" });

/** Builds the schema with the defaults of one environment. */
export function stackSchema(env: Environment) {
  const d = ENVIRONMENT_DEFAULTS[env];
  const replicas = z.number().int().min(1).max(10);
  return z.strictObject({
    environment: z
      .enum(ENVIRONMENTS, { error: `must be one of ${ENVIRONMENTS.join(", ")}` })
      .describe("Which environment this stack is; drives defaults."),
    domain: dnsName.describe("Apex domain served by the stack (a Cloudflare zone)."),
    cloudflare: z.strictObject({
      accountId: hex32("account id").describe(
        "Cloudflare account id (dashboard > Account home > Account ID).",
      ),
      zoneId: hex32("zone id").describe("Cloudflare zone id of `domain`."),
      r2: z
        .strictObject({
          jurisdiction: z
            .enum(["default", "eu"], { error: "must be default or eu" })
            .default("default")
            .describe("`eu` keeps R2 data in the EU jurisdiction (endpoint `<account>.eu.r2...`)."),
          bucketPrefix: z
            .string()
            .regex(/^[a-z0-9][a-z0-9-]{1,40}$/, { error: "must be lowercase letters, digits and hyphens" })
            .default(`enclii-${env}`)
            .describe("Prefix of every bucket name, e.g. `enclii-production`."),
        })
        .prefault({}),
      hsts: z
        .strictObject({
          enabled: z
            .boolean()
            .default(env === "production")
            .describe("Send Strict-Transport-Security."),
          maxAgeSeconds: z
            .number()
            .int()
            .min(0)
            .max(63_072_000)
            .default(d.hstsMaxAgeSeconds)
            .describe("HSTS max-age in seconds."),
          includeSubdomains: z.boolean().default(false).describe("HSTS includeSubDomains."),
          preload: z
            .boolean()
            .default(false)
            .describe("HSTS preload (only when you intend to submit the domain)."),
        })
        .prefault({}),
      minTlsVersion: z
        .enum(["1.2", "1.3"], { error: "must be 1.2 or 1.3" })
        .default("1.2")
        .describe("Minimum TLS version of the zone and of custom hostnames."),
      fallbackOrigin: dnsName
        .optional()
        .describe(
          "Cloudflare for SaaS: origin that custom hostnames fall back to. Default `origin.<domain>`.",
        ),
      tunnelReplicas: z
        .number()
        .int()
        .min(2, { error: "must be at least 2: cloudflared is the only way in" })
        .max(10)
        .default(2)
        .describe("cloudflared replicas (for availability; cloudflared does not need to scale with load)."),
      customHostnameValidation: z
        .enum(["http", "txt"], { error: "must be http or txt" })
        .default("http")
        .describe("Domain-control validation method for custom hostnames."),
      customMetadata: z
        .boolean()
        .default(false)
        .describe(
          "Send `custom_metadata` (the tenant slug and `tenants[].customMetadata`) with each custom hostname. Cloudflare for SaaS accepts it only after your Cloudflare account team enabled custom metadata on the zone; elsewhere a custom hostname with it is rejected.",
        ),
      accessTeamName: z
        .string()
        .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, {
          error: "must be the team name alone, e.g. enclii for enclii.cloudflareaccess.com",
        })
        .optional()
        .describe(
          "Zero Trust team name: `<team>` of `<team>.cloudflareaccess.com` (Zero Trust > Settings > Team domain). cloudflared checks the Access token of every Access-protected route against this team's keys (`originRequest.access`), so Access holds even if DNS or the tunnel config is changed elsewhere. Required: Janua's admin hostnames (`<first label>-admin` of each Janua hostname, used by the program's own Janua API calls) are always behind Access, as are Grafana (monitoring) and the SSH and Kubernetes API routes of every provisioned node (`kind` dedicated or cloud).",
        ),
    }),
    nodes: z
      .array(node, { error: "must be a list of nodes" })
      .describe("The machines of the cluster; at least one with role server."),
    k3s: z
      .strictObject({
        version: z
          .string()
          .regex(/^v1\.\d+\.\d+\+k3s\d+$/, { error: "must be a k3s release such as v1.34.11+k3s1" })
          .default(K3S_VERSION)
          .describe(
            "k3s release installed on new nodes and targeted by upgrades (pinned in components/versions.ts).",
          ),
        clusterCidr: ipv4Cidr.default("10.42.0.0/16").describe("Pod network."),
        serviceCidr: ipv4Cidr.default("10.43.0.0/16").describe("Service network."),
        privateNetworkCidr: ipv4Cidr
          .default("10.0.0.0/16")
          .describe("Private network between nodes (hcloud Network / Robot vSwitch)."),
        vswitchVlan: z
          .number()
          .int()
          .min(4000)
          .max(4091)
          .optional()
          .describe(
            "Robot vSwitch VLAN id (4000-4091). A vSwitch joins two or more dedicated servers, or dedicated servers with cloud nodes; default 4000 then.",
          ),
        tlsSans: z
          .array(z.string().min(1))
          .default([])
          .describe("Extra names and addresses in the API server certificate."),
        apiHostname: dnsName
          .optional()
          .describe(
            "Stable DNS name of the Kubernetes API (in tls-san and the kubeconfig's server; DNS-only A record to the first server, reached from CI through the tunnel). Default `kube.<domain>`.",
          ),
        etcdSnapshots: z
          .strictObject({
            schedule: cron5.default("0 */6 * * *").describe("Cron of etcd snapshots to R2."),
            retention: z
              .number()
              .int()
              .min(1)
              .max(500)
              .default(d.etcdSnapshotRetention)
              .describe("Snapshots kept."),
          })
          .prefault({}),
        upgrades: z
          .strictObject({
            enabled: z
              .boolean()
              .default(true)
              .describe("Managed upgrades through the system-upgrade-controller."),
            concurrency: z.number().int().min(1).max(5).default(1).describe("Nodes upgraded at once."),
          })
          .prefault({}),
      })
      .prefault({}),
    access: z
      .strictObject({
        adminCidrs: z
          .array(cidr)
          .default([])
          .describe(
            "Who may reach SSH (22) and the Kubernetes API (6443); required when a node is provisioned.",
          ),
        allowWideCidrs: z
          .boolean()
          .default(false)
          .describe(
            "Acknowledge `adminCidrs` wider than /16 (IPv4) or /32 (IPv6); CIDRs covering the whole internet stay refused.",
          ),
        sshPublicKeys: z
          .array(
            z.string().regex(/^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp\d{3}) [A-Za-z0-9+/=]+( .*)?$/, {
              error: "must be an OpenSSH public key (ssh-ed25519 AAAA... comment)",
            }),
          )
          .default([])
          .describe("OpenSSH public keys installed on every node; required when a node is provisioned."),
        hcloudSshKeyName: z
          .string()
          .min(1)
          .optional()
          .describe("Name of an existing hcloud SSH key to use instead of uploading `sshPublicKeys[0]`."),
        adminEmails: z
          .array(email)
          .default([])
          .describe("Emails allowed through Cloudflare Access to admin UIs (Grafana)."),
      })
      .prefault({}),
    storage: z
      .strictObject({
        replicaCount: z
          .number()
          .int()
          .min(1)
          .max(3)
          .optional()
          .describe("Longhorn replicas per volume; default min(3, storage nodes)."),
        snapshot: z
          .strictObject({
            cron: cron5.default("0 2 * * *").describe("Cron of local volume snapshots."),
            retain: z.number().int().min(1).default(7).describe("Snapshots kept per volume."),
          })
          .prefault({}),
        backup: z
          .strictObject({
            cron: cron5.default("30 3 * * *").describe("Cron of volume backups to R2."),
            retain: z.number().int().min(1).default(14).describe("Backups kept per volume."),
          })
          .prefault({}),
      })
      .prefault({}),
    backups: z
      .strictObject({
        cnpgRetentionDays: z
          .number()
          .int()
          .min(1)
          .default(d.backupRetentionDays)
          .describe(
            "Days of CNPG backups the cost estimate assumes. R2 expires nothing in the CNPG buckets: barman-cloud prunes by `postgres.retention` (it needs its history files and older base backups).",
          ),
        etcdRetentionDays: z
          .number()
          .int()
          .min(1)
          .default(d.backupRetentionDays)
          .describe("Days etcd snapshots are kept in R2."),
        longhornRetentionDays: z
          .number()
          .int()
          .min(1)
          .default(d.backupRetentionDays)
          .describe(
            "Not applied in R2: Longhorn backups are incremental, so Longhorn prunes them by `storage.backup.retain` and the Longhorn bucket has no age rule (longhorn/website PR #1010).",
          ),
        auditRetentionDays: z
          .number()
          .int()
          .min(1)
          .default(90)
          .describe(
            "Days objects stay in the audit archive bucket; a bucket lock keeps anyone (its own writer included) from deleting or overwriting them sooner.",
          ),
        artifactsRetentionDays: z
          .number()
          .int()
          .min(1)
          .default(180)
          .describe("Days build artifacts and SBOMs are kept."),
        infrequentAccessAfterDays: z
          .number()
          .int()
          .min(0)
          .default(30)
          .describe(
            "Move objects R2 ages out (etcd snapshots, audit, artifacts) to Infrequent Access after this many days (0 disables).",
          ),
        thresholds: z
          .strictObject({
            baseBackupHours: z
              .number()
              .positive()
              .default(26)
              .describe("Newest CNPG base backup may be this old."),
            walMinutes: z.number().positive().default(15).describe("Newest archived WAL may be this old."),
            etcdHours: z.number().positive().default(13).describe("Newest etcd snapshot may be this old."),
            longhornHours: z
              .number()
              .positive()
              .default(26)
              .describe("Newest Longhorn backup may be this old."),
          })
          .prefault({})
          .describe("Freshness thresholds checked by scripts/backup-check.ts and alerts."),
      })
      .prefault({}),
    postgres: z
      .strictObject({
        instances: z
          .number()
          .int()
          .min(1)
          .max(5)
          .optional()
          .describe("CNPG instances; default min(3, nodes)."),
        storageSize: byteQuantity
          .default(env === "production" ? "50Gi" : "10Gi")
          .describe("Volume size per instance."),
        walStorageSize: byteQuantity
          .optional()
          .describe("Separate WAL volume size; default none (WAL on the data volume)."),
        backupSchedule: cron6
          .default("0 0 3 * * *")
          .describe("ScheduledBackup cron, six fields with seconds first."),
        retention: retention.default(`${d.backupRetentionDays}d`).describe("ObjectStore retention policy."),
        resources: resources
          .default({
            requests: { cpu: "250m", memory: "512Mi" },
            limits: { cpu: "2", memory: "2Gi" },
          })
          .describe("Requests and limits of each Postgres instance."),
        parameters: z.record(z.string(), z.string()).default({}).describe("postgresql.conf parameters."),
        recovery: z
          .record(
            z.string(),
            z.strictObject({
              fromServerName: serverName.describe(
                "Archive to recover from, `cnpg/<name>/` in the backups bucket (the lost cluster's server name).",
              ),
              archiveServerName: serverName.describe(
                "New, empty archive the recovered cluster writes WAL and base backups to.",
              ),
              targetTime: z.iso
                .datetime({ offset: true, error: "must be an RFC 3339 time such as 2026-11-22T03:00:00Z" })
                .optional()
                .describe("Recover to this point in time; default the newest archived WAL."),
            }),
          )
          .default({})
          .describe(
            "Per CNPG cluster (`postgres`, `janua-<tenant>`): create it by recovering from R2 (after a lost node). Keep the entry after the recovery: it names the cluster's archive.",
          ),
      })
      .prefault({}),
    redis: z
      .strictObject({
        mode: z
          .enum(REDIS_MODES, { error: "must be standalone or sentinel" })
          .default("standalone")
          .describe(
            "`standalone`. `sentinel` (3 data pods + 3 sentinels, 3+ nodes) is refused until Janua and switchyard-api can connect through Sentinels (docs/redis.md).",
          ),
        storageSize: byteQuantity.default("5Gi").describe("Volume size per Redis pod."),
        maxMemory: byteQuantity.default("512Mi").describe("Redis maxmemory."),
        maxMemoryPolicy: z
          .enum(["noeviction", "allkeys-lru", "volatile-lru", "allkeys-lfu", "volatile-lfu"])
          .default("noeviction")
          .describe("What Redis does when maxmemory is reached."),
        resources: resources
          .default({
            requests: { cpu: "100m", memory: "256Mi" },
            limits: { cpu: "500m", memory: "768Mi" },
          })
          .describe("Requests and limits of each Redis pod."),
      })
      .prefault({}),
    janua: z.strictObject({
      replicas: replicas.default(d.replicas).describe("Replicas of the shared Janua."),
      imageTag: imageTag
        .default(IMAGES.janua.tag)
        .describe("Janua release to run (ghcr.io/madfam-org/janua-api); never latest or main."),
      imageDigest: imageDigest
        .optional()
        .describe("sha256 digest pinning the image (recommended in production)."),
      hostname: dnsName.optional().describe("Hostname of the shared Janua; default `auth.<domain>`."),
      adminEmail: email.describe("First admin, created on first start (`ADMIN_BOOTSTRAP_EMAIL`)."),
      defaultOrgSlug: slug
        .default("enclii")
        .describe("Organization the bootstrap admin belongs to (`DEFAULT_ORG_SLUG`)."),
      features: z
        .record(z.string().regex(/^[a-z][a-z0-9_]*$/), z.boolean())
        .default({})
        .describe('`ENABLE_<FLAG>` environment flags for Janua, e.g. `{ "signups": false }`.'),
    }),
    controlPlane: z
      .strictObject({
        apiReplicas: replicas.default(d.replicas).describe("switchyard-api replicas."),
        imageTag: imageTag
          .default(IMAGES.switchyardApi.tag)
          .describe("Enclii release to run (switchyard-api and switchyard-ui); never latest or main."),
        uiReplicas: replicas.default(d.replicas).describe("switchyard-ui replicas."),
        apiHostname: dnsName.optional().describe("Default `api.<domain>`."),
        uiHostname: dnsName.optional().describe("Default `app.<domain>`."),
        cloudflareTokenExpiresOn: z
          .string()
          .regex(/^\d{4}-\d{2}-\d{2}$/, { error: "must be a date YYYY-MM-DD" })
          .optional()
          .describe(
            "Day (UTC) the control plane's Cloudflare token (custom hostnames only) expires. Default: the date pinned in components/control-plane/enclii.ts; rotation in docs/control-plane.md.",
          ),
      })
      .prefault({}),
    monitoring: z
      .strictObject({
        enabled: z
          .boolean()
          .default(env !== "local")
          .describe("Install kube-prometheus-stack, alerts and Grafana."),
        retention: retention.default(d.monitoringRetention).describe("Prometheus retention."),
        storageSize: byteQuantity
          .default(env === "production" ? "50Gi" : "10Gi")
          .describe("Volume size per instance."),
        grafanaHostname: dnsName.optional().describe("Default `grafana.<domain>`, behind Cloudflare Access."),
        alertEmail: z
          .strictObject({
            to: z.array(email).min(1).describe("Recipients."),
            from: email.describe("Sender address."),
            smarthost: z
              .string()
              .regex(/^[a-z0-9.-]+:\d{2,5}$/, { error: "must be host:port" })
              .describe(
                "SMTP relay `host:port`; its password is the secret `enclii-infra:alertSmtpPassword`.",
              ),
            username: z
              .string()
              .min(1)
              .optional()
              .describe("SMTP user (Resend: `resend`). Default: the `from` address."),
          })
          .optional(),
        webhook: z
          .boolean()
          .default(false)
          .describe("Send alerts to the webhook in the secret `enclii-infra:alertWebhookUrl`."),
        heartbeat: z
          .boolean()
          .default(false)
          .describe(
            "Dead man's switch: send the always-firing Watchdog every 5 min to the URL in the secret `enclii-infra:alertHeartbeatUrl` (a healthchecks.io check, period 5 min, grace 10 min), which pages when the pings stop (node, Prometheus or Alertmanager gone).",
          ),
        tunnelHealthNotification: z
          .boolean()
          .default(env === "production")
          .describe(
            "Cloudflare's Tunnel Health Alert for the stack's own tunnel (filtered by tunnel id) emailed to `monitoring.alertEmail.to`, else `access.adminEmails`; it comes from Cloudflare's edge, so it arrives when the node is gone. Needs the deploy token's Notifications Write permission.",
          ),
        backupFreshness: z
          .strictObject({
            baseBackupHours: z
              .number()
              .positive()
              .default(26)
              .describe("Newest CNPG base backup may be this old (daily backups + 2 h)."),
            walMinutes: z
              .number()
              .positive()
              .default(15)
              .describe("Newest archived WAL segment may be this old (archive_timeout 5 min + slack)."),
            etcdSnapshotHours: z
              .number()
              .positive()
              .default(13)
              .describe(
                "Newest etcd snapshot in R2 may be this old (6-hourly snapshots + slack). Keep it above the interval of `k3s.etcdSnapshots.schedule`: EtcdSnapshotTooOld counts a success series first seen in the window (a server's first snapshot after a restart) as an upload.",
              ),
            longhornBackupHours: z
              .number()
              .positive()
              .default(26)
              .describe("Newest Longhorn backup of each volume may be this old (daily job + 2 h)."),
          })
          .prefault({})
          .describe("How old the newest backup of each kind may be (`npm run backup:check`)."),
      })
      .prefault({}),
    tenants: z.array(tenant, { error: "must be a list of tenants" }).default([]).describe("Tenant stamps."),
    capacity: z
      .strictObject({
        overcommit: z
          .number()
          .min(1)
          .max(4)
          .default(d.overcommit)
          .describe(
            "How far tenant quota requests may exceed what the nodes offer (quotas are ceilings, rarely all used).",
          ),
        systemReservedCpu: z
          .number()
          .min(0)
          .default(0.5)
          .describe("CPU cores per node kept for the OS and k3s."),
        systemReservedMemoryGiB: z
          .number()
          .min(0)
          .default(1.5)
          .describe("Memory (GiB) per node kept for the OS and k3s."),
      })
      .prefault({}),
    budget: z
      .strictObject({
        monthlyUsd: z
          .number({ error: "must be a number of US dollars" })
          .min(0)
          .default(d.budgetUsd)
          .describe("Monthly budget the cost estimate must stay within."),
      })
      .prefault({}),
  });
}

/** The parsed configuration, before defaults that depend on several fields are resolved. */
export type ParsedStackConfig = z.output<ReturnType<typeof stackSchema>>;
/** One node entry. */
export type NodeConfig = ParsedStackConfig["nodes"][number];
/** One tenant entry. */
export type TenantConfig = ParsedStackConfig["tenants"][number];
