import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { StackConfigError } from "../../stacks/config";
import { baseProjectConfig, baseSecrets, toRawConfig } from "../helpers/config-fixtures";
import { settle, startMockRuntime } from "../helpers/mocks";

describe("the program under the mock runtime", () => {
  it("stops on a bad config before registering any resource", async () => {
    const project = baseProjectConfig();
    project.domain = "not a domain";
    const recorder = await startMockRuntime({
      project: "enclii-infra",
      stack: "production",
      config: toRawConfig(project),
      secretKeys: Object.keys(baseSecrets()),
    });
    // The SDK rejects the stack's internal promises with the same error; collect them here.
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    const pulumi = await import("@pulumi/pulumi");
    const run = pulumi.runtime.runInPulumiStack(
      async () => import(join(__dirname, "..", "..", "stacks", "index.ts")),
    );
    await expect(run).rejects.toBeInstanceOf(StackConfigError);
    await expect(run).rejects.toThrow(
      'enclii-infra:domain: must be a lowercase DNS name such as example.com (got "not a domain")',
    );
    await settle();
    await new Promise((resolve) => setTimeout(resolve, 50));
    process.off("unhandledRejection", onUnhandled);
    for (const reason of unhandled) expect(reason).toBeInstanceOf(StackConfigError);
    expect(recorder.resources.filter((r) => r.type !== "pulumi:pulumi:Stack")).toEqual([]);
  });
});
