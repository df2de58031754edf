/**
 * The GitHub Actions workflows: valid for GitHub's own workflow parser, the jobs the review and
 * deploy flow relies on, actions pinned to full versions, least-privilege permissions, and
 * deploys that never overlap.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from "@actions/workflow-parser";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const ROOT = join(__dirname, "..", "..");
const DIR = join(ROOT, ".github", "workflows");
const FILES = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f));
const PULUMI_SDK = JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8")).dependencies[
  "@pulumi/pulumi"
] as string;

type Step = {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  if?: string;
};
type Job = {
  permissions?: Record<string, string> | string;
  steps: Step[];
  needs?: string | string[];
  environment?: string;
  concurrency?: { group: string; "cancel-in-progress": boolean };
  if?: string;
  strategy?: { matrix: Record<string, string[]> };
};
type Workflow = {
  on: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs: Record<string, Job>;
};

function load(file: string): Workflow {
  return parse(readFileSync(join(DIR, file), "utf8")) as Workflow;
}

async function githubErrors(file: string, content: string): Promise<string[]> {
  const result = parseWorkflow({ name: file, content }, new NoOperationTraceWriter());
  const errors = result.context.errors.getErrors().map((e) => e.message);
  if (result.value) {
    const template = await convertWorkflowTemplate(result.context, result.value);
    errors.push(...(template.errors ?? []).map((e) => e.Message));
  }
  return errors;
}

const allSteps = (w: Workflow) => Object.values(w.jobs).flatMap((j) => j.steps);
const pulumiSteps = (w: Workflow) => allSteps(w).filter((s) => s.uses?.startsWith("pulumi/actions@"));

describe("workflow files", () => {
  it("exist: pull-request, pr-comment, deploy, drift", () => {
    expect(FILES.sort()).toEqual(["deploy.yml", "drift.yml", "pr-comment.yml", "pull-request.yml"]);
  });

  it.each(FILES)("%s is valid for GitHub's workflow parser", async (file) => {
    expect(await githubErrors(file, readFileSync(join(DIR, file), "utf8"))).toEqual([]);
  });

  it("the parser used here rejects a misspelt key", async () => {
    const broken = readFileSync(join(DIR, "drift.yml"), "utf8").replace("runs-on:", "runs-onn:");
    expect((await githubErrors("drift.yml", broken)).join("\n")).toMatch(/Unexpected value 'runs-onn'/);
  });

  const PINNED = /^[\w.-]+\/[\w./-]+@(v\d+\.\d+\.\d+|[0-9a-f]{40})$/;
  const LOCAL_ACTION = /^\.\/\.github\/actions\/[\w-]+$/;

  it.each(FILES)(
    "%s pins every action to a full version or commit (or uses a local action that exists)",
    (file) => {
      for (const step of allSteps(load(file)).filter((s) => s.uses)) {
        const uses = step.uses as string;
        if (LOCAL_ACTION.test(uses)) expect(existsSync(join(ROOT, uses, "action.yml")), uses).toBe(true);
        else expect(uses, file).toMatch(PINNED);
      }
    },
  );

  it("the local setup action is a composite action with pinned actions", () => {
    const action = parse(readFileSync(join(ROOT, ".github", "actions", "setup", "action.yml"), "utf8")) as {
      runs: { using: string; steps: Step[] };
    };
    expect(action.runs.using).toBe("composite");
    for (const step of action.runs.steps.filter((s) => s.uses)) expect(step.uses).toMatch(PINNED);
  });

  it.each(FILES)("%s grants only read access at the top and no write-all anywhere", (file) => {
    const w = load(file);
    expect(w.permissions).toEqual({ contents: "read" });
    for (const job of Object.values(w.jobs)) {
      expect(job.permissions).not.toBe("write-all");
      for (const [scope, level] of Object.entries(job.permissions ?? {})) {
        if (level === "write")
          expect(["pull-requests", "issues"], `${file}: ${scope}: write`).toContain(scope);
      }
    }
  });

  it.each(FILES)("%s runs Pulumi with the pinned CLI and the policy pack of the stack", (file) => {
    for (const step of pulumiSteps(load(file))) {
      expect(step.with?.["pulumi-version"]).toBe(PULUMI_SDK);
      expect(step.with?.policyPacks).toBe("policies");
      expect(String(step.with?.policyPackConfigs)).toMatch(
        /^policies\/config\.\$\{\{ matrix\.stack \}\}\.json$|^policies\/config\.(staging|production)\.json$/,
      );
    }
  });
});

describe("pull-request workflow", () => {
  const w = load("pull-request.yml");

  it("tests, plans base and head offline and diffs them, with no secrets", () => {
    expect(Object.keys(w.jobs)).toEqual(expect.arrayContaining(["test", "plan-diff", "preview"]));
    expect(w.jobs.test?.steps.some((s) => s.run === "bash .ci/run")).toBe(true);
    const planDiff = JSON.stringify(w.jobs["plan-diff"]);
    expect(planDiff).not.toContain("secrets.");
    expect(planDiff).toContain("github.event.pull_request.base.sha");
    expect(planDiff).toContain("npm run plan -- --stack");
    expect(planDiff).toContain("npm run -s plan:diff --");
    expect(w.jobs["plan-diff"]?.steps.some((s) => s.uses?.startsWith("actions/upload-artifact@"))).toBe(true);
  });

  it("previews each stack for real only where secrets exist, with diff, refresh and a PR comment", () => {
    const preview = w.jobs.preview as Job;
    expect(preview.if).toBe("github.event.pull_request.head.repo.full_name == github.repository");
    expect(preview.strategy?.matrix.stack).toEqual(["staging", "production"]);
    const step = pulumiSteps(w)[0];
    expect(step?.with).toMatchObject({
      command: "preview",
      "comment-on-pr": true,
      diff: true,
      refresh: true,
    });
  });

  it("the sticky comment is posted by a separate workflow that never runs the pull request's code", () => {
    const c = load("pr-comment.yml");
    expect(c.on).toMatchObject({ workflow_run: { workflows: ["pull-request"], types: ["completed"] } });
    const steps = allSteps(c);
    expect(steps.some((s) => s.uses?.startsWith("actions/checkout@"))).toBe(false);
    expect(steps.some((s) => s.uses?.startsWith("marocchino/sticky-pull-request-comment@"))).toBe(true);
  });
});

describe("deploy and drift workflows", () => {
  it("deploys staging on pushes to main, then production through its protected environment", () => {
    const w = load("deploy.yml");
    expect(w.on).toMatchObject({ push: { branches: ["main"] } });
    expect(w.jobs.staging).toMatchObject({ needs: "test", environment: "staging" });
    expect(w.jobs.production).toMatchObject({ needs: "staging", environment: "production" });
    for (const stack of ["staging", "production"]) {
      expect(w.jobs[stack]?.concurrency).toEqual({ group: `deploy-${stack}`, "cancel-in-progress": false });
      const step = w.jobs[stack]?.steps.find((s) => s.uses?.startsWith("pulumi/actions@"));
      expect(step?.with).toMatchObject({
        command: "up",
        "stack-name": stack,
        policyPackConfigs: `policies/config.${stack}.json`,
      });
    }
  });

  it("checks drift nightly per stack, never during a deploy, and opens an issue on failure", () => {
    const w = load("drift.yml");
    expect(w.on).toHaveProperty("schedule");
    const job = w.jobs.drift as Job;
    expect(job.concurrency).toEqual({ group: "deploy-${{ matrix.stack }}", "cancel-in-progress": false });
    expect(pulumiSteps(w)[0]?.with).toMatchObject({
      command: "preview",
      "expect-no-changes": true,
      refresh: true,
    });
    expect(job.steps.some((s) => s.run?.includes("npm run r2:check"))).toBe(true);
    expect(job.steps.find((s) => s.run?.includes("backup:check"))?.if).toContain(
      "hashFiles('scripts/backup-check.ts')",
    );
    const issue = job.steps.find((s) => s.uses?.startsWith("actions/github-script@"));
    expect(issue?.if).toBe("${{ failure() }}");
  });
});

// GitHub-hosted runners have no fixed address (REFERENCE.md "How the real systems behave"), so
// SSH and the API (open to access.adminCidrs only) are reached through the tunnel: cloudflared's
// `access tcp` reads TUNNEL_SERVICE_TOKEN_ID / TUNNEL_SERVICE_TOKEN_SECRET
// (cloudflare/cloudflared cmd/cloudflared/access/cmd.go, the `tcp` subcommand's flags).
describe("CI reaches the cluster through the tunnel", () => {
  const jobs: [string, string, string][] = [
    ["deploy.yml", "staging", "staging"],
    ["deploy.yml", "production", "production"],
    ["drift.yml", "drift", '"${{ matrix.stack }}"'],
  ];

  it.each(jobs)(
    "%s %s starts the cloudflared access proxies before pulumi, with the service token env",
    (file, job, stack) => {
      const steps = load(file).jobs[job]?.steps ?? [];
      const tunnel = steps.findIndex((s) => s.run === `bash scripts/ci/cluster-tunnel.sh ${stack}`);
      const pulumi = steps.findIndex((s) => s.uses?.startsWith("pulumi/actions@"));
      expect(tunnel).toBeGreaterThanOrEqual(0);
      expect(tunnel).toBeLessThan(pulumi);
      expect(steps[tunnel]?.env).toEqual({
        TUNNEL_SERVICE_TOKEN_ID: "${{ secrets.TUNNEL_SERVICE_TOKEN_ID }}",
        TUNNEL_SERVICE_TOKEN_SECRET: "${{ secrets.TUNNEL_SERVICE_TOKEN_SECRET }}",
        // It compares the config's nodes with the deployed clusterAccess output.
        PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}",
        PULUMI_CONFIG_PASSPHRASE: "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}",
      });
      // The token reaches only the proxy step, never Pulumi's.
      expect(JSON.stringify(steps[pulumi]?.env)).not.toContain("TUNNEL_SERVICE_TOKEN");
    },
  );

  it("the tunnel script runs cloudflared access tcp per route and maps each stable name to its loopback", () => {
    const script = readFileSync(join(ROOT, "scripts", "ci", "cluster-tunnel.sh"), "utf8");
    expect(script).toContain('cloudflared access tcp --hostname "$tunnel" --url "$loopback:$port"');
    expect(script).toContain('echo "$loopback $name" | sudo tee -a /etc/hosts');
    expect(script).toContain("npm run -s cluster:access -- --stack");
    // It waits for every listener before Pulumi dials.
    expect(script).toMatch(/until ss -ltnH \| grep -q " \$loopback:\$port "/);
  });
});

// README "Secrets provider" recommends `--secrets-provider passphrase` for teams: the CLI then
// reads the passphrase from PULUMI_CONFIG_PASSPHRASE and, without it and without a terminal, fails
// with "passphrase must be set with PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE"
// (pulumi/pulumi pkg/secrets/passphrase/manager.go readPassphrase), for `up`/`preview` and for
// `pulumi stack output --show-secrets` alike (r2:check, backup:check). A set but empty value is
// never read by a stack on Pulumi Cloud's default provider or a KMS key.
describe("a passphrase-encrypted stack decrypts in CI", () => {
  const PASSPHRASE = "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}";
  const needsSecrets = (s: Step) =>
    s.uses?.startsWith("pulumi/actions@") === true ||
    /npm run (r2:check|backup:check)|cluster-tunnel\.sh/.test(s.run ?? "");

  it.each(["deploy.yml", "drift.yml", "pull-request.yml"])(
    "%s passes PULUMI_CONFIG_PASSPHRASE to every step that runs Pulumi or reads stack outputs",
    (file) => {
      const steps = allSteps(load(file)).filter(needsSecrets);
      expect(steps.length).toBeGreaterThan(0);
      for (const step of steps) {
        expect(step.env?.PULUMI_CONFIG_PASSPHRASE, step.name ?? step.uses ?? step.run).toBe(PASSPHRASE);
        expect(step.env?.PULUMI_ACCESS_TOKEN, step.name ?? step.uses ?? step.run).toBe(
          "${{ secrets.PULUMI_ACCESS_TOKEN }}",
        );
      }
    },
  );

  it("docs/deploy.md lists PULUMI_CONFIG_PASSPHRASE among the environment secrets", () => {
    const deploy = readFileSync(join(ROOT, "docs", "deploy.md"), "utf8");
    expect(deploy).toMatch(/`PULUMI_CONFIG_PASSPHRASE`/);
  });
});

describe("scripts the workflows call", () => {
  const pkg = JSON.parse(readFileSync(join(__dirname, "..", "..", "package.json"), "utf8")) as {
    scripts: Record<string, string>;
  };
  it("exist in package.json", () => {
    const used = new Set<string>();
    for (const file of FILES) {
      for (const s of allSteps(load(file))) {
        for (const m of (s.run ?? "").matchAll(/npm run (?:-s )?([\w:-]+)/g)) used.add(m[1] as string);
      }
    }
    for (const s of ["scripts/ci/cluster-tunnel.sh"]) {
      for (const m of readFileSync(join(ROOT, s), "utf8").matchAll(/npm run (?:-s )?([\w:-]+)/g))
        used.add(m[1] as string);
    }
    for (const name of used) expect(pkg.scripts, name).toHaveProperty([name]);
  });
});
