/**
 * The Janua providers run from their serialized text, as `pulumi up`, `refresh` and `destroy` run
 * them (both providers loaded into one Node process, as the engine's dynamic provider host does),
 * against the local model of Janua (tests/helpers/janua-server.ts); the previous provider
 * (version 1, tests/helpers/janua-provider-v1.ts) against the same model; the rate limits.
 */
import { copyFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  JANUA_PROVIDER_VERSION,
  type JanuaConnection,
  januaRequest,
} from "../../components/auth/janua-provider";
import { FAST_TIMING, januaFixture, spendSignIns } from "../helpers/janua-fixtures";
import { runSerialized, serializeProvider } from "../helpers/serialized";

const fx = januaFixture();

type Outs = Record<string, unknown>;
type Created = { id: string; outs: Outs };

const client = (connection: JanuaConnection, n = 0) => ({
  connection,
  clientKey: `tenant-${n}`,
  name: `Tenant ${n}`,
  redirectUris: [`https://t${n}.enclii.dev/callback`],
  providerVersion: JANUA_PROVIDER_VERSION,
});

/** Serialized once for the file (each serialization compiles the module in its own process). */
let current: { files: string[]; dir: string };
let v1: { clients: string; organizations: string; dir: string };
beforeAll(() => {
  const c = serializeProvider("components/auth/janua-provider.ts", "januaOAuthClientProvider");
  const o = serializeProvider("components/auth/janua-provider.ts", "januaOrganizationProvider");
  expect(c.text).not.toMatch(/require\("\.\.?\//);
  expect(o.text).not.toMatch(/require\("\.\.?\//);
  const file = join(c.dir, "januaOrganizationProvider.js");
  copyFileSync(o.file, file);
  current = { files: [c.file, file], dir: c.dir };
  const oc = serializeProvider("tests/helpers/janua-provider-v1.ts", "januaOAuthClientProvider");
  const oo = serializeProvider("tests/helpers/janua-provider-v1.ts", "januaOrganizationProvider");
  v1 = { clients: oc.file, organizations: oo.file, dir: oc.dir };
}, 240_000);

describe("serialized like the engine does", () => {
  it("runs up, an update, a refresh after an out-of-band delete and a destroy of an organization and its client, signing in once per run", async () => {
    const conn = await fx.start({ organizationDeleteCommits: true });
    const { files, dir } = current;
    const orgInputs = {
      connection: conn,
      name: "Acme",
      slug: "acme",
      providerVersion: JANUA_PROVIDER_VERSION,
    };
    const [org] = (await runSerialized(files, dir, [
      { provider: 1, method: "create", args: [orgInputs] },
    ])) as Created[];
    const inputs = { ...client(conn), organizationId: org?.id };
    const renamed = { ...inputs, name: "Acme Corp" };
    const [created] = (await runSerialized(files, dir, [{ method: "create", args: [inputs] }])) as Created[];
    const id = String(created?.id);
    const [diff, updated, read] = (await runSerialized(files, dir, [
      { method: "diff", args: [id, created?.outs, renamed] },
      { method: "update", args: [id, created?.outs, renamed] },
      { method: "read", args: [id, created?.outs] },
    ])) as [Outs, { outs: Outs }, { id: string; props: Outs }];
    expect(diff).toMatchObject({ changes: true, replaces: [] });
    expect(updated.outs).toMatchObject({
      januaId: id,
      name: "Acme Corp",
      clientSecret: created?.outs.clientSecret,
    });
    expect(read).toMatchObject({ id, props: { name: "Acme Corp", organizationId: org?.id } });
    // One sign-in per provider process that called as the admin: the organization's create, then
    // the update and read (the client's create needed none: /register takes the internal key).
    expect(fx.janua.signIns()).toBe(2);

    fx.janua.clients.delete(id);
    const [refreshed, orgRead] = (await runSerialized(files, dir, [
      { method: "read", args: [id, updated.outs] },
      { provider: 1, method: "read", args: [org?.id, org?.outs] },
    ])) as { id: string }[];
    expect(refreshed?.id).toBe("");
    expect(orgRead?.id).toBe(org?.id);

    const [again] = (await runSerialized(files, dir, [{ method: "create", args: [renamed] }])) as Created[];
    await runSerialized(files, dir, [
      { method: "delete", args: [again?.id, again?.outs] },
      { provider: 1, method: "delete", args: [org?.id, org?.outs] },
    ]);
    expect(fx.janua.clients.size).toBe(0);
    expect(fx.janua.organizations.size).toBe(0);
  });

  it("shares one sign-in between the organization and the client provider of one process", async () => {
    const conn = await fx.start();
    const { files, dir } = current;
    const orgInputs = {
      connection: conn,
      name: "Acme",
      slug: "acme",
      providerVersion: JANUA_PROVIDER_VERSION,
    };
    const [org] = (await runSerialized(files, dir, [
      { provider: 1, method: "create", args: [orgInputs] },
    ])) as Created[];
    const [created] = (await runSerialized(files, dir, [
      { method: "create", args: [client(conn)] },
    ])) as Created[];
    const before = fx.janua.signIns();
    await runSerialized(files, dir, [
      {
        parallel: [
          { provider: 1, method: "read", args: [org?.id, org?.outs] },
          { method: "read", args: [created?.id, created?.outs] },
        ],
      },
    ]);
    expect(fx.janua.signIns() - before).toBe(1);
  });

  it("creates, refreshes and destroys 30 clients at once in one process with one sign-in and no 429", async () => {
    const conn = await fx.start();
    const { files, dir } = current;
    const all = Array.from({ length: 30 }, (_, n) => client(conn, n));
    const [created] = (await runSerialized(files, dir, [
      { parallel: all.map((inputs) => ({ method: "create", args: [inputs] })) },
    ])) as Created[][];
    expect(fx.janua.clients.size).toBe(30);
    await runSerialized(files, dir, [
      { parallel: (created ?? []).map((c) => ({ method: "read", args: [c.id, c.outs] })) },
      { parallel: (created ?? []).map((c) => ({ method: "delete", args: [c.id, c.outs] })) },
    ]);
    expect(fx.janua.clients.size).toBe(0);
    expect(fx.janua.signIns()).toBe(1);
    expect(fx.janua.requests.filter((r) => r.status === 429)).toEqual([]);
  });

  it.for([
    ["without Retry-After, waiting the window slowapi names", false],
    ["honouring Retry-After", true],
  ] as const)("survives a 429 burst on sign-in %s", async ([, headers]) => {
    const conn = await fx.start({ signInLimit: { windowMs: 4000 }, rateLimitHeaders: headers });
    // Other callers behind the same tunnel address used this window's five sign-ins.
    await spendSignIns(conn.baseUrl);
    const { files, dir } = current;
    const inputs = client(conn);
    await januaRequest(conn, "POST", "/api/v1/oauth/clients/register", "seed", {
      internalKey: true,
      body: { name: inputs.name, client_key: inputs.clientKey, redirect_uris: inputs.redirectUris },
    });
    const [adopted] = (await runSerialized(files, dir, [{ method: "create", args: [inputs] }])) as Created[];
    expect(adopted?.outs.clientSecret).toMatch(/^jns_/);
    expect(fx.janua.requests.filter((r) => r.status === 429).length).toBeGreaterThanOrEqual(1);
    expect(fx.janua.signIns()).toBe(6);
  });

  it("gives up on a limit longer than it may wait, naming the limit", async () => {
    const conn = await fx.start();
    await spendSignIns(conn.baseUrl);
    const { files, dir } = current;
    const limited = { ...conn, timing: { ...FAST_TIMING, maxRateLimitWaitMs: 1000 } };
    await expect(
      runSerialized(files, dir, [
        { provider: 1, method: "create", args: [{ connection: limited, name: "Acme", slug: "acme" }] },
      ]),
    ).rejects.toThrow(
      "Janua rate-limited the admin sign-in (429: Rate limit exceeded: 5 per 1 minute) and still refused it after 0 wait(s)",
    );
  });
});

describe("a stack written by provider version 1", () => {
  it("fails its stored read and delete against Janua (the jnc_ id is not a UUID); one update by the current provider migrates it", async () => {
    const conn = await fx.start();
    const old = { file: v1.clients, dir: v1.dir };
    const { files, dir } = current;
    const { providerVersion: _v, ...v1Inputs } = client(conn);
    const [stored] = (await runSerialized(old.file, old.dir, [
      { method: "create", args: [v1Inputs] },
    ])) as Created[];
    expect(stored?.id).toMatch(/^jnc_/);
    // Version 1 sends the jnc_ id, which Janua parses as a UUID: 400. (Its JanuaError class also
    // reaches the engine without a message: the serialized constructor calls Error.call(this).)
    await expect(
      runSerialized(old.file, old.dir, [{ method: "read", args: [stored?.id, stored?.outs] }]),
    ).rejects.toThrow("[object Object]");
    await expect(
      runSerialized(old.file, old.dir, [{ method: "delete", args: [stored?.id, stored?.outs] }]),
    ).rejects.toThrow();
    expect(
      fx.janua.requests.filter((r) => r.path.includes("jnc_")).map((r) => `${r.method} ${r.status}`),
    ).toEqual(["GET 400", "DELETE 400"]);

    const news = client(conn);
    const [diff, updated] = (await runSerialized(files, dir, [
      { method: "diff", args: [stored?.id, stored?.outs, news] },
      { method: "update", args: [stored?.id, stored?.outs, news] },
    ])) as [Outs, { outs: Outs }];
    expect(diff).toMatchObject({ changes: true, replaces: [] });
    const januaId = [...fx.janua.clients.keys()][0];
    expect(updated.outs).toMatchObject({
      januaId,
      clientId: stored?.id,
      clientSecret: stored?.outs.clientSecret,
    });
    // The engine keeps the jnc_ id; the stored januaId is what the current read and delete use.
    const [read] = (await runSerialized(files, dir, [
      { method: "read", args: [stored?.id, updated.outs] },
      { method: "delete", args: [stored?.id, updated.outs] },
    ])) as { id: string; props: Outs }[];
    expect(read).toMatchObject({ id: stored?.id, props: { januaId } });
    expect(fx.janua.clients.size).toBe(0);
  });

  it("reads an organization past the admin list's first page as gone, so refresh must wait for the migrating up", async () => {
    const conn = await fx.start();
    for (let i = 0; i < 20; i++) fx.janua.addForeignOrganization({ name: `Org ${i}`, slug: `org-${i}` });
    const old = { file: v1.organizations, dir: v1.dir };
    const { files, dir } = current;
    const inputs = { connection: conn, name: "Acme", slug: "acme" };
    const [stored] = (await runSerialized(old.file, old.dir, [
      { method: "create", args: [inputs] },
    ])) as Created[];
    const [oldRead] = (await runSerialized(old.file, old.dir, [
      { method: "read", args: [stored?.id, stored?.outs] },
    ])) as {
      id: string;
    }[];
    expect(oldRead?.id).toBe("");
    const [, read] = (await runSerialized(files, dir, [
      {
        provider: 1,
        method: "update",
        args: [stored?.id, stored?.outs, { ...inputs, providerVersion: JANUA_PROVIDER_VERSION }],
      },
      { provider: 1, method: "read", args: [stored?.id, stored?.outs] },
    ])) as { id: string }[];
    expect(read?.id).toBe(stored?.id);
  });
});
