/**
 * kubernetes-job-require-deadline and kubernetes-pod-require-image-digest on the objects the
 * components render, each broken by one field.
 */
import { describe, expect, it } from "vitest";
import { renderDeployment } from "../../components/edge/cloudflared-manifests";
import { renderCertManagerCheck } from "../../components/storage/cert-manager-check";
import { runResourcePolicy, urnOf } from "../helpers/policy-run";

// biome-ignore lint/suspicious/noExplicitAny: fixtures are untyped manifests
type Obj = Record<string, any>;
const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;
const JOB = "kubernetes:batch/v1:Job";
const CRONJOB = "kubernetes:batch/v1:CronJob";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const DEADLINE = "kubernetes-job-require-deadline";
const DIGEST = "kubernetes-pod-require-image-digest";

const job = (): Obj => {
  const found = renderCertManagerCheck("cert-manager").find((o: Obj) => o.kind === "Job");
  if (!found) throw new Error("cert-manager check renders no Job");
  return found as Obj;
};
const cronJob = (deadline?: number): Obj => ({
  apiVersion: "batch/v1",
  kind: "CronJob",
  metadata: { name: "c", namespace: "tenant-acme" },
  spec: {
    schedule: "0 3 * * *",
    jobTemplate: {
      spec: { ...(deadline ? { activeDeadlineSeconds: deadline } : {}), template: { spec: {} } },
    },
  },
});

describe("kubernetes-job-require-deadline", () => {
  it("passes the cert-manager API check Job the program renders", () => {
    expect(runResourcePolicy(DEADLINE, JOB, job())).toEqual([]);
  });

  it("fails when a Job has no activeDeadlineSeconds", () => {
    const bad = clone(job());
    delete bad.spec.activeDeadlineSeconds;
    expect(runResourcePolicy(DEADLINE, JOB, bad)).toEqual([
      "Job cert-manager/cert-manager-api-check: no spec.activeDeadlineSeconds; a pod that hangs would run forever. Set a deadline",
    ]);
  });

  it("passes a CronJob whose job template has a deadline and fails one without", () => {
    expect(runResourcePolicy(DEADLINE, CRONJOB, cronJob(600))).toEqual([]);
    expect(runResourcePolicy(DEADLINE, CRONJOB, cronJob())).toEqual([
      "CronJob tenant-acme/c: no spec.jobTemplate.spec.activeDeadlineSeconds; a pod that hangs would run forever. Set a deadline",
    ]);
  });

  it("ignores objects that are not Jobs", () => {
    const deployment = renderDeployment({ namespace: "cloudflare-tunnel", replicas: 2, routes: [] });
    expect(runResourcePolicy(DEADLINE, DEPLOYMENT, deployment)).toEqual([]);
  });
});

describe("kubernetes-pod-require-image-digest", () => {
  const deployment = (): Obj =>
    renderDeployment({ namespace: "cloudflare-tunnel", replicas: 2, routes: [] }) as Obj;
  const prod = urnOf("production", DEPLOYMENT, "cloudflared");
  const image = (d: Obj) => d.spec.template.spec.containers[0].image as string;

  it("passes a production image pinned by digest", () => {
    const d = deployment();
    d.spec.template.spec.containers[0].image = `${image(d).split("@")[0]}@sha256:${"a".repeat(64)}`;
    expect(runResourcePolicy(DIGEST, DEPLOYMENT, d, { urn: prod })).toEqual([]);
  });

  it("fails a production image pinned by tag only", () => {
    const d = deployment();
    d.spec.template.spec.containers[0].image = "cloudflare/cloudflared:2026.7.0";
    expect(runResourcePolicy(DIGEST, DEPLOYMENT, d, { urn: prod })).toEqual([
      'Deployment cloudflare-tunnel/cloudflared: container cloudflared uses image "cloudflare/cloudflared:2026.7.0" without a sha256 digest; pin the digest in components/versions.ts',
    ]);
  });

  it("leaves staging alone, and follows the pack config's productionStacks", () => {
    const d = deployment();
    d.spec.template.spec.containers[0].image = "cloudflare/cloudflared:2026.7.0";
    expect(runResourcePolicy(DIGEST, DEPLOYMENT, d)).toEqual([]);
    expect(
      runResourcePolicy(DIGEST, DEPLOYMENT, d, { config: { productionStacks: ["staging"] } }),
    ).toHaveLength(1);
  });
});
