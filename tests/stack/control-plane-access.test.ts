/**
 * Issue 15 item 6: the control plane can deploy, and nothing more. Over both offline plans, the
 * rendered RBAC is evaluated as the API server's RBAC authorizer would (components/shared/rbac-eval.ts,
 * from kubernetes v1.34.0 `plugin/pkg/auth/authorizer/rbac/rbac.go` and
 * `pkg/apis/rbac/v1/evaluation_helpers.go`), and the network policies with the NetworkPolicy
 * evaluator. switchyard-api uses its pod's in-cluster token (madfam-org/enclii
 * `apps/switchyard-api/internal/k8s/client.go` `NewClient`: `rest.InClusterConfig()`).
 */
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CONTROL_PLANE, KUBECONFIG } from "../../components/control-plane/manifests";
import { CONTROL_PLANE_IDENTITY } from "../../components/control-plane/rbac";
import { mayDo, type RbacRequest } from "../../components/shared/rbac-eval";
import { type Endpoint, mayConnect } from "../../components/tenancy/netpol-eval";
import { PULL_SECRET } from "../../components/tenancy/tenant-manifests";
import { planCommittedStacks, STACKS } from "../helpers/plan-cli";

// biome-ignore lint/suspicious/noExplicitAny: reading arbitrary manifest fields
type Obj = Record<string, any>;
const planOf = planCommittedStacks();
const sa = { namespace: "enclii", name: CONTROL_PLANE_IDENTITY.serviceAccount };

describe.each(STACKS)("control plane access, %s plan", (stack) => {
  const objects = () =>
    planOf(stack)
      .resources.map((r) => r.inputs as Obj)
      .filter((o) => o?.kind);
  const tenantNamespaces = () =>
    objects()
      // A dedicated Janua's namespace carries the tenant label too; the control plane deploys into none.
      .filter((o) => o.kind === "Namespace" && o.metadata.name.startsWith("tenant-"))
      .map((o) => o.metadata.name as string);
  const may = (request: RbacRequest) => mayDo(objects(), sa, request);

  it("deploys apps into every tenant namespace: workloads, config, secrets, routes, autoscalers, jobs", () => {
    expect(tenantNamespaces().length).toBeGreaterThan(0);
    const writes: [string, string][] = [
      ["apps", "deployments"],
      ["", "services"],
      ["", "configmaps"],
      ["", "secrets"],
      ["", "persistentvolumeclaims"],
      ["batch", "jobs"],
      ["batch", "cronjobs"],
      ["autoscaling", "horizontalpodautoscalers"],
      ["gateway.networking.k8s.io", "httproutes"],
    ];
    for (const namespace of tenantNamespaces())
      for (const [apiGroup, resource] of writes)
        for (const verb of ["create", "update", "patch", "delete", "get", "list", "watch"])
          expect(may({ verb, apiGroup, resource, namespace }), `${verb} ${resource} in ${namespace}`).toBe(
            true,
          );
  });

  it("reads ReplicaSets, Pods, their logs and Events there, but cannot exec, attach or port-forward", () => {
    for (const namespace of tenantNamespaces()) {
      expect(may({ verb: "list", apiGroup: "apps", resource: "replicasets", namespace })).toBe(true);
      expect(may({ verb: "create", apiGroup: "apps", resource: "replicasets", namespace })).toBe(false);
      expect(may({ verb: "watch", apiGroup: "", resource: "pods", namespace })).toBe(true);
      expect(may({ verb: "get", apiGroup: "", resource: "pods", subresource: "log", namespace })).toBe(true);
      expect(may({ verb: "list", apiGroup: "events.k8s.io", resource: "events", namespace })).toBe(true);
      for (const subresource of ["exec", "attach", "portforward", "ephemeralcontainers"])
        for (const verb of ["create", "get", "patch"])
          expect(may({ verb, apiGroup: "", resource: "pods", subresource, namespace }), subresource).toBe(
            false,
          );
      expect(may({ verb: "create", apiGroup: "", resource: "pods", namespace })).toBe(false);
    }
  });

  it("cannot touch RBAC, namespaces, network policies, quotas or webhooks anywhere", () => {
    const forbidden: [string, string][] = [
      ["rbac.authorization.k8s.io", "roles"],
      ["rbac.authorization.k8s.io", "rolebindings"],
      ["rbac.authorization.k8s.io", "clusterroles"],
      ["rbac.authorization.k8s.io", "clusterrolebindings"],
      ["", "namespaces"],
      ["networking.k8s.io", "networkpolicies"],
      ["", "resourcequotas"],
      ["", "limitranges"],
      ["", "serviceaccounts"],
      ["admissionregistration.k8s.io", "validatingwebhookconfigurations"],
      ["admissionregistration.k8s.io", "mutatingwebhookconfigurations"],
      ["admissionregistration.k8s.io", "validatingadmissionpolicies"],
      ["apiextensions.k8s.io", "customresourcedefinitions"],
    ];
    for (const namespace of [...tenantNamespaces(), "enclii", "kube-system", undefined])
      for (const [apiGroup, resource] of forbidden)
        for (const verb of ["create", "update", "patch", "delete", "escalate", "bind"])
          expect(may({ verb, apiGroup, resource, namespace }), `${verb} ${resource} in ${namespace}`).toBe(
            false,
          );
    expect(may({ verb: "impersonate", apiGroup: "", resource: "serviceaccounts" })).toBe(false);
    expect(may({ verb: "impersonate", apiGroup: "", resource: "users" })).toBe(false);
    expect(
      may({
        verb: "create",
        apiGroup: "",
        resource: "serviceaccounts",
        subresource: "token",
        namespace: "enclii",
      }),
    ).toBe(false);
  });

  it("reads namespaces and nodes cluster-wide and nothing else outside the tenants", () => {
    for (const resource of ["namespaces", "nodes"])
      for (const verb of ["get", "list", "watch"])
        expect(may({ verb, apiGroup: "", resource }), resource).toBe(true);
    for (const namespace of ["data", "janua", "enclii", "kube-system", "cloudflare-tunnel", undefined]) {
      for (const resource of ["secrets", "configmaps", "pods"])
        expect(may({ verb: "list", apiGroup: "", resource, namespace }), `${resource} in ${namespace}`).toBe(
          false,
        );
      expect(may({ verb: "create", apiGroup: "apps", resource: "deployments", namespace })).toBe(false);
    }
    expect(may({ verb: "update", apiGroup: "", resource: "nodes" })).toBe(false);
  });

  it("runs switchyard-api as its own ServiceAccount with a mounted token; switchyard-ui has none", () => {
    const deployment = (name: string) =>
      objects().find((o) => o.kind === "Deployment" && o.metadata.name === name)?.spec.template.spec as Obj;
    const api = deployment(CONTROL_PLANE.api.name);
    expect(api.serviceAccountName).toBe(CONTROL_PLANE_IDENTITY.serviceAccount);
    expect(api.automountServiceAccountToken).toBe(true);
    const ui = deployment(CONTROL_PLANE.ui.name);
    expect(ui.serviceAccountName).toBeUndefined();
    expect(ui.automountServiceAccountToken).toBe(false);
    const account = objects().find((o) => o.kind === "ServiceAccount" && o.metadata.name === sa.name);
    expect(account?.metadata.namespace).toBe("enclii");
  });

  it("loads a kubeconfig naming its in-cluster identity, since upstream never falls back to in-cluster config", () => {
    // madfam-org/enclii internal/config/config.go: kube-config defaults to $HOME/.kube/config and
    // an empty variable is unset to viper; client-go refuses a named kubeconfig that is missing.
    const deployment = objects().find(
      (o) => o.kind === "Deployment" && o.metadata.name === CONTROL_PLANE.api.name,
    );
    const pod = deployment?.spec.template.spec as Obj;
    const container = pod.containers[0] as Obj;
    const env = Object.fromEntries((container.env as Obj[]).map((e) => [e.name, e.value ?? e.valueFrom]));
    const path = env.ENCLII_KUBE_CONFIG as string;
    expect(path).toBe(`${KUBECONFIG.dir}/${KUBECONFIG.file}`);
    const mount = (container.volumeMounts as Obj[]).find((m) => path.startsWith(`${m.mountPath}/`)) as Obj;
    expect(mount.readOnly).toBe(true);
    const volume = (pod.volumes as Obj[]).find((v) => v.name === mount.name) as Obj;
    const configMap = objects().find(
      (o) =>
        o.kind === "ConfigMap" &&
        o.metadata.name === volume.configMap.name &&
        o.metadata.namespace === "enclii",
    ) as Obj;
    const kubeconfig = parse(configMap.data[path.slice(mount.mountPath.length + 1)]) as Obj;
    expect(kubeconfig["current-context"]).toBe(env.ENCLII_KUBE_CONTEXT);
    const context = kubeconfig.contexts.find((c: Obj) => c.name === kubeconfig["current-context"]).context;
    const cluster = kubeconfig.clusters.find((c: Obj) => c.name === context.cluster).cluster;
    const user = kubeconfig.users.find((u: Obj) => u.name === context.user).user;
    // The API server's Service name (in k3s's serving certificate), the projected token and CA.
    expect(cluster.server).toBe("https://kubernetes.default.svc");
    expect(cluster["certificate-authority"]).toBe("/var/run/secrets/kubernetes.io/serviceaccount/ca.crt");
    expect(user).toEqual({ tokenFile: "/var/run/secrets/kubernetes.io/serviceaccount/token" });
    // config.go Load: ENCLII_DATABASE_URL is required; production mode requires allowed origins.
    expect(env.ENCLII_DATABASE_URL).toEqual({
      secretKeyRef: { name: CONTROL_PLANE.secret, key: "ENCLII_DATABASE_URL" },
    });
    expect(env.ENCLII_DB_URL).toBeUndefined();
    expect(env.ENCLII_ENVIRONMENT).toBe("production");
    expect(String(env.ENCLII_ALLOWED_ORIGINS).split(",").length).toBeGreaterThan(0);
  });

  it("gives every tenant namespace the pull secret switchyard names, empty, so it never copies one", () => {
    for (const namespace of tenantNamespaces()) {
      const secret = objects().find(
        (o) => o.kind === "Secret" && o.metadata.name === PULL_SECRET && o.metadata.namespace === namespace,
      );
      expect(secret?.type, namespace).toBe("kubernetes.io/dockerconfigjson");
      // The provider marks a Secret's data secret: the plan shows it masked (its content is
      // asserted on the renderer in tests/unit/tenancy.test.ts).
      expect(secret?.stringData, namespace).toBe("[secret]");
      expect(may({ verb: "list", apiGroup: "apps", resource: "statefulsets", namespace })).toBe(true);
    }
  });

  it("lets switchyard-api, and not switchyard-ui, reach the API server through the network policies", () => {
    const policies = objects().filter((o) => o.kind === "NetworkPolicy");
    const pod = (name: string): Endpoint => ({
      kind: "pod",
      namespace: "enclii",
      namespaceLabels: { "kubernetes.io/metadata.name": "enclii" },
      labels: { "app.kubernetes.io/name": name, "app.kubernetes.io/instance": name },
    });
    const node = { kind: "ip" as const, ip: "10.0.1.2" };
    const service = { kind: "ip" as const, ip: "10.43.0.1" };
    expect(mayConnect(policies, pod(CONTROL_PLANE.api.name), node, 6443)).toBe(true);
    expect(mayConnect(policies, pod(CONTROL_PLANE.api.name), service, 443)).toBe(true);
    expect(mayConnect(policies, pod(CONTROL_PLANE.ui.name), node, 6443)).toBe(false);
  });

  it("admits tenants' apps to the API by namespace name: a namespace copying a tenant's labels is refused", () => {
    const policies = objects().filter((o) => o.kind === "NetworkPolicy");
    const api: Endpoint = {
      kind: "pod",
      namespace: "enclii",
      namespaceLabels: { "kubernetes.io/metadata.name": "enclii" },
      labels: {
        "app.kubernetes.io/name": CONTROL_PLANE.api.name,
        "app.kubernetes.io/instance": CONTROL_PLANE.api.name,
      },
    };
    const from = (namespace: string, labels: Record<string, string>): Endpoint => ({
      kind: "pod",
      namespace,
      namespaceLabels: { "kubernetes.io/metadata.name": namespace, ...labels },
      labels: { app: "web" },
    });
    const [first] = tenantNamespaces();
    const tenantNs = objects().find((o) => o.kind === "Namespace" && o.metadata.name === first) as Obj;
    expect(
      mayConnect(policies, from(first as string, tenantNs.metadata.labels), api, CONTROL_PLANE.api.port),
    ).toBe(true);
    expect(
      mayConnect(policies, from("tenant-impostor", tenantNs.metadata.labels), api, CONTROL_PLANE.api.port),
    ).toBe(false);
  });
});
