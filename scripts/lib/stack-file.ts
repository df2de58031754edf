/**
 * Reads `Pulumi.yaml` and `Pulumi.<stack>.yaml` the way the Pulumi CLI hands them to a program:
 * namespaced keys, objects as JSON strings, secure values as secrets.
 */
import { readFileSync } from "node:fs";
import { parse } from "yaml";
import type { ParsedStackConfig } from "../../stacks/config-schema";
import { SECRET_KEYS } from "../../stacks/secrets";
import { mockKubeconfig } from "./mock-outputs";

/** A stack's configuration as the program receives it. */
export interface StackFileConfig {
  readonly config: Record<string, string>;
  readonly secretKeys: string[];
}

/** Marker inside every placeholder, so a leaked secret is easy to find. */
export const PLACEHOLDER_MARK = "placeholder-for-";

/** Reads the project name from `Pulumi.yaml`. */
export function readProjectName(pulumiYamlPath: string): string {
  const doc = parse(readFileSync(pulumiYamlPath, "utf8")) as { name?: unknown };
  if (typeof doc?.name !== "string") throw new Error(`${pulumiYamlPath}: no project name`);
  return doc.name;
}

/**
 * Reads a stack file. Secure values (`{secure: ...}`) cannot be decrypted without the stack's
 * secrets provider, so they become placeholders marked secret.
 */
export function readStackFile(path: string, project: string): StackFileConfig {
  const doc = (parse(readFileSync(path, "utf8")) ?? {}) as { config?: Record<string, unknown> };
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [key, value] of Object.entries(doc.config ?? {})) {
    const fullKey = key.includes(":") ? key : `${project}:${key}`;
    if (value !== null && typeof value === "object" && "secure" in (value as object)) {
      config[fullKey] = placeholderFor(fullKey);
      secretKeys.push(fullKey);
    } else if (value !== null && typeof value === "object") {
      config[fullKey] = JSON.stringify(value);
    } else {
      config[fullKey] = String(value);
    }
  }
  return { config, secretKeys };
}

/** A placeholder for a secret: realistic where the program parses it (a kubeconfig). */
export function placeholderFor(key: string): string {
  if (key.endsWith(":kubeconfig"))
    return `# ${PLACEHOLDER_MARK}${key}\n${mockKubeconfig("k3s.placeholder.invalid")}`;
  return `${PLACEHOLDER_MARK}${key}`;
}

/** Adds a placeholder, marked secret, for every secure key this config needs and does not set. */
export function withSecretPlaceholders(file: StackFileConfig, parsed: ParsedStackConfig): StackFileConfig {
  const config = { ...file.config };
  const secretKeys = [...file.secretKeys];
  for (const secret of SECRET_KEYS) {
    if (config[secret.key] === undefined && secret.requiredWhen(parsed)) {
      config[secret.key] = placeholderFor(secret.key);
      secretKeys.push(secret.key);
    }
  }
  return { config, secretKeys };
}
