/**
 * `enclii:edge:R2Buckets`: one R2 bucket per consumer with its lifecycle rules (and a bucket lock
 * on the audit archive), and one Cloudflare API token per consumer limited to exactly its bucket,
 * turned into S3 credentials (access key id = token id, secret access key = SHA-256 of the token
 * value).
 */
import { createHash } from "node:crypto";
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import {
  BUCKET_NAME_RE,
  type BucketSpec,
  bucketSpecs,
  type ConsumerName,
  consumerSpecs,
  type Jurisdiction,
  lifecycleRules,
  lockRules,
  type PlatformConsumer,
  type RetentionDays,
  r2Endpoint,
  tokenGrants,
} from "./r2-plan";

/** Arguments of {@link R2Buckets}. */
export interface R2BucketsArgs {
  readonly accountId: string;
  /** Bucket names start with it, e.g. `enclii-production`. */
  readonly bucketPrefix: string;
  /** @default "default" */
  readonly jurisdiction?: Jurisdiction;
  readonly retention: RetentionDays;
  /**
   * The dedicated tenants' PostgreSQL clusters (`janua-<slug>`): each gets a bucket and a token
   * of its own (consumer `cnpg-<cluster>`). @default []
   */
  readonly tenantClusters?: readonly string[];
  /** Keep buckets from being deleted with the stack (production). @default false */
  readonly protect?: boolean;
}

/** S3 credentials of one consumer. */
export interface S3Credentials {
  readonly endpoint: string;
  readonly region: "auto";
  readonly bucket: string;
  readonly prefix: string;
  readonly accessKeyId: pulumi.Output<string>;
  readonly secretAccessKey: pulumi.Output<string>;
}

/** SHA-256 hex of an API token value: R2's secret access key for that token. */
export function s3SecretFromToken(tokenValue: string): string {
  return createHash("sha256").update(tokenValue).digest("hex");
}

/** The buckets and the per-consumer credentials. */
export class R2Buckets extends pulumi.ComponentResource {
  public readonly endpoint: string;
  /** Bucket name by consumer. */
  public readonly buckets: Record<ConsumerName, string>;
  /**
   * Credentials by consumer (`etcd`, `cnpg`, `longhorn`, `artifacts`, `audit`, and
   * `cnpg-janua-<slug>` per dedicated tenant); secrets are secret.
   */
  public readonly credentials: Record<PlatformConsumer, S3Credentials> & Record<ConsumerName, S3Credentials>;
  public readonly specs: BucketSpec[];

  constructor(name: string, args: R2BucketsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("enclii:edge:R2Buckets", name, {}, opts);
    const jurisdiction = args.jurisdiction ?? "default";
    this.endpoint = r2Endpoint(args.accountId, jurisdiction);
    const tenantClusters = args.tenantClusters ?? [];
    this.specs = bucketSpecs(args.bucketPrefix, args.retention, tenantClusters);
    const invalid = this.specs.filter((s) => !BUCKET_NAME_RE.test(s.name)).map((s) => s.name);
    if (invalid.length > 0) {
      throw new Error(
        `enclii:edge:R2Buckets ${name}: bucket names ${invalid.join(", ")} are not 3 to 63 lowercase letters, digits and hyphens; shorten bucketPrefix`,
      );
    }
    const bucketResources = new Map<ConsumerName, cloudflare.R2Bucket>();
    for (const spec of this.specs) {
      const bucket = new cloudflare.R2Bucket(
        `${name}-${spec.key}`,
        {
          accountId: args.accountId,
          name: spec.name,
          storageClass: "Standard",
          ...(jurisdiction === "eu" ? { jurisdiction: "eu" } : {}),
        },
        { parent: this, protect: args.protect ?? false },
      );
      bucketResources.set(spec.key, bucket);
      new cloudflare.R2BucketLifecycle(
        `${name}-${spec.key}-lifecycle`,
        {
          accountId: args.accountId,
          bucketName: bucket.name,
          ...(jurisdiction === "eu" ? { jurisdiction: "eu" } : {}),
          rules: lifecycleRules(spec, args.retention.infrequentAccessAfter),
        },
        { parent: this },
      );
      const lock = lockRules(spec);
      if (lock.length > 0) {
        new cloudflare.R2BucketLock(
          `${name}-${spec.key}-lock`,
          {
            accountId: args.accountId,
            bucketName: bucket.name,
            ...(jurisdiction === "eu" ? { jurisdiction: "eu" } : {}),
            rules: lock,
          },
          { parent: this, protect: args.protect ?? false },
        );
      }
    }
    this.buckets = Object.fromEntries(this.specs.map((s) => [s.key, s.name])) as Record<ConsumerName, string>;

    const credentials: Partial<Record<ConsumerName, S3Credentials>> = {};
    const consumers = consumerSpecs(tenantClusters);
    for (const grant of tokenGrants(args.accountId, jurisdiction, this.specs, consumers)) {
      const consumer = consumers.find((c) => c.name === grant.consumer) as (typeof consumers)[number];
      const token = new cloudflare.ApiToken(
        `${name}-${consumer.name}-token`,
        {
          name: `${args.bucketPrefix}-r2-${consumer.name}`,
          policies: [{ ...grant.policy, permissionGroups: [...grant.policy.permissionGroups] }],
        },
        { parent: this, dependsOn: [bucketResources.get(consumer.bucket) as cloudflare.R2Bucket] },
      );
      credentials[consumer.name] = {
        endpoint: this.endpoint,
        region: "auto",
        bucket: grant.bucket,
        prefix: consumer.prefix,
        accessKeyId: pulumi.secret(token.id),
        secretAccessKey: pulumi.secret(token.value.apply(s3SecretFromToken)),
      };
    }
    this.credentials = credentials as R2Buckets["credentials"];
    this.registerOutputs({ endpoint: this.endpoint, buckets: this.buckets });
  }
}
