/**
 * Tenant stacks: stacks of this project with `enclii-infra:role: tenants`. A tenant stack names
 * its platform stack (`enclii-infra:platformStack`) and lists tenants; everything else (domain,
 * ranges, tiers, Janua settings) is the platform stack's committed config, and what only exists
 * once the platform is up (kubeconfig, node addresses, Janua's admin credentials) comes through a
 * StackReference (stacks/tenant-stack.ts). docs/tenant-stacks.md explains the choice.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { type TenantConfig, tenantSchema } from "./config-schema";

/** The config namespace of this project. */
const PROJECT = "enclii-infra";

/** The roles a stack of this project can have. */
export const STACK_ROLES = ["platform", "tenants"] as const;

/** What a tenant stack file holds besides its secure `cloudflare:apiToken`. */
export const tenantStackSchema = z.strictObject({
  role: z.literal("tenants"),
  platformStack: z
    .string({ error: "must name the platform stack of this environment, e.g. staging" })
    .regex(/^(?:[A-Za-z0-9_.-]+\/){0,2}[A-Za-z0-9_.-]+$/, {
      error: "must be a stack name (`staging`) or a fully qualified one (`<org>/enclii-infra/staging`)",
    })
    .describe(
      "The platform stack this tenant stack runs on (its `Pulumi.<stack>.yaml` is committed beside this one).",
    ),
  tenants: z
    .array(tenantSchema, { error: "must be a list of tenants" })
    .default([])
    .describe("Tenant stamps."),
});

/** A parsed tenant stack file. */
export type TenantStackFile = z.output<typeof tenantStackSchema>;

/** The last segment of a stack name: `org/enclii-infra/staging` -> `staging` (its stack file's name). */
export function stackFileName(stack: string): string {
  return stack.split("/").at(-1) ?? stack;
}

/**
 * The name a StackReference resolves: a fully qualified `<org>/<project>/<stack>` as given, else
 * the same organization and project as this stack (the Pulumi CLI's rule for a bare name).
 */
export function platformReferenceName(platformStack: string, organization: string, project: string): string {
  const parts = platformStack.split("/");
  if (parts.length === 3) return platformStack;
  if (parts.length === 2) return `${parts[0]}/${project}/${parts[1]}`;
  return `${organization}/${project}/${platformStack}`;
}

/** One tenant stack committed next to `Pulumi.yaml`. */
export interface TenantStackEntry {
  readonly stack: string;
  readonly platformStack: string;
  readonly tenants: TenantConfig[];
}

function readConfigMap(path: string): Record<string, unknown> {
  const doc = parseYaml(readFileSync(path, "utf8")) as { config?: Record<string, unknown> } | null;
  return doc?.config ?? {};
}

/**
 * Every committed tenant stack of the platform stack `platformStack` (by file name), sorted by
 * stack name. A file that does not parse is skipped: its own plan reports it.
 */
export function readTenantStacks(projectDir: string, platformStack: string): TenantStackEntry[] {
  let files: string[];
  try {
    files = readdirSync(projectDir).filter((f) => /^Pulumi\.[^/]+\.ya?ml$/.test(f));
  } catch {
    return [];
  }
  const platform = stackFileName(platformStack);
  const entries: TenantStackEntry[] = [];
  for (const file of files.sort()) {
    let config: Record<string, unknown>;
    try {
      config = readConfigMap(join(projectDir, file));
    } catch {
      continue;
    }
    if (config[`${PROJECT}:role`] !== "tenants") continue;
    const parsed = tenantStackSchema.safeParse({
      role: "tenants",
      platformStack: config[`${PROJECT}:platformStack`],
      tenants: config[`${PROJECT}:tenants`] ?? [],
    });
    if (!parsed.success || stackFileName(parsed.data.platformStack) !== platform) continue;
    entries.push({
      stack: file.replace(/^Pulumi\.|\.ya?ml$/g, ""),
      platformStack: parsed.data.platformStack,
      tenants: parsed.data.tenants,
    });
  }
  return entries;
}

/** The role a raw config map declares (`platform` when unset). */
export function roleOf(raw: Record<string, unknown>): unknown {
  return raw[`${PROJECT}:role`] ?? "platform";
}
