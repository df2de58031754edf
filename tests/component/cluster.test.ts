import { beforeAll, describe, expect, it } from "vitest";
import { parseStackConfig } from "../../stacks/config";
import { baseProjectConfig, baseSecrets, toRawConfig } from "../helpers/config-fixtures";
import { type RecordedResource, type Recorder, SECRET, settle, startComponentMocks } from "../helpers/mocks";

// A production stack that outgrew one box: the AX41 server plus two hcloud agents.
const project = baseProjectConfig();
project.nodes = [
  { name: "ax41-1", kind: "dedicated", role: "server", serverNumber: 123456, ipv4: "203.0.113.10" },
  { name: "cpx-1", kind: "cloud", role: "agent", serverType: "cpx31", location: "fsn1" },
  { name: "cpx-2", kind: "cloud", role: "agent", serverType: "cpx31", location: "nbg1" },
];
const secrets = { ...baseSecrets(), "hcloud:token": "h" };
const config = parseStackConfig(toRawConfig(project, secrets), "production");

let recorder: Recorder;
const cmd = (name: string) => recorder.get("command:remote:Command", name);

beforeAll(async () => {
  recorder = await startComponentMocks();
  const pulumi = await import("@pulumi/pulumi");
  const { buildCluster } = await import("../../stacks/nodes");
  buildCluster(
    config,
    {
      cloudflareApiToken: pulumi.secret("cf"),
      sshPrivateKey: pulumi.secret("-----BEGIN OPENSSH PRIVATE KEY-----"),
      robotUser: pulumi.secret("#ws+user"),
      robotPassword: pulumi.secret("robot-pass"),
    },
    ["longhorn-system", "system-upgrade", "monitoring"],
  );
  await settle();
});

describe("nodes of a mixed cluster", () => {
  it("configures the AX41 in Robot: firewall, name and reverse DNS, credentials secret", () => {
    const firewall = recorder.get("pulumi-nodejs:dynamic/enclii:RobotFirewall", "ax41-1-firewall");
    expect(firewall.inputs.connection).toBe(SECRET);
    expect(firewall.inputs.serverNumber).toBe(123456);
    expect(recorder.get("pulumi-nodejs:dynamic/enclii:RobotServerName", "ax41-1-name").inputs.name).toBe(
      "ax41-1",
    );
    expect(recorder.get("pulumi-nodejs:dynamic/enclii:RobotReverseDns", "ax41-1-rdns").inputs).toMatchObject({
      ip: "203.0.113.10",
      ptr: "ax41-1.enclii.dev",
    });
  });

  // @pulumi/pulumi cmd/dynamic-provider: read and delete run the provider stored with the resource;
  // the version input makes a changed robot-provider.ts reach every resource (an update).
  it("gives every Robot resource the current provider version", async () => {
    const { ROBOT_PROVIDER_VERSION } = await import("../../components/hetzner/robot-provider");
    const robot = recorder.resources.filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/enclii:Robot"));
    expect(new Set(robot.map((r) => r.type.split(":").at(-1)))).toEqual(
      new Set(["RobotFirewall", "RobotServerName", "RobotReverseDns", "RobotVSwitch"]),
    );
    for (const r of robot) expect(r.inputs.providerVersion, r.name).toBe(ROBOT_PROVIDER_VERSION);
  });

  it("couples the AX41 to the hcloud network with a vSwitch and a vswitch subnet", () => {
    const vswitch = recorder.get("pulumi-nodejs:dynamic/enclii:RobotVSwitch", "vswitch");
    expect(vswitch.inputs).toMatchObject({ vlan: 4000, serverNumbers: [123456], name: "enclii-production" });
    const subnet = recorder.get("hcloud:index/networkSubnet:NetworkSubnet", "hcloud-vswitch-subnet");
    expect(subnet.inputs).toMatchObject({
      type: "vswitch",
      networkZone: "eu-central",
      ipRange: "10.0.2.0/24",
    });
    expect(subnet.dependencies).toContain(vswitch.urn);
    const prep = cmd("k3s-ax41-1-prep");
    expect(String(prep.inputs.stdin)).toContain("vlan4000:");
    expect(String(prep.inputs.stdin)).toContain("mtu: 1400");
  });

  it("creates hcloud servers on the network, firewall and spread placement group, protected in production", () => {
    const server = recorder.get("hcloud:index/server:Server", "cpx-1-server");
    const placement = recorder.get("hcloud:index/placementGroup:PlacementGroup", "hcloud-placement");
    expect(placement.inputs.type).toBe("spread");
    expect(server.inputs).toMatchObject({
      serverType: "cpx31",
      location: "fsn1",
      image: "ubuntu-24.04",
      deleteProtection: true,
      rebuildProtection: true,
      networks: [{ ip: "10.0.1.10" }],
    });
    expect(server.protect).toBe(true);
    expect(String(server.inputs.userData)).toMatch(/^#cloud-config\n/);
    expect(server.dependencies).toContain(
      recorder.get("hcloud:index/networkSubnet:NetworkSubnet", "hcloud-cloud-subnet").urn,
    );
  });

  it("never opens SSH or the API to the whole internet", () => {
    const rules = recorder.get("hcloud:index/firewall:Firewall", "hcloud-firewall").inputs.rules as {
      port?: string;
      sourceIps: string[];
    }[];
    for (const rule of rules.filter((r) => r.port === "22" || r.port === "6443")) {
      expect(rule.sourceIps).not.toContain("0.0.0.0/0");
      expect(rule.sourceIps).not.toContain("::/0");
    }
    const robot = recorder.get("pulumi-nodejs:dynamic/enclii:RobotFirewall", "ax41-1-firewall").inputs
      .firewall as {
      rules: { input: { dst_port?: string; src_ip?: string }[] };
    };
    for (const rule of robot.rules.input.filter((r) => r.dst_port === "22" || r.dst_port === "6443")) {
      expect(["0.0.0.0/0", "::/0"]).not.toContain(rule.src_ip);
    }
  });
});

describe("k3s bootstrap", () => {
  const depends = (r: RecordedResource, other: RecordedResource) =>
    expect(r.dependencies).toContain(other.urn);

  it("prepares each node before configuring and installing k3s on it", () => {
    for (const node of ["ax41-1", "cpx-1", "cpx-2"]) {
      depends(cmd(`k3s-${node}-config`), cmd(`k3s-${node}-prep`));
      depends(cmd(`k3s-${node}-install`), cmd(`k3s-${node}-config`));
    }
  });

  it("prepares the AX41 only once its Robot firewall is active", () => {
    depends(
      cmd("k3s-ax41-1-prep"),
      recorder.get("pulumi-nodejs:dynamic/enclii:RobotFirewall", "ax41-1-firewall"),
    );
  });

  it("lets agents join only after the first server's API is ready", () => {
    const ready = cmd("k3s-ax41-1-ready");
    depends(ready, cmd("k3s-ax41-1-install"));
    depends(cmd("k3s-cpx-1-install"), ready);
    depends(cmd("k3s-cpx-2-install"), ready);
  });

  it("keeps the join token secret and joins agents over the private network", () => {
    expect(cmd("k3s-ax41-1-secrets").inputs.stdin).toBe(SECRET);
    expect(cmd("k3s-ax41-1-secrets").inputs.logging).toBe("none");
    const secrets = String(cmd("k3s-cpx-1-secrets").rawInputs.stdin);
    const b64 =
      /base64 -d > "\/etc\/rancher\/k3s\/token.new"[^\n]*\n([A-Za-z0-9+/=]+)\n/.exec(secrets)?.[1] ?? "";
    expect(Buffer.from(b64, "base64").toString()).toMatch(/^[A-Za-z0-9]{48}$/);
    const agentConfig = String(cmd("k3s-cpx-1-config").inputs.stdin);
    expect(agentConfig).toContain("server: https://10.0.2.10:6443");
    expect(agentConfig).toContain("node-ip: 10.0.1.10");
    expect(agentConfig).toContain("token-file: /etc/rancher/k3s/token");
  });

  it("shows config.yaml in clear in the plan: no secret in the config command", () => {
    for (const node of ["ax41-1", "cpx-1", "cpx-2"]) {
      const stdin = cmd(`k3s-${node}-config`).inputs.stdin;
      expect(stdin).not.toBe(SECRET);
      expect(String(stdin)).toContain("streaming-connection-idle-timeout=5m");
      expect(String(stdin)).not.toMatch(/^token: /m);
    }
  });

  // pulumi-command 1.2.1 provider/pkg/provider/common/inputs.go: `triggers` is replaceOnChanges,
  // so a changed config replaces these commands and runs their `create` (restart, then wait).
  it("re-runs the restart and the readiness wait when the config changes (triggers hold the config)", () => {
    const config = cmd("k3s-ax41-1-config").inputs.stdin;
    for (const name of ["k3s-ax41-1-install", "k3s-ax41-1-ready"]) {
      const triggers = cmd(name).inputs.triggers as unknown[];
      expect(triggers[0]).toBe(config);
      // The secrets' change restarts too, but they stay secret in the plan.
      expect(triggers[1]).toBe(SECRET);
    }
    expect(cmd("k3s-cpx-1-install").inputs.triggers).toEqual([cmd("k3s-cpx-1-config").inputs.stdin, SECRET]);
    expect(cmd("k3s-ax41-1-install").inputs).toMatchObject({
      create: "ENCLII_WHEN_INSTALLED=restart bash -s",
      update: "ENCLII_WHEN_INSTALLED=ensure-running bash -s",
    });
  });

  it("puts the stable API name in tls-san", () => {
    expect(String(cmd("k3s-ax41-1-config").inputs.stdin)).toMatch(
      /tls-san:\n(?:\s+- .*\n)*\s+- kube\.enclii\.dev\n/,
    );
  });

  it("connects over SSH to each node's stable name, not its address", () => {
    expect(cmd("k3s-ax41-1-prep").rawInputs.connection).toMatchObject({ host: "ax41-1.enclii.dev" });
    expect(cmd("k3s-cpx-2-install").rawInputs.connection).toMatchObject({ host: "cpx-2.enclii.dev" });
    expect(cmd("k3s-kubeconfig").rawInputs.connection).toMatchObject({ host: "ax41-1.enclii.dev" });
  });

  it("installs the pinned k3s version", () => {
    expect(String(cmd("k3s-ax41-1-install").inputs.stdin)).toContain('INSTALL_K3S_VERSION="v1.34.11+k3s1"');
  });

  // pulumi-kubernetes provider/pkg/provider/provider.go DiffConfig: the provider is replaced when
  // its kubeconfig is unknown or its active cluster (server, CA) changes, or when
  // clusterIdentifier changes; with clusterIdentifier set and unchanged, never.
  it("builds the provider from a ServiceAccount-token kubeconfig whose server is https://kube.<domain>:6443", () => {
    const read = cmd("k3s-kubeconfig");
    expect(read.inputs.logging).toBe("none");
    expect(String(read.inputs.stdin)).toContain("kubernetes.io/service-account-token");
    expect(read.inputs).not.toHaveProperty("triggers");
    depends(read, cmd("k3s-ax41-1-ready"));
    const provider = recorder.get("pulumi:providers:kubernetes", "k3s-provider");
    expect(provider.inputs.kubeconfig).toBe(SECRET);
    expect(provider.inputs.clusterIdentifier).toBe("enclii-production");
    const kubeconfig = String(provider.rawInputs.kubeconfig);
    expect(kubeconfig).toContain("server: https://kube.enclii.dev:6443");
    expect(kubeconfig).not.toMatch(/server: https:\/\/\d/);
    expect(kubeconfig).toMatch(/token: mock-sa-token-/);
    expect(kubeconfig).not.toContain("client-certificate");
    expect(kubeconfig).toContain("current-context: enclii-production");
  });

  it("connects over SSH as root with the private key kept secret", () => {
    expect(cmd("k3s-cpx-1-prep").inputs.connection).toBe(SECRET);
    expect(cmd("k3s-cpx-1-prep").rawInputs.connection).toMatchObject({ user: "root", dialErrorLimit: 60 });
  });
});
