/**
 * The R2 layout as data: buckets, their prefixes and lifecycle rules, and which consumer may
 * touch which bucket. Pure; the `R2Buckets` component turns it into resources and `r2-check`
 * verifies it against the live buckets.
 */

/** R2 jurisdiction of the buckets. */
export type Jurisdiction = "default" | "eu";

/** Retention settings (days) from the stack config's `backups` section. */
export interface RetentionDays {
  readonly cnpg: number;
  readonly etcd: number;
  readonly longhorn: number;
  readonly audit: number;
  readonly artifacts: number;
  /** Move to Infrequent Access after this many days; 0 disables. */
  readonly infrequentAccessAfter: number;
}

/** One bucket and what lives in it. */
export interface BucketSpec {
  /** Logical name (`backups`, `artifacts`, `audit`). */
  readonly key: "backups" | "artifacts" | "audit";
  /** Bucket name in R2. */
  readonly name: string;
  /** Prefix -> days objects under it are kept. */
  readonly prefixes: Record<string, number>;
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

/** A workload that reads and writes R2, and the buckets it may use. */
export interface ConsumerSpec {
  readonly name: "cnpg" | "etcd" | "longhorn" | "artifacts" | "audit";
  readonly bucket: BucketSpec["key"];
  /** Where in the bucket it writes. */
  readonly prefix: string;
}

const DAY = 86_400;
/** R2 charges Infrequent Access objects for at least 30 days. */
export const IA_MINIMUM_DAYS = 30;
/** Incomplete multipart uploads are aborted after this many days. */
export const ABORT_MULTIPART_DAYS = 7;
/**
 * Days lifecycle deletion waits beyond the tool's own retention: barman-cloud and Longhorn
 * delete expired backups themselves; R2 only removes what they left behind, never an object a
 * still-valid backup depends on.
 */
export const RETENTION_MARGIN_DAYS = 7;

/** The platform's buckets. */
export function bucketSpecs(prefix: string, days: RetentionDays): BucketSpec[] {
  return [
    {
      key: "backups",
      name: `${prefix}-backups`,
      prefixes: {
        "cnpg/": days.cnpg + RETENTION_MARGIN_DAYS,
        "etcd/": days.etcd,
        "longhorn/": days.longhorn + RETENTION_MARGIN_DAYS,
      },
    },
    {
      key: "artifacts",
      name: `${prefix}-artifacts`,
      prefixes: { "builds/": days.artifacts, "sboms/": days.artifacts },
    },
    { key: "audit", name: `${prefix}-audit-archive`, prefixes: { "audit/": days.audit } },
  ];
}

/** Who uses which bucket. Tokens are scoped to the bucket; the prefix is a convention. */
export const CONSUMERS: readonly ConsumerSpec[] = [
  { name: "cnpg", bucket: "backups", prefix: "cnpg/" },
  { name: "etcd", bucket: "backups", prefix: "etcd/" },
  { name: "longhorn", bucket: "backups", prefix: "longhorn/" },
  { name: "artifacts", bucket: "artifacts", prefix: "builds/" },
  { name: "audit", bucket: "audit", prefix: "audit/" },
];

/**
 * Lifecycle rules of a bucket: per prefix, delete after its retention and move to Infrequent
 * Access when the object stays there at least the 30 days IA bills for anyway (otherwise the
 * move costs more than it saves); and abort multipart uploads left incomplete after 7 days.
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
