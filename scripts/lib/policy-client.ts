/**
 * Runs the policy pack the way the Pulumi engine does: start the pack's program, read the port
 * it prints, and talk to its Analyzer gRPC service: `Configure`, `Analyze` for every resource,
 * `AnalyzeStack` for the whole stack.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import type { PlanResource, PolicyViolation } from "./plan-document";

// The generated gRPC stubs ship untyped CommonJS with the SDK.
// biome-ignore lint/suspicious/noExplicitAny: generated protobuf classes
type Any = any;
const grpc = require("@grpc/grpc-js") as Any;
const services = require("@pulumi/pulumi/proto/analyzer_grpc_pb") as Any;
const messages = require("@pulumi/pulumi/proto/analyzer_pb") as Any;
const structs = require("google-protobuf/google/protobuf/struct_pb") as Any;

const LEVELS = ["advisory", "mandatory", "disabled", "remediate"] as const;

/** What the pack reported. */
export interface PackResult {
  readonly pack: string;
  readonly policies: number;
  readonly violations: PolicyViolation[];
}

/** Starts the pack (`node --import tsx <packDir>/index.ts`) and resolves with the port it prints. */
function startPack(packDir: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ["--import", "tsx", join(packDir, "index.ts")], {
    cwd: packDir,
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise((resolve, reject) => {
    let out = "";
    let err = "";
    const timer = setTimeout(
      () => reject(new Error(`the policy pack printed no port within 30 s: ${err}`)),
      30_000,
    );
    child.stdout?.on("data", (chunk) => {
      out += chunk;
      const port = /^(\d+)\s*$/m.exec(out)?.[1];
      if (port) {
        clearTimeout(timer);
        resolve({ child, port: Number(port) });
      }
    });
    child.stderr?.on("data", (chunk) => (err += chunk));
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`the policy pack exited (${code}) before serving: ${err}`));
    });
  });
}

function call<T>(client: Any, method: string, request: Any): Promise<T> {
  return new Promise((resolve, reject) => {
    client[method](request, (error: Error | null, response: T) =>
      error ? reject(error) : resolve(response),
    );
  });
}

/** Diagnostics as violations; `Analyze` answers leave the URN empty (the engine knows the resource). */
function toViolations(response: Any, urn = ""): PolicyViolation[] {
  return response.getDiagnosticsList().map((d: Any) => ({
    policy: d.getPolicyname(),
    enforcementLevel: LEVELS[d.getEnforcementlevel()] ?? "advisory",
    urn: d.getUrn() || urn,
    message: d.getMessage(),
  }));
}

function analyzerResource(r: PlanResource): Any {
  const resource = new messages.AnalyzerResource();
  resource.setType(r.type);
  resource.setName(r.name);
  resource.setUrn(r.urn);
  resource.setProperties(structs.Struct.fromJavaScript(r.inputs));
  const options = new messages.AnalyzerResourceOptions();
  options.setProtect(r.protect);
  resource.setOptions(options);
  resource.setParent(r.parent ?? "");
  resource.setDependenciesList(r.dependencies);
  return resource;
}

/**
 * Sends every custom resource through `Analyze` and all of them through `AnalyzeStack`.
 * `config` is per-policy configuration (as `--policy-pack-config` would give it).
 */
export async function runPolicyPack(
  packDir: string,
  resources: readonly PlanResource[],
  config: Record<string, Record<string, unknown>> = {},
): Promise<PackResult> {
  const { child, port } = await startPack(packDir);
  const client = new services.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  try {
    const info = await call<Any>(
      client,
      "getAnalyzerInfo",
      new (require("google-protobuf/google/protobuf/empty_pb").Empty)(),
    );
    const configure = new messages.ConfigureAnalyzerRequest();
    for (const [policy, props] of Object.entries(config)) {
      const policyConfig = new messages.PolicyConfig();
      policyConfig.setEnforcementlevel(LEVELS.indexOf("mandatory"));
      policyConfig.setProperties(structs.Struct.fromJavaScript(props));
      configure.getPolicyconfigMap().set(policy, policyConfig);
    }
    await call(client, "configure", configure);
    const custom = resources.filter((r) => r.custom);
    const violations: PolicyViolation[] = [];
    for (const r of custom) {
      const request = new messages.AnalyzeRequest();
      request.setType(r.type);
      request.setName(r.name);
      request.setUrn(r.urn);
      request.setProperties(structs.Struct.fromJavaScript(r.inputs));
      const options = new messages.AnalyzerResourceOptions();
      options.setProtect(r.protect);
      request.setOptions(options);
      violations.push(...toViolations(await call(client, "analyze", request), r.urn));
    }
    const stack = new messages.AnalyzeStackRequest();
    stack.setResourcesList(
      resources.filter((r) => r.custom || r.type.startsWith("kubernetes:")).map(analyzerResource),
    );
    violations.push(...toViolations(await call(client, "analyzeStack", stack)));
    return {
      pack: `${info.getName()}@${info.getVersion() || "0.1.0"}`,
      policies: info.getPoliciesList().length,
      violations,
    };
  } finally {
    client.close();
    child.kill();
  }
}
