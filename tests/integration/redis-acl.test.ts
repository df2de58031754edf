/**
 * The rendered ACL on a real redis-server (Debian's, 7.0.15 here; the pinned image is 8.2): each
 * consumer authenticates as its own user the way its client library does, runs the commands its
 * code issues, and is refused the dangerous ones and the other users' passwords; replication
 * runs as its user; redis_exporter (Debian's prometheus-redis-exporter) scrapes as `monitor`.
 */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dataNodeUsers, type RedisPasswords } from "../../components/data/redis-acl";
import { renderRedisConf } from "../../components/data/redis-config";
import { hasBinary, requireBinary } from "../helpers/binaries";
import {
  freePort,
  listening,
  redisClient,
  startRedis,
  stopRedisProcesses,
  trackClient,
  until,
} from "../helpers/redis-process";

const pw = (who: string) => `${who}-acl-test-password-0123456789`;
const SHARED: RedisPasswords = {
  consumers: { enclii: pw("enclii"), janua: pw("janua") },
  replication: pw("replication"),
  monitor: pw("monitor"),
};
const JANUA = { username: "janua", password: pw("janua") };
const MONITOR = { username: "monitor", password: pw("monitor") };
const ADMIN = { username: "testadmin", password: pw("testadmin") };

afterAll(stopRedisProcesses);

function node(port: number, dir: string, passwords: RedisPasswords, replicaOf?: number): string {
  return renderRedisConf({
    port,
    bind: "127.0.0.1",
    dir,
    users: dataNodeUsers(passwords),
    replication: { user: "replication", password: passwords.replication },
    maxMemory: "64Mi",
    maxMemoryPolicy: "noeviction",
    ...(replicaOf ? { replicaOf: { host: "127.0.0.1", port: replicaOf } } : {}),
  });
}

/** Rejects with the server's error for a command the user may not run. */
async function refused(c: Redis, ...command: [string, ...(string | number)[]]): Promise<string> {
  try {
    await c.call(...command);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`${command.join(" ")} was allowed`);
}

describe("the shared Redis with one ACL user per consumer", () => {
  let port = 0;

  beforeAll(async () => {
    if (!hasBinary("redis-server")) return;
    const dir = mkdtempSync(join(tmpdir(), "redis-acl-"));
    port = await freePort();
    // DEBUG is also off by default (enable-debug-command no); on here so the ACL is what refuses it.
    // A test-only admin reads ACL LOG (no rendered user may).
    const testOnly = `enable-debug-command yes\nuser testadmin reset on >${ADMIN.password} ~* &* +@all\n`;
    startRedis("redis-server", `${node(port, dir, SHARED)}${testOnly}`, dir, "shared");
    await listening(port);
  });

  it("refuses a client that does not authenticate, and AUTH as default with a consumer's other password", async (ctx) => {
    requireBinary("redis-server", ctx);
    const anonymous = await redisClient(port);
    await expect(anonymous.get("k")).rejects.toThrow(/NOAUTH/);
    await expect(anonymous.auth("default", pw("janua"))).rejects.toThrow(/WRONGPASS/);
    await expect(anonymous.auth(pw("janua"))).rejects.toThrow(/WRONGPASS/);
  });

  it("lets Janua in as janua (redis-py from_url sends AUTH janua <pw>) and run what its code runs", async (ctx) => {
    requireBinary("redis-server", ctx);
    const janua = await redisClient(port, JANUA, { db: 1 });
    expect(await janua.call("ACL", "WHOAMI")).toBe("janua");
    // app/core/redis.py SessionStore, RateLimiter; services/cache.py; redis-py Lock (EVALSHA).
    expect(await janua.set("session:abc", "v", "EX", 60)).toBe("OK");
    expect(await janua.get("session:abc")).toBe("v");
    expect(await janua.expire("session:abc", 120)).toBe(1);
    expect(await janua.ttl("session:abc")).toBeGreaterThan(60);
    await janua.hset("session:h", { user: "u1" });
    expect(await janua.hgetall("session:h")).toEqual({ user: "u1" });
    const [seconds = 0] = await janua.time();
    const pipeline = await janua
      .multi()
      .zremrangebyscore("rate_limit:ip", 0, Number(seconds) - 60)
      .zcard("rate_limit:ip")
      .zadd("rate_limit:ip", Number(seconds), String(seconds))
      .expire("rate_limit:ip", 60)
      .exec();
    expect(pipeline?.every(([err]) => err === null)).toBe(true);
    expect(await janua.setex("mfa:code", 30, "123456")).toBe("OK");
    expect(await janua.incr("counter")).toBe(1);
    expect(await janua.keys("session:*")).toEqual(expect.arrayContaining(["session:abc", "session:h"]));
    expect(await janua.scan(0, "MATCH", "session:*")).toHaveLength(2);
    expect(await janua.unlink("counter")).toBe(1);
    const sha = (await janua.script("LOAD", "return redis.call('GET', KEYS[1])")) as string;
    expect(await janua.evalsha(sha, 1, "session:abc")).toBe("v");
  });

  it("refuses Janua FLUSHALL, FLUSHDB, CONFIG SET/GET, DEBUG, INFO, SWAPDB, CLIENT LIST/KILL, REPLICAOF, SHUTDOWN, SCRIPT FLUSH, FUNCTION and Pub/Sub", async (ctx) => {
    requireBinary("redis-server", ctx);
    const janua = await redisClient(port, JANUA);
    for (const command of [
      ["FLUSHALL"],
      ["FLUSHDB"],
      ["CONFIG", "SET", "maxmemory", "1"],
      ["CONFIG", "GET", "masterauth"],
      ["DEBUG", "SLEEP", "0"],
      ["INFO"],
      ["SWAPDB", "0", "1"],
      ["CLIENT", "LIST"],
      ["CLIENT", "KILL", "TYPE", "normal"],
      ["REPLICAOF", "NO", "ONE"],
      ["SHUTDOWN", "NOSAVE"],
      ["ACL", "SETUSER", "janua", "+@all"],
      // Server-wide although not @dangerous: the other consumer's scripts and functions.
      ["SCRIPT", "FLUSH"],
      ["FUNCTION", "FLUSH"],
      ["FUNCTION", "DELETE", "lib"],
    ] as [string, ...string[]][]) {
      expect(await refused(janua, ...command), command.join(" ")).toMatch(/NOPERM/);
    }
    expect(await refused(janua, "PUBLISH", "events", "x")).toMatch(/NOPERM.*channel/);
  });

  it("lets the control plane in as default (go-redis v9 sends HELLO AUTH default <pw>) with KEYS, INFO and Pub/Sub, not FLUSHALL", async (ctx) => {
    requireBinary("redis-server", ctx);
    const enclii = await redisClient(port);
    // go-redis sends HELLO 3; ioredis speaks RESP2 only, and HELLO 2 takes the same AUTH path.
    await enclii.call("HELLO", "2", "AUTH", "default", pw("enclii"));
    expect(await enclii.call("ACL", "WHOAMI")).toBe("default");
    // internal/cache/redis.go: Set/Get/Expire/Exists, InvalidatePattern (KEYS), GetMetrics (INFO stats), Publish.
    expect(await enclii.set("session:revoked:s1", "revoked", "EX", 60)).toBe("OK");
    expect(await enclii.exists("session:revoked:s1")).toBe(1);
    expect(await enclii.expire("session:revoked:s1", 30)).toBe(1);
    expect(await enclii.sadd("tag:project", "project:1")).toBe(1);
    expect(await enclii.keys("session:revoked:*")).toEqual(["session:revoked:s1"]);
    expect(await enclii.info("stats")).toContain("keyspace_hits:");
    expect(await enclii.publish("deployments", "x")).toBe(0);
    for (const command of [["FLUSHALL"], ["CONFIG", "SET", "maxmemory", "1"], ["DEBUG", "SLEEP", "0"]] as [
      string,
      ...string[],
    ][]) {
      expect(await refused(enclii, ...command), command.join(" ")).toMatch(/NOPERM/);
    }
  });

  it("refuses each consumer's password for the other users", async (ctx) => {
    requireBinary("redis-server", ctx);
    const c = await redisClient(port);
    await expect(c.auth("janua", pw("enclii"))).rejects.toThrow(/WRONGPASS/);
    await expect(c.auth("default", pw("janua"))).rejects.toThrow(/WRONGPASS/);
    await expect(c.auth("monitor", pw("janua"))).rejects.toThrow(/WRONGPASS/);
    await expect(c.auth("replication", pw("enclii"))).rejects.toThrow(/WRONGPASS/);
  });

  it("lets monitor run what redis_exporter runs and nothing that reads data or config", async (ctx) => {
    requireBinary("redis-server", ctx);
    const monitor = await redisClient(port, MONITOR);
    // redis_exporter exporter.go scrapeRedisHost, latency.go, slowlog.go, commandlog.go.
    expect(await monitor.call("CLIENT", "SETNAME", "redis_exporter")).toBe("OK");
    expect(await monitor.call("PING")).toBe("PONG");
    expect(await monitor.call("INFO", "ALL")).toContain("maxmemory:");
    expect(await monitor.call("LATENCY", "LATEST")).toEqual([]);
    expect(await monitor.call("LATENCY", "HISTOGRAM")).toBeInstanceOf(Array);
    expect(await monitor.call("SLOWLOG", "LEN")).toBeTypeOf("number");
    expect(await monitor.call("SLOWLOG", "GET", "1")).toBeInstanceOf(Array);
    expect(await monitor.call("COMMAND", "INFO", "COMMANDLOG")).toBeInstanceOf(Array);
    for (const command of [
      ["CONFIG", "GET", "*"],
      ["GET", "session:abc"],
      ["KEYS", "*"],
      ["CLIENT", "KILL", "TYPE", "normal"],
    ] as [string, ...string[]][]) {
      expect(await refused(monitor, ...command), command.join(" ")).toMatch(/NOPERM/);
    }
  });

  it("scrapes with the real redis_exporter as monitor: redis_up 1 and no ACL denial", async (ctx) => {
    requireBinary("redis-server", ctx);
    requireBinary("prometheus-redis-exporter", ctx);
    const admin = await redisClient(port, ADMIN);
    await admin.call("ACL", "LOG", "RESET");
    const webPort = await freePort();
    const exporter = spawn("prometheus-redis-exporter", [], {
      env: {
        ...process.env,
        REDIS_ADDR: `redis://127.0.0.1:${port}`,
        REDIS_USER: "monitor",
        REDIS_PASSWORD: pw("monitor"),
        REDIS_EXPORTER_CONFIG_COMMAND: "-",
        REDIS_EXPORTER_WEB_LISTEN_ADDRESS: `127.0.0.1:${webPort}`,
      },
      stdio: "ignore",
    });
    try {
      await listening(webPort);
      const metrics = await until("a scrape", 10_000, async () => {
        const text = await (await fetch(`http://127.0.0.1:${webPort}/metrics`)).text();
        return text.includes("redis_up") ? text : undefined;
      });
      expect(metrics).toMatch(/^redis_up 1$/m);
      expect(metrics).toMatch(/^redis_memory_max_bytes 6\.7108864e\+07$/m);
      // The exporter's commands were all allowed: the ACL log records every NOPERM of a user.
      const log = JSON.stringify(await admin.call("ACL", "LOG"));
      expect(log).not.toContain('"monitor"');
    } finally {
      exporter.kill("SIGKILL");
    }
  });
});

describe("a dedicated Janua's Redis (janua only)", () => {
  it("keeps default off: no password, not even the Janua one, authenticates as default", async (ctx) => {
    requireBinary("redis-server", ctx);
    const dir = mkdtempSync(join(tmpdir(), "redis-acl-dedicated-"));
    const port = await freePort();
    const passwords = { consumers: { janua: pw("janua") }, replication: pw("r"), monitor: pw("m") };
    startRedis("redis-server", node(port, dir, passwords), dir, "dedicated");
    await listening(port);
    const c = await redisClient(port);
    await expect(c.get("k")).rejects.toThrow(/NOAUTH/);
    await expect(c.auth(pw("janua"))).rejects.toThrow(/WRONGPASS/);
    await expect(c.auth("default", "")).rejects.toThrow(/WRONGPASS/);
    const janua = await redisClient(port, JANUA);
    expect(await janua.set("k", "v")).toBe("OK");
  });
});

describe("replication as the replication user", () => {
  it("a replica syncs with masteruser replication, and that user cannot read keys", async (ctx) => {
    requireBinary("redis-server", ctx);
    const dir = mkdtempSync(join(tmpdir(), "redis-acl-repl-"));
    const [master, replica] = [await freePort(), await freePort()];
    startRedis("redis-server", node(master, mkdtempSync(join(dir, "m-")), SHARED), dir, "master");
    await listening(master);
    const writer = await redisClient(master, JANUA);
    await writer.set("replicated", "yes");
    startRedis("redis-server", node(replica, mkdtempSync(join(dir, "r-")), SHARED, master), dir, "replica");
    await listening(replica);
    const reader = await redisClient(replica, JANUA);
    expect(
      await until("the replica to sync", 15_000, async () =>
        (await reader.get("replicated")) === "yes" ? true : undefined,
      ),
    ).toBe(true);
    const monitor = await redisClient(replica, MONITOR);
    expect(await monitor.info("replication")).toContain("master_link_status:up");
    const replication = await redisClient(master, { username: "replication", password: pw("replication") });
    expect(await refused(replication, "GET", "replicated")).toMatch(/NOPERM/);
    trackClient(replication);
  });
});
