import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import {
  K3S_PATHS,
  renderAuditPolicy,
  renderEventRateLimitConfig,
  renderPodSecurityConfig,
} from "../../components/k3s/k3s-config";
import { renderWriteConfigScript } from "../../components/k3s/scripts";
import { apiServerFlags, k3sServerFiles } from "../helpers/kube-apiserver";

const script = renderWriteConfigScript({
  role: "server",
  config: stringify({
    "service-cidr": "10.50.0.0/16",
    "kube-apiserver-arg": [
      "enable-admission-plugins=NodeRestriction,EventRateLimit",
      `admission-control-config-file=${K3S_PATHS.podSecurity}`,
      `audit-policy-file=${K3S_PATHS.auditPolicy}`,
      `audit-log-path=${K3S_PATHS.auditLog}`,
      "service-account-extend-token-expiration=false",
    ],
  }),
  podSecurityConfig: renderPodSecurityConfig(["longhorn-system"]),
  eventRateLimitConfig: renderEventRateLimitConfig(),
  auditPolicy: renderAuditPolicy(),
});
const paths = {
  dir: "/tmp/x",
  etcdUrl: "http://127.0.0.1:2379",
  port: 6443,
  tokenFile: "/tmp/x/t",
  saKey: "/k",
  saPub: "/p",
};

describe("test API server flags from the program's k3s files", () => {
  it("reads every file the config script writes, byte for byte", () => {
    const files = k3sServerFiles(script);
    expect(Object.keys(files.files).sort()).toEqual(
      [K3S_PATHS.config, K3S_PATHS.podSecurity, K3S_PATHS.eventRateLimit, K3S_PATHS.auditPolicy].sort(),
    );
    expect(files.files[K3S_PATHS.podSecurity]).toBe(
      `${renderPodSecurityConfig(["longhorn-system"]).trimEnd()}\n`,
    );
    expect(files.config["service-cidr"]).toBe("10.50.0.0/16");
    expect(() => k3sServerFiles("#!/bin/sh\n")).toThrow(/writes no \/etc\/rancher\/k3s\/config.yaml/);
  });

  it("lets the program's kube-apiserver-args override k3s's, with node paths moved into the temp folder", () => {
    const flags = apiServerFlags(k3sServerFiles(script), paths);
    expect(flags).toContain("--enable-admission-plugins=NodeRestriction,EventRateLimit");
    expect(flags.filter((f) => f.startsWith("--enable-admission-plugins="))).toHaveLength(1);
    expect(flags).toContain("--service-account-extend-token-expiration=false");
    expect(flags).toContain("--service-cluster-ip-range=10.50.0.0/16");
    expect(flags).toContain("--admission-control-config-file=/tmp/x/k3s/_etc_rancher_k3s_pod-security.yaml");
    expect(flags).toContain("--audit-log-path=/tmp/x/audit.log");
    expect(flags.some((f) => f.includes("/etc/rancher") || f.includes("/var/lib/rancher"))).toBe(false);
    // k3s's own API server flags (k3s-io/k3s pkg/daemons/control/server.go apiServer()).
    for (const flag of [
      "--authorization-mode=Node,RBAC",
      "--allow-privileged=true",
      "--anonymous-auth=false",
    ]) {
      expect(flags).toContain(flag);
    }
  });
});
