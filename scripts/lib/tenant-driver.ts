/**
 * `npm run tenants -- preview|up --env <env>`: runs every tenant stack of an environment through
 * the Automation API (@pulumi/pulumi/automation), `parallel` stacks at a time, each with the
 * policy pack and its generated pack config, as CI would one stack at a time.
 *
 * How the Automation API reaches the CLI (@pulumi/pulumi 3.248.0): `PulumiCommand.get({ root })`
 * runs `<root>/bin/pulumi version` (automation/cmd.js get, else `pulumi` from PATH); every
 * command goes through `PulumiCommand.run`, which appends `--non-interactive` and sets
 * PULUMI_AUTOMATION_API=true (cmd.js run); `LocalWorkspace` takes it as the `pulumiCommand`
 * option (localWorkspace.js constructor); `selectStack` runs `stack select --stack <name>`;
 * `preview`/`up` add `--exec-kind`, `--event-log <file>` (a file for CLI <= 3.205, automation/
 * stack.js setupEventLog) and `up` reads `stack history --json` afterwards (stack.js info).
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalWorkspace, type PulumiCommand } from "@pulumi/pulumi/automation";
import { readTenantStacks } from "../../stacks/tenant-stack-config";
import { boundedAll } from "./plan-env";
import { policyPackConfig, readStackConfig } from "./stack-ci";

/** What the driver does to each tenant stack. */
export type DriverAction = "preview" | "up";

/** Options of {@link runTenantStacks}. */
export interface DriverOptions {
  readonly action: DriverAction;
  /** The platform stack (environment). */
  readonly env: string;
  /** The project directory (Pulumi.yaml, the stack files, policies/). */
  readonly projectDir: string;
  /** The CLI the Automation API runs. */
  readonly pulumiCommand: PulumiCommand;
  /** Stacks at once. @default 2 */
  readonly parallel?: number;
  /** Environment variables for the CLI (PULUMI_CONFIG_PASSPHRASE, PULUMI_ACCESS_TOKEN). @default none */
  readonly envVars?: Record<string, string>;
  /** Where progress goes. @default stderr */
  readonly log?: (line: string) => void;
}

/** One stack's result. */
export interface DriverResult {
  readonly stack: string;
  readonly ok: boolean;
  readonly seconds: number;
  /** The change summary the CLI reported (`preview`), or the update's result (`up`). */
  readonly summary?: Record<string, unknown>;
  readonly error?: string;
}

/** Runs the action on every tenant stack of `env`, `parallel` at a time; never throws per stack. */
export async function runTenantStacks(o: DriverOptions): Promise<DriverResult[]> {
  const log = o.log ?? ((l: string) => process.stderr.write(`${l}\n`));
  const stacks = readTenantStacks(o.projectDir, o.env).map((s) => s.stack);
  const packDir = join(o.projectDir, "policies");
  const configDir = mkdtempSync(join(tmpdir(), "tenant-driver-"));
  const tasks = stacks.map((stackName) => async (): Promise<DriverResult> => {
    const started = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    try {
      const config = readStackConfig(
        join(o.projectDir, `Pulumi.${stackName}.yaml`),
        "enclii-infra",
        stackName,
      );
      const packConfig = join(configDir, `policy-config.${stackName}.json`);
      writeFileSync(packConfig, JSON.stringify(policyPackConfig(config)));
      const stack = await LocalWorkspace.selectStack(
        { stackName, workDir: o.projectDir },
        { pulumiCommand: o.pulumiCommand, ...(o.envVars ? { envVars: o.envVars } : {}) },
      );
      const common = { policyPacks: [packDir], policyPackConfigs: [packConfig] };
      log(`${o.action} ${stackName}`);
      if (o.action === "preview") {
        const result = await stack.preview(common);
        return { stack: stackName, ok: true, seconds: seconds(), summary: result.changeSummary };
      }
      const result = await stack.up(common);
      return { stack: stackName, ok: true, seconds: seconds(), summary: { result: result.summary?.result } };
    } catch (e) {
      const error = (e as Error).message.split("\n").slice(0, 5).join("\n");
      log(`${o.action} ${stackName} failed: ${error}`);
      return { stack: stackName, ok: false, seconds: seconds(), error };
    }
  });
  return boundedAll(tasks, o.parallel ?? 2);
}
