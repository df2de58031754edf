import { beforeAll, describe, expect, it } from "vitest";
import { kubeconfigServer } from "../../components/k3s/existing-cluster";
import { mockKubeconfig } from "../../scripts/lib/mock-outputs";
import { parseStackConfig } from "../../stacks/config";
import { baseProjectConfig, toRawConfig } from "../helpers/config-fixtures";
import { outputValue, type Recorder, SECRET, settle, startComponentMocks } from "../helpers/mocks";

const project = baseProjectConfig();
project.nodes = [{ name: "k3d-server-0", kind: "existing", role: "server", host: "127.0.0.1" }];
project.environment = "local";
const kubeconfig = mockKubeconfig("127.0.0.1").replace("https://127.0.0.1:6443", "https://0.0.0.0:39401");
const config = parseStackConfig(
  toRawConfig(project, { "cloudflare:apiToken": "t", "enclii-infra:kubeconfig": kubeconfig }),
  "local",
);

let recorder: Recorder;
let apiEndpoint: string;

beforeAll(async () => {
  recorder = await startComponentMocks();
  const pulumi = await import("@pulumi/pulumi");
  const { buildCluster } = await import("../../stacks/nodes");
  const result = buildCluster(
    config,
    { cloudflareApiToken: pulumi.secret("t"), kubeconfig: pulumi.secret(kubeconfig) },
    [],
  );
  apiEndpoint = await outputValue(result.apiEndpoint);
  await settle();
});

describe("kind: existing", () => {
  it("provisions nothing: no servers, no Robot calls, no SSH commands", () => {
    const types = recorder.resources.map((r) => r.type);
    expect(
      types.filter((t) => t.startsWith("hcloud:") || t.startsWith("command:") || t.includes("Robot")),
    ).toEqual([]);
  });

  it("builds the provider from the kubeconfig secret and reports its API server", () => {
    const provider = recorder.get("pulumi:providers:kubernetes", "cluster-provider");
    expect(provider.inputs.kubeconfig).toBe(SECRET);
    expect(apiEndpoint).toBe("https://0.0.0.0:39401");
  });

  it("fails clearly on a kubeconfig without a server", () => {
    expect(() => kubeconfigServer("apiVersion: v1\nkind: Config\n")).toThrow(
      "the kubeconfig has no cluster server address",
    );
  });
});
