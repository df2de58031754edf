import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  CIS_KUBELET_ARGS,
  K3S_PATHS,
  k3sConfigObject,
  renderAuditPolicy,
  renderEventRateLimitConfig,
  renderK3sConfig,
  renderK3sServiceEnv,
  renderPodSecurityConfig,
  serviceEnvFile,
  validateK3sNodeConfig,
  validateK3sSecrets,
} from "../../components/k3s/k3s-config";
import {
  DEPLOYER,
  deployerKubeconfig,
  INSTALL_COMMANDS,
  installScriptUrl,
  renderDeployerTokenScript,
  renderInstallScript,
  renderWriteSecretsScript,
} from "../../components/k3s/scripts";

const base = {
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
      "token-file": "/etc/rancher/k3s/token",
      "node-name": "c2",
      "node-ip": "10.0.1.11",
      "node-external-ip": "203.0.113.50",
      "node-label": ["tier=apps"],
      "node-taint": ["dedicated=db:NoSchedule"],
      "protect-kernel-defaults": true,
      "kubelet-arg": [...CIS_KUBELET_ARGS],
    });
  });

  it("fails when a joining node has no server URL, an agent initializes, or the token is short", () => {
    expect(
      validateK3sNodeConfig({ ...base, role: "agent", clusterInit: true, nodeName: "x", nodeIp: "1.1.1.1" }),
    ).toEqual(["x: only a server can initialize the cluster"]);
    expect(validateK3sSecrets({ nodeName: "x", token: "short" })).toEqual([
      "x: the join token must be at least 32 characters",
    ]);
    expect(() =>
      k3sConfigObject({ ...base, role: "server", clusterInit: false, nodeName: "y", nodeIp: "1.1.1.1" }),
    ).toThrow("y: a joining node needs serverUrl");
  });
});

describe("config.yaml holds no secret", () => {
  const token = "T0k3n".repeat(10);
  const keys = { accessKey: "AKIDR2ETCDKEY", secretKey: "s3cr3t-etcd-r2-key" };
  const server = renderK3sConfig({
    ...base,
    role: "server",
    clusterInit: true,
    nodeName: "ax41",
    nodeIp: "203.0.113.10",
    etcdS3: { endpoint: "acc.r2.cloudflarestorage.com", bucket: "enclii-production-etcd", folder: "etcd" },
  });

  // k3s-io/docs docs/cli/server.md "Cluster Options": `--token-file` reads the token from a file.
  it("reads the join token from token-file, never inline", () => {
    expect(parse(server)["token-file"]).toBe(K3S_PATHS.token);
    expect(parse(server)).not.toHaveProperty("token");
    const secrets = renderWriteSecretsScript({ role: "server", token, serviceEnv: "" });
    expect(secrets).toContain(Buffer.from(token).toString("base64"));
    expect(secrets).toContain(`replace "${K3S_PATHS.token}"`);
  });

  // k3s-io/docs docs/cli/server.md "Database": --etcd-s3-access-key / --etcd-s3-secret-key read
  // AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY. k3s's install.sh deletes and rewrites
  // /etc/systemd/system/k3s.service.env on every install (systemd_disable, create_env_file) but
  // its unit also reads EnvironmentFile=-/etc/default/%N, which it leaves alone.
  it("passes the etcd S3 keys through the service environment file the installer never rewrites", () => {
    const env = renderK3sServiceEnv({ nodeName: "ax41", token, etcdS3: keys });
    expect(env).toBe(`AWS_ACCESS_KEY_ID=${keys.accessKey}\nAWS_SECRET_ACCESS_KEY=${keys.secretKey}\n`);
    expect(serviceEnvFile("server")).toBe("/etc/default/k3s");
    expect(serviceEnvFile("agent")).toBe("/etc/default/k3s-agent");
    const script = renderWriteSecretsScript({ role: "server", token, serviceEnv: env });
    expect(script).toContain(`replace "/etc/default/k3s"`);
    expect(script).not.toContain("k3s.service.env");
  });

  it("renders config.yaml with the S3 settings but neither the token nor a key", () => {
    const config = parse(server);
    expect(config).toMatchObject({ "etcd-s3": true, "etcd-s3-bucket": "enclii-production-etcd" });
    expect(config).not.toHaveProperty("etcd-s3-access-key");
    expect(config).not.toHaveProperty("etcd-s3-secret-key");
    for (const secret of [token, keys.accessKey, keys.secretKey]) expect(server).not.toContain(secret);
  });

  it("fails when an S3 key would break the environment file, without quoting it", () => {
    const problems = validateK3sSecrets({
      nodeName: "ax41",
      token,
      etcdS3: { accessKey: "a b", secretKey: "x" },
    });
    expect(problems).toEqual([
      "ax41: the etcd S3 keys must not contain whitespace, quotes, $ or backslashes",
    ]);
  });
});

// k3s-io/docs docs/security/hardening-guide.md, "Configuration for Kubernetes Components"
// (v1.29 and newer) and "Control 1.2.9" (EventRateLimit).
describe("CIS hardening flags of the k3s hardening guide", () => {
  const server = k3sConfigObject({
    ...base,
    role: "server",
    clusterInit: true,
    nodeName: "s",
    nodeIp: "10.0.1.10",
  });
  const agent = k3sConfigObject({
    ...base,
    role: "agent",
    clusterInit: false,
    serverUrl: "https://10.0.1.10:6443",
    nodeName: "a",
    nodeIp: "10.0.1.11",
  });

  it.each([server, agent])("sets kubelet streaming-connection-idle-timeout=5m on every node", (config) => {
    expect(config["kubelet-arg"]).toContain("streaming-connection-idle-timeout=5m");
  });

  it.each([server, agent])("sets kubelet anonymous-auth=false explicitly on every node", (config) => {
    expect(config["kubelet-arg"]).toContain("anonymous-auth=false");
  });

  it("sets service-account-extend-token-expiration=false on the API server", () => {
    expect(server["kube-apiserver-arg"]).toContain("service-account-extend-token-expiration=false");
  });

  it("enables EventRateLimit with NodeRestriction and configures it beside PodSecurity", () => {
    expect(server["kube-apiserver-arg"]).toContain(
      "enable-admission-plugins=NodeRestriction,EventRateLimit,DenyServiceExternalIPs",
    );
    expect(server["kube-apiserver-arg"]).toContain(`admission-control-config-file=${K3S_PATHS.podSecurity}`);
    const plugins = parse(renderPodSecurityConfig([])).plugins as { name: string; path?: string }[];
    expect(plugins.map((p) => p.name)).toEqual(["PodSecurity", "EventRateLimit"]);
    expect(plugins[1]?.path).toBe(K3S_PATHS.eventRateLimit);
    expect(K3S_PATHS.eventRateLimit.startsWith("/etc/rancher/k3s/")).toBe(true);
    const limits = parse(renderEventRateLimitConfig());
    expect(limits).toMatchObject({
      apiVersion: "eventratelimit.admission.k8s.io/v1alpha1",
      kind: "Configuration",
    });
    expect(limits.limits.map((l: { type: string }) => l.type)).toEqual(["Server", "Namespace"]);
  });

  it("sets the controller manager's terminated-pod-gc-threshold=100", () => {
    expect(server["kube-controller-manager-arg"]).toEqual(["terminated-pod-gc-threshold=100"]);
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
  const tokenJson = JSON.stringify({ token: "eyJhbGciOi.sa-token", ca: "bW9jay1jYQ==" });

  // k3s client certificates last 365 days (docs.k3s.io advanced, "Certificate Management"); a
  // ServiceAccount token Secret does not expire, and the CA k3s issues lasts 10 years.
  it("authenticates with the deploy ServiceAccount's token, not k3s.yaml's one-year client certificate", () => {
    const doc = parse(
      deployerKubeconfig({ tokenJson, apiHostname: "kube.enclii.dev", contextName: "enclii-production" }),
    );
    expect(doc.users).toEqual([{ name: "enclii-production", user: { token: "eyJhbGciOi.sa-token" } }]);
    expect(JSON.stringify(doc)).not.toContain("client-certificate");
    expect(doc["current-context"]).toBe("enclii-production");
  });

  it("points the kubeconfig at the stable API name, never an address", () => {
    const doc = parse(deployerKubeconfig({ tokenJson, apiHostname: "kube.enclii.dev", contextName: "c" }));
    expect(doc.clusters[0].cluster).toEqual({
      server: "https://kube.enclii.dev:6443",
      "certificate-authority-data": "bW9jay1jYQ==",
    });
  });

  it("fails clearly when the token command printed nothing usable", () => {
    expect(() => deployerKubeconfig({ tokenJson: "", apiHostname: "h", contextName: "c" })).toThrow(
      "printed no JSON",
    );
    expect(() =>
      deployerKubeconfig({ tokenJson: '{"token":""}', apiHostname: "h", contextName: "c" }),
    ).toThrow("no token or CA");
  });

  it("creates a non-expiring service-account-token Secret bound to cluster-admin in kube-system", () => {
    const script = renderDeployerTokenScript();
    expect(script).toContain("type: kubernetes.io/service-account-token");
    expect(script).toContain(`annotations: {kubernetes.io/service-account.name: ${DEPLOYER.name}}`);
    expect(script).toContain("kind: ClusterRole, name: cluster-admin");
    expect(script).toContain(`namespace: ${DEPLOYER.namespace}`);
  });

  // pulumi-command 1.2.1 runs `create` on a replacement (a trigger changed) and `update` on any
  // other change (provider/pkg/provider/remote/commandController.go); both read the same stdin.
  it("restarts an installed k3s only when run as create (a config change), not as update", () => {
    const script = renderInstallScript({ version: "v1.34.11+k3s1", role: "server" });
    expect(INSTALL_COMMANDS.create).toBe("ENCLII_WHEN_INSTALLED=restart bash -s");
    expect(INSTALL_COMMANDS.update).toBe("ENCLII_WHEN_INSTALLED=ensure-running bash -s");
    expect(script).toMatch(/= restart \]; then\n\s+systemctl enable k3s\n\s+systemctl restart k3s/);
    expect(script).toMatch(/else\n\s+systemctl enable --now k3s\n/);
  });

  it("downloads the installer of the pinned release, not the moving get.k3s.io", () => {
    expect(installScriptUrl("v1.34.11+k3s1")).toBe(
      "https://raw.githubusercontent.com/k3s-io/k3s/v1.34.11%2Bk3s1/install.sh",
    );
  });
});
