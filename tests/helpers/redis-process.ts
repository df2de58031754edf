/**
 * Real redis-server / redis-sentinel processes on 127.0.0.1 for tests: start one on a rendered
 * config, wait for it, connect as a given user. Every process and client is closed by
 * `stopRedisProcesses()` (call it in afterAll).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { connect, createServer } from "node:net";
import { join } from "node:path";
import Redis, { type RedisOptions } from "ioredis";

const processes: ChildProcess[] = [];
const clients: Redis[] = [];

/** Kills every started process and disconnects every client. */
export function stopRedisProcesses(): void {
  for (const c of clients) c.disconnect();
  for (const p of processes) if (p.exitCode === null) p.kill("SIGKILL");
}

/** A TCP port nothing listens on. */
export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Writes `conf` to `<dir>/<name>.conf` and starts `binary` on it; its output is kept for errors. */
export function startRedis(
  binary: string,
  conf: string,
  dir: string,
  name: string,
): ChildProcess & { log: string[] } {
  const file = join(dir, `${name}.conf`);
  writeFileSync(file, conf);
  const child = spawn(binary, [file], { stdio: ["ignore", "pipe", "pipe"] }) as ChildProcess & {
    log: string[];
  };
  child.log = [];
  child.stdout?.on("data", (d) => child.log.push(String(d)));
  child.stderr?.on("data", (d) => child.log.push(String(d)));
  processes.push(child);
  return child;
}

/** Polls `probe` until it returns a value (errors count as not yet). */
export async function until<T>(
  what: string,
  timeoutMs: number,
  probe: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Resolves once something accepts TCP connections on the port. */
export function listening(port: number): Promise<true> {
  return until(`127.0.0.1:${port} to listen`, 10_000, () => {
    return new Promise<true | undefined>((resolve) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        resolve(true);
      });
      socket.once("error", () => resolve(undefined));
    });
  });
}

/**
 * A client on 127.0.0.1:`port`, connected, that sends no command of its own (no INFO ready
 * check, which most users may not run). With `auth` it authenticates as that user.
 */
export async function redisClient(
  port: number,
  auth?: { readonly username: string; readonly password: string },
  extra: RedisOptions = {},
): Promise<Redis> {
  const c = new Redis({
    host: "127.0.0.1",
    port,
    ...(auth ? { username: auth.username, password: auth.password } : {}),
    lazyConnect: true,
    enableReadyCheck: false,
    maxRetriesPerRequest: 1,
    retryStrategy: () => null,
    ...extra,
  });
  // Connection errors (a killed master, a refused AUTH) are asserted through command results.
  c.on("error", () => {});
  clients.push(c);
  await c.connect();
  return c;
}

/** Registers a client made elsewhere (Sentinel-aware ones) for `stopRedisProcesses`. */
export function trackClient(c: Redis): Redis {
  c.on("error", () => {});
  clients.push(c);
  return c;
}
