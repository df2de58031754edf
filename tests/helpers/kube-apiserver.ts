/**
 * A real Kubernetes API server for tests: the project's own etcd and kube-apiserver builds
 * (`npm run tools:build`, tools/etcd and tools/apiserver) started on 127.0.0.1 with free ports and
 * a temporary folder, configured from the files the program writes on a k3s server (its
 * config.yaml `kube-apiserver-arg`s, the admission configuration with PodSecurity and
 * EventRateLimit, the audit policy), RBAC authorization, service-account signing keys made with
 * node:crypto, a static token for an admin identity, and the upstream CRDs installed.
 *
 * One server is shared by every API-server test file (tests/helpers/kube-apiserver-setup.ts,
 * vitest globalSetup of the `apiserver` project); files reach it through
 * tests/helpers/test-api-server.ts.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { createWriteStream, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { K3S_PATHS } from "../../components/k3s/k3s-config";
import { freePort } from "./redis-process";

/** What a test needs to talk to the server; plain data, passed from globalSetup to the files. */
export interface ApiServerConnection {
  /** `https://127.0.0.1:<port>`. */
  readonly url: string;
  /** PEM of the self-signed serving certificate chain kube-apiserver generated (its CA included). */
  readonly ca: string;
  /** Bearer token of `test-admin` (group `system:masters`). */
  readonly adminToken: string;
  /** Bearer token of `test-nobody` (only `system:authenticated`): a user RBAC grants nothing. */
  readonly nobodyToken: string;
  /** The server's temporary folder (logs: etcd.log, kube-apiserver.log, audit.log). */
  readonly dir: string;
  /** The etcd client URL the server stores its objects at. */
  readonly etcdUrl: string;
  /** The kube-apiserver flags it was started with. */
  readonly flags: readonly string[];
}

/** The k3s server files the program writes, as the config command's heredocs carry them. */
export interface K3sServerFiles {
  /** `/etc/rancher/k3s/config.yaml`, parsed. */
  readonly config: Record<string, unknown>;
  /** Every file by its path on the node (config, admission configuration, audit policy, ...). */
  readonly files: Readonly<Record<string, string>>;
}

/**
 * Reads the files a k3s config script writes (`cat > "<path>.new" <<'ENCLII_EOF'` ...
 * `ENCLII_EOF`, components/k3s/scripts.ts) from the script's text.
 */
export function k3sServerFiles(script: string): K3sServerFiles {
  const files: Record<string, string> = {};
  const heredoc = /cat > "([^"]+)\.new" <<'ENCLII_EOF'\n([\s\S]*?)\nENCLII_EOF\n/g;
  for (const m of script.matchAll(heredoc)) files[m[1] as string] = `${m[2]}\n`;
  const config = files[K3S_PATHS.config];
  if (!config) throw new Error(`the k3s config script writes no ${K3S_PATHS.config}`);
  return { config: parse(config) as Record<string, unknown>, files };
}

/** Flags of `kube-apiserver-arg` as a map (`name=value` entries of k3s's config.yaml). */
function extraArgs(config: Record<string, unknown>): Map<string, string> {
  const args = new Map<string, string>();
  for (const entry of (config["kube-apiserver-arg"] ?? []) as string[]) {
    const i = entry.indexOf("=");
    args.set(entry.slice(0, i), entry.slice(i + 1));
  }
  return args;
}

/** Options of {@link startApiServer}. */
export interface StartOptions {
  readonly etcd: string;
  readonly kubeApiserver: string;
  /** The program's k3s server files (see {@link k3sServerFiles}). */
  readonly k3s: K3sServerFiles;
  /** CRD documents to install and wait for (Established) before returning. */
  readonly crds: readonly Record<string, unknown>[];
}

/** A running server. */
export interface RunningApiServer {
  readonly connection: ApiServerConnection;
  stop(): Promise<void>;
}

function logTail(path: string): string {
  try {
    return readFileSync(path, "utf8").split("\n").slice(-40).join("\n");
  } catch {
    return "(no log)";
  }
}

function startProcess(bin: string, args: string[], log: string): ChildProcess {
  const child = spawn(bin, args, { stdio: ["ignore", "pipe", "pipe"] });
  const out = createWriteStream(log);
  // Both streams drained into the log, so a full pipe never blocks the server.
  child.stdout?.pipe(out, { end: false });
  child.stderr?.pipe(out);
  return child;
}

async function stopProcess(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

/** Starts the etcd of tools/etcd/main.go and reads the client URL it prints once ready. */
function startEtcd(bin: string, dir: string): Promise<{ child: ChildProcess; url: string }> {
  const child = startProcess(
    bin,
    ["--data-dir", join(dir, "etcd"), "--unsafe-no-fsync", "--log-level", "error"],
    join(dir, "etcd.log"),
  );
  return new Promise((resolve, reject) => {
    let text = "";
    const timer = setTimeout(
      () => reject(new Error(`etcd: no client URL within 60 s\n${logTail(join(dir, "etcd.log"))}`)),
      60_000,
    );
    child.stdout?.on("data", (chunk: Buffer) => {
      text += chunk.toString();
      const m = text.match(/client-url=(\S+)/);
      if (m) {
        clearTimeout(timer);
        resolve({ child, url: m[1] as string });
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`etcd exited with ${code}\n${logTail(join(dir, "etcd.log"))}`));
    });
  });
}

/** A response of the API server. */
export interface ApiResponse {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly text: string;
  /** The `Warning` headers' texts (deprecated APIs and fields, Pod Security `warn`, ...). */
  readonly warnings: readonly string[];
}

/**
 * The texts of `Warning: 299 - "<text>"` headers (k8s.io/apimachinery v0.34.4 pkg/util/net/http.go 655-667 NewWarningHeader, a quoted string; Node joins
 * repeated headers with ", ").
 */
export function warningTexts(header: string | string[] | undefined): string[] {
  const joined = Array.isArray(header) ? header.join(", ") : (header ?? "");
  return [...joined.matchAll(/299 - "((?:[^"\\]|\\.)*)"/g)].map((m) =>
    (m[1] as string).replace(/\\(.)/g, "$1"),
  );
}

/** One request to the API server as `token` (default the admin). */
export function apiRequest(
  conn: ApiServerConnection,
  method: string,
  path: string,
  body?: unknown,
  options: { token?: string; contentType?: string } = {},
): Promise<ApiResponse> {
  const payload = body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      `${conn.url}${path}`,
      {
        method,
        ca: conn.ca,
        headers: {
          authorization: `Bearer ${options.token ?? conn.adminToken}`,
          accept: "application/json",
          ...(payload === undefined
            ? {}
            : {
                "content-type": options.contentType ?? "application/json",
                "content-length": Buffer.byteLength(payload),
              }),
        },
        timeout: 60_000,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8");
          let parsed: Record<string, unknown> = {};
          try {
            parsed = JSON.parse(text) as Record<string, unknown>;
          } catch {
            // not JSON (healthz answers "ok")
          }
          resolve({
            status: res.statusCode ?? 0,
            body: parsed,
            text,
            warnings: warningTexts(res.headers.warning),
          });
        });
      },
    );
    req.on("timeout", () => req.destroy(new Error(`${method} ${path}: no answer within 60 s`)));
    req.on("error", reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitReady(conn: ApiServerConnection, child: ChildProcess, log: string): Promise<void> {
  const deadline = Date.now() + 180_000;
  let last = "";
  while (Date.now() < deadline) {
    if (child.exitCode !== null)
      throw new Error(`kube-apiserver exited with ${child.exitCode}\n${logTail(log)}`);
    try {
      const ca = readFileSync(join(conn.dir, "certs", "apiserver.crt"), "utf8");
      const res = await apiRequest({ ...conn, ca }, "GET", "/readyz");
      if (res.status === 200) return;
      last = `${res.status} ${res.text.slice(0, 2000)}`;
    } catch (e) {
      last = (e as Error).message;
    }
    await sleep(500);
  }
  throw new Error(`kube-apiserver not ready within 180 s: ${last}\n${logTail(log)}`);
}

/**
 * The kube-apiserver flags: those k3s sets for its API server (k3s-io/k3s
 * pkg/daemons/control/server.go apiServer(): allow-privileged=true, authorization-mode=Node,RBAC,
 * anonymous-auth=false, profiling=false, storage-backend=etcd3, service-account-issuer
 * https://kubernetes.default.svc.<cluster domain> and api-audiences of it and "k3s", a
 * service-account signing key that is also the verification key, enable-admission-plugins
 * NodeRestriction) overridden by the program's own `kube-apiserver-arg`s, as k3s's
 * config.GetArgs merges them; the listener, etcd, certificates and a static token file for the
 * test identities are the harness's. Flag names as kube-apiserver v1.34.4 defines them
 * (k8s.io/kubernetes pkg/kubeapiserver/options/authentication.go 407-447,
 * cmd/kube-apiserver/app/options/options.go 107-120).
 */
export function apiServerFlags(
  k3s: K3sServerFiles,
  paths: {
    dir: string;
    etcdUrl: string;
    port: number;
    tokenFile: string;
    saKey: string;
    saPub: string;
    /** EncryptionConfiguration file, when the program turns k3s's `secrets-encryption` on. */
    encryptionConfig?: string;
  },
): string[] {
  const serviceCidr = String(k3s.config["service-cidr"] ?? "10.43.0.0/16");
  const flags = new Map<string, string>([
    ["etcd-servers", paths.etcdUrl],
    ["storage-backend", "etcd3"],
    ["bind-address", "127.0.0.1"],
    ["advertise-address", "127.0.0.1"],
    ["secure-port", String(paths.port)],
    ["cert-dir", join(paths.dir, "certs")],
    ["allow-privileged", "true"],
    ["authorization-mode", "Node,RBAC"],
    ["anonymous-auth", "false"],
    ["profiling", "false"],
    ["token-auth-file", paths.tokenFile],
    ["service-account-issuer", "https://kubernetes.default.svc.cluster.local"],
    ["api-audiences", "https://kubernetes.default.svc.cluster.local,k3s"],
    ["service-account-key-file", paths.saPub],
    ["service-account-signing-key-file", paths.saKey],
    ["service-cluster-ip-range", serviceCidr],
    ["service-node-port-range", "30000-32767"],
    ["enable-admission-plugins", "NodeRestriction"],
  ]);
  if (k3s.config["secrets-encryption"] === true && paths.encryptionConfig) {
    flags.set("encryption-provider-config", paths.encryptionConfig);
  }
  for (const [name, value] of extraArgs(k3s.config)) {
    // Files on the node become the same files in the temporary folder.
    const local = k3s.files[value] !== undefined ? join(paths.dir, "k3s", value.replace(/\//g, "_")) : value;
    flags.set(name, name === "audit-log-path" ? join(paths.dir, "audit.log") : local);
  }
  return [...flags].map(([k, v]) => `--${k}=${v}`);
}

/** Writes the program's k3s files into `dir/k3s/`, with their references to each other rewritten. */
function writeK3sFiles(k3s: K3sServerFiles, dir: string): void {
  mkdirSync(join(dir, "k3s"), { recursive: true });
  const local = (p: string) => join(dir, "k3s", p.replace(/\//g, "_"));
  for (const [path, text] of Object.entries(k3s.files)) {
    let content = text;
    for (const other of Object.keys(k3s.files)) content = content.split(other).join(local(other));
    writeFileSync(local(path), content);
  }
}

/** Applies CRDs (server-side apply) and waits until every one is Established. */
export async function installCrds(conn: ApiServerConnection, crds: readonly Record<string, unknown>[]) {
  for (const crd of crds) {
    const name = String((crd.metadata as { name: string }).name);
    const res = await apiRequest(
      conn,
      "PATCH",
      `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}?fieldManager=test-harness&force=true`,
      crd,
      { contentType: "application/apply-patch+yaml" },
    );
    if (res.status >= 300) throw new Error(`CRD ${name}: ${res.status} ${res.text}`);
  }
  const deadline = Date.now() + 60_000;
  for (const crd of crds) {
    const name = String((crd.metadata as { name: string }).name);
    for (;;) {
      const res = await apiRequest(
        conn,
        "GET",
        `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${name}`,
      );
      const conditions = ((res.body.status as { conditions?: { type: string; status: string }[] })
        ?.conditions ?? []) as { type: string; status: string }[];
      if (conditions.some((c) => c.type === "Established" && c.status === "True")) break;
      if (Date.now() > deadline) throw new Error(`CRD ${name} not Established within 60 s: ${res.text}`);
      await sleep(200);
    }
  }
}

/** Starts etcd and kube-apiserver; the caller stops them with `stop()`. */
export async function startApiServer(options: StartOptions): Promise<RunningApiServer> {
  const dir = mkdtempSync(join(tmpdir(), "kube-apiserver-"));
  let etcd: ChildProcess | undefined;
  let apiserver: ChildProcess | undefined;
  const stop = async () => {
    await stopProcess(apiserver);
    await stopProcess(etcd);
    if (!process.env.KEEP_TEST_APISERVER_DIR) rmSync(dir, { recursive: true, force: true });
  };
  try {
    const started = await startEtcd(options.etcd, dir);
    etcd = started.child;
    // Service-account keys: kube-apiserver signs tokens with the private key and verifies them
    // with the public one (k3s passes one key file for both).
    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
    const saKey = join(dir, "sa.key");
    const saPub = join(dir, "sa.pub");
    writeFileSync(saKey, privateKey.export({ type: "pkcs1", format: "pem" }), { mode: 0o600 });
    writeFileSync(saPub, publicKey.export({ type: "spki", format: "pem" }));
    // Static tokens (k8s.io/apiserver v0.34.4 pkg/authentication/token/tokenfile/tokenfile.go
    // 64-84: token,user,uid[,"group1,group2"]).
    const adminToken = randomBytes(24).toString("hex");
    const nobodyToken = randomBytes(24).toString("hex");
    const tokenFile = join(dir, "tokens.csv");
    writeFileSync(
      tokenFile,
      `${adminToken},test-admin,test-admin,"system:masters"\n${nobodyToken},test-nobody,test-nobody\n`,
      {
        mode: 0o600,
      },
    );
    writeK3sFiles(options.k3s, dir);
    // k3s's secrets-encryption: Secrets stored aescbc-encrypted with a generated key, identity
    // last so anything older still reads (k3s-io/k3s pkg/secretsencrypt; apiserver.config.k8s.io/v1
    // EncryptionConfiguration).
    const encryptionConfig = join(dir, "encryption-config.json");
    writeFileSync(
      encryptionConfig,
      JSON.stringify({
        kind: "EncryptionConfiguration",
        apiVersion: "apiserver.config.k8s.io/v1",
        resources: [
          {
            resources: ["secrets"],
            providers: [
              { aescbc: { keys: [{ name: "aescbckey", secret: randomBytes(32).toString("base64") }] } },
              { identity: {} },
            ],
          },
        ],
      }),
      { mode: 0o600 },
    );
    const log = join(dir, "kube-apiserver.log");
    let lastError: Error | undefined;
    for (let attempt = 0; attempt < 3; attempt++) {
      const port = await freePort();
      const flags = apiServerFlags(options.k3s, {
        dir,
        etcdUrl: started.url,
        port,
        tokenFile,
        saKey,
        saPub,
        encryptionConfig,
      });
      apiserver = startProcess(options.kubeApiserver, flags, log);
      const conn: ApiServerConnection = {
        url: `https://127.0.0.1:${port}`,
        ca: "",
        adminToken,
        nobodyToken,
        dir,
        etcdUrl: started.url,
        flags,
      };
      try {
        await waitReady(conn, apiserver, log);
        const ready = { ...conn, ca: readFileSync(join(dir, "certs", "apiserver.crt"), "utf8") };
        await installCrds(ready, options.crds);
        return { connection: ready, stop };
      } catch (e) {
        lastError = e as Error;
        await stopProcess(apiserver);
        // A port taken between freePort and bind: try another one.
        if (!/address already in use/.test(logTail(log))) break;
      }
    }
    throw lastError ?? new Error("kube-apiserver did not start");
  } catch (e) {
    await stop();
    throw e;
  }
}
