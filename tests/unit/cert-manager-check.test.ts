/**
 * The cert-manager readiness gate (components/storage/cert-manager-check.ts) and the rule behind
 * it: helm.v4.Chart never runs Helm hooks (pulumi/pulumi-kubernetes
 * provider/pkg/provider/helm/v4/chart.go 94977969 line 230, `cmd.DisableHooks = true`), so no
 * comment or doc may say that hooks run.
 */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { certManagerValues } from "../../components/storage/cert-manager";
import {
  CERT_MANAGER_CHECK,
  CHECK_DEADLINE_SECONDS,
  CHECK_TIMEOUT,
  renderCertManagerCheck,
} from "../../components/storage/cert-manager-check";
import { CHARTS, IMAGES } from "../../components/versions";
import { validateObject } from "../helpers/k8s-validate";

// biome-ignore lint/suspicious/noExplicitAny: reading arbitrary manifest fields
type Manifest = Record<string, any>;
const ROOT = join(__dirname, "..", "..");

describe("cert-manager API readiness gate", () => {
  const objects = renderCertManagerCheck("cert-manager") as Manifest[];
  const byKind = (kind: string) => objects.find((o) => o.kind === kind) as Manifest;

  it("renders a ServiceAccount, Role, RoleBinding and Job in cert-manager's namespace, valid against the schemas", () => {
    expect(objects.map((o) => o.kind)).toEqual(["ServiceAccount", "Role", "RoleBinding", "Job"]);
    for (const o of objects) {
      expect(o.metadata.name).toBe(CERT_MANAGER_CHECK);
      expect(o.metadata.namespace).toBe("cert-manager");
      expect(validateObject(o, undefined)).toEqual([]);
    }
  });

  // cmapichecker.Check dry-run-creates CertificateRequests in its namespace and nothing else
  // (cert-manager v1.20.2 pkg/util/cmapichecker/cmapichecker.go 86-203; the chart's
  // startupapicheck-rbac.yaml grants exactly this).
  it("grants only create on certificaterequests, to the Job's ServiceAccount", () => {
    expect(byKind("Role").rules).toEqual([
      { apiGroups: ["cert-manager.io"], resources: ["certificaterequests"], verbs: ["create"] },
    ]);
    expect(byKind("RoleBinding").roleRef).toEqual({
      apiGroup: "rbac.authorization.k8s.io",
      kind: "Role",
      name: CERT_MANAGER_CHECK,
    });
    expect(byKind("RoleBinding").subjects).toEqual([
      { kind: "ServiceAccount", name: CERT_MANAGER_CHECK, namespace: "cert-manager" },
    ]);
  });

  it("runs `check api --wait` from the startupapicheck image of the pinned cert-manager release", () => {
    const job = byKind("Job");
    const pod = job.spec.template.spec;
    const [container] = pod.containers;
    expect(IMAGES.certManagerStartupApiCheck.tag).toBe(CHARTS.certManager.version);
    expect(container.image).toBe(
      `quay.io/jetstack/cert-manager-startupapicheck:${CHARTS.certManager.version}`,
    );
    expect(container.args.slice(0, 2)).toEqual(["check", "api"]);
    expect(container.args.some((a: string) => a.startsWith("--wait="))).toBe(true);
    expect(pod.serviceAccountName).toBe(CERT_MANAGER_CHECK);
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(container.resources.requests).toBeDefined();
    expect(container.resources.limits).toBeDefined();
    expect(job.spec.backoffLimit).toBeGreaterThanOrEqual(0);
    // No TTL: the TTL controller would delete a Job Pulumi owns, and the next refresh would drop it
    // from the state (pulumi-kubernetes provider.go Read: a 404 is "deleted") and plan it again.
    expect(job.spec.ttlSecondsAfterFinished).toBeUndefined();
    expect(job.metadata.annotations["pulumi.com/replaceUnready"]).toBe("true");
    // Pulumi's wait outlasts the Job's own deadline, so the Job's failure is what reports.
    expect(Number.parseInt(CHECK_TIMEOUT, 10) * 60).toBeGreaterThan(CHECK_DEADLINE_SECONDS);
  });

  // The `restricted` Pod Security Standard (kubernetes.io/docs/concepts/security/pod-security-standards).
  it("is admissible under the restricted Pod Security Standard", () => {
    const pod = byKind("Job").spec.template.spec;
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.securityContext.seccompProfile).toEqual({ type: "RuntimeDefault" });
    for (const c of pod.containers) {
      expect(c.securityContext.allowPrivilegeEscalation).toBe(false);
      expect(c.securityContext.capabilities.drop).toEqual(["ALL"]);
      expect(c.securityContext.runAsNonRoot).toBe(true);
    }
    expect(pod.hostNetwork ?? false).toBe(false);
    expect(pod.volumes ?? []).toEqual([]);
  });

  it("disables the chart's own startupapicheck (a post-install hook that never runs)", () => {
    expect(certManagerValues().startupapicheck.enabled).toBe(false);
  });
});

function files(dir: string, ext: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path, ext);
    return ext.test(name) ? [path] : [];
  });
}

describe("no comment claims that Helm hooks run", () => {
  it("components, stacks, docs and README never say hooks run (as ordinary resources or otherwise)", () => {
    const sources = [
      ...files(join(ROOT, "components"), /\.ts$/),
      ...files(join(ROOT, "stacks"), /\.ts$/),
      ...files(join(ROOT, "docs"), /\.md$/),
      join(ROOT, "README.md"),
    ];
    const claims =
      /hooks?\b[^.\n]{0,40}\b(run|runs|are applied|is applied)\s+as\s+(an\s+)?ordinary|as an ordinary (Job|resource)|hooks run as/i;
    const offending = sources.flatMap((file) =>
      readFileSync(file, "utf8")
        .split("\n")
        .flatMap((line, i) =>
          claims.test(line) ? [`${file.slice(ROOT.length + 1)}:${i + 1}: ${line.trim()}`] : [],
        ),
    );
    expect(offending).toEqual([]);
  });
});
