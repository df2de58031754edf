/**
 * A valid stack configuration to mutate in tests, in the form the Pulumi CLI hands it over.
 */

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
