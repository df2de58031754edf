import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Redis from "ioredis";
import { afterAll, describe, expect, it } from "vitest";
import { dataNodeUsers, type RedisPasswords, sentinelUsers } from "../../components/data/redis-acl";
import { renderRedisConf, renderSentinelConf } from "../../components/data/redis-config";
import { requireBinary } from "../helpers/binaries";
import {
  freePort,
  listening,
  startRedis,
  stopRedisProcesses,
  trackClient,
  until,
} from "../helpers/redis-process";

// Each user its own password, as the component renders them (components/data/redis.ts).
const pw = (who: string) => `failover-test-${who}-password-0123456789`;
const PASSWORDS: RedisPasswords = {
  consumers: { enclii: pw("enclii"), janua: pw("janua") },
  replication: pw("replication"),
  monitor: pw("monitor"),
  sentinel: pw("sentinel"),
};
const SENTINEL = { user: "sentinel", password: pw("sentinel") };
const REPLICATION = { user: "replication", password: pw("replication") };
const MASTER = "enclii";
// The configured timing: what production uses (see components/data/redis.ts).
const DOWN_AFTER_MS = 5000;
const FAILOVER_TIMEOUT_MS = 10_000;

afterAll(stopRedisProcesses);

/** A client authenticated as `user` (the data nodes' janua/monitor users, the Sentinels' sentinel user). */
function client(port: number, user: "janua" | "monitor" | "sentinel" = "janua"): Redis {
  const c = new Redis({
    host: "127.0.0.1",
    port,
    username: user,
    password: user === "janua" ? pw("janua") : user === "monitor" ? pw("monitor") : pw("sentinel"),
    enableReadyCheck: false,
    lazyConnect: true,
    maxRetriesPerRequest: 1,
  });
  // Connection errors of the killed master are expected (trackClient ignores them); assertions use
  // command results.
  return trackClient(c);
}

describe("Redis standalone with the rendered redis.conf", () => {
  it("requires AUTH as an ACL user and has AOF on", async (ctx) => {
    requireBinary("redis-server", ctx);
    const dir = mkdtempSync(join(tmpdir(), "redis-standalone-"));
    const port = await freePort();
    startRedis(
      "redis-server",
      renderRedisConf({
        port,
        bind: "127.0.0.1",
        dir,
        users: dataNodeUsers({ ...PASSWORDS, sentinel: undefined }),
        maxMemory: "64Mi",
        maxMemoryPolicy: "noeviction",
      }),
      dir,
      "standalone",
    );
    await listening(port);
    const anonymous = new Redis({
      host: "127.0.0.1",
      port,
      lazyConnect: true,
      maxRetriesPerRequest: 1,
      enableReadyCheck: false,
    });
    anonymous.on("error", () => {});
    trackClient(anonymous);
    await anonymous.connect();
    await expect(anonymous.get("k")).rejects.toThrow(/NOAUTH/);
    // No user may read the config (CONFIG is @dangerous); INFO as monitor shows the settings.
    const monitor = client(port, "monitor");
    await monitor.connect();
    const info = await monitor.info();
    expect(info).toContain("aof_enabled:1");
    expect(info).toContain(`maxmemory:${64 * 1024 * 1024}`);
    const authed = client(port);
    await authed.connect();
    expect(await authed.set("k", "v")).toBe("OK");
  });
});

describe("Redis Sentinel with the rendered configs", () => {
  it("promotes a replica when the master dies; clients follow through Sentinel and keep the data", async (ctx) => {
    requireBinary("redis-server", ctx);
    requireBinary("redis-sentinel", ctx);
    const dir = mkdtempSync(join(tmpdir(), "redis-sentinel-"));
    const ports = await Promise.all([freePort(), freePort(), freePort()]);
    const sentinelPorts = await Promise.all([freePort(), freePort(), freePort()]);
    const master = ports[0] as number;
    const servers = ports.map((port, i) => {
      const nodeDir = mkdtempSync(join(dir, `node-${i}-`));
      return startRedis(
        "redis-server",
        renderRedisConf({
          port,
          bind: "127.0.0.1",
          dir: nodeDir,
          // A test-only admin reads ACL LOG afterwards (no rendered user may).
          users: [
            ...dataNodeUsers(PASSWORDS),
            { name: "testadmin", password: pw("testadmin"), rules: ["~*", "+@all"] },
          ],
          replication: REPLICATION,
          maxMemory: "64Mi",
          maxMemoryPolicy: "noeviction",
          announceHostname: "127.0.0.1",
          replicaOf: i === 0 ? undefined : { host: "127.0.0.1", port: master },
        }),
        nodeDir,
        `redis-${i}`,
      );
    });
    await Promise.all(ports.map(listening));
    const masterClient = client(master, "monitor");
    await masterClient.connect();
    await until("two replicas online", 10_000, async () => {
      const info = await masterClient.info("replication");
      return /connected_slaves:2/.test(info) && (info.match(/state=online/g) ?? []).length === 2
        ? true
        : undefined;
    });

    sentinelPorts.forEach((port, i) => {
      const sentinelDir = mkdtempSync(join(dir, `sentinel-${i}-`));
      startRedis(
        "redis-sentinel",
        renderSentinelConf({
          port,
          bind: "127.0.0.1",
          dir: sentinelDir,
          masterName: MASTER,
          masterHost: "127.0.0.1",
          masterPort: master,
          quorum: 2,
          auth: SENTINEL,
          peer: SENTINEL,
          users: sentinelUsers(PASSWORDS),
          downAfterMilliseconds: DOWN_AFTER_MS,
          failoverTimeoutMilliseconds: FAILOVER_TIMEOUT_MS,
          announceHostname: "127.0.0.1",
        }),
        sentinelDir,
        `sentinel-${i}`,
      );
    });
    await Promise.all(sentinelPorts.map(listening));
    const sentinel = client(sentinelPorts[0] as number, "sentinel");
    await sentinel.connect();
    await until("sentinels to see each other and the replicas", 20_000, async () => {
      const state = (await sentinel.call("SENTINEL", "MASTER", MASTER)) as string[];
      const field = (name: string) => Number(state[state.indexOf(name) + 1]);
      return field("num-other-sentinels") === 2 && field("num-slaves") === 2 ? true : undefined;
    });

    const app = new Redis({
      sentinels: sentinelPorts.map((port) => ({ host: "127.0.0.1", port })),
      name: MASTER,
      // The consumer's one user and password on both: discovery on the Sentinels, data on the nodes.
      username: "janua",
      password: pw("janua"),
      sentinelUsername: "janua",
      sentinelPassword: pw("janua"),
      enableReadyCheck: false,
      maxRetriesPerRequest: 20,
    });
    app.on("error", () => {});
    trackClient(app);
    for (let i = 0; i < 100; i++) await app.set(`key:${i}`, `value-${i}`);
    await app.wait(2, 2000);

    const killedAt = Date.now();
    servers[0]?.kill("SIGKILL");
    const promoted = await until("a new master", 30_000, async () => {
      const [, port] = (await sentinel.call("SENTINEL", "GET-MASTER-ADDR-BY-NAME", MASTER)) as [
        string,
        string,
      ];
      return Number(port) !== master ? Number(port) : undefined;
    });
    const failoverMs = Date.now() - killedAt;
    // Recorded in the issue note: the failover time with down-after-milliseconds 5000.
    console.log(`redis sentinel failover: ${failoverMs} ms (down-after-milliseconds ${DOWN_AFTER_MS})`);

    expect(ports).toContain(promoted);
    expect(await client(promoted, "monitor").info("replication")).toContain("role:master");
    expect(await app.get("key:42")).toBe("value-42");
    expect(await app.set("after-failover", "yes")).toBe("OK");
    expect(await client(promoted).get("after-failover")).toBe("yes");
    expect(failoverMs).toBeLessThan(15_000);
    // The documented Sentinel and replication ACLs sufficed: no denial on any surviving node
    // (Sentinel's SLAVEOF/CONFIG REWRITE/CLIENT KILL in MULTI would be logged here).
    for (const port of ports.filter((p) => p !== master)) {
      const admin = new Redis({
        host: "127.0.0.1",
        port,
        username: "testadmin",
        password: pw("testadmin"),
        lazyConnect: true,
      });
      admin.on("error", () => {});
      trackClient(admin);
      await admin.connect();
      expect(JSON.stringify(await admin.call("ACL", "LOG"))).toBe("[]");
    }
    // A consumer may only discover the master on the Sentinels.
    const discovery = client(sentinelPorts[1] as number);
    await discovery.connect();
    await expect(discovery.call("SENTINEL", "FAILOVER", MASTER)).rejects.toThrow(/NOPERM/);
    await expect(discovery.call("SENTINEL", "SET", MASTER, "quorum", "1")).rejects.toThrow(/NOPERM/);
  }, 90_000);
});
