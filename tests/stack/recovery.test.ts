import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import type { PlanDocument } from "../../scripts/lib/plan-document";
import { type PlanRun, ROOT, readPlan, runPlanCli } from "../helpers/plan-cli";

// biome-ignore lint/suspicious/noExplicitAny: reading manifest fields
type Manifest = Record<string, any>;
let run: PlanRun;
let plan: PlanDocument;

beforeAll(() => {
  const doc = parse(readFileSync(join(ROOT, "Pulumi.production.yaml"), "utf8")) as {
    config: Record<string, unknown>;
  };
  const recovered = {
    config: {
      ...doc.config,
      "enclii-infra:postgres": {
        ...(doc.config["enclii-infra:postgres"] as object),
        recovery: {
          postgres: { fromServerName: "postgres", archiveServerName: "postgres-2" },
          "janua-globex": {
            fromServerName: "janua-globex",
            archiveServerName: "janua-globex-2",
            targetTime: "2026-11-22T03:00:00Z",
          },
        },
      },
    },
  };
  const first = runPlanCli(["--stack", "production"]);
  const file = join(first.outDir, "Pulumi.production-recovered.yaml");
  writeFileSync(file, stringify(recovered));
  run = runPlanCli(["--stack", "production", "--config-file", file]);
  plan = readPlan(run.outDir);
});

const cluster = (name: string) =>
  plan.resources.find(
    (r) => (r.inputs as Manifest).kind === "Cluster" && (r.inputs as Manifest).metadata?.name === name,
  )?.inputs as Manifest;

describe("postgres.recovery in the production plan", () => {
  it("plans with the policy pack satisfied", () => {
    expect(run.status, run.stderr).toBe(0);
  });

  it("recreates the shared cluster from its old archive and archives to the new one", () => {
    const c = cluster("postgres");
    expect(c.spec.bootstrap).toEqual({ recovery: { source: "origin" } });
    expect(c.spec.externalClusters[0].plugin.parameters).toEqual({
      barmanObjectName: "postgres-r2",
      serverName: "postgres",
    });
    expect(c.spec.plugins[0].parameters.serverName).toBe("postgres-2");
  });

  it("recovers a dedicated tenant's cluster to a point in time", () => {
    const c = cluster("janua-globex");
    expect(c.spec.bootstrap.recovery.recoveryTarget).toEqual({ targetTime: "2026-11-22T03:00:00Z" });
    expect(c.spec.plugins[0].parameters.serverName).toBe("janua-globex-2");
  });
});
