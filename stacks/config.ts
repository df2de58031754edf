/**
 * Reads a stack's configuration once: `enclii-infra:*` keys through the zod schema, the
 * cross-field rules, and the secure keys. A bad config stops the program before any resource
 * is registered, with one message listing every problem.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse as parseYaml } from "yaml";
import type { z } from "zod";
import {
  advisoryRules,
  type ConfigProblem,
  checkStackRules,
  resolveStackConfig,
  type SiblingStack,
  type StackConfig,
} from "./config-rules";
import { ENVIRONMENTS, type Environment, type ParsedStackConfig, stackSchema } from "./config-schema";
import { PROJECT_SECRET_NAMES, SECRET_KEYS, setSecretCommand } from "./secrets";

export type { StackConfig } from "./config-rules";

/** The config namespace of this project. */
export const PROJECT = "enclii-infra";

/**
 * Thrown when the configuration is invalid. It is a `pulumi.RunError`, so `pulumi up` prints the
 * message without a stack trace.
 */
export class StackConfigError extends pulumi.RunError {
  constructor(readonly problems: readonly string[]) {
    super(
      `Invalid configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}); nothing was changed:\n` +
        problems.map((p) => `  ${p}`).join("\n"),
    );
    this.name = "StackConfigError";
  }
}

/** Formats a property path the way users write it: `nodes[0].serverNumber`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((seg, i) => (typeof seg === "number" ? `[${seg}]` : i === 0 ? String(seg) : `.${String(seg)}`))
    .join("");
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = root;
  for (const seg of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[seg];
  }
  return current;
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function problemLine(key: string, message: string, got: unknown): string {
  return `${key}: ${message} (got ${describe(got)})`;
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] ?? 0;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j] ?? 0;
      row[j] = Math.min((row[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length] ?? 0;
}

/** The internal definition of a zod schema, as far as config introspection needs it. */
export interface ZodDef {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  options?: z.ZodType[];
  discriminator?: string;
}
/** The internal definition of a zod schema. */
export const defOf = (schema: z.ZodType): ZodDef => (schema as unknown as { _zod: { def: ZodDef } })._zod.def;

/** The keys an object in the schema accepts at `path`, to suggest a fix for a typo. */
function knownKeysAt(schema: z.ZodType, path: readonly PropertyKey[], root: unknown): string[] {
  let current: z.ZodType | undefined = schema;
  const walk = (s: z.ZodType, depth: number): z.ZodType | undefined => {
    const def = defOf(s);
    if (def.innerType) return walk(def.innerType, depth);
    if (def.type === "union" && def.options) {
      const value = valueAt(root, path.slice(0, depth)) as Record<string, unknown> | undefined;
      const match = def.options.find((o) => {
        const kind = defOf(o).shape?.kind;
        return (
          kind &&
          value &&
          (kind as unknown as { _zod: { def: { values: unknown[] } } })._zod.def.values?.includes(value.kind)
        );
      });
      return match ? walk(match, depth) : undefined;
    }
    return s;
  };
  for (let depth = 0; current && depth <= path.length; depth++) {
    current = walk(current, depth);
    if (!current || depth === path.length) break;
    const def = defOf(current);
    const seg = path[depth];
    current = def.type === "array" ? def.element : def.shape?.[String(seg)];
  }
  return current ? Object.keys(defOf(current).shape ?? {}) : [];
}

function suggestion(key: string, known: string[]): string {
  const best = known
    .map((k) => ({ k, d: levenshtein(key.toLowerCase(), k.toLowerCase()) }))
    .sort((a, b) => a.d - b.d)[0];
  if (best && best.d <= Math.max(2, Math.floor(key.length / 3))) return `; did you mean ${best.k}?`;
  return known.length > 0 ? `; known keys: ${known.join(", ")}` : "";
}

function schemaProblems(
  schema: z.ZodType,
  input: Record<string, unknown>,
  issues: z.core.$ZodIssue[],
): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    if (issue.code === "unrecognized_keys") {
      const known = knownKeysAt(schema, issue.path, input);
      for (const key of issue.keys) {
        const path = [...issue.path, key];
        lines.push(
          problemLine(
            `${PROJECT}:${formatPath(path)}`,
            `unknown key${suggestion(key, known)}`,
            valueAt(input, path),
          ),
        );
      }
      continue;
    }
    const got = valueAt(input, issue.path);
    let message = issue.message;
    if (issue.code === "invalid_type" && message.startsWith("Invalid input")) {
      message = got === undefined ? `is required (a ${issue.expected})` : `must be a ${issue.expected}`;
    } else if (got === undefined && issue.code === "invalid_type" && !message.startsWith("is required")) {
      message = `is required: ${message}`;
    }
    const key = issue.path.length === 0 ? PROJECT : `${PROJECT}:${formatPath(issue.path)}`;
    lines.push(problemLine(key, message, got));
  }
  return lines;
}

function parseValue(raw: unknown): unknown {
  if (typeof raw !== "string") return raw;
  const trimmed = raw.trim();
  if (trimmed.startsWith("{") || trimmed.startsWith("[")) {
    try {
      return JSON.parse(trimmed);
    } catch {
      return raw;
    }
  }
  return raw;
}

/** Options of {@link parseStackConfig}. */
export interface ParseOptions {
  /** Full keys that were set as secrets; a secret key set in plain text is a problem. */
  readonly secretKeys?: readonly string[];
  /** Check that the secure keys this config needs are set. @default true */
  readonly checkSecrets?: boolean;
}

/**
 * Validates a full Pulumi config map (`{"enclii-infra:domain": "enclii.dev", ...}`, values as the
 * CLI passes them: strings, objects as JSON) and returns the resolved stack configuration.
 * @throws StackConfigError listing every problem.
 */
export function parseStackConfig(
  raw: Record<string, unknown>,
  stack: string,
  options: ParseOptions = {},
): StackConfig {
  const input: Record<string, unknown> = {};
  for (const [fullKey, value] of Object.entries(raw)) {
    if (!fullKey.startsWith(`${PROJECT}:`)) continue;
    const name = fullKey.slice(PROJECT.length + 1);
    if (PROJECT_SECRET_NAMES.includes(name)) continue;
    input[name] = parseValue(value);
  }
  const env: Environment = ENVIRONMENTS.includes(input.environment as Environment)
    ? (input.environment as Environment)
    : "staging";
  const schema = stackSchema(env);
  const result = schema.safeParse(input);
  if (!result.success) {
    throw new StackConfigError(schemaProblems(schema, input, result.error.issues));
  }
  const problems: string[] = checkStackRules(result.data).map((p: ConfigProblem) =>
    problemLine(`${PROJECT}:${formatPath(p.path)}`, p.message, valueAt(result.data, p.path)),
  );
  const secretKeys = new Set(options.secretKeys ?? []);
  for (const secret of options.checkSecrets === false ? [] : SECRET_KEYS) {
    const value = raw[secret.key];
    if (value === undefined || value === "") {
      if (secret.requiredWhen(result.data)) {
        problems.push(
          `${secret.key}: required secret is not set; run \`${setSecretCommand(secret.key)}\` (${secret.description}) (got nothing)`,
        );
      }
    } else if (options.secretKeys && !secretKeys.has(secret.key)) {
      problems.push(
        `${secret.key}: is stored in plain text; set it again with \`${setSecretCommand(secret.key)}\` (got a plain value)`,
      );
    }
  }
  if (problems.length > 0) throw new StackConfigError(problems);
  return resolveStackConfig(result.data, stack);
}

/**
 * The Cloudflare account of every other stack file committed next to `Pulumi.yaml`
 * (`Pulumi.<stack>.yaml`), for the advisory rules. Unreadable files are skipped: they are the
 * other stack's problem, not this one's.
 */
export function readSiblingStacks(projectDir: string, stack: string): SiblingStack[] {
  let files: string[];
  try {
    files = readdirSync(projectDir).filter((f) => /^Pulumi\.[^.]+\.ya?ml$/.test(f));
  } catch {
    return [];
  }
  return files.flatMap((file) => {
    const name = file.replace(/^Pulumi\.|\.ya?ml$/g, "");
    if (name === stack) return [];
    try {
      const doc = parseYaml(readFileSync(join(projectDir, file), "utf8")) as {
        config?: Record<string, { accountId?: unknown } | undefined>;
      } | null;
      const accountId = doc?.config?.[`${PROJECT}:cloudflare`]?.accountId;
      return [{ stack: name, ...(typeof accountId === "string" ? { accountId } : {}) }];
    } catch {
      return [];
    }
  });
}

/**
 * Advisory findings about a valid config (printed, never fatal), in the form of the problems:
 * `enclii-infra:<path>: <message> (advisory)`.
 */
export function configWarnings(config: ParsedStackConfig, siblings: readonly SiblingStack[]): string[] {
  return advisoryRules(config, siblings).map(
    (p) => `${PROJECT}:${formatPath(p.path)}: ${p.message} (advisory)`,
  );
}

/** Secure values the program passes on to components, as secret Outputs. */
export interface StackSecrets {
  readonly cloudflareApiToken: pulumi.Output<string>;
  /** Set when a node is provisioned. */
  readonly sshPrivateKey?: pulumi.Output<string>;
  /** Set for an existing cluster. */
  readonly kubeconfig?: pulumi.Output<string>;
  readonly robotUser?: pulumi.Output<string>;
  readonly robotPassword?: pulumi.Output<string>;
  readonly resendApiKey?: pulumi.Output<string>;
  readonly alertWebhookUrl?: pulumi.Output<string>;
  /** The dead man's switch URL (`monitoring.heartbeat`). */
  readonly alertHeartbeatUrl?: pulumi.Output<string>;
  readonly alertSmtpPassword?: pulumi.Output<string>;
}

/** Keys the engine marked secret (the language host passes them as PULUMI_CONFIG_SECRET_KEYS). */
function configSecretKeys(): string[] {
  // The SDK keeps the engine's config in its runtime store; the mock runtime fills the same store.
  const state = require("@pulumi/pulumi/runtime/state") as { getStore(): { config: Record<string, string> } };
  const text = state.getStore().config.PULUMI_CONFIG_SECRET_KEYS ?? "";
  try {
    const parsed: unknown = JSON.parse(text || "[]");
    return Array.isArray(parsed) ? parsed.map(String) : [];
  } catch {
    return [];
  }
}

/**
 * Loads the current stack's configuration from the Pulumi runtime. The only place that reads
 * `pulumi.Config`; components receive typed arguments.
 */
export function loadStackConfig(): { config: StackConfig; secrets: StackSecrets } {
  const raw = pulumi.runtime.allConfig();
  const secretKeys = configSecretKeys();
  const config = parseStackConfig(raw, pulumi.getStack(), secretKeys.length > 0 ? { secretKeys } : {});
  // Under the engine warnings go to its log; the offline plan prints its own (no engine there).
  if (pulumi.runtime.hasEngine()) {
    const root = pulumi.runtime.getRootDirectory() || process.cwd();
    for (const warning of configWarnings(config, readSiblingStacks(root, pulumi.getStack()))) {
      void pulumi.log.warn(warning);
    }
  }
  const project = new pulumi.Config(PROJECT);
  const secret = (name: string) => {
    const v = project.getSecret(name);
    return v === undefined ? undefined : v;
  };
  const cloudflareApiToken = new pulumi.Config("cloudflare").requireSecret("apiToken");
  return {
    config,
    secrets: {
      cloudflareApiToken,
      sshPrivateKey: secret("sshPrivateKey"),
      kubeconfig: secret("kubeconfig"),
      robotUser: secret("robotUser"),
      robotPassword: secret("robotPassword"),
      resendApiKey: secret("resendApiKey"),
      alertWebhookUrl: secret("alertWebhookUrl"),
      alertHeartbeatUrl: secret("alertHeartbeatUrl"),
      alertSmtpPassword: secret("alertSmtpPassword"),
    },
  };
}
