import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { aliasKeys, diffPlans, ignoredBy } from "../../scripts/lib/plan-diff/diff";
import {
  COMMENT_MARKER,
  GITHUB_COMMENT_LIMIT,
  renderComment,
  renderMarkdown,
  renderText,
} from "../../scripts/lib/plan-diff/render";
import type { PlanDocument, PlanResource, PolicyViolation } from "../../scripts/lib/plan-document";

const STACK_URN = "urn:pulumi:production::enclii-infra::pulumi:pulumi:Stack::enclii-infra-production";

function res(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  extra: Partial<PlanResource> = {},
): PlanResource {
  return {
    urn: `urn:pulumi:production::enclii-infra::pulumi:pulumi:Stack$enclii:data:Postgres$${type}::${name}`,
    type,
    name,
    parent: "urn:pulumi:production::enclii-infra::pulumi:pulumi:Stack$enclii:data:Postgres::postgres",
    custom: true,
    dependencies: [],
    protect: false,
    inputs,
    ...extra,
  };
}

const COMPONENT: PlanResource = {
  urn: "urn:pulumi:production::enclii-infra::pulumi:pulumi:Stack$enclii:data:Postgres::postgres",
  type: "enclii:data:Postgres",
  name: "postgres",
  parent: STACK_URN,
  custom: false,
  dependencies: [],
  protect: false,
  inputs: {},
};

function plan(
  resources: PlanResource[],
  opts: { cost?: number; violations?: PolicyViolation[]; stack?: string } = {},
): PlanDocument {
  const total = opts.cost ?? 44;
  return {
    project: "enclii-infra",
    stack: opts.stack ?? "production",
    resources: [
      {
        urn: STACK_URN,
        type: "pulumi:pulumi:Stack",
        name: "enclii-infra-production",
        parent: null,
        custom: false,
        dependencies: [],
        protect: false,
        inputs: {},
      },
      COMPONENT,
      ...resources,
    ],
    outputs: {},
    policy: { pack: "enclii-infra-policies", violations: opts.violations ?? [] },
    cost: {
      lines: [
        { item: "node ax41 (AX41-NVMe)", quantity: 1, monthlyUsd: 41.04, basis: "x" },
        {
          item: "R2 storage (backups)",
          quantity: 1,
          monthlyUsd: Number((total - 41.04).toFixed(2)),
          basis: "y",
        },
      ],
      totalUsd: total,
      budgetUsd: 100,
      withinBudget: total <= 100,
      warnings: [],
    },
    capacity: {
      nodes: [{ name: "ax41", cpu: 11.5, memoryGiB: 62.5 }],
      overcommit: 1.5,
      allocatable: { cpu: 11.5, memoryGiB: 62.5 },
      items: [],
      platform: { cpu: 2.5, memoryGiB: 7 },
      tenants: { cpu: 10, memoryGiB: 20 },
      free: { cpu: 4.75, memoryGiB: 66.75 },
      fits: true,
      stillFit: { starter: 2, growth: 1 },
    } as unknown as PlanDocument["capacity"],
    manifestCount: 0,
  };
}

const deployment = (selector: string, replicas: number) =>
  res("kubernetes:apps/v1:Deployment", "api", {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "api", namespace: "enclii" },
    spec: { replicas, selector: { matchLabels: { app: selector } } },
  });

describe("plan diff", () => {
  it("reports a resource only in the head plan as a create with its inputs", () => {
    const d = diffPlans(
      plan([]),
      plan([res("hcloud:index/sshKey:SshKey", "admin", { name: "admin", publicKey: "ssh-ed25519 AAAA" })]),
    );
    expect(d.counts).toMatchObject({ create: 1, update: 0, replace: 0, delete: 0 });
    const text = renderText(d);
    expect(text).toContain("+  hcloud:index/sshKey:SshKey admin");
    expect(text).toContain('+ publicKey: "ssh-ed25519 AAAA"');
    expect(renderMarkdown(d)).toContain("| `enclii:data:Postgres postgres` | 1 |  |  |  |");
  });

  it("flags the deletion of a stateful resource loudly", () => {
    const cluster = res("kubernetes:postgresql.cnpg.io/v1:Cluster", "pg", {
      metadata: { name: "postgres" },
      spec: { instances: 1 },
    });
    const d = diffPlans(plan([cluster]), plan([]));
    expect(d.counts.delete).toBe(1);
    const md = renderMarkdown(d);
    expect(md).toContain("> [!CAUTION]\n> 1 change(s) destroy state:");
    expect(md).toContain(
      "> - **delete** `kubernetes:postgresql.cnpg.io/v1:Cluster` `pg`: a PostgreSQL cluster",
    );
    expect(renderText(d)).toContain("!!! delete kubernetes:postgresql.cnpg.io/v1:Cluster pg");
  });

  it("shows a changed Kubernetes object as its manifest diff, as an update", () => {
    const d = diffPlans(plan([deployment("api", 1)]), plan([deployment("api", 2)]));
    expect(d.counts).toMatchObject({ update: 1, replace: 0 });
    const md = renderMarkdown(d);
    expect(md).toContain("`~` **update** `kubernetes:apps/v1:Deployment` `api`");
    expect(md).toMatch(/ {2}- {2}replicas: 1\n {2}\+ {2}replicas: 2/);
    expect(md).not.toContain("[!CAUTION]");
  });

  it("shows property-level changes of other resources", () => {
    const before = res("hcloud:index/firewall:Firewall", "fw", {
      rules: [{ port: "22", sourceIps: ["10.0.0.0/8"] }],
    });
    const after = res("hcloud:index/firewall:Firewall", "fw", {
      rules: [{ port: "22", sourceIps: ["192.0.2.0/24"] }],
    });
    const text = renderText(diffPlans(plan([before]), plan([after])));
    expect(text).toContain('~ rules[0].sourceIps[0]: "10.0.0.0/8" => "192.0.2.0/24"');
  });

  it("aligns list elements by content, so an inserted route is one addition", () => {
    const routes = (hosts: string[]) =>
      res("cloudflare:index/zeroTrustTunnelCloudflaredConfig:ZeroTrustTunnelCloudflaredConfig", "cfg", {
        config: {
          ingresses: [
            ...hosts.map((hostname) => ({ hostname, service: `http://${hostname}` })),
            { service: "http_status:404" },
          ],
        },
      });
    const d = diffPlans(plan([routes(["a.dev", "c.dev"])]), plan([routes(["a.dev", "b.dev", "c.dev"])]));
    expect(d.resources[0]?.changes).toEqual([
      { path: "config.ingresses[1].hostname", kind: "added", after: "b.dev" },
      { path: "config.ingresses[1].service", kind: "added", after: "http://b.dev" },
    ]);
  });

  it("applies the PVC rules to kubernetes:core/v1 tokens and does not rewrite kubernetes:v1 tokens", () => {
    const pvc = (type: string, storageClassName: string) =>
      res(type, "data", { metadata: { name: "data" }, spec: { storageClassName } });
    const core = "kubernetes:core/v1:PersistentVolumeClaim";
    const d = diffPlans(plan([pvc(core, "longhorn")]), plan([pvc(core, "local-path")]));
    expect(d.resources[0]).toMatchObject({
      op: "replace",
      replaceReasons: ["spec.storageClassName"],
      dataLoss: "a volume: its data is lost",
    });
    // `kubernetes:v1:` is a token the provider rejects (gvkFromURN: no group); the program no longer
    // declares one (tests/stack/type-tokens.test.ts), so the diff has no rules for it.
    const broken = "kubernetes:v1:PersistentVolumeClaim";
    const b = diffPlans(plan([pvc(broken, "longhorn")]), plan([pvc(broken, "local-path")]));
    expect(b.resources[0]).toMatchObject({ op: "update", replaceReasons: [] });
    expect(b.resources[0]?.dataLoss).toBeUndefined();
  });

  it("marks a change of an immutable field as a replacement and names the field", () => {
    const d = diffPlans(plan([deployment("api", 1)]), plan([deployment("api-v2", 1)]));
    expect(d.counts.replace).toBe(1);
    expect(d.resources[0]?.replaceReasons).toEqual(["spec.selector"]);
    expect(renderMarkdown(d)).toContain("forces replacement: `spec.selector`");
  });

  it("flags a stateful replacement and a protected resource", () => {
    const server = (location: string) =>
      res("hcloud:index/server:Server", "node-1", { location, serverType: "cpx31" }, { protect: true });
    const d = diffPlans(plan([server("fsn1")]), plan([server("nbg1")]));
    expect(d.counts.replace).toBe(1);
    const md = renderMarkdown(d);
    expect(md).toContain("> - **replace** `hcloud:index/server:Server` `node-1`: a server: its disks");
    expect(md).toContain("protected: `pulumi up` refuses until unprotected");
    expect(renderText(d)).toContain("(forces replacement: location) [protected]");
  });

  it("never shows a secret value and does not report two secrets as a change", () => {
    const before = res("kubernetes:core/v1:Secret", "db", {
      metadata: { name: "db" },
      stringData: { password: "[secret]" },
      type: "Opaque",
    });
    const same = diffPlans(plan([before]), plan([before]));
    expect(same.counts.update).toBe(0);
    const after = res("kubernetes:core/v1:Secret", "db", {
      metadata: { name: "db" },
      stringData: { password: "[secret]", user: "app" },
      type: "Opaque",
    });
    const d = diffPlans(plan([before]), plan([after]));
    expect(d.counts.update).toBe(1);
    const md = renderMarkdown(d);
    expect(md).toContain('password: "[secret]"\n  +  user: app');
    const leaked = res("random:index/randomPassword:RandomPassword", "pw", {
      length: 32,
      result: "[secret]",
    });
    const changed = res("random:index/randomPassword:RandomPassword", "pw", {
      length: 40,
      result: "[secret]",
    });
    const r = diffPlans(plan([leaked]), plan([changed]));
    expect(r.resources[0]?.op).toBe("replace");
    expect(renderText(r)).not.toMatch(/result/);
  });

  it("reports the cost delta per line item and in total", () => {
    const d = diffPlans(plan([], { cost: 44 }), plan([], { cost: 50.5 }));
    const md = renderMarkdown(d);
    expect(md).toContain("| R2 storage (backups) | $2.96 | $9.46 | +$6.50 |");
    expect(md).toContain("| **total** | $44.00 | $50.50 | **+$6.50** |");
    expect(md).toContain("| node ax41 (AX41-NVMe) | $41.04 | $41.04 | ±$0.00 |");
    expect(md).toContain("Within budget: 51% of $100.00/month.");
    const over = renderMarkdown(diffPlans(plan([], { cost: 44 }), plan([], { cost: 120 })));
    expect(over).toContain("<details open><summary>Estimated monthly cost</summary>");
    expect(over).toContain("**Over budget**: 120% of $100.00/month.");
    expect(renderText(d)).toContain("total: $44.00 -> $50.50 (+$6.50), budget $100.00");
  });

  it("reports new and resolved policy findings, mandatory first, open when mandatory", () => {
    const urn = deployment("api", 1).urn;
    const adv: PolicyViolation = {
      policy: "pods-have-probes",
      enforcementLevel: "advisory",
      urn,
      message: "no probes",
    };
    const man: PolicyViolation = {
      policy: "no-privileged-pods",
      enforcementLevel: "mandatory",
      urn,
      message: "privileged",
    };
    const d = diffPlans(plan([], { violations: [adv] }), plan([], { violations: [man] }));
    expect(d.policy.added).toEqual([man]);
    expect(d.policy.resolved).toEqual([adv]);
    const md = renderMarkdown(d);
    expect(md).toContain("policy: 1 new mandatory, 0 new advisory, 1 resolved");
    expect(md).toContain("<details open><summary>Policy findings</summary>");
    expect(md).toContain("| no-privileged-pods | mandatory | `api` | privileged |");
  });

  it("matches resources of two stacks by their URN without the stack", () => {
    const staging = plan([deployment("api", 1)], { stack: "staging" });
    const stagingPlan: PlanDocument = {
      ...staging,
      resources: staging.resources.map((r) => ({
        ...r,
        urn: r.urn.replace("urn:pulumi:production::", "urn:pulumi:staging::"),
      })),
    };
    const d = diffPlans(stagingPlan, plan([deployment("api", 2)]));
    expect(d.counts).toMatchObject({ create: 0, delete: 0, update: 1 });
    expect(renderMarkdown(d)).toContain("### Plan diff: `staging -> production`");
  });

  // The k3s config command's stdin holds config.yaml in clear (components/k3s/cluster.ts), so a
  // reviewer sees the flag itself, not a changed "[secret]".
  it("shows a changed k3s flag, in clear, on the config command", () => {
    const configCommand = (kubeletArgs: string[]) =>
      res("command:remote:Command", "k3s-ax41-config", {
        connection: "[secret]",
        create: "bash -s",
        stdin: [
          "#!/usr/bin/env bash",
          "cat > /etc/rancher/k3s/config.yaml.new <<'ENCLII_EOF'",
          "token-file: /etc/rancher/k3s/token",
          "node-name: ax41",
          "kubelet-arg:",
          ...kubeletArgs.map((a) => `  - ${a}`),
          "secrets-encryption: true",
          "ENCLII_EOF",
          "",
        ].join("\n"),
      });
    const d = diffPlans(
      plan([configCommand(["anonymous-auth=false"])]),
      plan([configCommand(["anonymous-auth=false", "streaming-connection-idle-timeout=5m"])]),
    );
    expect(d.counts).toMatchObject({ update: 1, replace: 0 });
    for (const text of [renderText(d), renderMarkdown(d)]) {
      expect(text).toContain("+  - streaming-connection-idle-timeout=5m");
      expect(text).not.toContain("[secret] =>");
    }
  });

  // pulumi-kubernetes provider/pkg/provider/provider.go DiffConfig: a changed clusterIdentifier
  // replaces the provider, and the engine replaces every object the provider manages with it.
  it("marks a Kubernetes provider replacement as destroying every object it manages", () => {
    const providerUrn =
      "urn:pulumi:production::enclii-infra::pulumi:pulumi:Stack$enclii:k3s:Cluster$pulumi:providers:kubernetes::k3s-provider";
    const provider = (clusterIdentifier: string) =>
      res(
        "pulumi:providers:kubernetes",
        "k3s-provider",
        { kubeconfig: "[secret]", clusterIdentifier },
        { urn: providerUrn },
      );
    const managed = (p: PlanResource) => ({ ...p, provider: providerUrn });
    const namespace = managed(
      res("kubernetes:core/v1:Namespace", "tenant-acme", {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name: "tenant-acme" },
      }),
    );
    const d = diffPlans(
      plan([provider("enclii-production"), namespace, managed(deployment("api", 1))]),
      plan([provider("enclii-production-2"), namespace, managed(deployment("api", 2))]),
    );
    // Only the component resource stays unchanged.
    expect(d.counts).toMatchObject({ replace: 3, update: 0, unchanged: 1 });
    const byName = new Map(d.resources.map((r) => [r.name, r]));
    expect(byName.get("k3s-provider")?.replaceReasons).toEqual(["clusterIdentifier"]);
    for (const name of ["tenant-acme", "api"]) {
      expect(byName.get(name)).toMatchObject({
        op: "replace",
        replaceReasons: expect.arrayContaining(["provider"]),
      });
      expect(byName.get(name)?.dataLoss).toContain("Kubernetes provider is replaced");
    }
    expect(renderMarkdown(d)).toContain("**destroys state: its Kubernetes provider is replaced");
  });

  it("keeps a provider whose clusterIdentifier is unchanged, even when its kubeconfig changes", () => {
    const p = (kubeconfig: string) =>
      res("pulumi:providers:kubernetes", "k3s-provider", {
        kubeconfig,
        clusterIdentifier: "enclii-production",
      });
    const d = diffPlans(plan([p("[secret]")]), plan([p("[unknown]")]));
    expect(d.counts).toMatchObject({ update: 1, replace: 0 });
  });

  it("replaces a provider without clusterIdentifier when its kubeconfig becomes unknown", () => {
    const p = (kubeconfig: string) => res("pulumi:providers:kubernetes", "k3s-provider", { kubeconfig });
    const d = diffPlans(plan([p("[secret]")]), plan([p("[unknown]")]));
    expect(d.resources[0]).toMatchObject({ op: "replace", replaceReasons: ["kubeconfig"] });
  });

  it("stays under the comment size at 500 changed resources and says what it left out", () => {
    const many = Array.from({ length: 500 }, (_, i) => ({
      ...deployment(`app-${i}`, 1),
      urn: `urn:pulumi:production::enclii-infra::pulumi:pulumi:Stack$enclii:tenancy:Tenant$kubernetes:apps/v1:Deployment::app-${i}`,
      parent: `urn:pulumi:production::enclii-infra::pulumi:pulumi:Stack$enclii:tenancy:Tenant::tenant-${i % 50}`,
    }));
    const tenants = Array.from({ length: 50 }, (_, i) => ({
      ...COMPONENT,
      urn: `urn:pulumi:production::enclii-infra::pulumi:pulumi:Stack$enclii:tenancy:Tenant::tenant-${i}`,
      type: "enclii:tenancy:Tenant",
      name: `tenant-${i}`,
    }));
    const d = diffPlans(plan([]), plan([...tenants, ...many]));
    const md = renderMarkdown(d, { fullReport: "the plan-diff artifact" });
    expect(md.length).toBeLessThanOrEqual(60_000);
    expect(md.startsWith(COMMENT_MARKER)).toBe(true);
    expect(md).toContain("**550 to create");
    expect(md).toMatch(
      /_Details of \d+ component\(s\) omitted to fit the comment; the full report is in the plan-diff artifact\._/,
    );
    expect(md).toContain("<summary>Policy findings</summary>");
  });
});

// Issue 21 item 5: nothing the engine would do is hidden. The recorder's hashes, options and
// aliases (scripts/lib/mock-runtime.ts) reach the diff through plan.json.
describe("a plan diff that hides nothing", () => {
  const install = (create: string, hash: string | undefined) =>
    res(
      "command:remote:Command",
      "k3s-ax41-install",
      { connection: "[secret]", create },
      hash ? { secretHashes: { create: hash } } : {},
    );

  it("shows a changed secret input as 'secret changed', without either value", () => {
    const d = diffPlans(
      plan([install("[secret]", "sha256:1111111111111111")]),
      plan([install("[secret]", "sha256:2222222222222222")]),
    );
    expect(d.counts).toMatchObject({ update: 1, replace: 0 });
    expect(d.resources[0]?.changes).toEqual([
      { path: "create", kind: "changed", before: "[secret]", after: "[secret]", secret: true },
    ]);
    for (const text of [renderText(d), renderMarkdown(d)]) {
      expect(text).toContain("~ create: secret changed (value not shown)");
      expect(text).not.toContain("sha256:");
    }
  });

  it("reports an unchanged secret as unchanged, and never guesses when a plan has no hashes", () => {
    const same = diffPlans(
      plan([install("[secret]", "sha256:1111111111111111")]),
      plan([install("[secret]", "sha256:1111111111111111")]),
    );
    expect(same.counts).toMatchObject({ update: 0, unchanged: 2 });
    const older = diffPlans(plan([install("[secret]", undefined)]), plan([install("[secret]", "sha256:2")]));
    expect(older.counts.update).toBe(0);
  });

  it("shows a changed secret inside a Kubernetes object below its manifest diff", () => {
    const secret = (hash: string) =>
      res(
        "kubernetes:core/v1:Secret",
        "db",
        { apiVersion: "v1", kind: "Secret", metadata: { name: "db" }, stringData: { password: "[secret]" } },
        { secretHashes: { "stringData.password": hash } },
      );
    const d = diffPlans(plan([secret("sha256:a")]), plan([secret("sha256:b")]));
    expect(d.counts.update).toBe(1);
    expect(renderMarkdown(d)).toContain("~ stringData.password: secret changed (value not shown)");
  });

  it("counts a protect flip as an update and names it, though no input changed", () => {
    const pg = (protect: boolean) =>
      res("kubernetes:postgresql.cnpg.io/v1:Cluster", "pg", { spec: { instances: 1 } }, { protect });
    const d = diffPlans(plan([pg(true)]), plan([pg(false)]));
    expect(d.counts).toMatchObject({ update: 1, unchanged: 1 });
    expect(d.resources[0]?.optionChanges).toEqual([
      { path: "protect", kind: "changed", before: true, after: false },
    ]);
    expect(renderMarkdown(d)).toContain("**protect: true -> false**");
    expect(renderText(d)).toContain("~ [option] protect: true => false");
  });

  // components/hetzner/cloud-server.ts sets ignoreChanges: ["userData", "image"]; the engine keeps
  // the old value of an ignored input (pulumi/pulumi pkg/resource/deploy/step_generator.go
  // processIgnoreChanges), so a new image is no ForceNew replacement and wipes nothing.
  it("respects ignoreChanges: an ignored hcloud image change replaces nothing and wipes no server", () => {
    const server = (image: string, ignoreChanges?: string[]) =>
      res(
        "hcloud:index/server:Server",
        "node-1",
        { image, location: "fsn1", serverType: "cpx31" },
        ignoreChanges ? { ignoreChanges } : {},
      );
    const ignored = diffPlans(
      plan([server("ubuntu-22.04", ["userData", "image"])]),
      plan([server("ubuntu-24.04", ["userData", "image"])]),
    );
    expect(ignored.counts).toMatchObject({ replace: 0, update: 0, unchanged: 2 });
    expect(ignored.resources).toEqual([]);
    expect(ignored.ignoredOnly.map((r) => r.name)).toEqual(["node-1"]);
    const md = renderMarkdown(ignored);
    expect(md).not.toContain("[!CAUTION]");
    expect(md).toContain(
      "1 resource(s) changed only in inputs their `ignoreChanges` keeps (no update): `node-1` (image)",
    );
    // The same change without the option is the replacement that wipes the server.
    const wiped = diffPlans(plan([server("ubuntu-22.04")]), plan([server("ubuntu-24.04")]));
    expect(wiped.resources[0]).toMatchObject({ op: "replace", replaceReasons: ["image"] });
    expect(renderMarkdown(wiped)).toContain("its disks and everything on them are wiped");
  });

  it("applies the other changes of a resource with ignoreChanges, and lists the ignored ones apart", () => {
    const server = (image: string, serverType: string) =>
      res("hcloud:index/server:Server", "node-1", { image, serverType }, { ignoreChanges: ["image"] });
    const d = diffPlans(plan([server("a", "cpx31")]), plan([server("b", "cpx41")]));
    expect(d.resources[0]).toMatchObject({ op: "update", changes: [{ path: "serverType" }] });
    expect(renderText(d)).toContain('(ignored by ignoreChanges) ~ image: "a" => "b"');
  });

  it("matches ignoreChanges paths the way Pulumi spells them: nested, quoted keys and [*]", () => {
    expect(ignoredBy(["spec.replicas"], "spec.replicas")).toBe(true);
    expect(ignoredBy(["spec"], "spec.template.metadata")).toBe(true);
    expect(ignoredBy(["spec.replica"], "spec.replicas")).toBe(false);
    expect(
      ignoredBy(
        ['metadata.annotations["pulumi.com/patchForce"]'],
        "metadata.annotations.pulumi.com/patchForce",
      ),
    ).toBe(true);
    expect(ignoredBy(["rules[*].ports"], "rules[3].ports[0]")).toBe(true);
    expect(ignoredBy(["rules[*].ports"], "rules[3].sourceIps")).toBe(false);
    expect(ignoredBy(undefined, "image")).toBe(false);
  });

  // stacks/nodes.ts moves the vSwitch out of the hcloud network with an alias; the engine then
  // updates the resource in place (its URN changes, nothing is deleted).
  it("matches a renamed resource through its alias instead of a delete and a create", () => {
    const oldUrn =
      "urn:pulumi:production::enclii-infra::enclii:hetzner:CloudNetwork$pulumi-nodejs:dynamic/enclii:RobotVSwitch::hcloud-vswitch";
    const before = res(
      "pulumi-nodejs:dynamic/enclii:RobotVSwitch",
      "hcloud-vswitch",
      { vlan: 4000 },
      { urn: oldUrn },
    );
    const after = res(
      "pulumi-nodejs:dynamic/enclii:RobotVSwitch",
      "vswitch",
      { vlan: 4000 },
      {
        urn: "urn:pulumi:production::enclii-infra::pulumi:pulumi:Stack$pulumi-nodejs:dynamic/enclii:RobotVSwitch::vswitch",
        aliases: [
          {
            name: "hcloud-vswitch",
            parentUrn:
              "urn:pulumi:production::enclii-infra::pulumi:pulumi:Stack$enclii:hetzner:CloudNetwork::hcloud",
          },
        ],
      },
    );
    expect(aliasKeys(after, "enclii-infra")).toEqual([oldUrn.replace("urn:pulumi:production::", "")]);
    const d = diffPlans(plan([before]), plan([after]));
    expect(d.counts).toMatchObject({ create: 0, delete: 0, update: 1 });
    expect(d.resources[0]?.renamedFrom).toContain("hcloud-vswitch");
    expect(renderMarkdown(d)).toContain("renamed (alias of `hcloud-vswitch`)");
  });

  it("says when a replacement deletes before it creates", () => {
    const fw = (serverNumber: number) =>
      res(
        "pulumi-nodejs:dynamic/enclii:RobotFirewall",
        "fw",
        { serverNumber },
        { deleteBeforeReplace: true },
      );
    const d = diffPlans(plan([fw(1)]), plan([fw(2)]));
    expect(d.resources[0]).toMatchObject({ op: "replace", deleteBeforeReplace: true });
    expect(renderMarkdown(d)).toContain("deletes before it creates (downtime)");
  });

  it("puts two stacks with 800 deletions each into one comment within GitHub's 65,536 characters", () => {
    const volumes = (stack: string) =>
      Array.from({ length: 800 }, (_, i) => ({
        ...res(
          "kubernetes:core/v1:PersistentVolumeClaim",
          `data-tenant-${i}-with-a-long-name-for-the-volume`,
          {
            apiVersion: "v1",
            kind: "PersistentVolumeClaim",
            metadata: { name: `data-${i}`, namespace: `tenant-${i}` },
            spec: { resources: { requests: { storage: "10Gi" } } },
          },
        ),
        urn: `urn:pulumi:${stack}::enclii-infra::pulumi:pulumi:Stack$enclii:tenancy:Tenant$kubernetes:core/v1:PersistentVolumeClaim::data-${i}`,
        parent: `urn:pulumi:${stack}::enclii-infra::pulumi:pulumi:Stack$enclii:tenancy:Tenant::tenant-${i}`,
      }));
    const tenants = (stack: string) =>
      Array.from({ length: 800 }, (_, i) => ({
        ...COMPONENT,
        urn: `urn:pulumi:${stack}::enclii-infra::pulumi:pulumi:Stack$enclii:tenancy:Tenant::tenant-${i}`,
        type: "enclii:tenancy:Tenant",
        name: `tenant-${i}`,
      }));
    const diffs = ["production", "staging"].map((stack) =>
      diffPlans(plan([...tenants(stack), ...volumes(stack)], { stack }), plan(tenants(stack), { stack })),
    );
    const sha = "0123456789abcdef0123456789abcdef01234567";
    const md = renderComment(diffs, { headSha: sha, fullReport: "the plans artifact" });
    expect(md.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(md.startsWith(COMMENT_MARKER)).toBe(true);
    expect(md).toContain(`Head commit \`${sha}\``);
    for (const stack of ["production", "staging"]) {
      expect(md).toContain(`#### Plan diff: \`${stack}\``);
    }
    // Both stacks keep their caution block, capped with the count of what was left out.
    expect(md.match(/> 800 change\(s\) destroy state:/g)).toHaveLength(2);
    expect(md.match(/…and 750 more change\(s\) that destroy state, listed in the full report/g)).toHaveLength(
      2,
    );
    // And the component table, capped the same way (800 tenants, 150 rows shown).
    expect(md.match(/_…and 650 more component\(s\)\._/g)).toHaveLength(2);
    expect(md.match(/<summary>Policy findings<\/summary>/g)).toHaveLength(2);
    expect(md).toMatch(
      /_Details of \d+ component\(s\) omitted to fit the comment; the full report is in the plans artifact\._/,
    );
  });

  it("stays within the limit even when what is always shown is too long, and says it cut", () => {
    const findings = Array.from({ length: 3000 }, (_, i) => ({
      policy: "pod-security-restricted",
      enforcementLevel: "advisory" as const,
      urn: `urn:pulumi:production::enclii-infra::kubernetes:apps/v1:Deployment::app-${i}`,
      message: `container app-${i} runs without a read-only root filesystem; set readOnlyRootFilesystem: true`,
    }));
    const md = renderComment([diffPlans(plan([]), plan([], { violations: findings }))]);
    expect(md.length).toBeLessThanOrEqual(60_000);
    expect(md).toContain("_The rest of this report is cut to fit GitHub's comment limit._");
    // Asked for more, it still never passes GitHub's limit.
    const big = renderComment([diffPlans(plan([]), plan([], { violations: findings }))], { maxChars: 1e6 });
    expect(big.length).toBeLessThanOrEqual(GITHUB_COMMENT_LIMIT);
    expect(big.length).toBeGreaterThan(60_000);
  });
});

describe("npm run plan:diff", () => {
  const tsx = join(__dirname, "..", "..", "node_modules", ".bin", "tsx");
  const cli = join(__dirname, "..", "..", "scripts", "plan-diff.ts");
  const dir = mkdtempSync(join(tmpdir(), "plan-diff-cli-"));
  const write = (name: string, p: PlanDocument) => {
    const file = join(dir, name);
    writeFileSync(file, JSON.stringify(p));
    return file;
  };

  it("renders every base/head pair given into one comment with the head commit", () => {
    const files = [
      write("pb.json", plan([])),
      write("ph.json", plan([deployment("api", 1)])),
      write("sb.json", plan([], { stack: "staging" })),
      write("sh.json", plan([], { stack: "staging" })),
    ];
    const out = execFileSync(tsx, [cli, ...files, "--format", "md", "--head-sha", "abc1234"], {
      encoding: "utf8",
    });
    expect(out).toContain("### Offline plan diff: `production`, `staging`");
    expect(out).toContain("Head commit `abc1234`.");
    expect(out.match(new RegExp(COMMENT_MARKER, "g"))).toHaveLength(1);
  });

  it("refuses an odd number of plan files and a head sha that is not a commit id", () => {
    const one = write("one.json", plan([]));
    const odd = spawnSync(tsx, [cli, one, one, one], { encoding: "utf8" });
    expect(odd.status).toBe(1);
    expect(odd.stderr).toContain("expected pairs of plan files, base then head (got 3)");
    const sha = spawnSync(tsx, [cli, one, one, "--head-sha", "main; rm -rf"], { encoding: "utf8" });
    expect(sha.status).toBe(1);
    expect(sha.stderr).toContain("--head-sha must be a commit id");
  });
});
