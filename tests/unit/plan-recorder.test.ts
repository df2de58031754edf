/**
 * Issue 21 item 5: the plan recorder keeps what the engine receives beyond the inputs: a hash of
 * each secret input (never the value), `protect`, `ignoreChanges`, `deleteBeforeReplace` and
 * aliases, read from the real RegisterResourceRequest the SDK sends (@pulumi/pulumi 3.248
 * runtime/resource.js: setProtect, setIgnorechangesList, setDeletebeforereplace(defined),
 * setAliasesList when the monitor supports structured aliases, as the mock monitor does).
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { type Recorder, SECRET, secretHash, settle, startMockRuntime } from "../../scripts/lib/mock-runtime";

let recorder: Recorder;

beforeAll(async () => {
  recorder = await startMockRuntime({ project: "enclii-infra", stack: "test" });
  const hcloud = await import("@pulumi/hcloud");
  const parent = new pulumi.ComponentResource("enclii:hetzner:CloudServer", "node", {});
  new hcloud.Server(
    "node-1",
    {
      serverType: "cpx31",
      image: "ubuntu-24.04",
      location: "fsn1",
      userData: pulumi.secret("#cloud-config\nk3s: --disable=traefik\n"),
      labels: { a: pulumi.secret("one"), b: "two" },
    },
    {
      parent,
      protect: true,
      ignoreChanges: ["userData", "image"],
      deleteBeforeReplace: true,
      aliases: [
        { name: "old-node-1" },
        { name: "older-node-1", parent: undefined },
        "urn:pulumi:test::enclii-infra::hcloud:index/server:Server::oldest",
      ],
    },
  );
  new hcloud.SshKey("key", { publicKey: "ssh-ed25519 AAAA test" });
  await settle();
});

describe("the plan recorder", () => {
  it("records a hash of each secret input by its path, and the value nowhere", () => {
    const server = recorder.get("hcloud:index/server:Server", "node-1");
    expect(server.inputs.userData).toBe(SECRET);
    expect(server.secretHashes).toEqual({
      userData: secretHash("#cloud-config\nk3s: --disable=traefik\n"),
      "labels.a": secretHash("one"),
    });
    const plan = JSON.stringify({ inputs: server.inputs, hashes: server.secretHashes });
    expect(plan).not.toContain("disable=traefik");
    expect(plan).not.toContain('"one"');
  });

  it("gives two different secrets different hashes and the same secret the same hash", () => {
    expect(secretHash("a")).toBe(secretHash("a"));
    expect(secretHash("a")).not.toBe(secretHash("b"));
    expect(secretHash("a")).toMatch(/^sha256:[0-9a-f]{16}$/);
  });

  it("records protect, ignoreChanges, deleteBeforeReplace and aliases as the engine receives them", () => {
    const server = recorder.get("hcloud:index/server:Server", "node-1");
    expect(server.protect).toBe(true);
    expect(server.ignoreChanges).toEqual(["userData", "image"]);
    expect(server.deleteBeforeReplace).toBe(true);
    // Without `parent` the SDK passes the resource's own parent; `parent: undefined` is noParent.
    expect(server.aliases).toEqual([
      { name: "old-node-1", parentUrn: server.parent },
      { name: "older-node-1", parentUrn: null },
      "urn:pulumi:test::enclii-infra::hcloud:index/server:Server::oldest",
    ]);
  });

  it("records none of them where they are not set", () => {
    const key = recorder.get("hcloud:index/sshKey:SshKey", "key");
    for (const field of ["secretHashes", "ignoreChanges", "deleteBeforeReplace", "aliases"]) {
      expect(key, field).not.toHaveProperty(field);
    }
  });
});
