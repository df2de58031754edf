import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  k3sConfigObject,
  renderAuditPolicy,
  renderPodSecurityConfig,
  validateK3sNodeConfig,
} from "../../components/k3s/k3s-config";
import { installScriptUrl, rewriteKubeconfig } from "../../components/k3s/scripts";
import { mockKubeconfig } from "../../scripts/lib/mock-outputs";

const base = {
  token: "t".repeat(48),
  clusterCidr: "10.42.0.0/16",
  serviceCidr: "10.43.0.0/16",
};

describe("k3s config.yaml", () => {
  it("initializes embedded etcd on the first server with the hardening flags", () => {
    const config = k3sConfigObject({
      ...base,
      role: "server",
      clusterInit: true,
      nodeName: "ax41",
      nodeIp: "203.0.113.10",
      nodeExternalIp: "203.0.113.10",
      tlsSans: ["k8s.enclii.dev"],
      etcdSnapshots: { schedule: "0 */6 * * *", retention: 28 },
    });
    expect(config).toMatchObject({
      "cluster-init": true,
      "node-ip": "203.0.113.10",
      "tls-san": ["203.0.113.10", "k8s.enclii.dev"],
      disable: ["traefik", "servicelb", "local-storage"],
      "write-kubeconfig-mode": "0600",
      "secrets-encryption": true,
      "protect-kernel-defaults": true,
      "etcd-snapshot-schedule-cron": "0 */6 * * *",
      "etcd-snapshot-retention": 28,
    });
    expect(config).not.toHaveProperty("server");
    expect(config).not.toHaveProperty("node-external-ip");
    expect(config["kube-apiserver-arg"]).toEqual(
      expect.arrayContaining([
        "admission-control-config-file=/etc/rancher/k3s/pod-security.yaml",
        "audit-policy-file=/etc/rancher/k3s/audit-policy.yaml",
        "audit-log-path=/var/lib/rancher/k3s/server/logs/audit.log",
      ]),
    );
  });

  it("sends etcd snapshots to R2 when credentials are given", () => {
    const config = k3sConfigObject({
      ...base,
      role: "server",
      clusterInit: true,
      nodeName: "a",
      nodeIp: "10.0.1.10",
      etcdS3: {
        endpoint: "acc.r2.cloudflarestorage.com",
        bucket: "backups",
        accessKey: "id",
        secretKey: "sk",
      },
    });
    expect(config).toMatchObject({
      "etcd-s3": true,
      "etcd-s3-endpoint": "acc.r2.cloudflarestorage.com",
      "etcd-s3-bucket": "backups",
      "etcd-s3-folder": "etcd",
      "etcd-s3-region": "auto",
    });
  });

  it("joins agents to the first server over the private network with only agent settings", () => {
    const config = k3sConfigObject({
      ...base,
      role: "agent",
      clusterInit: false,
      serverUrl: "https://10.0.1.10:6443",
      nodeName: "c2",
      nodeIp: "10.0.1.11",
      nodeExternalIp: "203.0.113.50",
      nodeLabels: { tier: "apps" },
      nodeTaints: ["dedicated=db:NoSchedule"],
    });
    expect(config).toEqual({
      server: "https://10.0.1.10:6443",
      token: base.token,
      "node-name": "c2",
      "node-ip": "10.0.1.11",
      "node-external-ip": "203.0.113.50",
      "node-label": ["tier=apps"],
      "node-taint": ["dedicated=db:NoSchedule"],
      "protect-kernel-defaults": true,
    });
  });

  it("fails when a joining node has no server URL, an agent initializes, or the token is short", () => {
    expect(
      validateK3sNodeConfig({
        ...base,
        role: "agent",
        clusterInit: true,
        nodeName: "x",
        nodeIp: "1.1.1.1",
        token: "short",
      }),
    ).toEqual([
      "x: only a server can initialize the cluster",
      "x: the join token must be at least 32 characters",
    ]);
    expect(() =>
      k3sConfigObject({ ...base, role: "server", clusterInit: false, nodeName: "y", nodeIp: "1.1.1.1" }),
    ).toThrow("y: a joining node needs serverUrl");
  });
});

describe("PodSecurity admission and audit policy", () => {
  it("enforces restricted by default and exempts kube-system and the privileged platform namespaces", () => {
    const doc = parse(renderPodSecurityConfig(["longhorn-system", "system-upgrade"]));
    const conf = doc.plugins[0].configuration;
    expect(conf.defaults).toMatchObject({ enforce: "restricted", audit: "restricted", warn: "restricted" });
    expect(conf.exemptions.namespaces).toEqual(["kube-system", "longhorn-system", "system-upgrade"]);
  });

  it("logs secrets at Metadata before any rule that would record request bodies", () => {
    const rules = parse(renderAuditPolicy()).rules as {
      level: string;
      resources?: { resources?: string[] }[];
    }[];
    const secrets = rules.findIndex((r) => r.resources?.some((x) => x.resources?.includes("secrets")));
    const firstBody = rules.findIndex((r) => r.level === "Request" || r.level === "RequestResponse");
    expect(rules[secrets]?.level).toBe("Metadata");
    expect(secrets).toBeLessThan(firstBody);
  });
});

describe("kubeconfig and installer", () => {
  it("points the kubeconfig at the node's address and names the context", () => {
    const text = rewriteKubeconfig(mockKubeconfig("127.0.0.1"), "203.0.113.10", "enclii-production");
    expect(text).toContain("server: https://203.0.113.10:6443");
    expect(text).toContain("current-context: enclii-production");
    expect(text).not.toContain("127.0.0.1");
  });

  it("fails clearly when the kubeconfig is not k3s's own", () => {
    expect(() => rewriteKubeconfig("apiVersion: v1", "h", "c")).toThrow(
      "does not point at https://127.0.0.1:6443",
    );
  });

  it("downloads the installer of the pinned release, not the moving get.k3s.io", () => {
    expect(installScriptUrl("v1.34.11+k3s1")).toBe(
      "https://raw.githubusercontent.com/k3s-io/k3s/v1.34.11%2Bk3s1/install.sh",
    );
  });
});
