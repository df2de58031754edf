/**
 * The R2 layout as data: one bucket per consumer, its prefixes, lifecycle rules and bucket
 * lock. Pure; the `R2Buckets` component turns it into resources and `r2-check`
 * verifies it against the live buckets.
 */

/** R2 jurisdiction of the buckets. */
export type Jurisdiction = "default" | "eu";

/**
 * Retention settings (days) from the stack config's `backups` section, for the prefixes R2 ages
 * out. CNPG and Longhorn prune their own backups (see {@link BucketSpec.toolRetained}).
 */
export interface RetentionDays {
  readonly etcd: number;
  readonly audit: number;
  readonly artifacts: number;
  /** Move to Infrequent Access after this many days; 0 disables. */
  readonly infrequentAccessAfter: number;
}

/** The platform's own R2 consumers; each dedicated Janua tenant adds a `cnpg-janua-<slug>` one. */
export const PLATFORM_CONSUMERS = ["etcd", "cnpg", "longhorn", "artifacts", "audit"] as const;
/** A platform consumer's name. */
export type PlatformConsumer = (typeof PLATFORM_CONSUMERS)[number];
/** A consumer's name: a platform consumer or `cnpg-<cluster>` for a tenant's own PostgreSQL. */
export type ConsumerName = PlatformConsumer | `cnpg-${string}`;

/**
 * One bucket and what lives in it. Every bucket has exactly one consumer (its `key`): R2 API
 * tokens scope to buckets, not prefixes (developers.cloudflare.com/r2/api/tokens: "Object Read &
 * Write ... in specific buckets"), so only a bucket of its own keeps a leaked key away from
 * everyone else's backups.
 */
export interface BucketSpec {
  /** The consumer that owns the bucket (`etcd`, `cnpg`, `cnpg-janua-<slug>`, `audit`, ...). */
  readonly key: ConsumerName;
  /** Bucket name in R2. */
  readonly name: string;
  /** Prefix -> days an R2 lifecycle rule keeps objects under it before deleting them. */
  readonly prefixes: Record<string, number>;
  /**
   * Prefixes only the writing tool prunes (prefix -> the tool's setting), never an R2 age rule:
   * Longhorn backups are incremental (longhorn/website PR #1010: "any retention policy directly
   * on the backup store is strictly prohibited") and barman-cloud needs its `*.history` files and
   * the base backup before the recovery window, which can be older than any age rule. @default {}
   */
  readonly toolRetained?: Record<string, string>;
  /**
   * Days a bucket lock keeps every object from being deleted or overwritten, by anyone, the
   * bucket's own token included (the token's "Object Read & Write" includes deletes).
   * @default - no lock
   */
  readonly lockDays?: number;
}

/** One R2 lifecycle rule in the Cloudflare API shape (`maxAge` in seconds). */
export interface LifecycleRule {
  readonly id: string;
  readonly enabled: boolean;
  readonly conditions: { readonly prefix: string };
  readonly deleteObjectsTransition?: {
    readonly condition: { readonly type: "Age"; readonly maxAge: number };
  };
  readonly abortMultipartUploadsTransition?: {
    readonly condition: { readonly type: "Age"; readonly maxAge: number };
  };
  readonly storageClassTransitions?: {
    readonly condition: { readonly type: "Age"; readonly maxAge: number };
    readonly storageClass: "InfrequentAccess";
  }[];
}

/** A workload that reads and writes R2, and the one bucket it may use. */
export interface ConsumerSpec {
  readonly name: ConsumerName;
  /** Its bucket's key (always its own name). */
  readonly bucket: ConsumerName;
  /** Where in the bucket it writes. */
  readonly prefix: string;
}

const DAY = 86_400;
/** R2 charges Infrequent Access objects for at least 30 days. */
export const IA_MINIMUM_DAYS = 30;
/** Incomplete multipart uploads are aborted after this many days. */
export const ABORT_MULTIPART_DAYS = 7;
/** R2 allows bucket names of 3 to 63 lowercase letters, digits and hyphens. */
export const BUCKET_NAME_RE = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

/** The consumer that archives a PostgreSQL cluster: `cnpg` for the shared one, `cnpg-<cluster>` else. */
export function cnpgConsumer(cluster: string): ConsumerName {
  return cluster === "postgres" ? "cnpg" : `cnpg-${cluster}`;
}

/** Whether a consumer writes barman-cloud archives (`cnpg/<server>/`). */
export const isCnpgConsumer = (name: string): boolean => name === "cnpg" || name.startsWith("cnpg-");

/**
 * The buckets: one per consumer. `tenantClusters` are the dedicated tenants' PostgreSQL clusters
 * (`janua-<slug>`), each archiving into a bucket of its own.
 */
export function bucketSpecs(
  prefix: string,
  days: RetentionDays,
  tenantClusters: readonly string[] = [],
): BucketSpec[] {
  const cnpg = (key: ConsumerName): BucketSpec => ({
    key,
    name: `${prefix}-${key}`,
    prefixes: {},
    toolRetained: { "cnpg/": "the ObjectStore's retentionPolicy (barman-cloud)" },
  });
  return [
    // k3s snapshots are whole files that k3s prunes by count; the age rule is a backstop.
    { key: "etcd", name: `${prefix}-etcd`, prefixes: { "etcd/": days.etcd } },
    cnpg("cnpg"),
    {
      key: "longhorn",
      name: `${prefix}-longhorn`,
      prefixes: {},
      toolRetained: { "longhorn/": "the backup RecurringJob's retain (Longhorn)" },
    },
    ...[...tenantClusters].sort().map((c) => cnpg(cnpgConsumer(c))),
    {
      key: "artifacts",
      name: `${prefix}-artifacts`,
      prefixes: { "builds/": days.artifacts, "sboms/": days.artifacts },
    },
    {
      key: "audit",
      name: `${prefix}-audit-archive`,
      prefixes: { "audit/": days.audit },
      lockDays: days.audit,
    },
  ];
}

/** The prefix a consumer writes under inside its own bucket. */
function consumerPrefix(name: ConsumerName): string {
  if (isCnpgConsumer(name)) return "cnpg/";
  return name === "artifacts" ? "builds/" : `${name}/`;
}

/** Who uses which bucket: each consumer its own, so its token's one bucket is all it reaches. */
export function consumerSpecs(tenantClusters: readonly string[] = []): ConsumerSpec[] {
  const names: ConsumerName[] = [
    ...PLATFORM_CONSUMERS.slice(0, 3),
    ...[...tenantClusters].sort().map(cnpgConsumer),
    ...PLATFORM_CONSUMERS.slice(3),
  ];
  return names.map((name) => ({ name, bucket: name, prefix: consumerPrefix(name) }));
}

/** The platform's consumers (no dedicated tenants). */
export const CONSUMERS: readonly ConsumerSpec[] = consumerSpecs();

/** One R2 bucket lock rule in the Cloudflare API shape (`@pulumi/cloudflare` `R2BucketLock.rules[]`). */
export interface LockRule {
  readonly id: string;
  readonly enabled: boolean;
  readonly prefix: string;
  readonly condition: { readonly type: "Age"; readonly maxAgeSeconds: number };
}

/**
 * The bucket lock of a bucket with `lockDays`: no object is deleted or overwritten before it is
 * that old, lifecycle deletions included ("Bucket lock rules take precedence over lifecycle
 * rules", developers.cloudflare.com/r2/buckets/bucket-locks). No prefix: the whole bucket.
 */
export function lockRules(bucket: BucketSpec): LockRule[] {
  if (bucket.lockDays === undefined) return [];
  return [
    {
      id: `retain-${bucket.lockDays}d`,
      enabled: true,
      prefix: "",
      condition: { type: "Age", maxAgeSeconds: bucket.lockDays * DAY },
    },
  ];
}

/**
 * Lifecycle rules of a bucket: per age-retained prefix, delete after its retention and move to
 * Infrequent Access when the object stays there at least the 30 days IA bills for anyway
 * (otherwise the move costs more than it saves); and abort multipart uploads left incomplete
 * after 7 days. Tool-retained prefixes get no age rule at all.
 */
export function lifecycleRules(bucket: BucketSpec, infrequentAccessAfter: number): LifecycleRule[] {
  const rules: LifecycleRule[] = Object.entries(bucket.prefixes)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([prefix, keepDays]) => {
      const moves = infrequentAccessAfter > 0 && keepDays - infrequentAccessAfter >= IA_MINIMUM_DAYS;
      return {
        id: `expire-${prefix.replace(/\/$/, "")}`,
        enabled: true,
        conditions: { prefix },
        deleteObjectsTransition: { condition: { type: "Age" as const, maxAge: keepDays * DAY } },
        ...(moves
          ? {
              storageClassTransitions: [
                {
                  condition: { type: "Age" as const, maxAge: infrequentAccessAfter * DAY },
                  storageClass: "InfrequentAccess" as const,
                },
              ],
            }
          : {}),
      };
    });
  rules.push({
    id: "abort-incomplete-multipart",
    enabled: true,
    conditions: { prefix: "" },
    abortMultipartUploadsTransition: { condition: { type: "Age", maxAge: ABORT_MULTIPART_DAYS * DAY } },
  });
  return rules;
}

/** The S3 endpoint of an account's R2 (`.eu.` for the EU jurisdiction). */
export function r2Endpoint(accountId: string, jurisdiction: Jurisdiction): string {
  return jurisdiction === "eu"
    ? `https://${accountId}.eu.r2.cloudflarestorage.com`
    : `https://${accountId}.r2.cloudflarestorage.com`;
}

/** Cloudflare API token permission groups for R2 object access (ids are global). */
export const R2_PERMISSION_GROUPS = {
  itemRead: "6a018a9f2fc74eb6b293b0c548f38b39",
  itemWrite: "2efd5506f9c8494dacb1fa10a3e7d5b6",
} as const;

/** The token policy resource string granting exactly one bucket (a JSON string since provider 6.12). */
export function bucketPolicyResources(accountId: string, jurisdiction: Jurisdiction, bucket: string): string {
  return JSON.stringify({ [`com.cloudflare.edge.r2.bucket.${accountId}_${jurisdiction}_${bucket}`]: "*" });
}

/** One consumer's API token policy: object read and write on its one bucket, nothing else. */
export interface TokenGrant {
  readonly consumer: ConsumerName;
  readonly bucket: string;
  readonly policy: {
    readonly effect: "allow";
    readonly permissionGroups: { readonly id: string }[];
    readonly resources: string;
  };
}

/**
 * The token policy of every consumer. R2 has no write-without-delete permission ("Object Read &
 * Write" is the narrowest that writes, developers.cloudflare.com/r2/api/tokens), so the audit
 * archive is kept by its bucket lock, not by its token. @throws when a consumer has no bucket
 */
export function tokenGrants(
  accountId: string,
  jurisdiction: Jurisdiction,
  buckets: readonly BucketSpec[],
  consumers: readonly ConsumerSpec[],
): TokenGrant[] {
  return consumers.map((c) => {
    const bucket = buckets.find((b) => b.key === c.bucket);
    if (!bucket) throw new Error(`R2 consumer ${c.name}: no bucket ${c.bucket}`);
    return {
      consumer: c.name,
      bucket: bucket.name,
      policy: {
        effect: "allow",
        permissionGroups: [{ id: R2_PERMISSION_GROUPS.itemRead }, { id: R2_PERMISSION_GROUPS.itemWrite }],
        resources: bucketPolicyResources(accountId, jurisdiction, bucket.name),
      },
    };
  });
}
