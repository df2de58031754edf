/**
 * The hostname probes' modules in the real blackbox exporter, against local HTTP(S) servers that
 * answer like a working route, a tenant without a deployment (502), a tunnel without a healthy
 * origin (530), a server without TLS and one with a certificate nobody trusts.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { BLACKBOX, blackboxValues } from "../../components/observability/probes";
import { hasBinary, requireBinary } from "../helpers/binaries";

const BINARY = "prometheus-blackbox-exporter";
const dir = mkdtempSync(join(tmpdir(), "probes-"));
const servers: Server[] = [];
let exporter: ChildProcess | undefined;
let exporterPort = 0;
let httpsPort = 0;
let untrustedPort = 0;
let plainPort = 0;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createNetServer();
    s.listen(0, "127.0.0.1", () => {
      const address = s.address();
      s.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/** A self-signed certificate for localhost and 127.0.0.1. */
function certificate(name: string): { key: string; cert: string; certFile: string } {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.crt`);
  const r = spawnSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      key,
      "-out",
      cert,
      "-days",
      "1",
      "-subj",
      `/CN=${name}`,
      "-addext",
      "subjectAltName=DNS:localhost,IP:127.0.0.1",
    ],
    { encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(`openssl: ${r.stderr}`);
  return { key: readFileSync(key, "utf8"), cert: readFileSync(cert, "utf8"), certFile: cert };
}

/** Answers like the routes behind Cloudflare: /ok 200, /signin 401, /origin-down 502, /tunnel-down 530. */
const handler = (req: { url?: string }, res: { writeHead(code: number): void; end(body: string): void }) => {
  const codes: Record<string, number> = {
    "/ok": 200,
    "/signin": 401,
    "/origin-down": 502,
    "/tunnel-down": 530,
  };
  res.writeHead(codes[req.url ?? ""] ?? 404);
  res.end("x");
};

const listen = (server: Server, port: number) =>
  new Promise<void>((resolve) => {
    servers.push(server);
    server.listen(port, "127.0.0.1", () => resolve());
  });

async function probe(module: string, target: string): Promise<number> {
  const url = `http://127.0.0.1:${exporterPort}/probe?module=${module}&target=${encodeURIComponent(target)}`;
  const body = await (await fetch(url)).text();
  const line = body.split("\n").find((l) => l.startsWith("probe_success "));
  if (!line) throw new Error(`no probe_success in ${body}`);
  return Number(line.split(" ")[1]);
}

beforeAll(async () => {
  if (!hasBinary(BINARY)) return;
  const trusted = certificate("trusted");
  const untrusted = certificate("untrusted");
  [httpsPort, untrustedPort, plainPort, exporterPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  await listen(createHttpsServer({ key: trusted.key, cert: trusted.cert }, handler), httpsPort);
  await listen(createHttpsServer({ key: untrusted.key, cert: untrusted.cert }, handler), untrustedPort);
  await listen(createHttpServer(handler), plainPort);
  // The modules as the chart gets them; the test CA stands in for the public roots Cloudflare chains to.
  const config = blackboxValues().config as { modules: Record<string, { http: Record<string, unknown> }> };
  for (const m of Object.values(config.modules)) m.http.tls_config = { ca_file: trusted.certFile };
  writeFileSync(join(dir, "blackbox.yml"), stringify(config));
  exporter = spawn(
    BINARY,
    [`--config.file=${join(dir, "blackbox.yml")}`, `--web.listen-address=127.0.0.1:${exporterPort}`],
    {
      stdio: "ignore",
    },
  );
  for (let i = 0; i < 100; i++) {
    const up = await fetch(`http://127.0.0.1:${exporterPort}/-/healthy`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("blackbox exporter did not start");
}, 30_000);

afterAll(() => {
  exporter?.kill();
  for (const s of servers) s.close();
});

describe("hostname probes in the blackbox exporter", () => {
  it("the chart's configuration passes the exporter's own check", (ctx) => {
    requireBinary(BINARY, ctx);
    const file = join(dir, "as-deployed.yml");
    writeFileSync(file, stringify(blackboxValues().config));
    const r = spawnSync(BINARY, [`--config.file=${file}`, "--config.check"], { encoding: "utf8" });
    expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
  });

  it("a platform hostname is up when it answers over trusted TLS with a non-5xx status", async (ctx) => {
    requireBinary(BINARY, ctx);
    const base = `https://localhost:${httpsPort}`;
    expect(await probe(BLACKBOX.module, `${base}/ok`)).toBe(1);
    expect(await probe(BLACKBOX.module, `${base}/signin`)).toBe(1);
    expect(await probe(BLACKBOX.module, `${base}/origin-down`)).toBe(0);
    expect(await probe(BLACKBOX.module, `${base}/tunnel-down`)).toBe(0);
  });

  it("a custom hostname is active even when the tenant's origin fails, but not when the tunnel does", async (ctx) => {
    requireBinary(BINARY, ctx);
    const base = `https://localhost:${httpsPort}`;
    expect(await probe(BLACKBOX.activeModule, `${base}/ok`)).toBe(1);
    expect(await probe(BLACKBOX.activeModule, `${base}/origin-down`)).toBe(1);
    expect(await probe(BLACKBOX.activeModule, `${base}/tunnel-down`)).toBe(0);
  });

  it("fails both kinds without TLS or with a certificate that is not trusted (not issued yet)", async (ctx) => {
    requireBinary(BINARY, ctx);
    for (const module of [BLACKBOX.module, BLACKBOX.activeModule]) {
      expect(await probe(module, `http://127.0.0.1:${plainPort}/ok`), module).toBe(0);
      expect(await probe(module, `https://localhost:${untrustedPort}/ok`), module).toBe(0);
    }
  });
});
