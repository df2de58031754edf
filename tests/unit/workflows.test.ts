/**
 * The GitHub Actions workflows: valid for GitHub's own workflow parser, the jobs the review and
 * deploy flow relies on, every third-party action pinned by commit SHA, least-privilege
 * permissions, environments and concurrency groups (issue 21), and the secrets each job provides
 * against what the program's loader requires.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
// @actions/expressions is the expression engine of @actions/workflow-parser (its dependency, the
// same version): GitHub's own grammar for `if:`, evaluated here against the contexts of a run.
import { data, Evaluator, Lexer, Parser } from "@actions/expressions";
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
  id?: string;
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
/**
 * Evaluates a job's `if:` (no `${{ }}`, no status function) with GitHub's expression engine against
 * the contexts given, as the runner does before the job starts (docs.github.com "Evaluate
 * expressions in workflows and actions": a job `if` without a status function gets `success()`,
 * true here since the needed jobs are taken to have passed).
 */
function evaluateIf(expression: string, contexts: Record<string, unknown>): boolean {
  const names = ["github", "vars", "inputs", "steps", "matrix"];
  // `!(...)` yields a boolean (GitHub's truthiness), whatever the operands' types.
  const tokens = new Lexer(`!(${expression})`).lex().tokens;
  const expr = new Parser(tokens, names, []).parse();
  const context = new data.Dictionary(
    ...names.map((key) => ({
      key,
      value: JSON.parse(JSON.stringify(contexts[key] ?? {}), data.reviver) as data.ExpressionData,
    })),
  );
  return !(new Evaluator(expr, context).evaluate() as data.BooleanData).value;
}

/**
 * Runs an actions/github-script step's script the way v7.0.1 does (an async function body with
 * `github`, `context` and `core` in scope, src/async-function.ts callAsyncFunction), against fakes, with the step's
 * env as process.env. Returns what it set: outputs, notices, failures.
 */
async function runScript(
  script: string,
  fakes: { github: unknown; context: unknown; env?: Record<string, string> },
): Promise<{ outputs: Record<string, string>; notices: string[]; failed: string[] }> {
  const outputs: Record<string, string> = {};
  const notices: string[] = [];
  const failed: string[] = [];
  const core = {
    setOutput: (k: string, v: string) => {
      outputs[k] = v;
    },
    notice: (m: string) => notices.push(m),
    setFailed: (m: string) => failed.push(m),
  };
  const saved = { ...process.env };
  Object.assign(process.env, fakes.env ?? {});
  try {
    const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor as new (
      ...args: string[]
    ) => (...a: unknown[]) => Promise<unknown>;
    await new AsyncFunction("github", "context", "core", script)(fakes.github, fakes.context, core);
  } finally {
    for (const key of Object.keys(fakes.env ?? {})) {
      if (key in saved) process.env[key] = saved[key];
      else delete process.env[key];
    }
  }
  return { outputs, notices, failed };
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
    // `git show-ref --tags` on pulumi/actions: refs/tags/v6.0.1 (a lightweight tag on
    // "Prepare for v6.0.1 release (#1338)"); v6.0.1 logs the commands' stderr (#1316).
    "pulumi/actions@v6.0.1": "13b8b7177d6fb736766875dac9b78aab07bd785f",
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
    const close = scripts.find((s) => s.if === "${{ success() && steps.judge.outputs.checked == 'true' }}");
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
    // No ref: the default branch, whose diff tool was reviewed; and the base commit, which the
    // lookup proved is on the default branch. Never the head (workflow_run.head_sha).
    expect(checkouts.map((s) => s.with?.ref)).toEqual([undefined, "${{ steps.pr.outputs.base-sha }}"]);
    expect(text("pr-comment.yml")).not.toMatch(/ref: \$\{\{ github\.event\.workflow_run\.head/);
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
      expect(run).toContain(`"$BASE_PLANS/${stack}/plan.json" "$PLANS/head/${stack}/plan.json"`);
    }
    expect(run.match(/npm run -s plan:diff/g)).toHaveLength(1);
    expect(run).toContain('--head-sha "$HEAD_SHA"');
    expect(render?.env?.HEAD_SHA).toBe("${{ github.event.workflow_run.head_sha }}");
  });

  it("posts the failure when there is no diff, instead of leaving the old comment up", () => {
    const failure = steps.find(
      (s) => s.if === "steps.pr.outputs.number != '' && steps.render.outcome != 'success'",
    );
    expect(failure?.run).toContain("<!-- enclii-infra plan diff -->");
    expect(failure?.run).toContain("$CONCLUSION");
    const download = steps.find((s) => s.uses?.startsWith("actions/download-artifact@"));
    expect(download).toMatchObject({ "continue-on-error": true, with: { name: "plans" } });
    expect(render).toMatchObject({
      if: "steps.pr.outputs.number != '' && steps.plans.outcome == 'success' && steps.base.outcome == 'success'",
      "continue-on-error": true,
    });
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

// Issue 21 review (S1, L2): a pull request can edit its workflow, so the `if` below keeps nobody
// from `pr-preview`'s secrets (only the environment's required reviewers do, docs.github.com
// "Deployments and environments"). What it does: keep the real preview off until a maintainer
// turns it on, off for forks (no secrets) and for Dependabot, whose `pull_request` runs get
// Dependabot secrets, not Actions secrets, "even if the workflow is re-run by a different actor"
// (docs.github.com "Troubleshooting Dependabot on GitHub Actions").
describe("the real pull-request preview is opt-in", () => {
  const preview = load("pull-request.yml").jobs.preview as Job;
  const run = (vars: Record<string, string>, actor: string, headRepo: string) =>
    evaluateIf(String(preview.if), {
      vars,
      github: {
        actor,
        repository: "enclii/infra",
        event: { pull_request: { head: { repo: { full_name: headRepo } } } },
      },
    });

  it("runs only when PR_PREVIEW is true, for a branch of this repository, never for Dependabot or a fork", () => {
    expect(run({ PR_PREVIEW: "true" }, "alice", "enclii/infra")).toBe(true);
    expect(run({}, "alice", "enclii/infra")).toBe(false);
    expect(run({ PR_PREVIEW: "false" }, "alice", "enclii/infra")).toBe(false);
    expect(run({ PR_PREVIEW: "true" }, "dependabot[bot]", "enclii/infra")).toBe(false);
    expect(run({ PR_PREVIEW: "true" }, "mallory", "mallory/infra")).toBe(false);
  });
});

// Issue 21 review (B1): required reviewers exist only in public repositories, or private ones on
// GitHub Enterprise (docs.github.com "Reviewing deployments", "Who can use this feature?"). So a
// push reaches production only where the repository says reviewers are set; otherwise a dispatch.
describe("production is applied only when a person decided it", () => {
  const w = load("deploy.yml") as Workflow & {
    on: { workflow_dispatch: { inputs: Record<string, { type: string; default: unknown }> } };
  };
  const production = w.jobs.production as Job;
  const applies = (event: string, vars: Record<string, string>, inputs: Record<string, unknown> = {}) =>
    evaluateIf(String(production.if), { github: { event_name: event }, vars, inputs });

  it("a push applies production only with PRODUCTION_DEPLOY_ON_PUSH = true, a dispatch only with production: true", () => {
    expect(applies("push", {})).toBe(false);
    expect(applies("push", { PRODUCTION_DEPLOY_ON_PUSH: "false" })).toBe(false);
    expect(applies("push", { PRODUCTION_DEPLOY_ON_PUSH: "true" })).toBe(true);
    expect(applies("workflow_dispatch", {}, { production: false })).toBe(false);
    expect(applies("workflow_dispatch", {}, { production: true })).toBe(true);
    // The variable alone does not turn a dispatch into a production deploy.
    expect(applies("workflow_dispatch", { PRODUCTION_DEPLOY_ON_PUSH: "true" }, { production: false })).toBe(
      false,
    );
    expect(w.on.workflow_dispatch.inputs.production).toMatchObject({ type: "boolean", default: false });
  });

  it("previews production on every run, so there is always a plan to read before deciding", () => {
    expect(w.jobs["production-preview"]?.if).toBeUndefined();
    expect(w.jobs.staging?.if).toBeUndefined();
  });
});

describe("the production update plan", () => {
  const w = load("deploy.yml");
  const upload = w.jobs["production-preview"]?.steps.find((s) =>
    s.uses?.startsWith("actions/upload-artifact@"),
  );
  const preview = w.jobs["production-preview"]?.steps.find((s) => s.uses?.startsWith("pulumi/actions@"));
  const up = w.jobs.production?.steps.find((s) => s.uses?.startsWith("pulumi/actions@"));

  // A job waits up to 30 days for an approval (docs.github.com "Reviewing deployments"); the plan
  // must outlive a same-week approval, and `up --plan` refuses a stale one anyway.
  it("is kept 7 days, past a same-week approval", () => {
    expect(upload?.with?.["retention-days"]).toBe(7);
  });

  // pulumi/actions passes `refresh` as --refresh to preview and up alike (v6 CHANGELOG #1118); a
  // refresh at apply time re-reads what changed since the preview and violates the plan.
  it("is saved by a refreshing preview and applied without a refresh", () => {
    expect(preview?.with).toMatchObject({ command: "preview", refresh: true });
    expect(up?.with?.command).toBe("up");
    expect(up?.with?.plan).toBe(preview?.with?.plan);
    expect(up?.with).not.toHaveProperty("refresh");
  });
});

// actions/upload-artifact v4.4.3 action.yml: `overwrite` deletes an artifact of the same name
// before uploading; without it a second upload of that name in the run fails, and a re-run of a
// job is the same run (README "Overwriting an Artifact").
describe("re-runs", () => {
  it.each(FILES)(
    "%s: every artifact upload overwrites the same-named artifact of an earlier attempt",
    (file) => {
      for (const step of allSteps(load(file)).filter((s) => s.uses?.startsWith("actions/upload-artifact@"))) {
        expect(step.with?.overwrite, `${file}: ${String(step.with?.name)}`).toBe(true);
      }
    },
  );
});

// Issue 21 review (S2): the head's `npm ci` scripts and plan code are the pull request's; a job
// that runs them must never hold a base plan.
describe("base plans come from trusted code", () => {
  const planDiff = load("pull-request.yml").jobs["plan-diff"] as Job;
  const comment = load("pr-comment.yml").jobs.comment as Job;
  const at = (pred: (s: Step) => boolean) => comment.steps.findIndex(pred);

  it("the pull-request run makes head plans only: no base checkout, no base plan", () => {
    const checkouts = planDiff.steps.filter((s) => s.uses?.startsWith("actions/checkout@"));
    expect(checkouts.map((s) => s.with?.ref)).toEqual([undefined]);
    const plans = planDiff.steps.map((s) => s.run ?? "").join("\n");
    expect(plans).toContain('--out "$RUNNER_TEMP/plans/head/$stack"');
    expect(JSON.stringify(planDiff)).not.toMatch(/base/);
  });

  it("pr-comment plans the base commit itself, after the download, outside the artifact's folder", () => {
    const download = at((s) => s.uses?.startsWith("actions/download-artifact@") === true);
    const base = at((s) => s.with?.ref === "${{ steps.pr.outputs.base-sha }}");
    const plan = at((s) => s.id === "base");
    const render = at((s) => s.id === "render");
    expect(download).toBeGreaterThanOrEqual(0);
    expect(download).toBeLessThan(plan);
    expect(base).toBeLessThan(plan);
    expect(plan).toBeLessThan(render);
    expect(comment.steps[plan]?.run).toContain(
      '(cd base && npm run plan -- --stack "$stack" --out "$RUNNER_TEMP/base-plans/$stack")',
    );
    expect(comment.steps[download]?.with?.path).toBe("${{ runner.temp }}/plans");
    expect(comment.steps[render]?.env?.BASE_PLANS).toBe("${{ runner.temp }}/base-plans");
    // Nothing under the artifact's base/ is read, and the comment says who made the head plans.
    expect(comment.steps[render]?.run).not.toContain("$PLANS/base");
    expect(comment.steps[render]?.run).toContain("head plans computed by the pull request's own code");
  });

  const lookup = String(comment.steps.find((s) => s.id === "pr")?.with?.script);
  const fakes = (pulls: unknown[], compareStatus: string) => ({
    context: {
      repo: { owner: "enclii", repo: "infra" },
      payload: {
        repository: { default_branch: "main" },
        workflow_run: {
          head_sha: "b".repeat(40),
          head_branch: "feature",
          head_repository: { full_name: "enclii/infra", owner: { login: "enclii" } },
        },
      },
    },
    github: {
      paginate: async () => pulls,
      rest: {
        pulls: { list: () => undefined },
        repos: { compareCommitsWithBasehead: async () => ({ data: { status: compareStatus } }) },
      },
    },
  });
  const pull = (sha: string, baseRef = "main") => ({
    number: 7,
    head: { sha, repo: { full_name: "enclii/infra" } },
    base: { sha: "a".repeat(40), ref: baseRef },
  });

  it("the lookup gives the number and base commit of the one open pull request whose head is the run's commit", async () => {
    const result = await runScript(lookup, fakes([pull("b".repeat(40))], "ahead"));
    expect(result).toEqual({ outputs: { number: "7", "base-sha": "a".repeat(40) }, notices: [], failed: [] });
  });

  it("a superseded run posts nothing and does not fail", async () => {
    const result = await runScript(lookup, fakes([pull("c".repeat(40))], "ahead"));
    expect(result.outputs).toEqual({});
    expect(result.failed).toEqual([]);
    expect(result.notices[0]).toContain("found 0");
  });

  it("refuses a base commit that is not on the default branch, so no untrusted code makes a base plan", async () => {
    const diverged = await runScript(lookup, fakes([pull("b".repeat(40))], "diverged"));
    expect(diverged.outputs).toEqual({});
    expect(diverged.failed[0]).toContain("is not on main (diverged)");
    const retargeted = await runScript(lookup, fakes([pull("b".repeat(40), "release")], "ahead"));
    expect(retargeted.failed[0]).toContain("(release) is not on main");
  });

  it("skips every later step when the lookup found no pull request", () => {
    const later = comment.steps.slice(at((s) => s.id === "pr") + 1);
    for (const step of later)
      expect(String(step.if), step.name ?? step.uses).toMatch(/^steps\.pr\.outputs\.number != ''/);
  });
});

// Issue 21 review (L4). Previews never take the stack's lease (pulumi/pulumi#8642), so a drift
// check never fails a deploy, but one overlapping a deploy sees a half-applied stack
// (pulumi/pulumi#1924). Sharing the deploy group is not the answer: a newer pending job cancels
// the older pending one (docs.github.com "Control the concurrency of workflows and jobs"), so a
// drift check could cancel a deploy waiting for approval. The judge step decides instead.
describe("a drift check that overlapped a deploy", () => {
  const job = load("drift.yml").jobs.drift as Job;
  const judge = job.steps.find((s) => s.id === "judge") as Step;
  const since = "2026-01-01T03:17:00Z";
  const github = (runs: Record<string, { status: string; updated_at: string; html_url: string }[]>) => ({
    rest: {
      actions: {
        listWorkflowRuns: async (params: { workflow_id: string; status: string }) => {
          expect(params.workflow_id).toBe("deploy.yml");
          return { data: { workflow_runs: runs[params.status] ?? [] } };
        },
      },
    },
  });
  const context = { repo: { owner: "enclii", repo: "infra" } };
  const judged = (preview: string, runs: Parameters<typeof github>[0]) =>
    runScript(String(judge.with?.script), {
      github: github(runs),
      context,
      env: { PREVIEW: preview, SINCE: since },
    });

  it("lets the judge decide: the preview continues on error, the job reads the deploy runs", () => {
    const preview = job.steps.find((s) => s.id === "preview");
    expect(preview).toMatchObject({ "continue-on-error": true });
    expect(judge.env).toEqual({
      PREVIEW: "${{ steps.preview.outcome }}",
      SINCE: "${{ steps.start.outputs.since }}",
    });
    expect(job.steps[0]?.id).toBe("start");
    expect(job.permissions).toMatchObject({ actions: "read" });
    // Never the deploy group: drift must not cancel a pending deploy.
    expect(job.concurrency?.group).not.toMatch(/^deploy-/);
  });

  it("is inconclusive when a deploy run was active or finished during it: no failure, no issue", async () => {
    const waiting = await judged("failure", {
      waiting: [{ status: "waiting", updated_at: "2026-01-01T01:00:00Z", html_url: "run/1" }],
    });
    expect(waiting.failed).toEqual([]);
    expect(waiting.notices[0]).toContain("inconclusive: deploy run(s) run/1");
    const finished = await judged("failure", {
      completed: [{ status: "completed", updated_at: "2026-01-01T03:20:00Z", html_url: "run/2" }],
    });
    expect(finished.failed).toEqual([]);
    expect(finished.outputs.checked).toBeUndefined();
  });

  it("fails (drift) when no deploy run overlapped the failed preview", async () => {
    const result = await judged("failure", {
      completed: [{ status: "completed", updated_at: "2026-01-01T02:00:00Z", html_url: "run/3" }],
    });
    expect(result.failed).toEqual([
      "the preview found changes (drift) or failed, and no deploy overlapped it",
    ]);
  });

  it("closes the issue only after a preview that ran and passed", async () => {
    expect((await judged("success", {})).outputs).toEqual({ checked: "true" });
    const skipped = await judged("skipped", {});
    expect(skipped.outputs).toEqual({});
    expect(skipped.failed).toEqual([]);
  });
});

// What only GitHub's settings can enforce must be a required step in the docs, with its reason.
describe("the settings the workflows rely on are documented", () => {
  const deploy = readFileSync(join(ROOT, "docs", "deploy.md"), "utf8");
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");

  it("docs/deploy.md requires reviewers with Prevent self-review, names the plan limit and both variables", () => {
    expect(deploy).toContain("Prevent self-review");
    expect(deploy).toMatch(/public repository.*GitHub Enterprise/s);
    for (const name of ["PRODUCTION_DEPLOY_ON_PUSH", "PR_PREVIEW", "`production: true`"])
      expect(deploy).toContain(name);
    expect(deploy).toMatch(/own Cloudflare account/);
    expect(deploy).toMatch(/7 days/);
  });

  it("claims no isolation a shared account gives nobody: no 'own Robot user', no 'shares no credential'", () => {
    for (const doc of [deploy, readme]) {
      expect(doc).not.toContain("its own Robot user");
      expect(doc).not.toContain("staging shares no credential with production");
      expect(doc).not.toContain("No pull request ever runs with production credentials");
    }
  });
});
