/**
 * The floor for the plan benchmark: the Pulumi SDK's own cost of registering N plain resources
 * under the same mock runtime, with nothing of this project's program.
 *
 *   tsx scripts/floor.ts <N>
 *
 * Prints `floor <N> resources: <seconds> s, peak RSS <MB> MB` (time measured inside, like the plan).
 */
import * as pulumi from "@pulumi/pulumi";
import { settle, startMockRuntime } from "./lib/mock-runtime";

/** The plainest custom resource: a type, a name and two inputs. */
class Plain extends pulumi.CustomResource {
  constructor(name: string, props: pulumi.Inputs) {
    super("floor:index:Plain", name, props);
  }
}

async function main(): Promise<void> {
  // Same setting as the plan (scripts/lib/run-plan.ts).
  process.setSourceMapsEnabled(false);
  Error.stackTraceLimit = 0;
  const count = Number(process.argv[2] ?? "100");
  const started = process.hrtime.bigint();
  await startMockRuntime({ project: "floor", stack: "floor" });
  await pulumi.runtime.runInPulumiStack(async () => {
    for (let i = 0; i < count; i++) {
      new Plain(`plain-${i}`, { index: i, labels: { a: "b" } });
    }
    return {};
  });
  await settle();
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(
    `floor ${count} resources: ${seconds.toFixed(2)} s, peak RSS ${Math.round(process.resourceUsage().maxRSS / 1024)} MB\n`,
  );
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
