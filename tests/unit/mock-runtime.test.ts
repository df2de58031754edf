import { describe, expect, it } from "vitest";
import { mockInvoke, mockKubeconfig, mockOutputs, stableIpv4 } from "../../scripts/lib/mock-outputs";
import { plainValue, SECRET } from "../../scripts/lib/mock-runtime";

const SIG = "4dabf18193072939515e22adb298388d";

describe("recorded values", () => {
  it("replaces every secret with [secret], however deep, and keeps it for tests only when asked", () => {
    const serialized = {
      a: { b: [{ [SIG]: "1b47061264138c4ac30d75fd1eb44270", value: "hunter2" }] },
      c: "plain",
    };
    expect(plainValue(serialized)).toEqual({ a: { b: [SECRET] }, c: "plain" });
    expect(plainValue(serialized, true)).toEqual({ a: { b: ["hunter2"] }, c: "plain" });
  });

  it("turns resource references into URNs and unknowns into [unknown]", () => {
    const ref = { [SIG]: "5cf8f73096256a8f31e491e813e4eb8e", urn: "urn:pulumi:s::p::t::n", id: "x" };
    expect(plainValue({ ref, u: "04da6b54-80e4-46f7-96ec-b56ff0331ba9" })).toEqual({
      ref: "urn:pulumi:s::p::t::n",
      u: "[unknown]",
    });
  });
});

describe("mock outputs", () => {
  it("throws on an invoke nobody mocked, naming where to add it", () => {
    expect(() => mockInvoke("aws:index/getRegion:getRegion", {})).toThrow(
      "unmocked invoke aws:index/getRegion:getRegion: add it to MOCK_INVOKES in scripts/lib/mock-outputs.ts",
    );
  });

  it("gives hcloud servers stable numeric ids and documentation-range addresses", () => {
    const a = mockOutputs("hcloud:index/server:Server", "node-1", { serverType: "cpx31" });
    const b = mockOutputs("hcloud:index/server:Server", "node-1", { serverType: "cpx31" });
    expect(a).toEqual(b);
    expect(a.id).toMatch(/^\d+$/);
    expect(a.state.ipv4Address).toMatch(/^203\.0\.113\.\d+$/);
    expect(stableIpv4("x")).toBe(stableIpv4("x"));
  });

  it("answers a remote command that reads k3s.yaml with the kubeconfig k3s writes (127.0.0.1)", () => {
    const out = mockOutputs("command:remote:Command", "kubeconfig", {
      create: "cat /etc/rancher/k3s/k3s.yaml",
      connection: { host: "203.0.113.10" },
    });
    expect(out.state.stdout).toBe(mockKubeconfig("127.0.0.1"));
    expect(String(out.state.stdout)).toContain("server: https://127.0.0.1:6443");
  });

  it("names Kubernetes objects without metadata.name like the provider's auto-naming", () => {
    const out = mockOutputs("kubernetes:core/v1:ConfigMap", "cfg", { metadata: { namespace: "janua" } });
    expect(out.id).toMatch(/^janua\/cfg-[0-9a-f]{8}$/);
  });

  it("gives tunnels a UUID and tunnel tokens from the token invoke", () => {
    const tunnel = mockOutputs(
      "cloudflare:index/zeroTrustTunnelCloudflared:ZeroTrustTunnelCloudflared",
      "t",
      {},
    );
    expect(tunnel.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
    const token = mockInvoke(
      "cloudflare:index/getZeroTrustTunnelCloudflaredToken:getZeroTrustTunnelCloudflaredToken",
      { accountId: "a", tunnelId: tunnel.id },
    );
    expect(JSON.parse(Buffer.from(String(token.token), "base64").toString())).toMatchObject({ t: tunnel.id });
  });
});
