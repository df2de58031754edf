import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readStackFile } from "../../scripts/lib/stack-file";
import { configWarnings, parseStackConfig, readSiblingStacks, StackConfigError } from "../../stacks/config";
import { baseProjectConfig, baseSecrets, toRawConfig } from "../helpers/config-fixtures";
import { runPlanCli } from "../helpers/plan-cli";

type Json = Record<string, unknown>;
const root = join(__dirname, "..", "..");

function parse(project: Json, secrets = baseSecrets(), secretKeys?: string[]) {
  return parseStackConfig(toRawConfig(project, secrets), "test", secretKeys ? { secretKeys } : {});
}

/** The configuration error thrown for `project`; fails the test when none is thrown. */
function problemsOf(project: Json, secrets = baseSecrets(), secretKeys?: string[]): string[] {
  try {
    parse(project, secrets, secretKeys);
  } catch (e) {
    expect(e).toBeInstanceOf(StackConfigError);
    return [...(e as StackConfigError).problems];
  }
  throw new Error("expected the configuration to be rejected");
}

function mutate(change: (cfg: Json & { nodes: Json[]; tenants: Json[] }) => void): Json {
  const cfg = baseProjectConfig() as Json & { nodes: Json[]; tenants: Json[] };
  change(cfg);
  return cfg;
}

describe("stack files", () => {
  it.each(["production", "staging"])("parses Pulumi.%s.yaml with the committed values", (stack) => {
    const file = readStackFile(join(root, `Pulumi.${stack}.yaml`), "enclii-infra");
    const config = parseStackConfig(file.config, stack, { checkSecrets: false });
    expect(config.environment).toBe(stack);
    expect(config.nodes.length).toBeGreaterThan(0);
  });

  it("production is one AX41 dedicated node with 3+ tenants, one with a custom domain and one dedicated", () => {
    const file = readStackFile(join(root, "Pulumi.production.yaml"), "enclii-infra");
    const config = parseStackConfig(file.config, "production", { checkSecrets: false });
    expect(config.nodes).toMatchObject([{ kind: "dedicated", product: "AX41-NVMe" }]);
    expect(config.domain).toBe("enclii.dev");
    expect(config.tenants.length).toBeGreaterThanOrEqual(3);
    expect(config.tenants.some((t) => t.domains.length > 0)).toBe(true);
    expect(config.tenants.some((t) => t.auth === "dedicated")).toBe(true);
  });

  it("staging is one cpx31 cloud node in fsn1 with 2 tenants", () => {
    const file = readStackFile(join(root, "Pulumi.staging.yaml"), "enclii-infra");
    const config = parseStackConfig(file.config, "staging", { checkSecrets: false });
    expect(config.nodes).toMatchObject([{ kind: "cloud", serverType: "cpx31", location: "fsn1" }]);
    expect(config.tenants).toHaveLength(2);
  });
});

describe("defaults", () => {
  it("production defaults to 2 replicas, protection and derived hostnames", () => {
    const config = parse(baseProjectConfig());
    expect(config.protect).toBe(true);
    expect(config.janua.replicas).toBe(2);
    expect(config.janua.hostname).toBe("auth.enclii.dev");
    expect(config.controlPlane).toMatchObject({
      apiHostname: "api.enclii.dev",
      uiHostname: "app.enclii.dev",
    });
    expect(config.monitoring.grafanaHostname).toBe("grafana.enclii.dev");
    expect(config.cloudflare.fallbackOrigin).toBe("origin.enclii.dev");
    expect(config.backups.cnpgRetentionDays).toBe(30);
  });

  it("staging defaults to 1 replica, no protection and shorter retention", () => {
    const config = parse({ ...baseProjectConfig(), environment: "staging" });
    expect(config.protect).toBe(false);
    expect(config.janua.replicas).toBe(1);
    expect(config.controlPlane.apiReplicas).toBe(1);
    expect(config.backups.cnpgRetentionDays).toBe(7);
    expect(config.cloudflare.r2.bucketPrefix).toBe("enclii-staging");
  });

  it("derives postgres instances and Longhorn replicas from the node count (at most 3)", () => {
    const one = parse(baseProjectConfig());
    expect(one.postgres.instances).toBe(1);
    expect(one.storage.replicaCount).toBe(1);
    const four = parse(
      mutate((c) => {
        c.nodes = [0, 1, 2, 3].map((i) => ({
          name: `n${i}`,
          kind: "cloud",
          role: i === 0 ? "server" : "agent",
          serverType: "cpx31",
          location: "fsn1",
        }));
      }),
      { ...baseSecrets(), "hcloud:token": "t" },
    );
    expect(four.postgres.instances).toBe(3);
    expect(four.storage.replicaCount).toBe(3);
  });

  it("fills tenant defaults: starter tier, shared auth, no custom domains", () => {
    const config = parse(mutate((c) => (c.tenants = [{ slug: "solo" }])));
    expect(config.tenants[0]).toEqual({ slug: "solo", tier: "starter", domains: [], auth: "shared" });
  });

  it("refuses wide admin CIDRs by default and accepts them once access.allowWideCidrs acknowledges them", () => {
    expect(parse(baseProjectConfig()).access.allowWideCidrs).toBe(false);
    const wide = mutate((c) => {
      (c.access as Json).adminCidrs = ["10.0.0.0/8"];
      (c.access as Json).allowWideCidrs = true;
    });
    expect(parse(wide).access.adminCidrs).toEqual(["10.0.0.0/8"]);
  });
});

describe("bad configuration", () => {
  const cases: [string, Json, string][] = [
    [
      "fails when a tenant slug is used twice",
      mutate((c) => c.tenants.push({ slug: "acme" })),
      'enclii-infra:tenants[2].slug: tenant slug "acme" is used more than once (got "acme")',
    ],
    [
      "fails when a tenant slug has uppercase letters",
      mutate((c) => ((c.tenants[0] as Json).slug = "Acme")),
      "enclii-infra:tenants[0].slug: must match ^[a-z][a-z0-9-]{1,30}$",
    ],
    [
      "fails when a tenant slug is longer than 31 characters",
      mutate((c) => ((c.tenants[0] as Json).slug = `a${"b".repeat(31)}`)),
      "enclii-infra:tenants[0].slug: must match",
    ],
    [
      "fails when a tenant slug takes a platform hostname",
      mutate((c) => ((c.tenants[0] as Json).slug = "api")),
      "enclii-infra:tenants[0].slug: is reserved for a platform hostname",
    ],
    [
      // Dedicated tenant "acme" serves auth-acme-admin.<domain>, the public Janua of "acme-admin".
      "fails when a tenant slug ends in -admin (another tenant's Janua admin hostname)",
      mutate((c) => ((c.tenants[0] as Json).slug = "acme-admin")),
      "enclii-infra:tenants[0].slug: is reserved for a platform hostname (auth, api, app, grafana, www, origin, status, admin, mail, auth-*, *-admin)",
    ],
    [
      "fails when a dedicated node has no serverNumber",
      mutate((c) => delete (c.nodes[0] as Json).serverNumber),
      "enclii-infra:nodes[0].serverNumber: is required for a dedicated node",
    ],
    [
      "fails when a dedicated node has no ipv4",
      mutate((c) => delete (c.nodes[0] as Json).ipv4),
      "enclii-infra:nodes[0].ipv4: is required: must be an IPv4 address",
    ],
    [
      "fails when a dedicated node's ipv4 is not an address",
      mutate((c) => ((c.nodes[0] as Json).ipv4 = "999.0.0.1")),
      'enclii-infra:nodes[0].ipv4: must be an IPv4 address such as 203.0.113.10 (got "999.0.0.1")',
    ],
    [
      "fails when a node kind is unknown",
      mutate((c) => ((c.nodes[0] as Json).kind = "vps")),
      'enclii-infra:nodes[0].kind: must be dedicated, cloud or existing (got "vps")',
    ],
    [
      "fails when redis sentinel runs on fewer than 3 nodes",
      mutate((c) => (c.redis = { mode: "sentinel" })),
      'enclii-infra:redis.mode: sentinel needs 3 or more nodes for a quorum of 2 (this stack has 1), and neither Janua nor switchyard-api can connect through Sentinels yet; use standalone (got "sentinel")',
    ],
    [
      "refuses redis sentinel on three nodes too, since neither consumer can connect through Sentinels",
      mutate((c) => {
        c.redis = { mode: "sentinel" };
        c.nodes = [
          { name: "ax41-1", kind: "dedicated", role: "server", serverNumber: 123456, ipv4: "203.0.113.10" },
          { name: "ax41-2", kind: "dedicated", role: "server", serverNumber: 123457, ipv4: "203.0.113.11" },
          { name: "ax41-3", kind: "dedicated", role: "server", serverNumber: 123458, ipv4: "203.0.113.12" },
        ];
      }),
      "enclii-infra:redis.mode: neither Janua (redis-py rejects redis+sentinel:// URLs) nor switchyard-api (no Sentinel credentials or master name) can connect through Sentinels yet; use standalone (docs/redis.md)",
    ],
    [
      "fails when no node has the server role",
      mutate((c) => ((c.nodes[0] as Json).role = "agent")),
      'enclii-infra:nodes: needs at least one node with role "server"',
    ],
    [
      "fails when there are no nodes",
      mutate((c) => (c.nodes = [])),
      "enclii-infra:nodes: needs at least one node",
    ],
    [
      "fails when an admin CIDR is not a CIDR",
      mutate((c) => ((c.access as Json).adminCidrs = ["198.51.100.0/33"])),
      'enclii-infra:access.adminCidrs[0]: must be a CIDR block such as 198.51.100.0/24 or 2001:db8::/32 (got "198.51.100.0/33")',
    ],
    [
      "fails when an admin CIDR opens SSH to the internet",
      mutate((c) => ((c.access as Json).adminCidrs = ["0.0.0.0/0"])),
      "enclii-infra:access.adminCidrs[0]: opens SSH and the Kubernetes API to the whole internet",
    ],
    [
      "fails when an admin CIDR is a /1, wider than /16, without access.allowWideCidrs",
      mutate((c) => ((c.access as Json).adminCidrs = ["0.0.0.0/1"])),
      'enclii-infra:access.adminCidrs[0]: 0.0.0.0/1 is wider than /16; list a narrower office or VPN range, or set access.allowWideCidrs: true to acknowledge opening SSH and the Kubernetes API to it (got "0.0.0.0/1")',
    ],
    [
      "fails when an IPv6 admin CIDR is wider than /32 without access.allowWideCidrs",
      mutate((c) => ((c.access as Json).adminCidrs = ["198.51.100.0/24", "2001:db8::/31"])),
      "enclii-infra:access.adminCidrs[1]: 2001:db8::/31 is wider than /32",
    ],
    [
      // community.hrobot plugins/modules/firewall.py normalize_ip (lines 501-512) compares the
      // text of both sides; a CIDR with host bits is stored as its network and drifts forever.
      "fails when an admin CIDR has host bits set, naming the network to write instead",
      mutate((c) => ((c.access as Json).adminCidrs = ["198.51.100.0/24", "2001:DB8:100::1/48"])),
      "enclii-infra:access.adminCidrs[1]: 2001:DB8:100::1/48 has host bits set past /48; write its network 2001:db8:100::/48 (or 2001:DB8:100::1/128 for the one address)",
    ],
    [
      "fails when 0.0.0.0/1 + 128.0.0.0/1 together are the world, even with access.allowWideCidrs",
      mutate((c) => {
        (c.access as Json).adminCidrs = ["0.0.0.0/1", "128.0.0.0/1"];
        (c.access as Json).allowWideCidrs = true;
      }),
      "enclii-infra:access.adminCidrs[0]: opens SSH and the Kubernetes API to the whole internet: 0.0.0.0/1 + 128.0.0.0/1 together cover all of IPv4",
    ],
    [
      "fails when the domain is not a DNS name",
      mutate((c) => (c.domain = "Enclii_dev")),
      'enclii-infra:domain: must be a lowercase DNS name such as example.com (got "Enclii_dev")',
    ],
    [
      "fails when the domain is missing",
      mutate((c) => delete c.domain),
      "enclii-infra:domain: is required: must be a DNS name such as example.com (got nothing)",
    ],
    [
      "fails when a tenant custom domain is not a DNS name",
      mutate((c) => ((c.tenants[0] as Json).domains = ["https://acme.example"])),
      "enclii-infra:tenants[0].domains[0]: must be a lowercase DNS name",
    ],
    [
      "fails when a tenant custom domain is inside the platform's own zone",
      mutate((c) => ((c.tenants[0] as Json).domains = ["acme.enclii.dev"])),
      "enclii-infra:tenants[0].domains[0]: is inside enclii.dev",
    ],
    [
      "fails when two tenants claim the same custom domain",
      mutate((c) => ((c.tenants[1] as Json).domains = ["app.acme.example"])),
      "enclii-infra:tenants[1].domains[0]: custom domain app.acme.example is claimed by more than one tenant",
    ],
    [
      "fails on an unknown top-level key and suggests the right one",
      mutate((c) => (c.tenant = [])),
      "enclii-infra:tenant: unknown key; did you mean tenants? (got [])",
    ],
    [
      "fails on a misspelled key inside a node and suggests the right one",
      mutate((c) => ((c.nodes[0] as Json).serverNumbr = 1)),
      "enclii-infra:nodes[0].serverNumbr: unknown key; did you mean serverNumber? (got 1)",
    ],
    [
      "fails when the environment is not one of the three",
      mutate((c) => (c.environment = "prod")),
      'enclii-infra:environment: must be one of production, staging, local (got "prod")',
    ],
    [
      "fails when the service CIDR overlaps the cluster CIDR",
      mutate((c) => (c.k3s = { clusterCidr: "10.42.0.0/16", serviceCidr: "10.42.128.0/17" })),
      "enclii-infra:k3s.serviceCidr: overlaps k3s.clusterCidr (10.42.0.0/16)",
    ],
    [
      "fails when the Cloudflare account id is not 32 hex characters",
      mutate((c) => ((c.cloudflare as Json).accountId = "my-account")),
      'enclii-infra:cloudflare.accountId: must be the 32-character lowercase hex Cloudflare account id (got "my-account")',
    ],
    [
      "fails when a recovery names a cluster the stack does not have",
      mutate(
        (c) =>
          (c.postgres = {
            recovery: { "janua-acme": { fromServerName: "janua-acme", archiveServerName: "janua-acme-2" } },
          }),
      ),
      "enclii-infra:postgres.recovery.janua-acme: is not a PostgreSQL cluster of this stack; use one of postgres, janua-globex",
    ],
    [
      "fails when a recovered cluster would archive into the archive it reads",
      mutate(
        (c) =>
          (c.postgres = {
            recovery: {
              postgres: { fromServerName: "postgres", archiveServerName: "postgres" },
            },
          }),
      ),
      "enclii-infra:postgres.recovery.postgres.archiveServerName: must differ from fromServerName (postgres)",
    ],
    [
      "fails when a recovery target time is not RFC 3339",
      mutate(
        (c) =>
          (c.postgres = {
            recovery: {
              postgres: {
                fromServerName: "postgres",
                archiveServerName: "postgres-2",
                targetTime: "yesterday",
              },
            },
          }),
      ),
      "enclii-infra:postgres.recovery.postgres.targetTime: must be an RFC 3339 time such as 2026-11-22T03:00:00Z",
    ],
    [
      "fails when monitoring is on and nobody may pass Cloudflare Access",
      mutate((c) => ((c.access as Json).adminEmails = [])),
      "enclii-infra:access.adminEmails: needs at least one email",
    ],
    [
      "fails when postgres asks for more instances than nodes",
      mutate((c) => (c.postgres = { instances: 3 })),
      "enclii-infra:postgres.instances: is more than the 1 node(s)",
    ],
    [
      "fails when the backup schedule is a five-field cron",
      mutate((c) => (c.postgres = { backupSchedule: "0 3 * * *" })),
      'enclii-infra:postgres.backupSchedule: must be a six-field cron expression (seconds first) such as 0 0 3 * * * (got "0 3 * * *")',
    ],
    [
      "fails when a platform hostname is outside the zone",
      mutate((c) => ((c.janua as Json).hostname = "auth.example.com")),
      'enclii-infra:janua.hostname: must be a hostname under enclii.dev (the tunnel only routes that zone) (got "auth.example.com")',
    ],
    [
      "fails when a dedicated server would need more than 10 Robot firewall rules",
      mutate((c) => ((c.access as Json).adminCidrs = ["198.51.100.0/24", "192.0.2.0/24", "203.0.113.0/24"])),
      "enclii-infra:access.adminCidrs: the Robot firewall holds 10 input rules, 6 of them fixed and 2 per CIDR, so a dedicated server allows at most 2 admin CIDR(s); use a VPN range",
    ],
    [
      "fails when production provisions a node and adminCidrs is empty",
      mutate((c) => ((c.access as Json).adminCidrs = [])),
      "enclii-infra:access.adminCidrs: needs at least one CIDR that may reach SSH and the Kubernetes API of the provisioned nodes (got [])",
    ],
    [
      "fails when a provisioned node has no SSH public key to install",
      mutate((c) => ((c.access as Json).sshPublicKeys = [])),
      "enclii-infra:access.sshPublicKeys: needs at least one OpenSSH public key",
    ],
    [
      "fails when an existing cluster is mixed with provisioned nodes",
      mutate((c) => c.nodes.push({ name: "laptop", kind: "existing", role: "agent" })),
      "enclii-infra:nodes[1].kind: an existing cluster cannot be mixed with dedicated or cloud nodes",
    ],
    [
      "fails on an even number of servers (no etcd majority)",
      mutate((c) => c.nodes.push({ name: "c1", kind: "cloud", serverType: "cpx31", location: "fsn1" })),
      "enclii-infra:nodes: has 2 server nodes; embedded etcd needs a majority, so use 1, 3 or 5 servers",
    ],
    [
      "fails when a cloud node outside eu-central would join a dedicated server",
      mutate((c) =>
        c.nodes.push({ name: "c1", kind: "cloud", role: "agent", serverType: "cpx31", location: "ash" }),
      ),
      'enclii-infra:nodes[1].location: joins a dedicated server through a Robot vSwitch, which only reaches the eu-central zone (fsn1, nbg1, hel1) (got "ash")',
    ],
    [
      "fails when the private network is too small to split into subnets",
      mutate((c) => (c.k3s = { privateNetworkCidr: "10.0.0.0/24" })),
      "enclii-infra:k3s.privateNetworkCidr: must be /22 or larger",
    ],
    [
      "fails when every node is an agent",
      mutate(
        (c) =>
          (c.nodes = [{ name: "c1", kind: "cloud", role: "agent", serverType: "cpx31", location: "fsn1" }]),
      ),
      'enclii-infra:nodes: needs at least one node with role "server"',
    ],
    [
      "fails when a node name is used twice",
      mutate((c) =>
        c.nodes.push({ name: "ax41-1", kind: "dedicated", serverNumber: 2, ipv4: "203.0.113.11" }),
      ),
      'enclii-infra:nodes[1].name: node name "ax41-1" is used more than once',
    ],
  ];

  it.each(cases)("%s", (_title, project, expected) => {
    const problems = problemsOf(project);
    expect(
      problems.some((p) => p.includes(expected)),
      `problems were:\n${problems.join("\n")}`,
    ).toBe(true);
  });

  it("reports every problem of a config in one message", () => {
    const project = mutate((c) => {
      c.domain = "bad domain";
      (c.nodes[0] as Json).ipv4 = "nope";
      (c.tenants[0] as Json).tier = "platinum";
    });
    try {
      parse(project);
      throw new Error("expected a StackConfigError");
    } catch (e) {
      const message = (e as Error).message;
      expect(message).toMatch(/^Invalid configuration \(3 problems\); nothing was changed:/);
      expect(message).toContain("enclii-infra:domain:");
      expect(message).toContain("enclii-infra:nodes[0].ipv4:");
      expect(message).toContain(
        'enclii-infra:tenants[0].tier: must be one of starter, growth, enterprise (got "platinum")',
      );
    }
  });

  it("fails when a required secret is missing and names the command that sets it", () => {
    const { "enclii-infra:robotPassword": _, ...secrets } = baseSecrets();
    const problems = problemsOf(baseProjectConfig(), secrets);
    expect(problems).toEqual([
      expect.stringContaining("enclii-infra:robotPassword: required secret is not set"),
    ]);
    expect(problems[0]).toContain("pulumi config set --secret robotPassword <value>");
  });

  it("asks for the kubeconfig, not SSH or Robot secrets, when the cluster already exists", () => {
    const project = mutate((c) => (c.nodes = [{ name: "k3d", kind: "existing", role: "server" }]));
    const problems = problemsOf(project, { "cloudflare:apiToken": "t" });
    expect(problems).toEqual([
      expect.stringContaining("enclii-infra:kubeconfig: required secret is not set"),
    ]);
  });

  it("asks for hcloud:token only when the stack has a cloud node", () => {
    const project = mutate((c) =>
      c.nodes.push({ name: "extra", kind: "cloud", role: "agent", serverType: "cpx21", location: "nbg1" }),
    );
    expect(problemsOf(project)).toEqual([
      expect.stringContaining("hcloud:token: required secret is not set"),
    ]);
  });

  it("fails when a secret key was stored in plain text", () => {
    const secretKeys = Object.keys(baseSecrets()).filter((k) => k !== "enclii-infra:robotPassword");
    const problems = problemsOf(baseProjectConfig(), baseSecrets(), secretKeys);
    expect(problems).toEqual([
      expect.stringContaining("enclii-infra:robotPassword: is stored in plain text"),
    ]);
  });

  it("is a pulumi.RunError, so `pulumi up` prints no stack trace", async () => {
    const pulumi = await import("@pulumi/pulumi");
    try {
      parse(mutate((c) => (c.domain = "x")));
      throw new Error("expected a StackConfigError");
    } catch (e) {
      expect(pulumi.RunError.isInstance(e)).toBe(true);
    }
  });
});

describe("Cloudflare configuration", () => {
  const withMetadata = (flag: boolean | undefined) =>
    mutate((c) => {
      const cf = c.cloudflare as Json;
      if (flag !== undefined) cf.customMetadata = flag;
      (c.tenants[0] as Json).customMetadata = { plan: "growth" };
    });

  // REFERENCE.md: Cloudflare for SaaS custom_metadata needs the account team to enable it; on an
  // ordinary zone a custom hostname carrying it is rejected.
  it("fails when a tenant sets customMetadata without cloudflare.customMetadata, naming the account team", () => {
    expect(problemsOf(withMetadata(undefined))).toEqual([
      'enclii-infra:tenants[0].customMetadata: needs cloudflare.customMetadata: true, and that only after your Cloudflare account team enabled custom metadata for Cloudflare for SaaS (a custom hostname with it is rejected otherwise) (got {"plan":"growth"})',
    ]);
    expect(parse(withMetadata(true)).cloudflare.customMetadata).toBe(true);
    expect(parse(baseProjectConfig()).cloudflare.customMetadata).toBe(false);
  });

  it("fails when a tenant's customMetadata overrides the tenant key the platform sets", () => {
    const project = mutate((c) => {
      (c.cloudflare as Json).customMetadata = true;
      (c.tenants[0] as Json).customMetadata = { tenant: "other" };
    });
    expect(problemsOf(project)).toEqual([
      'enclii-infra:tenants[0].customMetadata.tenant: is set by the platform to the slug (acme); use another key (got "other")',
    ]);
  });

  it("exits 1 from the plan when customMetadata is on without the flag", () => {
    const bad = join(mkdtempSync(join(tmpdir(), "metadata-")), "Pulumi.production.yaml");
    const text = readFileSync(join(root, "Pulumi.production.yaml"), "utf8").replace(
      "      auth: shared\n",
      "      auth: shared\n      customMetadata:\n        plan: growth\n",
    );
    writeFileSync(bad, text);
    const run = runPlanCli(["--stack", "production", "--config-file", bad]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      "enclii-infra:tenants[0].customMetadata: needs cloudflare.customMetadata: true",
    );
  });

  // cloudflared ingress/middleware/jwtvalidator.go fetches keys from https://<teamName>.cloudflareaccess.com;
  // the provider's default team_name is a placeholder sentence, so it must be set.
  it("fails when cloudflare.accessTeamName is missing, naming every route behind Access (Janua's admin hostname always)", () => {
    const project = mutate((c) => delete (c.cloudflare as Json).accessTeamName);
    expect(problemsOf(project)).toEqual([
      "enclii-infra:cloudflare.accessTeamName: is required: Janua's admin hostname (the program's own Janua API calls) is behind Cloudflare Access, and SSH and the Kubernetes API of the provisioned nodes are tunnel routes behind Cloudflare Access, and Grafana is behind Cloudflare Access, and cloudflared checks the Access token against <team>.cloudflareaccess.com; set the team name (Zero Trust > Settings > Team domain) (got nothing)",
    ]);
    // An existing cluster gets no TCP routes and without Grafana there is no Grafana route, but
    // Janua's admin hostname is always behind Access (components/auth/janua-routes.ts).
    const existingNoMonitoring = mutate((c) => {
      delete (c.cloudflare as Json).accessTeamName;
      c.monitoring = { enabled: false };
      c.nodes = [{ name: "k3s-1", kind: "existing", role: "server" }];
    });
    expect(problemsOf(existingNoMonitoring)).toEqual([
      "enclii-infra:cloudflare.accessTeamName: is required: Janua's admin hostname (the program's own Janua API calls) is behind Cloudflare Access, and cloudflared checks the Access token against <team>.cloudflareaccess.com; set the team name (Zero Trust > Settings > Team domain) (got nothing)",
    ]);
  });

  // Every provisioned node gets TCP routes (ssh://<node>:22, tcp://<server>:6443) behind Access
  // apps, each with originRequest.access, which cloudflared validates against
  // https://<teamName>.cloudflareaccess.com (cloudflare/cloudflared ingress/middleware/jwtvalidator.go).
  // Without monitoring there is no Grafana, yet the team name is still required.
  it("fails when monitoring is off but a node is provisioned and cloudflare.accessTeamName is missing", () => {
    const project = mutate((c) => {
      delete (c.cloudflare as Json).accessTeamName;
      c.monitoring = { enabled: false };
    });
    expect(problemsOf(project)).toEqual([
      "enclii-infra:cloudflare.accessTeamName: is required: Janua's admin hostname (the program's own Janua API calls) is behind Cloudflare Access, and SSH and the Kubernetes API of the provisioned nodes are tunnel routes behind Cloudflare Access, and cloudflared checks the Access token against <team>.cloudflareaccess.com; set the team name (Zero Trust > Settings > Team domain) (got nothing)",
    ]);
  });

  it("exits 1 from the plan when monitoring is off and a provisioned node has no accessTeamName", () => {
    const bad = join(mkdtempSync(join(tmpdir(), "team-")), "Pulumi.staging.yaml");
    const text = readFileSync(join(root, "Pulumi.staging.yaml"), "utf8")
      .replace("    accessTeamName: enclii\n", "")
      .replace(
        "  enclii-infra:monitoring:\n    enabled: true\n",
        "  enclii-infra:monitoring:\n    enabled: false\n",
      );
    expect(text).not.toContain("accessTeamName");
    writeFileSync(bad, text);
    const run = runPlanCli(["--stack", "staging", "--config-file", bad]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      "enclii-infra:cloudflare.accessTeamName: is required: Janua's admin hostname (the program's own Janua API calls) is behind Cloudflare Access, and SSH and the Kubernetes API of the provisioned nodes",
    );
    // The config says it first: the Tunnel component never gets to refuse the routes.
    expect(run.stderr).not.toContain("enclii:edge:Tunnel");
  });

  it("fails when accessTeamName is the whole team domain instead of the team name", () => {
    const project = mutate((c) => ((c.cloudflare as Json).accessTeamName = "enclii.cloudflareaccess.com"));
    expect(problemsOf(project)).toEqual([
      'enclii-infra:cloudflare.accessTeamName: must be the team name alone, e.g. enclii for enclii.cloudflareaccess.com (got "enclii.cloudflareaccess.com")',
    ]);
  });

  it("fails when a dedicated tenant's archive bucket name exceeds R2's 63 characters", () => {
    const project = mutate((c) => {
      (c.cloudflare as Json).r2 = { bucketPrefix: "enclii-production-eu-west-backups-primary" };
      (c.tenants[1] as Json).slug = "globex-international-holdings";
    });
    expect(problemsOf(project)).toEqual([
      expect.stringMatching(
        /^enclii-infra:tenants\[1\]\.slug: gives the tenant's archive bucket enclii-production-eu-west-backups-primary-cnpg-janua-globex-international-holdings \(82 characters\)/,
      ),
    ]);
  });
});

// components/edge/node-names.ts puts DNS-only A records <node>.<domain> and k3s.apiHostname in the
// zone, and every one of them gets a TCP route <label>-tunnel.<domain> (a proxied CNAME,
// components/edge/cluster-access.ts tunnelHostnameOf). A CNAME shares its name with no other
// record (RFC 1034 §3.6.2); Cloudflare's API refuses the second record with "A CNAME record with
// that host already exists" (developers.cloudflare.com/dns/manage-dns-records/troubleshooting/records-with-same-name/).
describe("node names in the zone", () => {
  const CNAME = "a CNAME shares its name with no other record (RFC 1034 §3.6.2) and Cloudflare refuses it";
  const named = (name: string) => mutate((c) => ((c.nodes[0] as Json).name = name));

  it.each([
    ["grafana", "Grafana's tunnel route (monitoring.grafanaHostname)"],
    ["api", "the control plane API's tunnel route (controlPlane.apiHostname)"],
    ["app", "the control plane UI's tunnel route (controlPlane.uiHostname)"],
    ["auth", "Janua's tunnel route (janua.hostname)"],
    ["origin", "the Cloudflare for SaaS fallback origin (a CNAME to the tunnel) (cloudflare.fallbackOrigin)"],
    ["acme", "tenant acme's hostname (its HTTPRoute on the router) (tenants[0].slug)"],
    ["auth-globex", "tenant globex's Janua route (tenants[1].slug)"],
    ["kube-tunnel", "the tunnel route of kube.enclii.dev (a CNAME) (k3s.apiHostname)"],
  ])("fails when a node named %s puts an A record on a routed name", (name, clash) => {
    expect(problemsOf(named(name))).toEqual([
      `enclii-infra:nodes[0].name: gives the DNS-only A record of node ${name} (SSH), ${name}.enclii.dev, which is also ${clash}; ${CNAME}, so rename the node (got "${name}")`,
    ]);
  });

  it("fails when a node's -tunnel route is also a tenant's route", () => {
    const project = mutate((c) => {
      (c.nodes[0] as Json).name = "acme";
      (c.tenants[0] as Json).slug = "acme-tunnel";
    });
    expect(problemsOf(project)).toEqual([
      `enclii-infra:nodes[0].name: gives the tunnel route of acme.enclii.dev (a CNAME), acme-tunnel.enclii.dev, which is also tenant acme-tunnel's hostname (its HTTPRoute on the router) (tenants[0].slug); ${CNAME}, so rename the node (got "acme")`,
    ]);
  });

  it("fails when a node is named like the API's stable name", () => {
    expect(problemsOf(named("kube"))).toEqual([
      'enclii-infra:nodes[0].name: gives the DNS-only A record of node kube (SSH), kube.enclii.dev, which is also the DNS-only A record of the Kubernetes API (k3s.apiHostname); enclii:edge:NodeNames creates one A record per name, so rename the node (got "kube")',
    ]);
  });

  it("fails on k3s.apiHostname when the API name is a routed name", () => {
    const project = mutate((c) => (c.k3s = { apiHostname: "grafana.enclii.dev" }));
    expect(problemsOf(project)).toEqual([
      `enclii-infra:k3s.apiHostname: gives the DNS-only A record of the Kubernetes API, grafana.enclii.dev, which is also Grafana's tunnel route (monitoring.grafanaHostname); ${CNAME}, so choose another k3s.apiHostname (got "grafana.enclii.dev")`,
    ]);
  });

  it("lets an existing cluster's nodes carry any name (no records, no TCP routes)", () => {
    const project = mutate((c) => (c.nodes = [{ name: "grafana", kind: "existing", role: "server" }]));
    expect(parse(project).nodes[0]?.name).toBe("grafana");
  });

  it.each(["production", "staging"])(
    "the routed names the rule checks are exactly the tunnel's routes, the tenants' names and the fallback origin in %s",
    async (stack) => {
      const { platformRoutes } = await import("../../stacks/tenants");
      const { routedZoneNames, nodeZoneNames } = await import("../../stacks/config-rules");
      const { clusterAccessEndpoints } = await import("../../components/edge/cluster-access");
      const file = readStackFile(join(root, `Pulumi.${stack}.yaml`), "enclii-infra");
      const config = parseStackConfig(file.config, stack, { checkSecrets: false });
      const inZone = (h: string) => h.endsWith(`.${config.domain}`);
      const routed = [
        ...platformRoutes(config).map((r) => r.hostname),
        // Tenants' own names reach the router through the catch-all (their HTTPRoutes).
        ...config.tenants.map((t) => `${t.slug}.${config.domain}`),
      ].filter(inZone);
      expect(
        routedZoneNames(config)
          .map((n) => n.name)
          .sort(),
      ).toEqual([...routed, config.cloudflare.fallbackOrigin].sort());
      const endpoints = clusterAccessEndpoints({
        domain: config.domain,
        apiHostname: config.k3s.apiHostname,
        nodeNames: config.nodes.map((n) => n.name),
      });
      const names = nodeZoneNames(config);
      expect(names.records.map((n) => n.name).sort()).toEqual(endpoints.map((e) => e.name).sort());
      expect(names.tunnels.map((n) => n.name).sort()).toEqual(endpoints.map((e) => e.tunnelHostname).sort());
    },
  );
});

describe("advisory rules", () => {
  const account = (baseProjectConfig().cloudflare as Json).accountId as string;
  const siblingDir = (accounts: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), "siblings-"));
    for (const [stack, accountId] of Object.entries(accounts)) {
      writeFileSync(
        join(dir, `Pulumi.${stack}.yaml`),
        `config:\n  enclii-infra:cloudflare:\n    accountId: ${accountId}\n    zoneId: fedcba9876543210fedcba9876543210\n`,
      );
    }
    writeFileSync(join(dir, "Pulumi.yaml"), "name: enclii-infra\nruntime: nodejs\n");
    return dir;
  };

  // REFERENCE.md: API token permissions are account-wide ("Cloudflare Tunnel Write" reads any
  // tunnel's token); two stacks in one account share that blast radius.
  it("warns, without failing, when another committed stack uses the same Cloudflare account", () => {
    const config = parse(baseProjectConfig());
    const dir = siblingDir({ test: account, staging: account, dev: "ffffffffffffffffffffffffffffffff" });
    expect(
      readSiblingStacks(dir, "test")
        .map((s) => s.stack)
        .sort(),
    ).toEqual(["dev", "staging"]);
    expect(configWarnings(config, readSiblingStacks(dir, "test"))).toEqual([
      'enclii-infra:cloudflare.accountId: is also the account of stack staging: API tokens and Tunnel permissions are account-wide, so a token of one stack can read the other\'s tunnel token, R2 buckets and Access applications; use a Cloudflare account per environment (README "Cloudflare accounts") (advisory)',
    ]);
    expect(
      configWarnings(
        config,
        readSiblingStacks(siblingDir({ dev: "ffffffffffffffffffffffffffffffff" }), "test"),
      ),
    ).toEqual([]);
  });

  it("warns for the committed production and staging files, which share one account", () => {
    const file = readStackFile(join(root, "Pulumi.production.yaml"), "enclii-infra");
    const config = parseStackConfig(file.config, "production", { checkSecrets: false });
    expect(configWarnings(config, readSiblingStacks(root, "production"))).toEqual([
      expect.stringContaining("enclii-infra:cloudflare.accountId: is also the account of stack staging"),
    ]);
  });
});
