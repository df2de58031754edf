/**
 * `enclii:edge:R2Buckets`: the platform's R2 buckets with lifecycle rules, and one Cloudflare
 * API token per consumer limited to exactly its bucket, turned into S3 credentials
 * (access key id = token id, secret access key = SHA-256 of the token value).
 */
import { createHash } from "node:crypto";
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";
import {
  type BucketSpec,
  bucketPolicyResources,
  bucketSpecs,
  CONSUMERS,
  type ConsumerSpec,
  type Jurisdiction,
  lifecycleRules,
  R2_PERMISSION_GROUPS,
  type RetentionDays,
  r2Endpoint,
} from "./r2-plan";

/** Arguments of {@link R2Buckets}. */
export interface R2BucketsArgs {
  readonly accountId: string;
  /** Bucket names start with it, e.g. `enclii-production`. */
  readonly bucketPrefix: string;
  /** @default "default" */
  readonly jurisdiction?: Jurisdiction;
  readonly retention: RetentionDays;
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
  /** Bucket name by logical name. */
  public readonly buckets: Record<BucketSpec["key"], string>;
  /** Credentials by consumer (`cnpg`, `etcd`, `longhorn`, `artifacts`, `audit`); secrets are secret. */
  public readonly credentials: Record<ConsumerSpec["name"], S3Credentials>;
  public readonly specs: BucketSpec[];

  constructor(name: string, args: R2BucketsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("enclii:edge:R2Buckets", name, {}, opts);
    const jurisdiction = args.jurisdiction ?? "default";
    this.endpoint = r2Endpoint(args.accountId, jurisdiction);
    this.specs = bucketSpecs(args.bucketPrefix, args.retention);
    const bucketResources = new Map<BucketSpec["key"], cloudflare.R2Bucket>();
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
    }
    this.buckets = Object.fromEntries(this.specs.map((s) => [s.key, s.name])) as Record<
      BucketSpec["key"],
      string
    >;

    const credentials: Partial<Record<ConsumerSpec["name"], S3Credentials>> = {};
    for (const consumer of CONSUMERS) {
      const bucketName = this.buckets[consumer.bucket];
      const token = new cloudflare.ApiToken(
        `${name}-${consumer.name}-token`,
        {
          name: `${args.bucketPrefix}-r2-${consumer.name}`,
          policies: [
            {
              effect: "allow",
              permissionGroups: [
                { id: R2_PERMISSION_GROUPS.itemRead },
                { id: R2_PERMISSION_GROUPS.itemWrite },
              ],
              resources: bucketPolicyResources(args.accountId, jurisdiction, bucketName),
            },
          ],
        },
        { parent: this, dependsOn: [bucketResources.get(consumer.bucket) as cloudflare.R2Bucket] },
      );
      credentials[consumer.name] = {
        endpoint: this.endpoint,
        region: "auto",
        bucket: bucketName,
        prefix: consumer.prefix,
        accessKeyId: pulumi.secret(token.id),
        secretAccessKey: pulumi.secret(token.value.apply(s3SecretFromToken)),
      };
    }
    this.credentials = credentials as Record<ConsumerSpec["name"], S3Credentials>;
    this.registerOutputs({ endpoint: this.endpoint, buckets: this.buckets });
  }
}
