/**
 * Checks the live R2 setup against the stack outputs: every consumer can write, read and delete
 * a probe object under its own bucket and prefix (in a locked bucket the delete must fail), is
 * denied on the buckets it must not touch, and every bucket carries its lifecycle rules and no
 * age rule on a prefix its tool prunes itself.
 */
import { randomUUID } from "node:crypto";
import {
  DeleteObjectCommand,
  GetBucketLifecycleConfigurationCommand,
  GetObjectCommand,
  type LifecycleRule,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";

/** The `r2` stack output. */
export interface R2Outputs {
  readonly endpoint: string;
  readonly region: string;
  readonly buckets: {
    key: string;
    name: string;
    /** Prefixes an R2 age rule expires. */
    prefixes: string[];
    /** Prefixes only the writing tool prunes: an age rule there breaks its backups. */
    toolRetained?: string[];
    /** Days the bucket lock keeps objects: nobody deletes them sooner. */
    lockDays?: number;
  }[];
  readonly consumers: Record<
    string,
    { bucket: string; prefix: string; accessKeyId: string; secretAccessKey: string; endpoint?: string }
  >;
}

/** One check and its outcome. */
export interface CheckResult {
  readonly check: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly ms: number;
}

/** Credentials allowed to read bucket lifecycle rules when the consumers' are not. */
export interface AdminCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** Validates the parsed outputs; returns problems (empty when usable). */
export function validateR2Outputs(value: unknown): string[] {
  const o = value as Partial<R2Outputs> | undefined;
  const problems: string[] = [];
  if (!o || typeof o !== "object") return ["the outputs have no `r2` object; is this an enclii-infra stack?"];
  if (typeof o.endpoint !== "string") problems.push("r2.endpoint is missing");
  if (!Array.isArray(o.buckets) || o.buckets.length === 0) problems.push("r2.buckets is missing");
  if (!o.consumers || Object.keys(o.consumers).length === 0) problems.push("r2.consumers is missing");
  for (const [name, c] of Object.entries(o.consumers ?? {})) {
    if (!c.accessKeyId || !c.secretAccessKey || c.secretAccessKey === "[secret]") {
      problems.push(
        `r2.consumers.${name}: credentials are missing or redacted; read the outputs with --show-secrets`,
      );
    }
  }
  return problems;
}

/** An S3 client for R2 with one set of credentials (path-style, checksums only when required). */
export function r2Client(endpoint: string, region: string, creds: AdminCredentials): S3Client {
  return new S3Client({
    endpoint,
    region,
    forcePathStyle: true,
    credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey },
    // R2 does not support the SDK's default CRC checksums on every call.
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    maxAttempts: 3,
  });
}

function errorName(e: unknown): string {
  const err = e as { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
  return err.name ?? err.Code ?? `HTTP ${err.$metadata?.httpStatusCode ?? "?"}`;
}

const isDenied = (e: unknown) => {
  const err = e as { name?: string; $metadata?: { httpStatusCode?: number } };
  return err.name === "AccessDenied" || err.$metadata?.httpStatusCode === 403;
};

/**
 * Rule problems of one bucket's lifecycle configuration (empty when complete): a missing
 * expiration, a missing multipart abort, or an expiration reaching a tool-retained prefix
 * (Longhorn's incremental backups: longhorn/website PR #1010).
 */
export function lifecycleProblems(
  rules: readonly LifecycleRule[],
  prefixes: readonly string[],
  toolRetained: readonly string[] = [],
): string[] {
  const enabled = rules.filter((r) => r.Status === "Enabled");
  const prefixOf = (r: LifecycleRule) => r.Filter?.Prefix ?? r.Prefix ?? "";
  const problems = prefixes
    .filter((p) => !enabled.some((r) => prefixOf(r) === p && (r.Expiration?.Days ?? 0) > 0))
    .map((p) => `no enabled expiration rule for prefix ${p}`);
  for (const kept of toolRetained) {
    const expiring = enabled.filter(
      (r) => (r.Expiration?.Days ?? 0) > 0 && (kept.startsWith(prefixOf(r)) || prefixOf(r).startsWith(kept)),
    );
    for (const r of expiring) {
      problems.push(
        `rule ${r.ID ?? prefixOf(r)} expires objects under ${kept}, which only its tool may prune`,
      );
    }
  }
  if (!enabled.some((r) => (r.AbortIncompleteMultipartUpload?.DaysAfterInitiation ?? 0) > 0)) {
    problems.push("no rule aborting incomplete multipart uploads");
  }
  return problems;
}

/** Runs every check; `progress` receives each result as soon as it is known. */
export async function runR2Check(
  outputs: R2Outputs,
  options: { admin?: AdminCredentials; progress?: (r: CheckResult) => void } = {},
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const record = async (check: string, fn: () => Promise<string>, expectDenied = false) => {
    const started = Date.now();
    let result: CheckResult;
    try {
      const detail = await fn();
      result = expectDenied
        ? { check, ok: false, detail: `allowed, but must be denied (${detail})`, ms: Date.now() - started }
        : { check, ok: true, detail, ms: Date.now() - started };
    } catch (e) {
      result =
        expectDenied && isDenied(e)
          ? { check, ok: true, detail: `denied (${errorName(e)})`, ms: Date.now() - started }
          : {
              check,
              ok: false,
              detail: `${errorName(e)}: ${(e as Error).message}`,
              ms: Date.now() - started,
            };
    }
    results.push(result);
    options.progress?.(result);
  };
  const run = randomUUID();

  for (const [name, consumer] of Object.entries(outputs.consumers).sort(([a], [b]) => a.localeCompare(b))) {
    const s3 = r2Client(consumer.endpoint ?? outputs.endpoint, outputs.region, consumer);
    const lockDays = outputs.buckets.find((b) => b.name === consumer.bucket)?.lockDays;
    const key = `${consumer.prefix}.r2-check/${run}`;
    const body = `r2-check ${run} ${name}`;
    await record(`${name}: write ${consumer.bucket}/${key}`, async () => {
      await s3.send(new PutObjectCommand({ Bucket: consumer.bucket, Key: key, Body: body }));
      return "written";
    });
    await record(`${name}: read it back`, async () => {
      const answer = await s3.send(new GetObjectCommand({ Bucket: consumer.bucket, Key: key }));
      const text = await answer.Body?.transformToString();
      if (text !== body) throw new Error(`read ${JSON.stringify(text)} instead of the probe`);
      return "same content";
    });
    if (lockDays === undefined) {
      await record(`${name}: delete it`, async () => {
        await s3.send(new DeleteObjectCommand({ Bucket: consumer.bucket, Key: key }));
        return "deleted";
      });
    } else {
      // The bucket lock keeps the probe (and every object) for lockDays, whatever the token.
      await record(
        `${name}: cannot delete it (bucket lock, ${lockDays} days)`,
        async () => {
          await s3.send(new DeleteObjectCommand({ Bucket: consumer.bucket, Key: key }));
          return "the delete succeeded";
        },
        true,
      );
    }
    for (const other of outputs.buckets.filter((b) => b.name !== consumer.bucket)) {
      await record(
        `${name}: denied on ${other.name}`,
        async () => {
          await s3.send(
            new PutObjectCommand({ Bucket: other.name, Key: `.r2-check/${run}`, Body: "denied?" }),
          );
          await s3.send(new DeleteObjectCommand({ Bucket: other.name, Key: `.r2-check/${run}` }));
          return "a write succeeded";
        },
        true,
      );
    }
  }

  for (const bucket of outputs.buckets) {
    const owner = Object.values(outputs.consumers).find((c) => c.bucket === bucket.name);
    const creds = options.admin ?? owner;
    await record(`lifecycle rules of ${bucket.name}`, async () => {
      if (!creds) throw new Error("no credentials can read this bucket; pass admin credentials");
      const s3 = r2Client(owner?.endpoint ?? outputs.endpoint, outputs.region, creds);
      const answer = await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket: bucket.name }));
      const problems = lifecycleProblems(answer.Rules ?? [], bucket.prefixes, bucket.toolRetained);
      if (problems.length > 0) throw new Error(problems.join("; "));
      const kept = bucket.toolRetained?.length ? `; ${bucket.toolRetained.join(", ")} left to its tool` : "";
      return `${answer.Rules?.length ?? 0} rules cover ${bucket.prefixes.join(", ") || "multipart uploads"}${kept}`;
    });
  }
  return results;
}

/** A plain-text report of the results. */
export function renderReport(results: readonly CheckResult[]): string {
  const failed = results.filter((r) => !r.ok);
  const lines = results.map((r) => `${r.ok ? "ok  " : "FAIL"} ${r.check}: ${r.detail} (${r.ms} ms)`);
  lines.push(
    "",
    failed.length === 0
      ? `all ${results.length} checks passed`
      : `${failed.length} of ${results.length} checks failed`,
  );
  return lines.join("\n");
}
