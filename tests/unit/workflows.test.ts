/**
 * The GitHub Actions workflows: valid for GitHub's own workflow parser, the jobs the review and
 * deploy flow relies on, every third-party action pinned by commit SHA, least-privilege
 * permissions, environments and concurrency groups (issue 21), and the secrets each job provides
 * against what the program's loader requires.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { convertWorkflowTemplate, NoOperationTraceWriter, parseWorkflow } from "@actions/workflow-parser";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { readStackConfig } from "../../scripts/lib/stack-ci";
import { SECRET_KEYS } from "../../stacks/secrets";

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
  "runs-on"?: string;
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

const jobs = (file: string) => Object.entries(load(file).jobs);
const text = (file: string) => readFileSync(join(DIR, file), "utf8");
const runsPulumi = (job: Job) => job.steps.some((s) => s.uses?.startsWith("pulumi/actions@"));
/** The stacks a job runs for: its matrix, or the stack named in its Pulumi step. */
function stacksOf(job: Job): string[] {
  const matrix = job.strategy?.matrix.stack;
  if (matrix) return matrix;
  const named = job.steps.find((s) => s.uses?.startsWith("pulumi/actions@"))?.with?.["stack-name"];
  return named ? [String(named)] : [];
}
/** A step's text with `${{ matrix.stack }}` replaced by the stack, for matching. */
const forStack = (value: string | undefined, stack: string) =>
  (value ?? "").replaceAll('"${{ matrix.stack }}"', stack).replaceAll("${{ matrix.stack }}", stack);

describe("workflow files", () => {
  it("exist: pull-request, pr-comment, deploy, drift", () => {
    expect(FILES.sort()).toEqual(["deploy.yml", "drift.yml", "pr-comment.yml", "pull-request.yml"]);
  });

  it.each(FILES)("%s is valid for GitHub's workflow parser", async (file) => {
    expect(await githubErrors(file, text(file))).toEqual([]);
  });

  it("the parser used here rejects a misspelt key", async () => {
    const broken = text("drift.yml").replace("runs-on:", "runs-onn:");
    expect((await githubErrors("drift.yml", broken)).join("\n")).toMatch(/Unexpected value 'runs-onn'/);
  });

  it.each(FILES)("%s grants only read access at the top and writes only pull requests or issues", (file) => {
    const w = load(file);
    expect(w.permissions).toEqual({ contents: "read" });
    for (const [name, job] of Object.entries(w.jobs)) {
      expect(job.permissions).not.toBe("write-all");
      for (const [scope, level] of Object.entries(job.permissions ?? {})) {
        if (level === "write")
          expect(["pull-requests", "issues"], `${file} ${name}: ${scope}: write`).toContain(scope);
      }
    }
  });

  it.each(FILES)(
    "%s runs Pulumi with the pinned CLI, the policy pack and the generated pack config",
    (file) => {
      for (const step of pulumiSteps(load(file))) {
        expect(step.with?.["pulumi-version"]).toBe(PULUMI_SDK);
        expect(step.with?.policyPacks).toBe("policies");
        expect(step.with?.policyPackConfigs).toBe("${{ runner.temp }}/policy-config.json");
      }
    },
  );

  it("never uses pull_request_target, whose runs hold the base repository's token and secrets", () => {
    for (const file of FILES) expect(Object.keys(load(file).on), file).not.toContain("pull_request_target");
  });
});

// docs.github.com "Security hardening for GitHub Actions", using third-party actions: a full
// commit SHA is the only immutable reference. The SHAs below were read from each action's own
// repository (`git rev-parse <tag>^{commit}` on a fetched copy); Dependabot moves SHA and comment
// together, so an unknown pair is fine, but a known SHA under the wrong version comment is not.
describe("actions pinned by commit SHA", () => {
  const KNOWN: Record<string, string> = {
    "actions/checkout@v4.2.2": "11bd71901bbe5b1630ceea73d27597364c9af683",
    "actions/setup-node@v4.1.0": "39370e3970a6d050c480ffad4ff0ed4d3fdee5af",
    "actions/upload-artifact@v4.4.3": "b4b15b8c7c6ac21ea08fcf65892d2ee8f75cf882",
    "actions/download-artifact@v4.1.8": "fa0a91b85d4f404e444e00e005971372dc801d16",
    "actions/github-script@v7.0.1": "60a0d83039c74a4aee543508d2ffcb1c3799cdea",
    "marocchino/sticky-pull-request-comment@v2.9.0": "331f8f5b4215f0445d3c07b4967662a32a2d3e31",
    "pulumi/actions@v6.0.0": "c7fad9e2f0b79653172b36538b8b34b3c0291952",
  };
  const LOCAL_ACTION = /^\.\/\.github\/actions\/[\w-]+$/;
  const PINNED = /^\s*(?:-\s+)?uses:\s+([\w.-]+\/[\w./-]+)@([0-9a-f]{40}) # (v\d+\.\d+\.\d+)\s*$/;
  const sources = [
    ...FILES.map((f) => ({ name: f, text: text(f) })),
    {
      name: "setup/action.yml",
      text: readFileSync(join(ROOT, ".github", "actions", "setup", "action.yml"), "utf8"),
    },
  ];

  it.each(sources.map((s) => [s.name, s.text] as const))(
    "%s: every third-party action is a full SHA with its version in a comment",
    (name, content) => {
      const lines = content.split("\n").filter((l) => /^\s*(?:-\s+)?uses:/.test(l));
      expect(lines.length, name).toBeGreaterThan(0);
      for (const line of lines) {
        const uses = line.replace(/^\s*(?:-\s+)?uses:\s+/, "").trim();
        if (LOCAL_ACTION.test(uses)) {
          expect(existsSync(join(ROOT, uses, "action.yml")), uses).toBe(true);
          continue;
        }
        const m = PINNED.exec(line);
        expect(m, `${name}: ${line.trim()}`).not.toBeNull();
        const [, action, sha, version] = m as RegExpExecArray;
        const known = KNOWN[`${action}@${version}`];
        if (known) expect(sha, `${action}@${version}`).toBe(known);
        for (const [key, value] of Object.entries(KNOWN)) {
          if (value === sha) expect(`${action}@${version}`, "SHA under another version's comment").toBe(key);
        }
      }
    },
  );

  it("a tag is refused, with or without a comment", () => {
    expect(PINNED.test("      - uses: actions/checkout@v4.2.2")).toBe(false);
    expect(PINNED.test("      - uses: actions/checkout@v4 # v4.2.2")).toBe(false);
    expect(PINNED.test("      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683")).toBe(
      false,
    );
  });

  it("the local setup action is a composite action", () => {
    const action = parse(readFileSync(join(ROOT, ".github", "actions", "setup", "action.yml"), "utf8")) as {
      runs: { using: string };
    };
    expect(action.runs.using).toBe("composite");
  });
});

describe("Dependabot", () => {
  const config = parse(readFileSync(join(ROOT, ".github", "dependabot.yml"), "utf8")) as {
    updates: { "package-ecosystem": string; directories?: string[]; directory?: string }[];
  };
  const dirsOf = (ecosystem: string) =>
    config.updates
      .filter((u) => u["package-ecosystem"] === ecosystem)
      .flatMap((u) => u.directories ?? (u.directory ? [u.directory] : []));
  function folders(dir: string, file: string, rel = ""): string[] {
    const out: string[] = existsSync(join(dir, file)) ? [rel || "/"] : [];
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (
        !entry.isDirectory() ||
        entry.name === "node_modules" ||
        (entry.name.startsWith(".") && entry.name !== ".github")
      )
        continue;
      out.push(...folders(join(dir, entry.name), file, `${rel}/${entry.name}`));
    }
    return out;
  }

  it("covers every folder with a package.json", () => {
    const found = folders(ROOT, "package.json").filter((d) => !d.startsWith("/.plan"));
    expect(found).toEqual(expect.arrayContaining(["/", "/policies"]));
    expect(dirsOf("npm").sort()).toEqual(found.sort());
  });

  it("covers the workflows and every local action", () => {
    const actions = folders(join(ROOT, ".github", "actions"), "action.yml").map(
      (d) => `/.github/actions${d}`,
    );
    expect(dirsOf("github-actions").sort()).toEqual(["/", ...actions].sort());
  });
});

// Environments gate secrets: a job gets an environment's secrets only after its protection
// rules pass, and its branch rules allow the ref (docs.github.com "Deployments and environments").
describe("environments", () => {
  const ENVIRONMENTS: Record<string, Record<string, string>> = {
    "deploy.yml": {
      staging: "staging",
      "production-preview": "production-preview",
      production: "production",
    },
    "drift.yml": { drift: "${{ matrix.stack }}-preview" },
    "pull-request.yml": { preview: "pr-preview" },
  };

  it.each(FILES)(
    "%s: every job that reads a secret runs in its environment, none on repository secrets",
    (file) => {
      for (const [name, job] of jobs(file)) {
        const usesSecrets = JSON.stringify(job.steps).includes("secrets.");
        if (usesSecrets) expect(job.environment, `${file} ${name}`).toBe(ENVIRONMENTS[file]?.[name]);
        else
          expect(
            ENVIRONMENTS[file]?.[name],
            `${file} ${name} has an environment but no secret`,
          ).toBeUndefined();
      }
    },
  );

  it("deploys staging, previews production with a saved plan, then applies that plan after approval", () => {
    const w = load("deploy.yml");
    expect(w.on).toMatchObject({ push: { branches: ["main"] } });
    expect(w.jobs.staging).toMatchObject({ needs: "test", environment: "staging" });
    expect(w.jobs["production-preview"]).toMatchObject({
      needs: "staging",
      environment: "production-preview",
    });
    expect(w.jobs.production).toMatchObject({ needs: "production-preview", environment: "production" });
    const preview = w.jobs["production-preview"]?.steps.find((s) => s.uses?.startsWith("pulumi/actions@"));
    const up = w.jobs.production?.steps.find((s) => s.uses?.startsWith("pulumi/actions@"));
    // pulumi/actions passes `plan` as --save-plan to preview and --plan to up (@pulumi/pulumi
    // automation/stack.js); the reviewer reads the preview in the run's summary.
    expect(preview?.with).toMatchObject({
      command: "preview",
      "stack-name": "production",
      "comment-on-summary": true,
    });
    expect(up?.with).toMatchObject({ command: "up", "stack-name": "production", plan: preview?.with?.plan });
    const upload = w.jobs["production-preview"]?.steps.find((s) =>
      s.uses?.startsWith("actions/upload-artifact@"),
    );
    const download = w.jobs.production?.steps.find((s) => s.uses?.startsWith("actions/download-artifact@"));
    expect(upload?.with?.path).toBe(preview?.with?.plan);
    expect(download?.with?.name).toBe(upload?.with?.name);
    expect(w.jobs.staging?.steps.find((s) => s.uses?.startsWith("pulumi/actions@"))?.with).toMatchObject({
      command: "up",
      "stack-name": "staging",
    });
  });

  it("previews a pull request only for branches of this repository, staging only, in pr-preview", () => {
    const w = load("pull-request.yml");
    const preview = w.jobs.preview as Job;
    expect(preview.if).toBe("github.event.pull_request.head.repo.full_name == github.repository");
    expect(preview.environment).toBe("pr-preview");
    expect(preview.strategy?.matrix.stack).toEqual(["staging"]);
    // Nothing that reaches a secret names production; only the offline plans (no secrets) do.
    expect(JSON.stringify(preview)).not.toMatch(/production/);
    expect(pulumiSteps(w)[0]?.with).toMatchObject({
      command: "preview",
      "comment-on-pr": true,
      diff: true,
      refresh: true,
    });
  });

  it("gives fork pull requests the offline plans only: the plan job holds no secret and no environment", () => {
    const w = load("pull-request.yml");
    const planDiff = w.jobs["plan-diff"] as Job;
    expect(planDiff.environment).toBeUndefined();
    expect(JSON.stringify(planDiff)).not.toContain("secrets.");
    expect(JSON.stringify(planDiff)).toContain("github.event.pull_request.base.sha");
    expect(JSON.stringify(planDiff)).toContain("npm run plan -- --stack");
    expect(planDiff.steps.find((s) => s.uses?.startsWith("actions/upload-artifact@"))?.with?.name).toBe(
      "plans",
    );
    expect(w.jobs.test?.steps.some((s) => s.run === "bash .ci/run")).toBe(true);
  });

  it("checks drift without an approval, in each stack's preview environment", () => {
    const job = load("drift.yml").jobs.drift as Job;
    expect(job.environment).toBe("${{ matrix.stack }}-preview");
    for (const stack of job.strategy?.matrix.stack ?? [])
      expect(forStack(job.environment, stack)).not.toBe(stack);
  });
});

// At most one running and one pending job per group; a newer pending job cancels the older
// pending one (docs.github.com "Control the concurrency of workflows and jobs").
describe("concurrency", () => {
  it("serializes the deploys of a stack, never cancelling one in progress", () => {
    const w = load("deploy.yml");
    expect(w.jobs.staging?.concurrency).toEqual({ group: "deploy-staging", "cancel-in-progress": false });
    for (const job of ["production-preview", "production"]) {
      expect(w.jobs[job]?.concurrency).toEqual({ group: "deploy-production", "cancel-in-progress": false });
    }
  });

  it("gives drift its own group per stack, so it never holds or cancels a deploy", () => {
    const job = load("drift.yml").jobs.drift as Job;
    expect(job.concurrency).toEqual({ group: "drift-${{ matrix.stack }}", "cancel-in-progress": false });
    expect(job.concurrency?.group).not.toMatch(/^deploy-/);
  });

  it("cancels superseded pull-request runs and previews, per pull request", () => {
    const w = load("pull-request.yml") as Workflow & { concurrency?: Job["concurrency"] };
    expect(w.concurrency).toEqual({
      group: "pull-request-${{ github.event.pull_request.number }}",
      "cancel-in-progress": true,
    });
    expect(w.jobs.preview?.concurrency?.group).toBe(
      "pr-preview-${{ matrix.stack }}-${{ github.event.pull_request.number }}",
    );
  });
});

describe("drift issues", () => {
  const job = load("drift.yml").jobs.drift as Job;
  const scripts = job.steps.filter((s) => s.uses?.startsWith("actions/github-script@"));

  it("checks every stack nightly with no changes expected, R2 access and backups", () => {
    expect(load("drift.yml").on).toHaveProperty("schedule");
    expect(pulumiSteps(load("drift.yml"))[0]?.with).toMatchObject({
      command: "preview",
      "expect-no-changes": true,
      refresh: true,
    });
    expect(job.steps.some((s) => s.run?.includes("npm run r2:check"))).toBe(true);
    expect(job.steps.find((s) => s.run?.includes("backup:check"))?.if).toContain(
      "hashFiles('scripts/backup-check.ts')",
    );
  });

  it("opens or updates one issue per stack on failure and closes it when the check passes again", () => {
    const open = scripts.find((s) => s.if === "${{ failure() }}");
    const close = scripts.find((s) => s.if === "${{ success() }}");
    const title = "const title = `Drift detected in ${process.env.STACK}`;";
    for (const step of [open, close]) {
      expect(String(step?.with?.script)).toContain(title);
      expect(step?.env?.STACK).toBe("${{ matrix.stack }}");
    }
    expect(String(open?.with?.script)).toContain("issues.create(");
    expect(String(close?.with?.script)).toContain('state: "closed"');
    expect(String(close?.with?.script)).toContain("i.title === title");
  });
});

describe("the pull-request comment", () => {
  const c = load("pr-comment.yml");
  const steps = allSteps(c);
  const lookup = steps.find((s) => s.uses?.startsWith("actions/github-script@"));
  const render = steps.find((s) => s.run?.includes("npm run -s plan:diff"));

  it("runs after the pull-request workflow and never checks out the pull request's code", () => {
    expect(c.on).toMatchObject({ workflow_run: { workflows: ["pull-request"], types: ["completed"] } });
    const checkouts = steps.filter((s) => s.uses?.startsWith("actions/checkout@"));
    expect(checkouts).toHaveLength(1);
    // No ref: the default branch, whose diff tool was reviewed.
    expect(checkouts[0]?.with?.ref).toBeUndefined();
    // A branch name is the pull request author's text: never interpolated into a script.
    expect(text("pr-comment.yml")).not.toContain("workflow_run.head_branch }}");
  });

  it("looks the pull request up from the run's head commit and trusts no number from the artifact", () => {
    const script = String(lookup?.with?.script);
    expect(script).toContain("github.rest.pulls.list");
    expect(script).toContain("p.head.sha === run.head_sha");
    expect(script).toContain("matches.length !== 1");
    expect(text("pr-comment.yml")).not.toContain("pr-number");
    expect(text("pull-request.yml")).not.toContain("pr-number");
    const sticky = steps.find((s) => s.uses?.startsWith("marocchino/sticky-pull-request-comment@"));
    expect(sticky?.with?.number).toBe("${{ steps.pr.outputs.number }}");
  });

  it("renders every stack in one call of the default branch's tool, with the head commit", () => {
    const run = String(render?.run);
    for (const stack of ["production", "staging"]) {
      expect(run).toContain(`"$PLANS/base/${stack}/plan.json" "$PLANS/head/${stack}/plan.json"`);
    }
    expect(run.match(/npm run -s plan:diff/g)).toHaveLength(1);
    expect(run).toContain('--head-sha "$HEAD_SHA"');
    expect(render?.env?.HEAD_SHA).toBe("${{ github.event.workflow_run.head_sha }}");
  });

  it("posts the failure when there is no diff, instead of leaving the old comment up", () => {
    const failure = steps.find((s) => s.if === "steps.render.outcome != 'success'");
    expect(failure?.run).toContain("<!-- enclii-infra plan diff -->");
    expect(failure?.run).toContain("$CONCLUSION");
    const download = steps.find((s) => s.uses?.startsWith("actions/download-artifact@"));
    expect(download).toMatchObject({ "continue-on-error": true, with: { name: "plans" } });
    expect(render).toMatchObject({ if: "steps.plans.outcome == 'success'", "continue-on-error": true });
  });
});

// GitHub-hosted runners have no fixed address (REFERENCE.md "How the real systems behave"), so
// SSH and the API (open to access.adminCidrs only) are reached through the tunnel: cloudflared's
// `access tcp` reads TUNNEL_SERVICE_TOKEN_ID / TUNNEL_SERVICE_TOKEN_SECRET
// (cloudflare/cloudflared cmd/cloudflared/access/cmd.go, the `tcp` subcommand's flags).
describe("CI reaches the cluster through the tunnel", () => {
  const pulumiJobs = FILES.flatMap((file) =>
    jobs(file)
      .filter(([, job]) => runsPulumi(job))
      .map(([name, job]) => [file, name, job] as const),
  );

  it.each(pulumiJobs.map(([f, n]) => [f, n]))(
    "%s %s starts the cloudflared access proxies before pulumi, with the service token env",
    (file, name) => {
      const job = load(file).jobs[name] as Job;
      const steps = job.steps;
      const tunnel = steps.findIndex((s) => s.run?.startsWith("bash scripts/ci/cluster-tunnel.sh "));
      const pulumi = steps.findIndex((s) => s.uses?.startsWith("pulumi/actions@"));
      expect(tunnel).toBeGreaterThanOrEqual(0);
      expect(tunnel).toBeLessThan(pulumi);
      for (const stack of stacksOf(job)) {
        expect(forStack(steps[tunnel]?.run, stack)).toBe(`bash scripts/ci/cluster-tunnel.sh ${stack}`);
      }
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

// Issue 21 item 1. The program reads every credential from the stack's config (stacks/config.ts
// loadStackConfig; components never read the environment, DESIGN.md), and the one documented way
// to get secrets there is `secure:` values in Pulumi.<stack>.yaml, encrypted with the stack's
// passphrase (README "Secrets"). The CLI itself reads PULUMI_ACCESS_TOKEN to log in and
// PULUMI_CONFIG_PASSPHRASE to decrypt; without it and without a terminal it fails with
// "passphrase must be set with PULUMI_CONFIG_PASSPHRASE or PULUMI_CONFIG_PASSPHRASE_FILE"
// (pulumi/pulumi pkg/secrets/passphrase/manager.go), for `up`/`preview` and for
// `pulumi stack output --show-secrets` alike (r2:check, backup:check, the tunnel script).
describe("the secrets each job provides, against what the loader requires", () => {
  const CLI_ENV = {
    PULUMI_ACCESS_TOKEN: "${{ secrets.PULUMI_ACCESS_TOKEN }}",
    PULUMI_CONFIG_PASSPHRASE: "${{ secrets.PULUMI_CONFIG_PASSPHRASE }}",
  };
  const pulumiJobs = FILES.flatMap((file) =>
    jobs(file)
      .filter(([, job]) => runsPulumi(job))
      .map(([name, job]) => [file, name, job] as const),
  );
  const cases = pulumiJobs.flatMap(([file, name, job]) =>
    stacksOf(job).map((stack) => [file, name, stack] as const),
  );

  it("covers every job that runs Pulumi, for each stack it runs", () => {
    expect(cases.map(([f, n, s]) => `${f} ${n} ${s}`).sort()).toEqual(
      [
        "deploy.yml production production",
        "deploy.yml production-preview production",
        "deploy.yml staging staging",
        "drift.yml drift production",
        "drift.yml drift staging",
        "pull-request.yml preview staging",
      ].sort(),
    );
  });

  it.each(cases)(
    "%s %s (%s): every secret the loader requires comes from the stack file, checked before Pulumi",
    (file, name, stack) => {
      const job = load(file).jobs[name] as Job;
      const required = SECRET_KEYS.filter((s) =>
        s.requiredWhen(readStackConfig(join(ROOT, `Pulumi.${stack}.yaml`), "enclii-infra", stack)),
      );
      expect(required.length).toBeGreaterThan(0);
      // The job's environment provides what decrypts them, to the Pulumi step...
      const pulumi = job.steps.findIndex((s) => s.uses?.startsWith("pulumi/actions@"));
      expect(job.steps[pulumi]?.env).toEqual(CLI_ENV);
      // ...and scripts/secrets-check.ts (the loader's own SECRET_KEYS) stops the job before Pulumi
      // unless each of `required` is a secure value of that stack's file.
      const check = job.steps.findIndex(
        (s) => forStack(s.run, stack) === `npm run -s secrets:check -- --stack ${stack}`,
      );
      expect(check, "secrets:check step").toBeGreaterThanOrEqual(0);
      expect(check).toBeLessThan(pulumi);
      expect(job.steps[check]?.env, "the check decrypts nothing").toBeUndefined();
      expect(job.steps[check]?.if).toBeUndefined();
    },
  );

  it.each(cases)(
    "%s %s (%s): the pack's budget comes from the stack file, generated before Pulumi",
    (file, name, stack) => {
      const job = load(file).jobs[name] as Job;
      const generate = job.steps.findIndex(
        (s) =>
          forStack(s.run, stack) ===
          `npm run -s policy:config -- --stack ${stack} --out "$RUNNER_TEMP/policy-config.json"`,
      );
      const pulumi = job.steps.findIndex((s) => s.uses?.startsWith("pulumi/actions@"));
      expect(generate).toBeGreaterThanOrEqual(0);
      expect(generate).toBeLessThan(pulumi);
    },
  );

  it("passes no variable the program does not read: no provider token in any workflow", () => {
    for (const file of FILES) {
      for (const name of ["HCLOUD_TOKEN", "CLOUDFLARE_API_TOKEN", "ROBOT_PASSWORD", "ROBOT_USER"]) {
        expect(text(file), `${file}: ${name}`).not.toContain(name);
      }
    }
    // What each env var is for: the CLI's login and decryption, or the tunnel script.
    const allowed = new Set([
      ...Object.keys(CLI_ENV),
      "TUNNEL_SERVICE_TOKEN_ID",
      "TUNNEL_SERVICE_TOKEN_SECRET",
    ]);
    for (const file of FILES) {
      for (const step of allSteps(load(file))) {
        for (const [key, value] of Object.entries(step.env ?? {})) {
          if (String(value).includes("secrets.")) expect(allowed, `${file}: ${key}`).toContain(key);
        }
      }
    }
  });

  it("the program reads no credential from the environment: stacks/ and components/ never touch process.env", () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith(".ts") && readFileSync(path, "utf8").includes("process.env"))
          offenders.push(path);
      }
    };
    walk(join(ROOT, "stacks"));
    walk(join(ROOT, "components"));
    expect(offenders).toEqual([]);
  });

  it.each(["deploy.yml", "drift.yml", "pull-request.yml"])(
    "%s passes the CLI's login and passphrase to every step that runs Pulumi or reads stack outputs",
    (file) => {
      const needsSecrets = (s: Step) =>
        s.uses?.startsWith("pulumi/actions@") === true ||
        /npm run (r2:check|backup:check)|cluster-tunnel\.sh/.test(s.run ?? "");
      const steps = allSteps(load(file)).filter(needsSecrets);
      expect(steps.length).toBeGreaterThan(0);
      for (const step of steps) expect(step.env, step.name ?? step.uses ?? step.run).toMatchObject(CLI_ENV);
    },
  );

  it("docs/deploy.md lists each environment and the secrets it holds", () => {
    const deploy = readFileSync(join(ROOT, "docs", "deploy.md"), "utf8");
    for (const env of ["staging", "production", "staging-preview", "production-preview", "pr-preview"]) {
      expect(deploy).toContain(`\`${env}\``);
    }
    for (const secret of ["PULUMI_ACCESS_TOKEN", "PULUMI_CONFIG_PASSPHRASE", "TUNNEL_SERVICE_TOKEN_ID"]) {
      expect(deploy).toContain(`\`${secret}\``);
    }
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
    expect([...used]).toEqual(expect.arrayContaining(["secrets:check", "policy:config", "plan:diff"]));
    for (const name of used) expect(pkg.scripts, name).toHaveProperty([name]);
  });
});
