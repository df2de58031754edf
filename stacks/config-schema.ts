/**
 * The zod schema of a stack's `enclii-infra:*` configuration.
 *
 * Every object is strict (an unknown key is an error) and every optional field has a default
 * that depends on the environment (`ENVIRONMENT_DEFAULTS`). Cross-field rules live in
 * `config-rules.ts`; the loader that turns problems into one message is `config.ts`.
 */
import { z } from "zod";
import { K3S_VERSION } from "../components/versions";
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
  }
> = {
  production: {
    replicas: 2,
    etcdSnapshotRetention: 28,
    backupRetentionDays: 30,
    monitoringRetention: "15d",
    hstsMaxAgeSeconds: 31_536_000,
    budgetUsd: 100,
  },
  staging: {
    replicas: 1,
    etcdSnapshotRetention: 14,
    backupRetentionDays: 7,
    monitoringRetention: "7d",
    hstsMaxAgeSeconds: 300,
    budgetUsd: 40,
  },
  local: {
    replicas: 1,
    etcdSnapshotRetention: 4,
    backupRetentionDays: 3,
    monitoringRetention: "2d",
    hstsMaxAgeSeconds: 0,
    budgetUsd: 0,
  },
};

const hex32 = (what: string) =>
  z
    .string({ error: `must be the 32-character hex Cloudflare ${what}` })
    .regex(/^[0-9a-f]{32}$/, { error: `must be the 32-character lowercase hex Cloudflare ${what}` });

const nodeName = z
  .string({ error: "must be a node name such as ax41-fsn1-1" })
  .regex(/^[a-z]([a-z0-9-]{0,61}[a-z0-9])?$/, {
    error: "must be a hostname label (lowercase letters, digits, hyphens; starts with a letter)",
  });

const nodeCommon = {
  /** Hostname of the node and name of its Kubernetes Node object. */
  name: nodeName,
  /** `server` runs the control plane (embedded etcd); `agent` only runs workloads. */
  role: z.enum(["server", "agent"], { error: "must be server or agent" }).default("server"),
  /** Whether Longhorn may place volume replicas on this node. */
  storage: z.boolean({ error: "must be true or false" }).default(true),
  /** Extra Kubernetes node labels. */
  labels: z.record(z.string(), z.string()).default({}),
  /** Kubernetes taints, `key=value:Effect`. */
  taints: z
    .array(
      z.string().regex(/^[a-z0-9./-]+(=[A-Za-z0-9._-]*)?:(NoSchedule|PreferNoSchedule|NoExecute)$/, {
        error: "must be a taint such as dedicated=db:NoSchedule",
      }),
    )
    .default([]),
};

const dedicatedNode = z.strictObject({
  ...nodeCommon,
  kind: z.literal("dedicated"),
  /** Robot server number (Robot panel, "Server" tab). */
  serverNumber: z
    .number({ error: "is required for a dedicated node: the Robot server number, e.g. 2345678" })
    .int({ error: "must be a whole number" })
    .positive({ error: "must be a positive Robot server number" }),
  /** Main IPv4 of the server, used for SSH, rDNS and the Kubernetes API. */
  ipv4: ipv4,
  /** Robot product, used for the cost estimate. */
  product: z
    .enum(["AX41-NVMe"], {
      error: "must be AX41-NVMe (the only Robot product priced in components/cost/prices.ts)",
    })
    .default("AX41-NVMe"),
  /** Reverse DNS of the IPv4; defaults to `<name>.<domain>`. */
  reverseDns: dnsName.optional(),
});

const cloudNode = z.strictObject({
  ...nodeCommon,
  kind: z.literal("cloud"),
  /** hcloud server type, e.g. `cpx31`. */
  serverType: z
    .string({ error: "is required for a cloud node: an hcloud server type such as cpx31" })
    .regex(/^[a-z]{2,3}\d{2}$/, { error: "must be an hcloud server type such as cpx31" }),
  /** hcloud location. */
  location: z.enum(HCLOUD_LOCATIONS, { error: `must be one of ${HCLOUD_LOCATIONS.join(", ")}` }),
  /** hcloud image. */
  image: z.string().min(1).default("ubuntu-24.04"),
});

const existingNode = z.strictObject({
  ...nodeCommon,
  kind: z.literal("existing"),
  /** Address reachable over SSH. */
  host: ipv4,
  /** SSH user with root rights. */
  sshUser: z.string().min(1).default("root"),
  sshPort: z.number().int().min(1).max(65535).default(22),
});

const node = z.discriminatedUnion("kind", [dedicatedNode, cloudNode, existingNode], {
  error: "must be dedicated, cloud or existing",
});

const tenant = z.strictObject({
  /** Tenant id: namespace `tenant-<slug>`, hostname `<slug>.<domain>`. */
  slug,
  /** Resource tier: quotas and limit ranges. */
  tier: z.enum(TENANT_TIERS, { error: `must be one of ${TENANT_TIERS.join(", ")}` }).default("starter"),
  /** Custom hostnames served through Cloudflare for SaaS. */
  domains: z.array(dnsName).default([]),
  /** `shared`: an organization in the shared Janua; `dedicated`: its own Janua. */
  auth: z.enum(AUTH_MODES, { error: "must be shared or dedicated" }).default("shared"),
  /** Human-readable name for the Janua organization; defaults to the slug. */
  displayName: z.string().min(1).max(100).optional(),
  /** Billing contact of the Janua organization. */
  billingEmail: email.optional(),
});

/** Builds the schema with the defaults of one environment. */
export function stackSchema(env: Environment) {
  const d = ENVIRONMENT_DEFAULTS[env];
  const replicas = z.number().int().min(1).max(10);
  return z.strictObject({
    environment: z.enum(ENVIRONMENTS, { error: `must be one of ${ENVIRONMENTS.join(", ")}` }),
    domain: dnsName,
    cloudflare: z.strictObject({
      accountId: hex32("account id"),
      zoneId: hex32("zone id"),
      r2: z
        .strictObject({
          /** `eu` keeps R2 data in the EU jurisdiction (endpoint `<account>.eu.r2...`). */
          jurisdiction: z.enum(["default", "eu"], { error: "must be default or eu" }).default("default"),
          /** Prefix of every bucket name, e.g. `enclii-production`. */
          bucketPrefix: z
            .string()
            .regex(/^[a-z0-9][a-z0-9-]{1,40}$/, { error: "must be lowercase letters, digits and hyphens" })
            .default(`enclii-${env}`),
        })
        .prefault({}),
      hsts: z
        .strictObject({
          enabled: z.boolean().default(env === "production"),
          maxAgeSeconds: z.number().int().min(0).max(63_072_000).default(d.hstsMaxAgeSeconds),
          includeSubdomains: z.boolean().default(false),
          preload: z.boolean().default(false),
        })
        .prefault({}),
      minTlsVersion: z.enum(["1.2", "1.3"], { error: "must be 1.2 or 1.3" }).default("1.2"),
      /** Cloudflare for SaaS: origin that custom hostnames fall back to. Default `origin.<domain>`. */
      fallbackOrigin: dnsName.optional(),
      /** Domain-control validation method for custom hostnames. */
      customHostnameValidation: z.enum(["http", "txt"], { error: "must be http or txt" }).default("http"),
    }),
    nodes: z.array(node, { error: "must be a list of nodes" }),
    k3s: z
      .strictObject({
        version: z
          .string()
          .regex(/^v1\.\d+\.\d+\+k3s\d+$/, { error: "must be a k3s release such as v1.34.11+k3s1" })
          .default(K3S_VERSION),
        clusterCidr: ipv4Cidr.default("10.42.0.0/16"),
        serviceCidr: ipv4Cidr.default("10.43.0.0/16"),
        /** Private network between nodes (hcloud Network / Robot vSwitch). */
        privateNetworkCidr: ipv4Cidr.default("10.0.0.0/16"),
        /** Robot vSwitch VLAN id when dedicated and cloud nodes are mixed. */
        vswitchVlan: z.number().int().min(4000).max(4091).default(4000),
        /** Extra names and addresses in the API server certificate. */
        tlsSans: z.array(z.string().min(1)).default([]),
        etcdSnapshots: z
          .strictObject({
            schedule: cron5.default("0 */6 * * *"),
            retention: z.number().int().min(1).max(500).default(d.etcdSnapshotRetention),
          })
          .prefault({}),
        upgrades: z
          .strictObject({
            /** Managed upgrades through the system-upgrade-controller. */
            enabled: z.boolean().default(true),
            concurrency: z.number().int().min(1).max(5).default(1),
          })
          .prefault({}),
      })
      .prefault({}),
    access: z.strictObject({
      /** Who may reach SSH (22) and the Kubernetes API (6443). */
      adminCidrs: z.array(cidr).min(1, { error: "needs at least one CIDR that may reach SSH and the API" }),
      /** OpenSSH public keys installed on every node. */
      sshPublicKeys: z
        .array(
          z.string().regex(/^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp\d{3}) [A-Za-z0-9+/=]+( .*)?$/, {
            error: "must be an OpenSSH public key (ssh-ed25519 AAAA... comment)",
          }),
        )
        .min(1, { error: "needs at least one OpenSSH public key" }),
      /** Name of an existing hcloud SSH key to use instead of uploading `sshPublicKeys[0]`. */
      hcloudSshKeyName: z.string().min(1).optional(),
      /** Emails allowed through Cloudflare Access to admin UIs (Grafana). */
      adminEmails: z.array(email).default([]),
    }),
    storage: z
      .strictObject({
        /** Longhorn replicas per volume; default min(3, storage nodes). */
        replicaCount: z.number().int().min(1).max(3).optional(),
        snapshot: z
          .strictObject({ cron: cron5.default("0 2 * * *"), retain: z.number().int().min(1).default(7) })
          .prefault({}),
        backup: z
          .strictObject({ cron: cron5.default("30 3 * * *"), retain: z.number().int().min(1).default(14) })
          .prefault({}),
      })
      .prefault({}),
    backups: z
      .strictObject({
        /** Days kept for each prefix of the backups bucket. */
        cnpgRetentionDays: z.number().int().min(1).default(d.backupRetentionDays),
        etcdRetentionDays: z.number().int().min(1).default(d.backupRetentionDays),
        longhornRetentionDays: z.number().int().min(1).default(d.backupRetentionDays),
        auditRetentionDays: z.number().int().min(1).default(90),
        artifactsRetentionDays: z.number().int().min(1).default(180),
        /** Move backups to Infrequent Access after this many days (0 disables). */
        infrequentAccessAfterDays: z.number().int().min(0).default(30),
        /** Freshness thresholds checked by scripts/backup-check.ts and alerts. */
        thresholds: z
          .strictObject({
            baseBackupHours: z.number().positive().default(26),
            walMinutes: z.number().positive().default(15),
            etcdHours: z.number().positive().default(13),
            longhornHours: z.number().positive().default(26),
          })
          .prefault({}),
      })
      .prefault({}),
    postgres: z
      .strictObject({
        /** CNPG instances; default min(3, nodes). */
        instances: z.number().int().min(1).max(5).optional(),
        storageSize: byteQuantity.default(env === "production" ? "50Gi" : "10Gi"),
        walStorageSize: byteQuantity.optional(),
        backupSchedule: cron6.default("0 0 3 * * *"),
        retention: retention.default(`${d.backupRetentionDays}d`),
        resources: resources.default({
          requests: { cpu: "250m", memory: "512Mi" },
          limits: { cpu: "2", memory: "2Gi" },
        }),
        /** postgresql.conf parameters. */
        parameters: z.record(z.string(), z.string()).default({}),
      })
      .prefault({}),
    redis: z
      .strictObject({
        mode: z.enum(REDIS_MODES, { error: "must be standalone or sentinel" }).default("standalone"),
        storageSize: byteQuantity.default("5Gi"),
        maxMemory: byteQuantity.default("512Mi"),
        maxMemoryPolicy: z
          .enum(["noeviction", "allkeys-lru", "volatile-lru", "allkeys-lfu", "volatile-lfu"])
          .default("noeviction"),
        resources: resources.default({
          requests: { cpu: "100m", memory: "256Mi" },
          limits: { cpu: "500m", memory: "768Mi" },
        }),
      })
      .prefault({}),
    janua: z.strictObject({
      replicas: replicas.default(d.replicas),
      /** Hostname of the shared Janua; default `auth.<domain>`. */
      hostname: dnsName.optional(),
      /** First admin, created on first start (`ADMIN_BOOTSTRAP_EMAIL`). */
      adminEmail: email,
      /** Organization the bootstrap admin belongs to (`DEFAULT_ORG_SLUG`). */
      defaultOrgSlug: slug.default("enclii"),
      /** `ENABLE_<FLAG>` environment flags, e.g. `{ "signups": false }`. */
      features: z.record(z.string().regex(/^[a-z][a-z0-9_]*$/), z.boolean()).default({}),
    }),
    controlPlane: z
      .strictObject({
        apiReplicas: replicas.default(d.replicas),
        uiReplicas: replicas.default(d.replicas),
        /** Default `api.<domain>`. */
        apiHostname: dnsName.optional(),
        /** Default `app.<domain>`. */
        uiHostname: dnsName.optional(),
      })
      .prefault({}),
    monitoring: z
      .strictObject({
        enabled: z.boolean().default(env !== "local"),
        retention: retention.default(d.monitoringRetention),
        storageSize: byteQuantity.default(env === "production" ? "50Gi" : "10Gi"),
        /** Default `grafana.<domain>`, behind Cloudflare Access. */
        grafanaHostname: dnsName.optional(),
        alertEmail: z
          .strictObject({
            to: z.array(email).min(1),
            from: email,
            /** SMTP relay `host:port`; its password is the secret `enclii-infra:alertSmtpPassword`. */
            smarthost: z.string().regex(/^[a-z0-9.-]+:\d{2,5}$/, { error: "must be host:port" }),
          })
          .optional(),
        /** Send alerts to the webhook in the secret `enclii-infra:alertWebhookUrl`. */
        webhook: z.boolean().default(false),
      })
      .prefault({}),
    tenants: z.array(tenant, { error: "must be a list of tenants" }).default([]),
    budget: z
      .strictObject({
        monthlyUsd: z.number({ error: "must be a number of US dollars" }).min(0).default(d.budgetUsd),
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
