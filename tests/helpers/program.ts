/**
 * Runs the real program (stacks/index.ts) for a committed stack file under the mock runtime and
 * returns what it registered: what the stack tests assert on.
 */
import { join } from "node:path";
import { readStackFile, withSecretPlaceholders } from "../../scripts/lib/stack-file";
import { parseStackConfig } from "../../stacks/config";
import { type Recorder, settle, startMockRuntime } from "./mocks";
import { ROOT } from "./plan-cli";

/** The resources `Pulumi.<stack>.yaml` registers, with placeholder values for its secrets. */
export async function runStackProgram(stack: "production" | "staging"): Promise<Recorder> {
  const file = readStackFile(join(ROOT, `Pulumi.${stack}.yaml`), "enclii-infra");
  const parsed = parseStackConfig(file.config, stack, { checkSecrets: false });
  const { config, secretKeys } = withSecretPlaceholders(file, parsed);
  const recorder = await startMockRuntime({ project: "enclii-infra", stack, config, secretKeys });
  const pulumi = await import("@pulumi/pulumi");
  await pulumi.runtime.runInPulumiStack(async () => import(join(ROOT, "stacks", "index.ts")));
  await settle();
  return recorder;
}
