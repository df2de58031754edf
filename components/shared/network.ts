/**
 * Address ranges shared by the network policies: what "the internet" means for egress rules.
 */

/** Private and special-purpose IPv4 ranges: never the internet. */
export const PRIVATE_IPV4_RANGES = [
  "10.0.0.0/8",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "100.64.0.0/10",
  "169.254.0.0/16",
];
/**
 * Private and link-local IPv6 ranges. `fd00::/8` is inside `fc00::/7`, but listed too: kube-router
 * splits an egress `::/0` into `2000::/3` and `fd00::/8` (pkg/controllers/netpol policy.go), and an
 * exception less specific than the range it applies to excludes nothing there.
 */
export const PRIVATE_IPV6_RANGES = ["fc00::/7", "fd00::/8", "fe80::/10"];

/** A NetworkPolicy peer for the IPv4 internet, excluding private ranges and `extra`. */
export function internetIpv4(extra: readonly string[] = []): { ipBlock: { cidr: string; except: string[] } } {
  return { ipBlock: { cidr: "0.0.0.0/0", except: [...new Set([...PRIVATE_IPV4_RANGES, ...extra])] } };
}

/** A NetworkPolicy peer for the IPv6 internet, excluding private ranges and `extra`. */
export function internetIpv6(extra: readonly string[] = []): { ipBlock: { cidr: string; except: string[] } } {
  return { ipBlock: { cidr: "::/0", except: [...new Set([...PRIVATE_IPV6_RANGES, ...extra])] } };
}

/**
 * Labels of the Prometheus server pods, set by prometheus-operator itself (v0.93.0
 * pkg/prometheus/server/operator.go 61 and `makeSelectorLabels` 1696-1703:
 * `app.kubernetes.io/name: prometheus`), whatever the chart's release name.
 */
export const PROMETHEUS_POD_LABELS: Readonly<Record<string, string>> = {
  "app.kubernetes.io/name": "prometheus",
};

/** A NetworkPolicy peer for the Prometheus pods of `namespace`, selected by its name label. */
export function prometheusPeer(namespace: string): Record<string, unknown> {
  return {
    namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": namespace } },
    podSelector: { matchLabels: { ...PROMETHEUS_POD_LABELS } },
  };
}
