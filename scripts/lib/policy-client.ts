/**
 * Runs the policy pack the way the Pulumi engine does: start the pack's program, read the port
 * it prints, and talk to its Analyzer gRPC service: `Configure`, `Analyze` for every resource,
 * `AnalyzeStack` for the whole stack.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import type { EngineResource } from "./engine-resources";
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
  /**
   * Policies that read a value unknown during a preview: the SDK reports each as advisory
   * "can't run ... during preview" (pulumi-policy sdk/nodejs/policy/server.ts, UnknownValueError
   * in makeAnalyzeRpcFun and makeAnalyzeStackRpcFun), so a real preview passes them; listed here
   * so a plan never passes them silently.
   */
  readonly undecided: PolicyViolation[];
  /** Time spent in `Analyze` calls (all resources) and in the one `AnalyzeStack` call. */
  readonly seconds: { readonly analyze: number; readonly analyzeStack: number };
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
      () => reject(new Error(`the policy pack printed no port within 120 s: ${err}`)),
      // Loading the pack compiles it with tsx: seconds on an idle machine, much more on a busy one.
      120_000,
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

/** The SDK's message for a policy that read an unknown value (pulumi-policy server.ts, UnknownValueError). */
const UNDECIDED = /^can't run policy '[^']+' from policy pack '[^']+' during preview: /;

/** Diagnostics as violations; `Analyze` answers leave the URN empty (the engine knows the resource). */
function toViolations(response: Any, urn = ""): PolicyViolation[] {
  return response.getDiagnosticsList().map((d: Any) => ({
    policy: d.getPolicyname(),
    enforcementLevel: LEVELS[d.getEnforcementlevel()] ?? "advisory",
    urn: d.getUrn() || urn,
    message: d.getMessage(),
  }));
}

/** The `AnalyzerResourceOptions` the engine sends (pulumi/pulumi pkg/resource/plugin/analyzer_plugin.go marshalResourceOptions, lines 737-763). */
function resourceOptions(r: EngineResource): Any {
  const options = new messages.AnalyzerResourceOptions();
  options.setProtect(r.protect);
  options.setIgnorechangesList([...(r.ignoreChanges ?? [])]);
  options.setDeletebeforereplace(r.deleteBeforeReplace ?? false);
  options.setDeletebeforereplacedefined(r.deleteBeforeReplace !== undefined);
  options.setCustomtimeouts(new messages.AnalyzerResourceOptions.CustomTimeouts());
  options.setParent(r.parent ?? "");
  return options;
}

/** The resource's provider as the engine sends it: type, URN, name and the provider's inputs. */
function providerResource(r: EngineResource, byUrn: ReadonlyMap<string, EngineResource>): Any {
  const p = r.provider ? byUrn.get(r.provider) : undefined;
  if (!p) return undefined;
  const provider = new messages.AnalyzerProviderResource();
  provider.setType(p.type);
  provider.setName(p.name);
  provider.setUrn(p.urn);
  provider.setProperties(structs.Struct.fromJavaScript(p.inputs));
  return provider;
}

function analyzerResource(r: EngineResource, byUrn: ReadonlyMap<string, EngineResource>): Any {
  const resource = new messages.AnalyzerResource();
  resource.setType(r.type);
  resource.setName(r.name);
  resource.setUrn(r.urn);
  resource.setProperties(structs.Struct.fromJavaScript(r.outputs));
  resource.setOptions(resourceOptions(r));
  const provider = providerResource(r, byUrn);
  if (provider) resource.setProvider(provider);
  resource.setParent(r.parent ?? "");
  resource.setDependenciesList([...r.dependencies]);
  return resource;
}

/** A plan resource as the engine would describe it when only its inputs are known (tests). */
export function asEngineResource(r: PlanResource): EngineResource {
  return { ...r, outputs: r.inputs };
}

/**
 * Sends every resource through `Analyze` (its inputs) and all of them through `AnalyzeStack`
 * (their outputs), as the engine does. `config` is per-policy configuration (as
 * `--policy-pack-config` would give it).
 */
export async function runPolicyPack(
  packDir: string,
  resources: readonly EngineResource[],
  config: Record<string, Record<string, unknown>> = {},
): Promise<PackResult> {
  const { child, port } = await startPack(packDir);
  const client = new services.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure(), {
    // The engine raises the limit as the SDK's server does (pulumi-policy server.ts maxRPCMessageSize).
    "grpc.max_send_message_length": 400 * 1024 * 1024,
  });
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
    const byUrn = new Map(resources.map((r) => [r.urn, r]));
    const violations: PolicyViolation[] = [];
    const started = process.hrtime.bigint();
    for (const r of resources) {
      const request = new messages.AnalyzeRequest();
      request.setType(r.type);
      request.setName(r.name);
      request.setUrn(r.urn);
      request.setProperties(structs.Struct.fromJavaScript(r.inputs));
      request.setOptions(resourceOptions(r));
      const provider = providerResource(r, byUrn);
      if (provider) request.setProvider(provider);
      violations.push(...toViolations(await call(client, "analyze", request), r.urn));
    }
    const analyzed = process.hrtime.bigint();
    const stack = new messages.AnalyzeStackRequest();
    stack.setResourcesList(resources.map((r) => analyzerResource(r, byUrn)));
    violations.push(...toViolations(await call(client, "analyzeStack", stack)));
    const done = process.hrtime.bigint();
    return {
      pack: `${info.getName()}@${info.getVersion() || "0.1.0"}`,
      policies: info.getPoliciesList().length,
      violations: violations.filter((v) => !UNDECIDED.test(v.message)),
      undecided: violations.filter((v) => UNDECIDED.test(v.message)),
      seconds: { analyze: Number(analyzed - started) / 1e9, analyzeStack: Number(done - analyzed) / 1e9 },
    };
  } finally {
    client.close();
    child.kill();
  }
}
