/**
 * A valid stack configuration to mutate in tests, in the form the Pulumi CLI hands it over.
 */

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { parseStackConfig, type StackConfig } from "../../stacks/config";

type Json = Record<string, unknown>;

/** The `enclii-infra:*` objects of a minimal valid production stack (one AX41). */
export function baseProjectConfig(): Json {
  return {
    environment: "production",
    domain: "enclii.dev",
    cloudflare: {
      accountId: "0123456789abcdef0123456789abcdef",
      zoneId: "fedcba9876543210fedcba9876543210",
      accessTeamName: "enclii",
    },
    nodes: [
      { name: "ax41-1", kind: "dedicated", role: "server", serverNumber: 123456, ipv4: "203.0.113.10" },
    ],
    access: {
      adminCidrs: ["198.51.100.0/24"],
      sshPublicKeys: ["ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIJ7m3rVb2cN4wq8dXkY1pZ5sLhT0aQeFgU9vW2xYzA1B ops"],
      adminEmails: ["ops@enclii.dev"],
    },
    janua: { adminEmail: "admin@enclii.dev" },
    tenants: [
      { slug: "acme", tier: "growth", domains: ["app.acme.example"] },
      { slug: "globex", auth: "dedicated" },
    ],
  };
}

/** The secure keys the base config needs. */
export function baseSecrets(): Record<string, string> {
  return {
    "cloudflare:apiToken": "cf-token",
    "enclii-infra:robotUser": "#ws+abc",
    "enclii-infra:robotPassword": "robot-pass",
    "enclii-infra:sshPrivateKey": "-----BEGIN OPENSSH PRIVATE KEY-----",
    "enclii-infra:kubeconfig": "apiVersion: v1",
  };
}

/** Turns project objects into the CLI's flat map: namespaced keys, objects as JSON strings. */
export function toRawConfig(
  project: Json,
  secrets: Record<string, string> = baseSecrets(),
): Record<string, string> {
  const raw: Record<string, string> = { ...secrets };
  for (const [key, value] of Object.entries(project)) {
    raw[`enclii-infra:${key}`] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return raw;
}

/**
 * Parses a project config the way an environment is laid out since tenants live in tenant stacks
 * (docs/tenant-stacks.md): the platform part as platform stack `stack` (its own problems as they
 * were), and `tenants`, when there are any, as tenant stack `<stack>-tenants` on it, written
 * next to the platform's file in a temporary project directory. Returns the tenant stack's
 * config (the platform's settings with the tenants) or the platform's when there are none.
 */
export function parseEnvironment(
  project: Json,
  secrets: Record<string, string> = baseSecrets(),
  options: { secretKeys?: string[]; stack?: string } = {},
): StackConfig {
  const stack = options.stack ?? "test";
  const { tenants, ...platform } = project;
  const secretKeys = options.secretKeys ? { secretKeys: options.secretKeys } : {};
  const parsed = parseStackConfig(toRawConfig(platform, secrets), stack, secretKeys);
  if (!Array.isArray(tenants) || tenants.length === 0) {
    // An empty list is still a platform setting the schema judges.
    return tenants === undefined
      ? parsed
      : parseStackConfig(toRawConfig(project, secrets), stack, secretKeys);
  }
  const dir = mkdtempSync(join(tmpdir(), "env-config-"));
  const yaml = (config: Json) =>
    stringify({
      config: Object.fromEntries(Object.entries(config).map(([k, v]) => [`enclii-infra:${k}`, v])),
    });
  writeFileSync(join(dir, `Pulumi.${stack}.yaml`), yaml(platform));
  const tenantStack = { role: "tenants", platformStack: stack, tenants };
  writeFileSync(join(dir, `Pulumi.${stack}-tenants.yaml`), yaml(tenantStack));
  const token = secrets["cloudflare:apiToken"];
  return parseStackConfig(
    toRawConfig(tenantStack, token === undefined ? {} : { "cloudflare:apiToken": token }),
    `${stack}-tenants`,
    {
      projectDir: dir,
      ...(options.secretKeys
        ? { secretKeys: options.secretKeys.filter((k) => k === "cloudflare:apiToken") }
        : {}),
    },
  );
}
