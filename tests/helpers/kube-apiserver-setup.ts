/**
 * vitest globalSetup of the `apiserver` project (vitest.config.mts): plans both committed stacks
 * once, starts one test API server per stack (tests/helpers/kube-apiserver.ts: each stack is its
 * own cluster, and the two declare objects of the same names) configured with that stack's k3s
 * server files, installs the CRDs, and hands the connections and the plan folders to every test
 * file, which share them (`inject("apiServer")`, tests/helpers/test-api-server.ts). Stops
 * the server after the run. When a binary or the CRDs are missing it hands over the reason
 * instead, and each test skips (or fails under CI=true) with it.
 */
import { existsSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import type { TestProject } from "vitest/node";
import { parseAllDocuments } from "yaml";
import { TOOLS_CRDS_DIR, toolPath } from "../../scripts/lib/tools";
import { crdSchemasDir } from "./k8s-validate";
import {
  type ApiServerConnection,
  type K3sServerFiles,
  k3sServerFiles,
  type RunningApiServer,
  startApiServer,
} from "./kube-apiserver";
import { readPlan, runPlanCli, STACKS } from "./plan-cli";

/** What globalSetup hands to the test files. */
export type ApiServerContext =
  | { readonly missing: string }
  | {
      /** The API server of each stack. */
      readonly servers: Readonly<Record<(typeof STACKS)[number], ApiServerConnection>>;
      /** Plan folder (plan.json, manifests/) of each committed stack. */
      readonly plans: Readonly<Record<(typeof STACKS)[number], string>>;
      /** The k3s server files of each stack's plan (its server runs them). */
      readonly k3s: Readonly<Record<(typeof STACKS)[number], K3sServerFiles>>;
      /** Names of the CRDs installed before the tests, and the files they came from. */
      readonly crds: readonly { readonly name: string; readonly file: string }[];
    };

declare module "vitest" {
  export interface ProvidedContext {
    apiServer: ApiServerContext;
  }
}

/** The k3s server files a plan's first server config command writes. */
export function planK3sFiles(planDir: string): K3sServerFiles {
  const plan = readPlan(planDir);
  const command = plan.resources.find(
    (r) =>
      r.type === "command:remote:Command" &&
      typeof r.inputs.stdin === "string" &&
      r.inputs.stdin.includes("PodSecurityConfiguration"),
  );
  if (!command) throw new Error(`${planDir}: no k3s config command (a stack of existing nodes only?)`);
  return k3sServerFiles(String(command.inputs.stdin));
}

/** Every CRD document in the YAML files of `dirs`. */
export function readCrds(dirs: readonly string[]): { doc: Record<string, unknown>; file: string }[] {
  const crds: { doc: Record<string, unknown>; file: string }[] = [];
  for (const dir of dirs) {
    for (const file of readdirSync(dir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()) {
      for (const d of parseAllDocuments(readFileSync(join(dir, file), "utf8"))) {
        const doc = d.toJSON() as Record<string, unknown> | null;
        if (doc?.kind === "CustomResourceDefinition") crds.push({ doc, file: join(dir, file) });
      }
    }
  }
  return crds;
}

export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const etcd = toolPath("etcd");
  const kubeApiserver = toolPath("kube-apiserver");
  const missing: string[] = [];
  if (!etcd || !kubeApiserver) missing.push("etcd and kube-apiserver are not built: npm run tools:build");
  if (!existsSync(crdSchemasDir()))
    missing.push(`CRD schemas folder ${crdSchemasDir()} does not exist (set CRD_SCHEMAS_DIR)`);
  if (!existsSync(TOOLS_CRDS_DIR)) missing.push(`${TOOLS_CRDS_DIR} does not exist: npm run tools:build`);
  if (missing.length > 0) {
    project.provide("apiServer", { missing: missing.join("; ") });
    return undefined;
  }
  const plans = {} as Record<(typeof STACKS)[number], string>;
  const k3s = {} as Record<(typeof STACKS)[number], K3sServerFiles>;
  for (const stack of STACKS) {
    // A loaded machine plans slowly; the suite waits for it rather than fail on a timeout.
    const run = runPlanCli(["--stack", stack], 600_000);
    if (run.status !== 0) throw new Error(`plan of ${stack} failed (${run.status}):\n${run.stderr}`);
    plans[stack] = run.outDir;
    k3s[stack] = planK3sFiles(run.outDir);
  }
  const crds = readCrds([crdSchemasDir(), TOOLS_CRDS_DIR]);
  const running = await Promise.allSettled(
    STACKS.map((stack) =>
      startApiServer({
        etcd: etcd as string,
        kubeApiserver: kubeApiserver as string,
        k3s: k3s[stack],
        crds: crds.map((c) => c.doc),
      }),
    ),
  );
  const stopAll = async () => {
    await Promise.all(running.map((r) => (r.status === "fulfilled" ? r.value.stop() : undefined)));
    for (const dir of Object.values(plans)) rmSync(dir, { recursive: true, force: true });
  };
  const failed = running.find((r) => r.status === "rejected");
  if (failed) {
    await stopAll();
    throw failed.reason;
  }
  const servers = Object.fromEntries(
    STACKS.map((stack, i) => [
      stack,
      (running[i] as PromiseFulfilledResult<RunningApiServer>).value.connection,
    ]),
  ) as Record<(typeof STACKS)[number], ApiServerConnection>;
  project.provide("apiServer", {
    servers,
    plans,
    k3s,
    crds: crds.map((c) => ({ name: String((c.doc.metadata as { name: string }).name), file: c.file })),
  });
  return stopAll;
}
