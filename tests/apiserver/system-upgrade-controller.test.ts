/**
 * The real system-upgrade-controller (rancher/system-upgrade-controller v0.20.1, built from its Go
 * module by `npm run tools:build`) against the production test API server, authenticated with a
 * token of the ServiceAccount the program gives it, under the program's RBAC
 * (components/k3s/upgrade-plans.ts renderControllerRbac) and with the settings of its ConfigMap
 * (renderControllerWorkload), reconciling the Plans the production program renders.
 *
 * What the controller does, read from v0.20.1 (tag commit f1362a3):
 * - main.go 108-125, pkg/upgrade/controller.go 130-195: reads the kube-system namespace, registers
 *   its Plan CRD, starts its handlers; any error is fatal (logrus.Fatal, exit 1). The CRD is
 *   created, or replaced by a full Update with the embedded copy (rancher/wrangler v3.7.0-rc.1
 *   pkg/crd/crd.go 23-106), then awaited until Established.
 * - pkg/upgrade/handle_upgrade.go 30-110: the status handler validates the Plan, sets
 *   `latestVersion` to spec.version with `+` as `-` (pkg/upgrade/plan/plan.go MungeVersion 97-99)
 *   and `latestHash` (plan.go DigestStatus 51-78: SHA-224 of latestVersion then
 *   serviceAccountName; the Plans have no secrets and no digest annotation).
 * - handle_upgrade.go 113-196: the generating handler selects nodes (plan.go SelectConcurrentNodes
 *   155-212: the nodeSelector, a kubernetes.io/hostname label, and a `plan.upgrade.cattle.io/<plan>`
 *   label other than the latest hash; at most `concurrency`), records them in `status.applying` and
 *   applies one Job per node (pkg/upgrade/job/job.go New 136-510), paused until recorded.
 * - pkg/upgrade/handle_batch.go 24-153: when a Job is Complete, labels its node
 *   `plan.upgrade.cattle.io/<plan>=<hash>` and uncordons it (nodes update), freeing the slot.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { INSTALLED_VERSION_LABEL, installedVersionLabelValue, SUC } from "../../components/k3s/upgrade-plans";
import { IMAGES, imageRef } from "../../components/versions";
import { type ApiServerConnection, apiRequest } from "../helpers/kube-apiserver";
import { apply, Discovery, serviceAccountToken, statusMessage } from "../helpers/kube-client";
import { planObjects } from "../helpers/plan-objects";
import { type ReadyApiServer, requireApiServer } from "../helpers/test-api-server";
import { requireTool } from "../helpers/tools";

// biome-ignore lint/suspicious/noExplicitAny: API objects of any kind
type Obj = Record<string, any>;

const CONTROL_PLANE = "node-role.kubernetes.io/control-plane";
const CRD = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/plans.upgrade.cattle.io";
const JOBS = `/apis/batch/v1/namespaces/${SUC.namespace}/jobs`;
const PLANS = `/apis/upgrade.cattle.io/v1/namespaces/${SUC.namespace}/plans`;
const planLabel = (plan: string) => `plan.upgrade.cattle.io/${plan}`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Controller = ChildProcess & { log: string[] };

/** The nodes the Plans choose from; `installed` is the program's installed-version label. */
const NODES = [
  { name: "server-old", server: true, installed: "v1.33.9-k3s1" },
  { name: "server-unlabelled", server: true, installed: undefined },
  { name: "server-new", server: true, installed: "target" },
  { name: "agent-old", server: false, installed: "v1.33.9-k3s1" },
] as const;

describe("system-upgrade-controller v0.20.1 with the program's ServiceAccount and RBAC", () => {
  const controllers: Controller[] = [];
  let conn: ApiServerConnection;
  let discovery: Discovery;
  let objects: Obj[];
  let running: Controller | undefined;

  afterAll(() => {
    for (const c of controllers) if (c.exitCode === null) c.kill("SIGKILL");
  });

  /** The server, the tool and the production plan's objects, or a skip (a failure under CI). */
  const setup = (ctx: { skip(note?: string): void }): ReadyApiServer => {
    const api = requireApiServer(ctx);
    requireTool("system-upgrade-controller", ctx);
    conn = api.servers.production;
    discovery ??= new Discovery(conn);
    objects ??= planObjects(api.plans.production).map((p) => p.object as Obj);
    return api;
  };
  const find = (kind: string, name: string): Obj => {
    const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
    if (!found) throw new Error(`${kind} ${name} is not in the production plan`);
    return found;
  };
  const applied = async (obj: Obj) => {
    const res = await apply(conn, discovery, obj, { fieldManager: "suc-test" });
    expect(res.status, `${obj.kind} ${obj.metadata.name}: ${statusMessage(res)}`).toBeLessThan(300);
  };
  const get = async (path: string): Promise<Obj> => {
    const res = await apiRequest(conn, "GET", path);
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${statusMessage(res)}`);
    return res.body as Obj;
  };
  const jobsOf = async (plan: string) =>
    (await get(`${JOBS}?labelSelector=${encodeURIComponent(`upgrade.cattle.io/plan=${plan}`)}`))
      .items as Obj[];

  /** Polls `probe` for up to a minute; fails at once, with the controller's log, if it exited. */
  const waitFor = async <T>(what: string, probe: () => Promise<T | undefined>): Promise<T> => {
    const log = () => running?.log.join("") ?? "";
    const deadline = Date.now() + 60_000;
    let last = "";
    while (Date.now() < deadline) {
      if (running?.exitCode !== null) throw new Error(`the controller exited waiting for ${what}:\n${log()}`);
      try {
        const value = await probe();
        if (value !== undefined) return value;
      } catch (e) {
        last = (e as Error).message;
      }
      await sleep(200);
    }
    throw new Error(`timed out waiting for ${what} (${last}); controller log:\n${log()}`);
  };

  /** A kubeconfig holding a token of `serviceAccount` (TokenRequest) and the server's CA. */
  const kubeconfigOf = async (serviceAccount: string): Promise<string> => {
    const token = await serviceAccountToken(conn, SUC.namespace, serviceAccount);
    const file = join(conn.dir, `suc-${serviceAccount}.kubeconfig`);
    const ca = Buffer.from(conn.ca).toString("base64");
    writeFileSync(
      file,
      JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "test", cluster: { server: conn.url, "certificate-authority-data": ca } }],
        users: [{ name: serviceAccount, user: { token } }],
        contexts: [{ name: "test", context: { cluster: "test", user: serviceAccount } }],
        "current-context": "test",
      }),
      { mode: 0o600 },
    );
    return file;
  };

  /** Starts the controller as its Deployment does: the ConfigMap's variables and the two downward-API ones. */
  const startController = (bin: string, kubeconfig: string): Controller => {
    const settings = find("ConfigMap", "default-controller-env").data as Record<string, string>;
    const deployment = find("Deployment", SUC.name);
    const child = spawn(bin, ["--kubeconfig", kubeconfig], {
      env: {
        PATH: process.env.PATH,
        ...settings,
        // fieldRef metadata.labels['upgrade.cattle.io/controller'] and metadata.namespace.
        SYSTEM_UPGRADE_CONTROLLER_NAME:
          deployment.spec.template.metadata.labels["upgrade.cattle.io/controller"],
        SYSTEM_UPGRADE_CONTROLLER_NAMESPACE: deployment.metadata.namespace,
        SYSTEM_UPGRADE_CONTROLLER_NODE_NAME: "controller-node",
      },
      stdio: ["ignore", "pipe", "pipe"],
    }) as Controller;
    child.log = [];
    child.stdout?.on("data", (d) => child.log.push(String(d)));
    child.stderr?.on("data", (d) => child.log.push(String(d)));
    controllers.push(child);
    return child;
  };
  const exitOf = (child: Controller) =>
    new Promise<number | null>((resolve) => {
      if (child.exitCode !== null) resolve(child.exitCode);
      else child.once("exit", (code) => resolve(code));
    });

  it("exits at start when its ClusterRole lacks the CRD rule (why the program keeps upstream's)", async (ctx) => {
    setup(ctx);
    const bin = requireTool("system-upgrade-controller", ctx);
    await applied(find("Namespace", SUC.namespace));
    const role = find("ClusterRole", SUC.name);
    const rules = (role.rules as Obj[]).filter((r) => !r.resources.includes("customresourcedefinitions"));
    expect(rules).toHaveLength((role.rules as Obj[]).length - 1);
    const name = "suc-without-crd-rule";
    await applied({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name, namespace: SUC.namespace } });
    await applied({ apiVersion: role.apiVersion, kind: "ClusterRole", metadata: { name }, rules });
    await applied({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name },
      subjects: [{ kind: "ServiceAccount", name, namespace: SUC.namespace }],
    });
    const child = startController(bin, await kubeconfigOf(name));
    expect(await exitOf(child)).toBe(1);
    expect(child.log.join("")).toMatch(/failed to create crd 'plans\.upgrade\.cattle\.io'.*is forbidden/);
  });

  it("registers its Plan CRD and keeps running with the program's ServiceAccount and RBAC", async (ctx) => {
    setup(ctx);
    const bin = requireTool("system-upgrade-controller", ctx);
    const rbac = objects.filter(
      (o) =>
        ["ServiceAccount", "ClusterRole", "Role", "ClusterRoleBinding", "RoleBinding"].includes(o.kind) &&
        o.metadata.labels?.["app.kubernetes.io/name"] === SUC.name,
    );
    expect(rbac.map((o) => o.kind).sort()).toEqual([
      "ClusterRole",
      "ClusterRole",
      "ClusterRoleBinding",
      "ClusterRoleBinding",
      "Role",
      "RoleBinding",
      "ServiceAccount",
    ]);
    for (const obj of rbac) await applied(obj);
    // The test server installs the upstream Plan CRD beforehand; a marker shows whether the
    // controller wrote it (its Update replaces the whole object with its embedded copy).
    const marker = "enclii.dev/suc-test-marker";
    const before = await get(CRD);
    const marked = await apiRequest(
      conn,
      "PATCH",
      CRD,
      { metadata: { annotations: { [marker]: "x" } } },
      { contentType: "application/merge-patch+json" },
    );
    expect(marked.status, statusMessage(marked)).toBe(200);
    running = startController(bin, await kubeconfigOf(SUC.serviceAccount));
    const crd = await waitFor("the controller's Update of the Plan CRD", async () => {
      const now = await get(CRD);
      return now.metadata.annotations?.[marker] === undefined ? now : undefined;
    });
    expect(before.spec.group).toBe("upgrade.cattle.io");
    // An Update (the CRD was there), as wrangler logs it; it owns no field it left unchanged.
    expect(running.log.join("")).toContain("Updating embedded CRD plans.upgrade.cattle.io");
    const established = (crd.status.conditions as Obj[]).find((c) => c.type === "Established");
    expect(established?.status).toBe("True");
    // Still running after its handlers started.
    await sleep(2000);
    expect(running.exitCode, running.log.join("")).toBeNull();
  });

  it("resolves each rendered Plan: latestVersion and latestHash as upstream computes them, Validated and LatestResolved", async (ctx) => {
    setup(ctx);
    const plans = objects.filter((o) => o.kind === "Plan");
    expect(plans.map((p) => p.metadata.name).sort()).toEqual(["k3s-agent", "k3s-server"]);
    const target = installedVersionLabelValue(find("Plan", "k3s-server").spec.version);
    for (const node of NODES) {
      const labels: Record<string, string> = { "kubernetes.io/hostname": node.name };
      if (node.server) labels[CONTROL_PLANE] = "true";
      if (node.installed !== undefined)
        labels[INSTALLED_VERSION_LABEL] = node.installed === "target" ? target : node.installed;
      await applied({ apiVersion: "v1", kind: "Node", metadata: { name: node.name, labels } });
    }
    for (const plan of plans) await applied(plan);
    for (const plan of plans) {
      const status = await waitFor(`${plan.metadata.name} resolved`, async () => {
        const s = (await get(`${PLANS}/${plan.metadata.name}`)).status;
        return s?.latestHash ? s : undefined;
      });
      const latestVersion = plan.spec.version.replaceAll("+", "-");
      expect(status.latestVersion).toBe(latestVersion);
      const hash = createHash("sha224")
        .update(latestVersion)
        .update(plan.spec.serviceAccountName)
        .digest("hex");
      expect(status.latestHash).toBe(hash);
      const condition = (type: string) => (status.conditions as Obj[]).find((c) => c.type === type);
      expect(condition("Validated")).toMatchObject({ status: "True", reason: "PlanIsValid" });
      expect(condition("LatestResolved")).toMatchObject({ status: "True", reason: "Version" });
    }
  });

  it("applies one Job per Plan, to a node not installed at the target, with the program's job settings", async (ctx) => {
    setup(ctx);
    const server = find("Plan", "k3s-server");
    const agent = find("Plan", "k3s-agent");
    const image = imageRef(IMAGES.k3sUpgrade);
    // Concurrency 1: one of the two servers that need the upgrade is applying (upstream's hash order).
    const [serverJob] = await waitFor("the k3s-server Job unpaused", async () => {
      const jobs = await jobsOf("k3s-server");
      return jobs.length === 1 && jobs[0]?.spec.parallelism === 1 ? jobs : undefined;
    });
    const status = (await get(`${PLANS}/k3s-server`)).status;
    const node = serverJob?.metadata.labels["upgrade.cattle.io/node"];
    expect(["server-old", "server-unlabelled"]).toContain(node);
    expect(status.applying).toEqual([node]);
    expect(serverJob?.metadata.labels).toMatchObject({
      "upgrade.cattle.io/controller": SUC.name,
      "upgrade.cattle.io/version": status.latestVersion,
      [planLabel("k3s-server")]: status.latestHash,
    });
    const pod = serverJob?.spec.template.spec;
    // The ConfigMap's SYSTEM_UPGRADE_JOB_* settings reach the Job (job.go 47-129).
    const settings = find("ConfigMap", "default-controller-env").data as Record<string, string>;
    expect(serverJob?.spec).toMatchObject({
      backoffLimit: Number(settings.SYSTEM_UPGRADE_JOB_BACKOFF_LIMIT),
      activeDeadlineSeconds: Number(settings.SYSTEM_UPGRADE_JOB_ACTIVE_DEADLINE_SECONDS),
      ttlSecondsAfterFinished: Number(settings.SYSTEM_UPGRADE_JOB_TTL_SECONDS_AFTER_FINISH),
    });
    expect(pod.containers[0].imagePullPolicy).toBe(settings.SYSTEM_UPGRADE_JOB_IMAGE_PULL_POLICY);
    expect(pod.containers[0].securityContext.privileged).toBe(
      settings.SYSTEM_UPGRADE_JOB_PRIVILEGED === "true",
    );
    expect(pod.serviceAccountName).toBe(SUC.serviceAccount);
    expect(pod.tolerations).toEqual(expect.arrayContaining(server.spec.tolerations));
    // spec.upgrade.image gets latestVersion as its tag (pkg/upgrade/container/container.go
    // WithLatestTag 46-61): the k3s-upgrade image the program pins for this k3s release.
    expect(pod.containers.map((c: Obj) => c.image)).toEqual([image]);
    expect(pod.initContainers.map((c: Obj) => [c.name, c.args])).toEqual([["cordon", ["cordon", node]]]);

    const [agentJob] = await waitFor("the k3s-agent Job unpaused", async () => {
      const jobs = await jobsOf("k3s-agent");
      return jobs.length === 1 && jobs[0]?.spec.parallelism === 1 ? jobs : undefined;
    });
    expect(agentJob?.metadata.labels["upgrade.cattle.io/node"]).toBe("agent-old");
    // The agent Plan's prepare step (k3s-upgrade `prepare k3s-server`) waits for the server Plan.
    expect(agentJob?.spec.template.spec.initContainers.map((c: Obj) => [c.name, c.image, c.args])).toEqual([
      ["prepare", image, agent.spec.prepare.args],
      ["cordon", expect.any(String), ["cordon", "agent-old"]],
    ]);
    // Its pods (privileged, host PID and network, the host's root mounted) are admitted in the
    // program's system-upgrade namespace: Pod Security admission (dry run, nothing stored).
    for (const job of [serverJob, agentJob]) {
      const res = await apiRequest(conn, "POST", `/api/v1/namespaces/${SUC.namespace}/pods?dryRun=All`, {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: `${job?.metadata.labels["upgrade.cattle.io/plan"]}-pod`, namespace: SUC.namespace },
        spec: job?.spec.template.spec,
      });
      expect(res.status, statusMessage(res)).toBe(201);
    }
    // No Job, ever, for the node installed at the target version.
    const all = (await get(JOBS)).items as Obj[];
    expect(all.map((j) => j.metadata.labels["upgrade.cattle.io/node"])).not.toContain("server-new");
  });

  it("labels and uncordons a node when its Job completes, then upgrades the next server", async (ctx) => {
    setup(ctx);
    const [job] = await jobsOf("k3s-server");
    const node = job?.metadata.labels["upgrade.cattle.io/node"] as string;
    const next = node === "server-old" ? "server-unlabelled" : "server-old";
    // What the cordon step and the job controller would have done.
    // (A merge patch, as kubectl cordon sends: an apply by this test's field manager without the
    // labels it applied before would remove them.)
    const cordoned = await apiRequest(
      conn,
      "PATCH",
      `/api/v1/nodes/${node}`,
      { spec: { unschedulable: true } },
      { contentType: "application/merge-patch+json" },
    );
    expect(cordoned.status, statusMessage(cordoned)).toBe(200);
    const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    const done = await apiRequest(
      conn,
      "PATCH",
      `${JOBS}/${job?.metadata.name}/status`,
      {
        status: {
          startTime: now,
          completionTime: now,
          succeeded: 1,
          conditions: ["SuccessCriteriaMet", "Complete"].map((type) => ({
            type,
            status: "True",
            lastProbeTime: now,
            lastTransitionTime: now,
          })),
        },
      },
      { contentType: "application/merge-patch+json" },
    );
    expect(done.status, statusMessage(done)).toBe(200);
    const hash = (await get(`${PLANS}/k3s-server`)).status.latestHash;
    const upgraded = await waitFor(`${node} labelled with the Plan's hash`, async () => {
      const n = await get(`/api/v1/nodes/${node}`);
      return n.metadata.labels[planLabel("k3s-server")] === hash ? n : undefined;
    });
    expect(upgraded.spec.unschedulable ?? false).toBe(false);
    const status = await waitFor(`${next} applying`, async () => {
      const s = (await get(`${PLANS}/k3s-server`)).status;
      return s.applying?.[0] === next ? s : undefined;
    });
    expect(status.applying).toEqual([next]);
  });
});
