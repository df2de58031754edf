/**
 * The test API server itself: the project's kube-apiserver build reports the pinned release, runs
 * the program's own admission configuration (PodSecurity `restricted` by default, its exempt
 * namespaces) with RBAC, authenticates ServiceAccount tokens it signed, and serves the CRDs.
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { requiredVersion } from "../../scripts/lib/tools";
import { apiRequest } from "../helpers/kube-apiserver";
import { apply, create, Discovery, serviceAccountToken, statusMessage } from "../helpers/kube-client";
import { ensureDefaultServiceAccount } from "../helpers/plan-objects";
import { requireApiServer } from "../helpers/test-api-server";

const privilegedPod = (namespace: string) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "privileged", namespace },
  spec: { containers: [{ name: "c", image: "busybox:1.37", securityContext: { privileged: true } }] },
});

describe("test API server", () => {
  it("reports the Kubernetes release tools/apiserver/go.mod pins, not v0.0.0", async (ctx) => {
    const api = requireApiServer(ctx);
    const res = await apiRequest(api.servers.production, "GET", "/version");
    const goMod = readFileSync(join(__dirname, "..", "..", "tools", "apiserver", "go.mod"), "utf8");
    expect(res.body).toMatchObject({
      gitVersion: requiredVersion(goMod, "k8s.io/kubernetes"),
      major: "1",
      minor: "34",
    });
  });

  it("runs each stack's own k3s API server flags and admission configuration", (ctx) => {
    const api = requireApiServer(ctx);
    for (const stack of ["production", "staging"] as const) {
      const flags = api.servers[stack].flags;
      const programArgs = api.k3s[stack].config["kube-apiserver-arg"] as string[];
      expect(programArgs.length).toBeGreaterThan(0);
      for (const arg of programArgs.filter((a) => !a.includes("/")))
        expect(flags, stack).toContain(`--${arg}`);
      expect(flags).toContain("--authorization-mode=Node,RBAC");
      expect(flags).toContain(`--service-cluster-ip-range=${String(api.k3s[stack].config["service-cidr"])}`);
      const admission = flags.find((f) => f.startsWith("--admission-control-config-file=")) as string;
      const written = readFileSync(admission.split("=")[1] as string, "utf8");
      expect(written).toContain("kind: PodSecurityConfiguration");
      expect(written).not.toContain("/etc/rancher/k3s/");
    }
  });

  it("refuses a privileged pod in a namespace without labels (PodSecurity restricted by default)", async (ctx) => {
    const api = requireApiServer(ctx);
    const d = new Discovery(api.servers.production);
    const ns = { apiVersion: "v1", kind: "Namespace", metadata: { name: "harness-restricted" } };
    expect((await apply(api.servers.production, d, ns)).status).toBeLessThan(300);
    await ensureDefaultServiceAccount(api.servers.production, d, "harness-restricted");
    const res = await create(api.servers.production, d, privilegedPod("harness-restricted"), {
      dryRun: true,
    });
    expect(res.status, res.text).toBe(403);
    expect(statusMessage(res)).toMatch(/violates PodSecurity "restricted:latest": privileged/);
  });

  it("admits the same pod in kube-system, which the configuration exempts", async (ctx) => {
    const api = requireApiServer(ctx);
    const d = new Discovery(api.servers.production);
    const sa = {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "default", namespace: "kube-system" },
    };
    expect((await apply(api.servers.production, d, sa)).status).toBeLessThan(300);
    const res = await create(api.servers.production, d, privilegedPod("kube-system"), { dryRun: true });
    expect(res.status, res.text).toBe(201);
  });

  it("authorizes with RBAC: a user without bindings is refused, the admin is not", async (ctx) => {
    const api = requireApiServer(ctx);
    const nobody = await apiRequest(
      api.servers.production,
      "GET",
      "/api/v1/namespaces/default/secrets",
      undefined,
      {
        token: api.servers.production.nobodyToken,
      },
    );
    expect(nobody.status).toBe(403);
    expect(statusMessage(nobody)).toMatch(/User "test-nobody" cannot list resource "secrets"/);
    expect(
      (await apiRequest(api.servers.production, "GET", "/api/v1/namespaces/default/secrets")).status,
    ).toBe(200);
  });

  it("authenticates a ServiceAccount token it issued (TokenRequest) as that ServiceAccount", async (ctx) => {
    const api = requireApiServer(ctx);
    const d = new Discovery(api.servers.production);
    const ns = { apiVersion: "v1", kind: "Namespace", metadata: { name: "harness-sa" } };
    const sa = {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "probe", namespace: "harness-sa" },
    };
    expect((await apply(api.servers.production, d, ns)).status).toBeLessThan(300);
    expect((await apply(api.servers.production, d, sa)).status).toBeLessThan(300);
    const token = await serviceAccountToken(api.servers.production, "harness-sa", "probe");
    const review = await apiRequest(
      api.servers.production,
      "POST",
      "/apis/authentication.k8s.io/v1/selfsubjectreviews",
      { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" },
      { token },
    );
    expect(review.status, review.text).toBe(201);
    expect((review.body.status as { userInfo: { username: string } }).userInfo.username).toBe(
      "system:serviceaccount:harness-sa:probe",
    );
  });

  it("stores Secrets encrypted in etcd when the program turns on k3s's secrets-encryption", async (ctx) => {
    const api = requireApiServer(ctx);
    const conn = api.servers.production;
    expect(api.k3s.production.config["secrets-encryption"]).toBe(true);
    const d = new Discovery(conn);
    const ns = { apiVersion: "v1", kind: "Namespace", metadata: { name: "harness-encryption" } };
    const secret = {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "probe", namespace: "harness-encryption" },
      stringData: { value: "plain-text-marker" },
    };
    expect((await apply(conn, d, ns)).status).toBeLessThan(300);
    expect((await apply(conn, d, secret)).status).toBeLessThan(300);
    // etcd's JSON gateway (/v3/kv/range, keys and values base64) under kube-apiserver's prefix.
    const key = Buffer.from("/registry/secrets/harness-encryption/probe").toString("base64");
    const res = await fetch(`${conn.etcdUrl}/v3/kv/range`, { method: "POST", body: JSON.stringify({ key }) });
    const kvs = ((await res.json()) as { kvs?: { value: string }[] }).kvs ?? [];
    expect(kvs).toHaveLength(1);
    const stored = Buffer.from((kvs[0] as { value: string }).value, "base64").toString("latin1");
    expect(stored.startsWith("k8s:enc:aescbc:v1:aescbckey:")).toBe(true);
    expect(stored).not.toContain("plain-text-marker");
  });

  it("serves every CRD of CRD_SCHEMAS_DIR and the module CRDs (Established)", async (ctx) => {
    const api = requireApiServer(ctx);
    expect(api.crds.length).toBeGreaterThan(10);
    const res = await apiRequest(
      api.servers.production,
      "GET",
      "/apis/apiextensions.k8s.io/v1/customresourcedefinitions",
    );
    const served = ((res.body.items ?? []) as { metadata: { name: string } }[]).map((c) => c.metadata.name);
    for (const crd of api.crds) expect(served, crd.file).toContain(crd.name);
    expect(served).toContain("servicemonitors.monitoring.coreos.com");
    expect(served).toContain("clusters.postgresql.cnpg.io");
  });
});
