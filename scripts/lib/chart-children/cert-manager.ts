/**
 * cert-manager v1.20.2 (cert-manager/cert-manager deploy/charts/cert-manager): the controller,
 * webhook and cainjector Deployments. Read from templates/deployment.yaml (pod securityContext
 * lines 72-74, image line 89, container securityContext 158, resources 191-193, liveness probe
 * 196-210 on /livez), templates/webhook-deployment.yaml (image 84, liveness /livez 149-156,
 * readiness /healthz after it, resources from webhook.resources), templates/cainjector-deployment.yaml
 * (image 79, container securityContext 125, resources 128-130; no probes), and values.yaml
 * (securityContext and containerSecurityContext of each component, lines 411-425, 816-830,
 * 1217-1231; `resources: {}` for each, lines 406, 929, 1335). The startupapicheck Job is a hook.
 */
import { at, type ChartModel, merge, type Obj, type Release, withValue, workload } from "./model";

const POD_SECURITY = { runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } };
const CONTAINER_SECURITY = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ["ALL"] },
  readOnlyRootFilesystem: true,
};
const APP_VERSION = "v1.20.2";

function component(
  release: Release,
  values: Obj,
  part: "controller" | "webhook" | "cainjector",
  probes: Obj,
): Obj {
  const scope = part === "controller" ? values : at<Obj>(values, part, {});
  const name = part === "controller" ? release.name : `${release.name}-${part}`;
  const image = part === "controller" ? "cert-manager-controller" : `cert-manager-${part}`;
  const labels = {
    "app.kubernetes.io/name": part === "controller" ? "cert-manager" : part,
    "app.kubernetes.io/instance": release.name,
  };
  const container = {
    name: `cert-manager-${part}`,
    image: `quay.io/jetstack/${image}:${APP_VERSION}`,
    securityContext: merge(CONTAINER_SECURITY, scope.containerSecurityContext),
    ...withValue("resources", scope.resources),
    ...probes,
  };
  return workload(
    "Deployment",
    name,
    release.namespace,
    labels,
    {
      serviceAccountName: name,
      enableServiceLinks: false,
      securityContext: merge(POD_SECURITY, scope.securityContext),
      containers: [container],
    },
    Number(scope.replicaCount ?? 1),
  );
}

export const certManagerModel: ChartModel = {
  chart: "cert-manager",
  version: APP_VERSION,
  render: (release, values) => [
    component(release, values, "controller", {
      livenessProbe: {
        httpGet: { port: "http-healthz", path: "/livez", scheme: "HTTP" },
        initialDelaySeconds: 10,
      },
    }),
    component(release, values, "webhook", {
      livenessProbe: {
        httpGet: { path: "/livez", port: "healthcheck", scheme: "HTTP" },
        initialDelaySeconds: 60,
      },
      readinessProbe: {
        httpGet: { path: "/healthz", port: "healthcheck", scheme: "HTTP" },
        initialDelaySeconds: 5,
      },
    }),
    ...(at(values, "cainjector.enabled", true) ? [component(release, values, "cainjector", {})] : []),
  ],
};
