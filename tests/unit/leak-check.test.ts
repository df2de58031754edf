import { describe, expect, it } from "vitest";
import { generatedSecrets, mockOutputs } from "../../scripts/lib/mock-outputs";
import { leakCheck } from "../../scripts/lib/run-plan";

describe("plan leak check", () => {
  const password = {
    type: "random:index/randomPassword:RandomPassword",
    name: "janua-admin-password",
    rawInputs: { length: 32 },
  };
  const key = {
    type: "tls:index/privateKey:PrivateKey",
    name: "janua-signing-key",
    rawInputs: { algorithm: "RSA", rsaBits: 2048 },
  };

  it("knows every generated secret the mock runtime handed out", () => {
    const secrets = generatedSecrets([
      password,
      key,
      { type: "kubernetes:core/v1:Namespace", name: "x", rawInputs: {} },
    ]);
    expect(secrets).toContain(
      String(mockOutputs(password.type, password.name, password.rawInputs).state.result),
    );
    expect(secrets.some((s) => s.startsWith("-----BEGIN PRIVATE KEY-----"))).toBe(true);
  });

  it("flags a file holding a generated password, a private key line or a config placeholder", () => {
    const secrets = generatedSecrets([password, key]);
    const pem = secrets.find((s) => s.startsWith("-----BEGIN")) as string;
    const keyLine = pem.split("\n")[3] as string;
    expect(
      leakCheck(
        {
          "plan.json": `{"adminPassword": "${secrets[0]}"}`,
          "manifests/a.yaml": `key: |\n  ${keyLine}\n`,
          "summary.md": "placeholder-for-enclii-infra:robotPassword",
          "manifests/ok.yaml": "password: '[secret]'",
        },
        secrets,
      ),
    ).toEqual(["plan.json", "manifests/a.yaml", "summary.md"]);
  });
});
