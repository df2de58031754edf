/**
 * What a CI job derives from the committed stack file before Pulumi runs: the policy pack's config
 * (so the budget has one source, `enclii-infra:budget` in `Pulumi.<stack>.yaml`) and whether every
 * secret the loader requires is there, encrypted with the stack's passphrase (README "Secrets").
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import type { StackConfig } from "../../stacks/config";
import { parseStackConfig } from "../../stacks/config";
import { SECRET_KEYS, type SecretKey } from "../../stacks/secrets";
import { readStackFile } from "./stack-file";

/** The policy pack's config for a stack (`--policy-pack-config`), from the stack's own config. */
export function policyPackConfig(
  config: Pick<StackConfig, "budget">,
): Record<string, Record<string, unknown>> {
  return { "stack-cost-require-within-budget": { budgetMonthlyUsd: config.budget.monthlyUsd } };
}

/** Reads and validates a stack file the way the offline plan does (no secrets needed). */
export function readStackConfig(path: string, project: string, stack: string): StackConfig {
  return parseStackConfig(readStackFile(path, project).config, stack, { checkSecrets: false });
}

/** What {@link checkStackSecrets} found. */
export interface StackSecretsReport {
  /** The secure keys this stack's config requires (SECRET_KEYS' requiredWhen). */
  readonly required: readonly SecretKey[];
  /** Problems, each naming the key and the command that fixes it; empty when all is well. */
  readonly problems: readonly string[];
}

/** `pulumi config set --secret <key> <value> --stack <stack>`, with the key as the CLI takes it. */
function setCommand(key: string, stack: string): string {
  const short = key.startsWith("enclii-infra:") ? key.slice("enclii-infra:".length) : key;
  return `pulumi config set --secret ${short} <value> --stack ${stack}`;
}

/**
 * Checks that the committed stack file holds, as `secure:` values, every secret the loader
 * requires for this config, and that it is passphrase-encrypted (`encryptionsalt`), which is
 * the one way CI decrypts it (PULUMI_CONFIG_PASSPHRASE). A required key set in plain text is a
 * problem too. Pure reading: nothing is decrypted.
 */
export function checkStackSecrets(path: string, project: string, stack: string): StackSecretsReport {
  const doc = (parse(readFileSync(path, "utf8")) ?? {}) as {
    encryptionsalt?: unknown;
    secretsprovider?: unknown;
    config?: Record<string, unknown>;
  };
  const config = readStackConfig(path, project, stack);
  const raw = new Map(
    Object.entries(doc.config ?? {}).map(([k, v]) => [k.includes(":") ? k : `${project}:${k}`, v]),
  );
  const required = SECRET_KEYS.filter((s) => s.requiredWhen(config));
  const problems: string[] = [];
  if (typeof doc.encryptionsalt !== "string" || doc.secretsprovider !== undefined) {
    problems.push(
      `${path}: not encrypted with a passphrase (no encryptionsalt${doc.secretsprovider !== undefined ? `, secretsprovider ${String(doc.secretsprovider)}` : ""}); CI decrypts only with PULUMI_CONFIG_PASSPHRASE: run \`pulumi stack change-secrets-provider passphrase --stack ${stack}\``,
    );
  }
  for (const secret of required) {
    const value = raw.get(secret.key);
    const secure = value !== null && typeof value === "object" && "secure" in (value as object);
    if (value === undefined) {
      problems.push(
        `${secret.key}: required secret is not set; run \`${setCommand(secret.key, stack)}\` (${secret.description})`,
      );
    } else if (!secure) {
      problems.push(
        `${secret.key}: is stored in plain text; set it again with \`${setCommand(secret.key, stack)}\``,
      );
    }
  }
  return { required, problems };
}
