/**
 * The offline plan: evaluates the real program under the Pulumi mock runtime with a stack's
 * config and writes `plan.json`, `manifests/` and `summary.md`.
 */
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { stringify } from "yaml";
import { capacityReport } from "../../components/cost/capacity";
import { estimateCost } from "../../components/cost/estimate";
import { configWarnings, parseStackConfig, readSiblingStacks, StackConfigError } from "../../stacks/config";
import { chartChildren } from "./chart-children";
import { engineResources } from "./engine-resources";
import { collectManifests } from "./manifests";
import { generatedSecrets, SECRET_OUTPUT_FIELDS, setRobotServerIps } from "./mock-outputs";
import { settle, startMockRuntime } from "./mock-runtime";
import type { PlanDocument, PolicyViolation } from "./plan-document";
import { runPolicyPack } from "./policy-client";
import { policyPackConfig } from "./stack-ci";
import { PLACEHOLDER_MARK, readProjectName, readStackFile, withSecretPlaceholders } from "./stack-file";
import { renderSummary } from "./summary";

/** Exit codes of `npm run plan`. */
export const EXIT = { ok: 0, invalidConfig: 1, policyViolation: 2, programError: 3 } as const;

/** Options of {@link runPlan}. */
export interface PlanOptions {
  readonly stack: string;
  /** @default `Pulumi.<stack>.yaml` in the project directory */
  readonly configFile?: string;
  /** @default `.plan/<stack>` in the project directory */
  readonly outDir?: string;
  /** @default the repository root */
  readonly projectDir?: string;
  /** Keep stack traces while the program runs (slower; for debugging a failing program). @default false */
  readonly stackTraces?: boolean;
  /**
   * Run as `pulumi preview` of a new stack does: every provider-computed output (IDs, IPs,
   * generated secrets, kubeconfigs) is unknown, and so is every input made from one. @default false
   */
  readonly preview?: boolean;
  /** Where messages go. @default process.stderr / process.stdout */
  readonly log?: (line: string) => void;
  readonly error?: (line: string) => void;
  /** Where advisory warnings go. @default process.stderr, prefixed `warning: ` */
  readonly warn?: (line: string) => void;
}

/** Result of a plan run. */
export interface PlanResult {
  readonly exitCode: number;
  readonly plan?: PlanDocument;
  readonly outDir: string;
  readonly seconds: number;
  /** Advisory findings about the config (printed; they never change the exit code). */
  readonly warnings?: readonly string[];
}

/**
 * Files that contain a secret in clear: a config placeholder, or a generated secret value as a
 * whole token (secrets are random strings: they appear as tokens, not inside other words). PEM
 * bodies are checked line by line, since a manifest may re-wrap them. Linear in the files' size.
 */
export function leakCheck(files: Record<string, string>, secrets: readonly string[]): string[] {
  const needles = new Set(
    secrets.flatMap((s) => (s.includes("\n") ? s.split("\n").filter((l) => l.length > 40) : [s])),
  );
  const leaks = (text: string): boolean => {
    if (text.includes(PLACEHOLDER_MARK)) return true;
    // Streamed: materializing every token of a large plan.json costs more than the scan.
    for (const match of text.matchAll(/[A-Za-z0-9+/=_.~-]{12,}/g)) if (needles.has(match[0])) return true;
    return false;
  };
  return Object.entries(files)
    .filter(([, text]) => leaks(text))
    .map(([file]) => file);
}

/** Runs the offline plan of one stack. Never throws: failures become exit codes and messages. */
export async function runPlan(options: PlanOptions): Promise<PlanResult> {
  // The SDK captures a stack trace for every promise it creates; mapping each through source maps
  // costs more than the whole program. Plans run without source maps (line numbers of program
  // errors point into the transpiled code).
  process.setSourceMapsEnabled(false);
  const started = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - started) / 1e9;
  const projectDir = resolve(options.projectDir ?? join(__dirname, "..", ".."));
  const outDir = resolve(options.outDir ?? join(projectDir, ".plan", options.stack));
  const log = options.log ?? ((l: string) => process.stdout.write(`${l}\n`));
  const error = options.error ?? ((l: string) => process.stderr.write(`${l}\n`));
  const fail = (exitCode: number, message: string): PlanResult => {
    error(message);
    return { exitCode, outDir, seconds: elapsed() };
  };

  let project: string;
  let file: ReturnType<typeof readStackFile>;
  const configFile = resolve(options.configFile ?? join(projectDir, `Pulumi.${options.stack}.yaml`));
  try {
    project = readProjectName(join(projectDir, "Pulumi.yaml"));
    file = readStackFile(configFile, project);
  } catch (e) {
    return fail(EXIT.invalidConfig, `cannot read the stack configuration: ${(e as Error).message}`);
  }

  let parsed: ReturnType<typeof parseStackConfig>;
  try {
    parsed = parseStackConfig(file.config, options.stack, { checkSecrets: false });
  } catch (e) {
    if (e instanceof StackConfigError) return fail(EXIT.invalidConfig, e.message);
    return fail(EXIT.programError, `unexpected error while reading the configuration: ${(e as Error).stack}`);
  }
  // Advisory: printed before the program runs, so a failing plan still shows them.
  const warn = options.warn ?? ((l: string) => process.stderr.write(`warning: ${l}\n`));
  const warnings = configWarnings(parsed, readSiblingStacks(projectDir, options.stack));
  for (const w of warnings) warn(w);
  const { config, secretKeys } = withSecretPlaceholders(file, parsed);

  // Robot reports each dedicated server's own address, which the config names.
  setRobotServerIps(
    new Map(parsed.nodes.flatMap((n) => (n.kind === "dedicated" ? [[n.serverNumber, n.ipv4] as const] : []))),
  );
  const recorder = await startMockRuntime({
    project,
    stack: options.stack,
    config,
    secretKeys,
    preview: options.preview ?? false,
    // Revealed inputs are needed only to know generated secrets and Secrets' key names.
    keepRawInputs: (type, inputs) => type in SECRET_OUTPUT_FIELDS || inputs.kind === "Secret",
  });
  // The SDK records a stack trace for every promise it makes (for its leak report); on large
  // stacks formatting them costs more time and memory than the program itself.
  const stackTraceLimit = Error.stackTraceLimit;
  if (!options.stackTraces) Error.stackTraceLimit = 0;
  // A failing program also rejects the SDK's internal promises (stack outputs, resource data):
  // collect those instead of letting Node print them and exit.
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  process.on("unhandledRejection", onUnhandled);
  try {
    const entry = join(projectDir, "stacks", "index.ts");
    await pulumi.runtime.runInPulumiStack(async () => import(entry));
    await settle();
    if (unhandled.length > 0) throw unhandled[0];
  } catch (e) {
    if (e instanceof StackConfigError) return fail(EXIT.invalidConfig, e.message);
    return fail(EXIT.programError, `the program failed under the mock runtime: ${(e as Error).stack ?? e}`);
  } finally {
    process.off("unhandledRejection", onUnhandled);
    Error.stackTraceLimit = stackTraceLimit;
  }

  const stackResource = recorder.resources.find((r) => r.type === "pulumi:pulumi:Stack");
  const manifests = collectManifests(recorder.resources);
  const plan: Omit<PlanDocument, "policy"> & { policy: PlanDocument["policy"] } = {
    project,
    stack: options.stack,
    resources: recorder.resources.map(
      ({
        urn,
        type,
        name,
        parent,
        custom,
        dependencies,
        protect,
        provider,
        inputs,
        secretHashes,
        ignoreChanges,
        deleteBeforeReplace,
        aliases,
      }) => ({
        urn,
        type,
        name,
        parent,
        custom,
        dependencies,
        protect,
        provider,
        inputs,
        // Only where they apply, so the DESIGN.md fields stay the whole of most resources.
        ...(secretHashes ? { secretHashes } : {}),
        ...(ignoreChanges ? { ignoreChanges } : {}),
        ...(deleteBeforeReplace !== undefined ? { deleteBeforeReplace } : {}),
        ...(aliases ? { aliases } : {}),
      }),
    ),
    outputs: (stackResource && recorder.outputs.get(stackResource.urn)) ?? {},
    policy: { pack: null, violations: [] as PolicyViolation[] },
    cost: estimateCost(parsed),
    capacity: capacityReport(parsed),
    manifestCount: manifests.length,
  };

  // The policy pack, served and called over its Analyzer gRPC interface as the engine does.
  const packStarted = elapsed();
  let packSplit = { analyze: 0, analyzeStack: 0 };
  try {
    // The same config CI generates for real runs (npm run policy:config): one source, the stack file.
    // A real engine also analyzes every object a v4 Chart renders: fed from the chart models.
    const charts = chartChildren(recorder);
    const result = await runPolicyPack(
      join(projectDir, "policies"),
      engineResources(recorder, charts.children),
      policyPackConfig(parsed),
    );
    plan.policy = {
      pack: result.pack,
      violations: result.violations,
      ...(result.undecided.length > 0 ? { undecided: result.undecided } : {}),
      chartChildren: {
        fed: [...charts.children.values()].reduce((n, c) => n + c.length, 0),
        unmodelled: charts.unmodelled,
      },
    };
    packSplit = result.seconds;
    for (const u of result.undecided) warn(`policy ${u.policy} could not decide ${u.urn}: ${u.message}`);
  } catch (e) {
    return fail(EXIT.programError, `the policy pack failed: ${(e as Error).message}`);
  }
  const packSeconds = elapsed() - packStarted;
  const files: Record<string, string> = { "plan.json": `${JSON.stringify(plan, null, 2)}\n` };
  for (const m of manifests) files[m.path] = stringify(m.object, { lineWidth: 0 });
  files["summary.md"] = renderSummary(plan, elapsed());
  const leaks = leakCheck(files, generatedSecrets(recorder.resources));
  if (leaks.length > 0) {
    return fail(EXIT.programError, `a secret value would be written in clear to: ${leaks.join(", ")}`);
  }
  rmSync(join(outDir, "manifests"), { recursive: true, force: true });
  const made = new Set<string>();
  for (const [path, text] of Object.entries(files)) {
    const target = join(outDir, path);
    const dir = dirname(target);
    if (!made.has(dir)) mkdirSync(dir, { recursive: true });
    made.add(dir);
    writeFileSync(target, text);
  }
  const mandatory = plan.policy.violations.filter((v) => v.enforcementLevel === "mandatory");
  log(
    `plan ${options.stack}: ${plan.resources.filter((r) => r.custom).length} resources, ${manifests.length} manifests, ` +
      `$${plan.cost.totalUsd.toFixed(2)}/month -> ${outDir} (${elapsed().toFixed(1)} s, peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB, ` +
      `policy pack ${packSeconds.toFixed(1)} s: Analyze ${packSplit.analyze.toFixed(1)} s, AnalyzeStack ${packSplit.analyzeStack.toFixed(1)} s)`,
  );
  if (mandatory.length > 0) {
    return fail(
      EXIT.policyViolation,
      `${mandatory.length} mandatory policy violation(s); see ${join(outDir, "summary.md")}`,
    );
  }
  return { exitCode: EXIT.ok, plan, outDir, seconds: elapsed(), warnings };
}
