import type { Policy, PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import { renderDeployment } from "../../components/edge/cloudflared-manifests";
import { NODE_ADDRESS_COMMENT } from "../../components/edge/node-names";
import { ROUTER_SERVICE_URL } from "../../components/edge/router-values";
import { renderHcloudFirewallRules, renderRobotFirewall } from "../../components/hetzner/firewall-rules";
import { renderDefaultDeny, renderNamespace } from "../../components/shared/namespace";
import { POLICIES } from "../../policies/policy-list";

// biome-ignore lint/suspicious/noExplicitAny: fixtures are untyped manifests
type Obj = Record<string, any>;

/** Every policy here validates with one function (never a list). */
type Validate = (args: unknown, report: (message: string) => void) => void;
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const policy = (name: string): Policy => {
  const found = POLICIES.find((p) => p.name === name);
  if (!found) throw new Error(`no policy ${name}`);
  return found;
};

function resource(type: string, props: Obj, extra: Partial<PolicyResource> = {}): PolicyResource {
  return {
    type,
    props,
    urn: `urn:pulumi:s::p::${type}::${props.metadata?.name ?? "r"}`,
    name: "r",
    opts: {},
    ...extra,
  } as PolicyResource;
}

function runResource(name: string, type: string, props: Obj, config: Obj = {}): string[] {
  const messages: string[] = [];
  const args = {
    ...resource(type, props),
    getConfig: () => config,
    isType: () => false,
    asType: () => undefined,
    notApplicable: () => {},
  };
  const validate = (policy(name) as ResourceValidationPolicy).validateResource as unknown as Validate;
  validate(args, (m) => messages.push(m));
  return messages;
}

function runStack(name: string, resources: PolicyResource[], config: Obj = {}): string[] {
  const messages: string[] = [];
  const validate = (policy(name) as StackValidationPolicy).validateStack as unknown as Validate;
  validate({ resources, getConfig: () => config, stackTags: new Map() }, (m) => messages.push(m));
  return messages;
}

const K8S_DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const goodDeployment = (): Obj =>
  renderDeployment({ namespace: "cloudflare-tunnel", replicas: 2, routes: [] });
const container = (d: Obj) => d.spec.template.spec.containers[0];

/** One-field changes to a passing Deployment, each breaking exactly one policy. */
const POD_CASES: [string, (d: Obj) => void, string][] = [
  [
    "kubernetes-pod-require-pinned-image",
    (d) => (container(d).image = "cloudflare/cloudflared:latest"),
    "without a pinned tag",
  ],
  [
    "kubernetes-pod-require-resources",
    (d) => delete container(d).resources.limits,
    "has no limits.cpu, limits.memory",
  ],
  ["kubernetes-pod-require-probes", (d) => delete container(d).livenessProbe, "lacks a liveness probe"],
  [
    "kubernetes-pod-require-run-as-non-root",
    (d) => {
      container(d).securityContext.runAsNonRoot = false;
      d.spec.template.spec.securityContext.runAsNonRoot = false;
    },
    "may run as root",
  ],
  [
    "kubernetes-pod-require-read-only-root",
    (d) => (container(d).securityContext.readOnlyRootFilesystem = false),
    "writable root filesystem",
  ],
  [
    "kubernetes-pod-forbid-privilege-escalation",
    (d) => (container(d).securityContext.allowPrivilegeEscalation = true),
    "allows privilege escalation",
  ],
  [
    "kubernetes-pod-forbid-privileged",
    (d) => (container(d).securityContext.privileged = true),
    "is privileged",
  ],
  [
    "kubernetes-pod-require-drop-all-capabilities",
    (d) => (container(d).securityContext.capabilities = { drop: ["NET_RAW"] }),
    "does not drop ALL capabilities",
  ],
  [
    "kubernetes-pod-require-seccomp-runtime-default",
    (d) => {
      delete container(d).securityContext.seccompProfile;
      delete d.spec.template.spec.securityContext.seccompProfile;
    },
    "no RuntimeDefault seccomp profile",
  ],
  [
    "kubernetes-pod-forbid-host-namespaces",
    (d) => (d.spec.template.spec.hostNetwork = true),
    "hostNetwork is true",
  ],
  [
    "kubernetes-pod-forbid-host-path",
    (d) => (d.spec.template.spec.volumes = [{ name: "root", hostPath: { path: "/" } }]),
    "mounts host path /",
  ],
  ["kubernetes-pod-forbid-host-port", (d) => (container(d).ports[0].hostPort = 2000), "binds host port 2000"],
  [
    "kubernetes-pod-disable-service-account-token",
    (d) => delete d.spec.template.spec.automountServiceAccountToken,
    "mounts a service account token",
  ],
  [
    "kubernetes-pod-forbid-secret-literals",
    (d) => container(d).env.push({ name: "DB_PASSWORD", value: "hunter2" }),
    "sets DB_PASSWORD as a literal",
  ],
  [
    "kubernetes-workload-require-spread",
    (d) => delete d.spec.template.spec.topologySpreadConstraints,
    "may land on one node",
  ],
];

describe("Kubernetes pod policies", () => {
  it("a restricted Deployment rendered by the components passes every policy", () => {
    for (const p of POLICIES.filter((p): p is ResourceValidationPolicy => "validateResource" in p)) {
      expect(runResource(p.name, K8S_DEPLOYMENT, goodDeployment()), p.name).toEqual([]);
    }
  });

  it.each(POD_CASES)("%s reports exactly one violation for one bad field", (name, change, message) => {
    const bad = goodDeployment();
    change(bad);
    const all = POLICIES.filter((p): p is ResourceValidationPolicy => "validateResource" in p).flatMap((p) =>
      runResource(p.name, K8S_DEPLOYMENT, clone(bad)).map((m) => `${p.name}: ${m}`),
    );
    expect(all.filter((m) => m.startsWith(`${name}:`))).toEqual([expect.stringContaining(message)]);
  });

  it("exempts only the named system namespaces, with a reason", () => {
    const privileged = goodDeployment();
    privileged.metadata.namespace = "longhorn-system";
    container(privileged).securityContext.privileged = true;
    expect(runResource("kubernetes-pod-forbid-privileged", K8S_DEPLOYMENT, privileged)).toEqual([]);
    // Exemptions come through the policy config: replacing them removes Longhorn's.
    expect(
      runResource("kubernetes-pod-forbid-privileged", K8S_DEPLOYMENT, privileged, { exemptions: {} }),
    ).toHaveLength(1);
    privileged.metadata.namespace = "tenant-acme";
    expect(runResource("kubernetes-pod-forbid-privileged", K8S_DEPLOYMENT, privileged)).toHaveLength(1);
  });
});

describe("Kubernetes object policies", () => {
  const cases: [string, string, Obj, Obj, string][] = [
    [
      "kubernetes-job-require-ttl-by-owner",
      "kubernetes:batch/v1:Job",
      { kind: "Job", metadata: { name: "j", namespace: "x" }, spec: { template: { spec: {} } } },
      { spec: { ttlSecondsAfterFinished: 60, template: { spec: {} } } },
      "the next refresh drops it",
    ],
    [
      "kubernetes-job-require-ttl-by-owner",
      "kubernetes:batch/v1:CronJob",
      {
        kind: "CronJob",
        metadata: { name: "c", namespace: "x" },
        spec: { jobTemplate: { spec: { ttlSecondsAfterFinished: 60, template: { spec: {} } } } },
      },
      { spec: { jobTemplate: { spec: { template: { spec: {} } } } } },
      "no ttlSecondsAfterFinished in the job template",
    ],
    [
      "kubernetes-service-forbid-external-types",
      "kubernetes:core/v1:Service",
      { kind: "Service", metadata: { name: "s", namespace: "x" }, spec: { type: "ClusterIP" } },
      { spec: { type: "LoadBalancer" } },
      "is LoadBalancer",
    ],
    [
      "kubernetes-ingress-forbid-ingress",
      "kubernetes:networking.k8s.io/v1:Ingress",
      { kind: "Service", metadata: { name: "i", namespace: "x" } },
      { kind: "Ingress" },
      "traffic enters through the tunnel",
    ],
    [
      "kubernetes-object-forbid-default-namespace",
      "kubernetes:core/v1:ConfigMap",
      { kind: "ConfigMap", metadata: { name: "c", namespace: "x" } },
      { metadata: { name: "c" } },
      "default namespace",
    ],
    [
      "kubernetes-rbac-forbid-cluster-admin",
      "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
      { kind: "ClusterRoleBinding", metadata: { name: "b" }, roleRef: { name: "view" } },
      { roleRef: { name: "cluster-admin" } },
      "grants cluster-admin",
    ],
    [
      "cloudflare-dnsrecord-require-proxied",
      "cloudflare:index/dnsRecord:DnsRecord",
      { name: "a.enclii.dev", proxied: true },
      { proxied: false },
      "is not proxied",
    ],
    [
      "cloudflare-tunnel-require-catch-all",
      "cloudflare:index/zeroTrustTunnelCloudflaredConfig:ZeroTrustTunnelCloudflaredConfig",
      { config: { ingresses: [{ hostname: "a", service: "http://x" }, { service: "http_status:404" }] } },
      { config: { ingresses: [{ hostname: "a", service: "http://x" }] } },
      "must be the catch-all",
    ],
    [
      "cloudflare-apitoken-forbid-wildcards",
      "cloudflare:index/apiToken:ApiToken",
      { name: "t", policies: [{ resources: '{"com.cloudflare.edge.r2.bucket.acc_default_b":"*"}' }] },
      { policies: [{ resources: '{"com.cloudflare.edge.r2.bucket.*":"*"}' }] },
      "is a wildcard",
    ],
    [
      "cloudflare-customhostname-require-dv-tls",
      "cloudflare:index/customHostname:CustomHostname",
      { hostname: "a.example", ssl: { type: "dv", settings: { minTlsVersion: "1.2" } } },
      { ssl: { type: "dv", settings: { minTlsVersion: "1.0" } } },
      "minimum TLS must be 1.2 or 1.3",
    ],
    [
      "hcloud-firewall-forbid-world-admin-ports",
      "hcloud:index/firewall:Firewall",
      { name: "f", rules: renderHcloudFirewallRules(["198.51.100.0/24"]) },
      { rules: [{ direction: "in", protocol: "tcp", port: "22", sourceIps: ["0.0.0.0/0"] }] },
      "port 22 is open to the internet",
    ],
    [
      "robot-firewall-require-active",
      "pulumi-nodejs:dynamic/enclii:RobotFirewall",
      { serverNumber: 1, firewall: renderRobotFirewall(["198.51.100.0/24"]) },
      { firewall: { ...renderRobotFirewall(["198.51.100.0/24"]), status: "disabled" } },
      "it must be active",
    ],
  ];

  it.each(cases)(
    "%s passes the good fixture and reports the one-field change",
    (name, type, good, change, message) => {
      expect(runResource(name, type, good)).toEqual([]);
      expect(runResource(name, type, { ...clone(good), ...change })).toEqual([
        expect.stringContaining(message),
      ]);
    },
  );
});

describe("stack policies", () => {
  const ns = (name: string, labels: Obj = {}) =>
    resource(
      "kubernetes:core/v1:Namespace",
      renderNamespace({ name, podSecurity: "restricted", labels }) as Obj,
    );
  const deny = (name: string) =>
    resource("kubernetes:networking.k8s.io/v1:NetworkPolicy", renderDefaultDeny(name) as Obj);
  const k8s = (kind: string, props: Obj) =>
    resource(`kubernetes:x/v1:${kind}`, { kind, apiVersion: "v1", ...props });

  it("kubernetes-namespace-require-default-deny: passes with the policy, reports a namespace without", () => {
    expect(runStack("kubernetes-namespace-require-default-deny", [ns("janua"), deny("janua")])).toEqual([]);
    expect(runStack("kubernetes-namespace-require-default-deny", [ns("janua")])).toEqual([
      "namespace janua has no default-deny NetworkPolicy",
    ]);
    expect(runStack("kubernetes-namespace-require-default-deny", [ns("longhorn-system")])).toEqual([]);
  });

  it("tenancy-namespace-require-boundaries: a tenant namespace needs its quota, limit range and default deny", () => {
    const tenant = [
      ns("tenant-acme", { "enclii.dev/tenant": "acme" }),
      deny("tenant-acme"),
      k8s("ResourceQuota", { metadata: { name: "q", namespace: "tenant-acme" } }),
      k8s("LimitRange", { metadata: { name: "l", namespace: "tenant-acme" } }),
    ];
    expect(runStack("tenancy-namespace-require-boundaries", tenant)).toEqual([]);
    expect(
      runStack(
        "tenancy-namespace-require-boundaries",
        tenant.filter((r) => r.props.kind !== "LimitRange"),
      ),
    ).toEqual(["tenant namespace tenant-acme has no LimitRange"]);
  });

  it("kubernetes-workload-require-pdb: a replicated Deployment needs a PDB selecting it", () => {
    const d = resource(K8S_DEPLOYMENT, goodDeployment());
    const pdb = k8s("PodDisruptionBudget", {
      metadata: { name: "p", namespace: "cloudflare-tunnel" },
      spec: { selector: { matchLabels: d.props.spec.selector.matchLabels } },
    });
    expect(runStack("kubernetes-workload-require-pdb", [d, pdb])).toEqual([]);
    expect(runStack("kubernetes-workload-require-pdb", [d])).toEqual([
      expect.stringContaining("no PodDisruptionBudget"),
    ]);
  });

  it("cnpg-cluster-require-backups: a cluster needs its ObjectStore and a ScheduledBackup", () => {
    const cluster = k8s("Cluster", {
      apiVersion: "postgresql.cnpg.io/v1",
      metadata: { name: "pg", namespace: "data" },
      spec: { plugins: [{ isWALArchiver: true, parameters: { barmanObjectName: "pg-r2" } }] },
    });
    const store = k8s("ObjectStore", { metadata: { name: "pg-r2", namespace: "data" } });
    const backup = k8s("ScheduledBackup", {
      metadata: { name: "d", namespace: "data" },
      spec: { cluster: { name: "pg" } },
    });
    expect(runStack("cnpg-cluster-require-backups", [cluster, store, backup])).toEqual([]);
    expect(runStack("cnpg-cluster-require-backups", [cluster, store])).toEqual([
      "CNPG cluster data/pg has no ScheduledBackup",
    ]);
  });

  it("cloudflare-tunnel-require-access-for-admin: an admin route needs an Access application with a policy", () => {
    const checked = { access: { required: true, teamName: "enclii", audTags: ["aud"] } };
    const config = (host: string, service: string, originRequest: Obj | undefined = checked) =>
      resource("cloudflare:index/zeroTrustTunnelCloudflaredConfig:ZeroTrustTunnelCloudflaredConfig", {
        config: {
          ingresses: [
            { hostname: host, service, ...(originRequest ? { originRequest } : {}) },
            { service: "http_status:404" },
          ],
        },
      });
    const app = (domain: string, policies: Obj[] = [{ id: "p", precedence: 1 }]) =>
      resource("cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication", {
        name: "Grafana",
        domain,
        destinations: [{ type: "public", uri: domain }],
        policies,
      });
    const name = "cloudflare-tunnel-require-access-for-admin";
    const grafana = "http://grafana.monitoring.svc.cluster.local:80";
    expect(runStack(name, [config("grafana.enclii.dev", grafana), app("grafana.enclii.dev")])).toEqual([]);
    expect(runStack(name, [config("grafana.enclii.dev", grafana)])).toEqual([
      "tunnel route grafana.enclii.dev -> http://grafana.monitoring.svc.cluster.local:80 reaches an admin namespace without a Cloudflare Access application",
    ]);
    // Access on another hostname does not count; the Longhorn UI is an admin route too.
    const longhorn = "http://longhorn-frontend.longhorn-system.svc.cluster.local:80";
    expect(runStack(name, [config("longhorn.enclii.dev", longhorn), app("grafana.enclii.dev")])).toHaveLength(
      1,
    );
    expect(runStack(name, [config("grafana.enclii.dev", grafana), app("grafana.enclii.dev", [])])).toEqual([
      "Access application Grafana has no policy: nobody can pass",
    ]);
    // Public services need no Access.
    expect(
      runStack(name, [config("auth.enclii.dev", "http://janua.janua.svc.cluster.local:80", undefined)]),
    ).toEqual([]);
  });

  it("cloudflare-tunnel-require-access-for-admin: fails when cloudflared does not check the Access token of an admin route", () => {
    // cloudflared ingress/ingress.go: the JWT validator is installed only with access.required.
    const app = resource("cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication", {
      name: "Grafana",
      domain: "grafana.enclii.dev",
      policies: [{ id: "p", precedence: 1 }],
    });
    const config = resource(
      "cloudflare:index/zeroTrustTunnelCloudflaredConfig:ZeroTrustTunnelCloudflaredConfig",
      {
        config: {
          ingresses: [
            { hostname: "grafana.enclii.dev", service: "http://grafana.monitoring.svc.cluster.local:80" },
            { service: "http_status:404" },
          ],
        },
      },
    );
    expect(runStack("cloudflare-tunnel-require-access-for-admin", [config, app])).toEqual([
      "tunnel route grafana.enclii.dev -> http://grafana.monitoring.svc.cluster.local:80 reaches an admin namespace without originRequest.access (required, teamName): cloudflared does not check the Access token",
    ]);
  });

  // cloudflare/cloudflared ingress/ingress.go validateIngress: a service that is not http(s)/ws(s)
  // becomes a raw TCP stream (newTCPOverWSService), and proxy/proxy.go runs the rule's Access JWT
  // check (applyIngressMiddleware) for stream routes too; so an ssh:// or tcp:// route is open to
  // anyone who knows the hostname unless Access covers it and cloudflared checks the token.
  it.each([
    ["ssh://10.0.1.1:22", "ax41-1-tunnel.enclii.dev"],
    ["tcp://10.0.1.1:6443", "kube-tunnel.enclii.dev"],
    ["rdp://10.0.1.9:3389", "desk-tunnel.enclii.dev"],
  ])(
    "cloudflare-tunnel-require-access-for-admin: fails when the raw route %s has no Access application or no cloudflared check",
    (service, host) => {
      const name = "cloudflare-tunnel-require-access-for-admin";
      const checked = { access: { required: true, teamName: "enclii", audTags: ["aud"] } };
      const config = (originRequest?: Obj) =>
        resource("cloudflare:index/zeroTrustTunnelCloudflaredConfig:ZeroTrustTunnelCloudflaredConfig", {
          config: {
            ingresses: [
              { hostname: host, service, ...(originRequest ? { originRequest } : {}) },
              { service: "http_status:404" },
            ],
          },
        });
      const app = resource("cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication", {
        name: "CI",
        domain: host,
        destinations: [{ type: "public", uri: host }],
        policies: [{ id: "p", precedence: 1 }],
      });
      expect(runStack(name, [config(checked), app])).toEqual([]);
      expect(runStack(name, [config(checked)])).toEqual([
        `tunnel route ${host} -> ${service} is a raw TCP/SSH route without a Cloudflare Access application`,
      ]);
      expect(runStack(name, [config(), app])).toEqual([
        `tunnel route ${host} -> ${service} is a raw TCP/SSH route without originRequest.access (required, teamName): cloudflared does not check the Access token`,
      ]);
      expect(runStack(name, [config({ access: { required: true, audTags: ["aud"] } }), app])).toHaveLength(1);
    },
  );

  it("cloudflare-tunnel-require-catch-all: admits the catch-all to the router, not a catch-all to any other service", () => {
    const name = "cloudflare-tunnel-require-catch-all";
    const type = "cloudflare:index/zeroTrustTunnelCloudflaredConfig:ZeroTrustTunnelCloudflaredConfig";
    const last = (rule: Obj) => ({
      config: {
        ingresses: [
          { hostname: "auth.enclii.dev", service: "http://janua.janua.svc.cluster.local:80" },
          rule,
        ],
      },
    });
    expect(runResource(name, type, last({ service: ROUTER_SERVICE_URL }))).toEqual([]);
    expect(
      runResource(name, type, last({ service: "http://grafana.monitoring.svc.cluster.local:80" })),
    ).toHaveLength(1);
    expect(runResource(name, type, last({ path: "^/", service: ROUTER_SERVICE_URL }))).toHaveLength(1);
  });

  it("cloudflare-tunnel-require-access-for-admin: leaves public http(s) routes and the http_status catch-all alone", () => {
    const config = resource(
      "cloudflare:index/zeroTrustTunnelCloudflaredConfig:ZeroTrustTunnelCloudflaredConfig",
      {
        config: {
          ingresses: [
            { hostname: "auth.enclii.dev", service: "http://janua.janua.svc.cluster.local:80" },
            { hostname: "acme.enclii.dev", service: "https://gateway.tenant-acme.svc.cluster.local:443" },
            { hostname: "gone.enclii.dev", service: "http_status:410" },
            { service: "http_status:404" },
          ],
        },
      },
    );
    expect(runStack("cloudflare-tunnel-require-access-for-admin", [config])).toEqual([]);
  });

  it("cloudflare-r2bucket-require-lifecycle: every bucket needs an enabled rule", () => {
    const bucket = resource("cloudflare:index/r2Bucket:R2Bucket", { name: "b" });
    const rules = resource("cloudflare:index/r2BucketLifecycle:R2BucketLifecycle", {
      bucketName: "b",
      rules: [{ enabled: true }],
    });
    expect(runStack("cloudflare-r2bucket-require-lifecycle", [bucket, rules])).toEqual([]);
    expect(runStack("cloudflare-r2bucket-require-lifecycle", [bucket])).toEqual([
      "R2 bucket b has no enabled lifecycle rule",
    ]);
  });

  it("cloudflare-r2bucket-require-lifecycle: accepts a Longhorn bucket whose only rule aborts multipart uploads", () => {
    // longhorn/website PR #1010: no retention policy on the backup store; Longhorn's retain prunes.
    const bucket = resource("cloudflare:index/r2Bucket:R2Bucket", { name: "enclii-production-longhorn" });
    const rules = resource("cloudflare:index/r2BucketLifecycle:R2BucketLifecycle", {
      bucketName: "enclii-production-longhorn",
      rules: [
        {
          id: "abort-incomplete-multipart",
          enabled: true,
          conditions: { prefix: "" },
          abortMultipartUploadsTransition: { condition: { type: "Age", maxAge: 604_800 } },
        },
      ],
    });
    expect(runStack("cloudflare-r2bucket-require-lifecycle", [bucket, rules])).toEqual([]);
  });

  it("cloudflare-dnsrecord-require-proxied: admits DNS-only only for a node's stable SSH or API name", () => {
    const type = "cloudflare:index/dnsRecord:DnsRecord";
    const node = { name: "ax41.enclii.dev", type: "A", content: "203.0.113.10", proxied: false };
    expect(
      runResource("cloudflare-dnsrecord-require-proxied", type, {
        ...node,
        comment: `${NODE_ADDRESS_COMMENT} (SSH)`,
      }),
    ).toEqual([]);
    // Without the marker, as a CNAME, or pointing at a name: refused.
    expect(runResource("cloudflare-dnsrecord-require-proxied", type, node)).toEqual([
      expect.stringContaining("is not proxied"),
    ]);
    expect(
      runResource("cloudflare-dnsrecord-require-proxied", type, {
        ...node,
        type: "CNAME",
        content: "x.cfargotunnel.com",
        comment: NODE_ADDRESS_COMMENT,
      }),
    ).toEqual([expect.stringContaining("is not proxied")]);
  });

  it("stack-production-require-replicas and -protect apply in production only", () => {
    const prod = ns("janua", { "enclii.dev/environment": "production" });
    const single = goodDeployment();
    single.metadata = { name: "janua", namespace: "janua" };
    single.spec.replicas = 1;
    expect(runStack("stack-production-require-replicas", [prod, resource(K8S_DEPLOYMENT, single)])).toEqual([
      expect.stringContaining("runs 1 replica in production"),
    ]);
    expect(
      runStack("stack-production-require-replicas", [
        ns("janua", { "enclii.dev/environment": "staging" }),
        resource(K8S_DEPLOYMENT, single),
      ]),
    ).toEqual([]);
    const bucket = resource("cloudflare:index/r2Bucket:R2Bucket", { name: "b" });
    expect(runStack("stack-production-require-protect", [prod, bucket])).toEqual([
      expect.stringContaining("is not protected in production"),
    ]);
    expect(
      runStack("stack-production-require-protect", [
        prod,
        { ...bucket, opts: { protect: true } } as PolicyResource,
      ]),
    ).toEqual([]);
  });

  it("stack-cost-require-within-budget: compares the shared cost model with the configured budget", () => {
    const server = resource("hcloud:index/server:Server", { name: "n", serverType: "cpx31" });
    expect(runStack("stack-cost-require-within-budget", [server], { budgetMonthlyUsd: 40 })).toEqual([]);
    expect(runStack("stack-cost-require-within-budget", [server, server], { budgetMonthlyUsd: 20 })).toEqual([
      expect.stringContaining("exceeds the budget of $20.00"),
    ]);
  });
});

describe("the pack", () => {
  it("names every policy <provider>-<resource>-<verb>-<noun> with description, severity and remediation", () => {
    expect(POLICIES.length).toBeGreaterThanOrEqual(35);
    for (const p of POLICIES) {
      expect(p.name).toMatch(/^[a-z0-9]+-[a-z0-9]+-(require|forbid|disable)-[a-z0-9-]+$/);
      expect(p.description.length).toBeGreaterThan(20);
      expect(p.severity).toBeDefined();
      expect(p.remediationSteps?.length ?? 0).toBeGreaterThan(10);
      expect(["advisory", "mandatory"]).toContain(p.enforcementLevel);
    }
  });
});
