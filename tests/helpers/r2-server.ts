/**
 * An S3-compatible server on 127.0.0.1 that behaves like R2 for the checks: s3rver (real S3
 * protocol; it knows the registered access keys but does not verify SigV4 signatures) behind a
 * front that adds what R2 does and s3rver does not: API tokens scoped to buckets
 * (403 AccessDenied elsewhere), bucket lifecycle configurations, and bucket locks (a delete in a
 * locked bucket is refused; R2 does not document the error code, 403 AccessDenied is assumed).
 */
import { mkdtempSync, rmSync, utimesSync } from "node:fs";
import { createServer, request, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { LifecycleRule } from "../../components/edge/r2-plan";

// s3rver ships no types.
type S3rverInstance = { run(): Promise<{ port: number }>; close(): Promise<void> };
const S3rver = require("s3rver") as new (options: Record<string, unknown>) => S3rverInstance;
const { DUMMY_ACCOUNT } = require("s3rver/lib/models/account") as {
  DUMMY_ACCOUNT: { createKeyPair(id: string, secret: string): void; revokeAccessKey(id: string): void };
};

/** A key pair and the buckets it may use. */
export interface ScopedKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly buckets: string[];
}

/** R2 lifecycle rules as the S3 API returns them. */
export function lifecycleXml(rules: readonly LifecycleRule[]): string {
  const body = rules
    .map((r) => {
      const days = (seconds?: number) => Math.round((seconds ?? 0) / 86_400);
      const expiration = r.deleteObjectsTransition
        ? `<Expiration><Days>${days(r.deleteObjectsTransition.condition.maxAge)}</Days></Expiration>`
        : "";
      const abort = r.abortMultipartUploadsTransition
        ? `<AbortIncompleteMultipartUpload><DaysAfterInitiation>${days(r.abortMultipartUploadsTransition.condition.maxAge)}</DaysAfterInitiation></AbortIncompleteMultipartUpload>`
        : "";
      return `<Rule><ID>${r.id}</ID><Filter><Prefix>${r.conditions.prefix}</Prefix></Filter><Status>${r.enabled ? "Enabled" : "Disabled"}</Status>${expiration}${abort}</Rule>`;
    })
    .join("");
  return `<?xml version="1.0" encoding="UTF-8"?><LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${body}</LifecycleConfiguration>`;
}

const errorXml = (code: string, message: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;

/** The fake R2. */
export class FakeR2 {
  url = "";
  private s3rver?: S3rverInstance;
  private front?: Server;
  private readonly dir = mkdtempSync(join(tmpdir(), "fake-r2-"));

  constructor(
    readonly buckets: string[],
    readonly keys: ScopedKey[],
    /** Lifecycle XML per bucket; a bucket without one answers NoSuchLifecycleConfiguration. */
    readonly lifecycles: Record<string, string>,
    /** Buckets with a bucket lock: every object delete is refused (objects are younger than it). */
    readonly locked: readonly string[] = [],
  ) {}

  async start(): Promise<string> {
    for (const key of this.keys) DUMMY_ACCOUNT.createKeyPair(key.accessKeyId, key.secretAccessKey);
    this.s3rver = new S3rver({
      port: 0,
      address: "127.0.0.1",
      silent: true,
      directory: this.dir,
      configureBuckets: this.buckets.map((name) => ({ name })),
    });
    const { port: backend } = await this.s3rver.run();
    this.front = createServer((req, res) => {
      const url = new URL(req.url ?? "/", "http://x");
      const bucket = url.pathname.split("/")[1] ?? "";
      const akid = /Credential=([^/]+)\//.exec(req.headers.authorization ?? "")?.[1];
      const key = this.keys.find((k) => k.accessKeyId === akid);
      if (key && bucket && !key.buckets.includes(bucket)) {
        res.writeHead(403, { "content-type": "application/xml" });
        res.end(errorXml("AccessDenied", "Access Denied"));
        return;
      }
      const objectKey = url.pathname.split("/").slice(2).join("/");
      if (req.method === "DELETE" && objectKey && this.locked.includes(bucket)) {
        res.writeHead(403, { "content-type": "application/xml" });
        res.end(errorXml("AccessDenied", "Object is locked by a bucket lock rule"));
        return;
      }
      if (url.searchParams.has("lifecycle") && req.method === "GET") {
        const xml = this.lifecycles[bucket];
        res.writeHead(xml ? 200 : 404, { "content-type": "application/xml" });
        res.end(
          xml ?? errorXml("NoSuchLifecycleConfiguration", "The lifecycle configuration does not exist"),
        );
        return;
      }
      const upstream = request(
        { host: "127.0.0.1", port: backend, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => this.front?.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.front.address() as AddressInfo).port}`;
    return this.url;
  }

  /**
   * Sets an object's Last-Modified (s3rver answers the mtime of its stored file), so a test can
   * seed objects of chosen ages.
   */
  backdate(bucket: string, key: string, at: Date): void {
    const parts = key.split("/");
    const file = join(this.dir, bucket, ...parts.slice(0, -1), `${parts.at(-1)}._S3rver_object`);
    utimesSync(file, at, at);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.front?.close(() => resolve()));
    await this.s3rver?.close();
    for (const key of this.keys) DUMMY_ACCOUNT.revokeAccessKey(key.accessKeyId);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
