import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { lifecycleRules } from "../../components/edge/r2-plan";
import { lifecycleProblems } from "../../scripts/lib/r2-check";
import { ROOT } from "../helpers/plan-cli";
import { bucketName, keysFor, runScript, TEST_SPECS, writeR2Outputs } from "../helpers/r2-fixture";
import { FakeR2, lifecycleXml, type ScopedKey } from "../helpers/r2-server";

let server: FakeR2 | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function startR2(
  keys: ScopedKey[],
  withoutLifecycle: string[] = [],
  locked = TEST_SPECS.filter((s) => s.lockDays !== undefined).map((s) => s.name),
) {
  const lifecycles = Object.fromEntries(
    TEST_SPECS.filter((s) => !withoutLifecycle.includes(s.name)).map((s) => [
      s.name,
      lifecycleXml(lifecycleRules(s, 30)),
    ]),
  );
  server = new FakeR2(
    TEST_SPECS.map((s) => s.name),
    keys,
    lifecycles,
    locked,
  );
  return writeR2Outputs(await server.start(), keys);
}

const runCheck = (file: string) => runScript("r2-check.ts", ["--outputs", file]);

describe("r2-check against a local S3 server", () => {
  it("passes when every consumer is scoped to its bucket and lifecycle rules exist", async () => {
    const file = await startR2(keysFor((_c, own) => [own]));
    const run = await runCheck(file);
    expect(run.stdout, run.stderr).toContain("checks passed");
    expect(run.status).toBe(0);
    expect(run.stderr).toContain("ok   cnpg: write enclii-test-cnpg/cnpg/.r2-check/");
    expect(run.stdout).toContain("ok   artifacts: denied on enclii-test-cnpg: denied (AccessDenied)");
    // A tenant's own archive key reaches neither the shared cluster's archive nor the etcd snapshots.
    expect(run.stdout).toContain("ok   cnpg-janua-globex: denied on enclii-test-cnpg: denied (AccessDenied)");
    expect(run.stdout).toContain("ok   cnpg-janua-globex: denied on enclii-test-etcd: denied (AccessDenied)");
    expect(run.stdout).toContain(
      "ok   audit: cannot delete it (bucket lock, 90 days): denied (AccessDenied)",
    );
  });

  it("fails when the audit archive has no bucket lock, since its token can delete", async () => {
    // R2's "Object Read & Write" includes deletes (developers.cloudflare.com/r2/api/tokens);
    // only a bucket lock (r2/buckets/bucket-locks) keeps the archive.
    const file = await startR2(
      keysFor((_c, own) => [own]),
      [],
      [],
    );
    const run = await runCheck(file);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(
      "FAIL audit: cannot delete it (bucket lock, 90 days): allowed, but must be denied (the delete succeeded)",
    );
  });

  it("fails when a token can write to a bucket it must not touch", async () => {
    const file = await startR2(keysFor((c, own) => (c === "audit" ? [own, bucketName("longhorn")] : [own])));
    const run = await runCheck(file);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain("FAIL audit: denied on enclii-test-longhorn: allowed, but must be denied");
  });

  it("fails when a bucket has no lifecycle rules", async () => {
    const file = await startR2(
      keysFor((_c, own) => [own]),
      [bucketName("audit")],
    );
    const run = await runCheck(file);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(
      "FAIL lifecycle rules of enclii-test-audit-archive: NoSuchLifecycleConfiguration",
    );
  });

  it("fails when an access key is unknown to the server (a revoked or mistyped token)", async () => {
    const file = await startR2(keysFor((_c, own) => [own]));
    const outputs = JSON.parse(readFileSync(file, "utf8"));
    outputs.r2.consumers.cnpg.accessKeyId = "AKREVOKED";
    writeFileSync(file, JSON.stringify(outputs));
    const run = await runCheck(file);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/FAIL cnpg: write .*InvalidAccessKeyId/);
  });

  it("exits 2 when the outputs were read without --show-secrets", () => {
    const file = join(mkdtempSync(join(tmpdir(), "r2-outputs-")), "outputs.json");
    writeFileSync(
      file,
      JSON.stringify({
        r2: {
          endpoint: "https://x",
          region: "auto",
          buckets: [{ key: "b", name: "b", prefixes: [] }],
          consumers: {
            cnpg: { bucket: "b", prefix: "cnpg/", accessKeyId: "id", secretAccessKey: "[secret]" },
          },
        },
      }),
    );
    const tsx = join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");
    const run = spawnSync(process.execPath, [tsx, "scripts/r2-check.ts", "--outputs", file], {
      cwd: ROOT,
      encoding: "utf8",
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(
      "r2.consumers.cnpg: credentials are missing or redacted; read the outputs with --show-secrets",
    );
  });
});

describe("lifecycle rule check", () => {
  it("names each prefix without an expiration rule and a missing multipart abort", () => {
    expect(
      lifecycleProblems(
        [{ ID: "a", Status: "Enabled", Filter: { Prefix: "cnpg/" }, Expiration: { Days: 37 } }],
        ["cnpg/", "etcd/"],
      ),
    ).toEqual([
      "no enabled expiration rule for prefix etcd/",
      "no rule aborting incomplete multipart uploads",
    ]);
  });

  it("flags an age-based expiration over Longhorn's incremental backups (longhorn/website PR #1010)", () => {
    const abort = {
      ID: "abort",
      Status: "Enabled" as const,
      AbortIncompleteMultipartUpload: { DaysAfterInitiation: 7 },
    };
    expect(lifecycleProblems([abort], [], ["longhorn/"])).toEqual([]);
    expect(
      lifecycleProblems(
        [abort, { ID: "expire-all", Status: "Enabled", Filter: { Prefix: "" }, Expiration: { Days: 30 } }],
        [],
        ["longhorn/"],
      ),
    ).toEqual(["rule expire-all expires objects under longhorn/, which only its tool may prune"]);
  });
});
