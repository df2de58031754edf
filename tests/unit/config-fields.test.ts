import { describe, expect, it } from "vitest";
import { cidrsOverlap, DNS_NAME_RE, ipv4Range, isCidr } from "../../stacks/config-fields";

describe("CIDR helpers", () => {
  it.each(["10.0.0.0/8", "198.51.100.7/32", "0.0.0.0/0", "2001:db8::/32", "::/0"])("accepts %s", (c) => {
    expect(isCidr(c)).toBe(true);
  });

  it.each(["10.0.0.0", "10.0.0.0/33", "10.0.0/8", "2001:db8::/129", "x/8", "10.0.0.0/8/1", "10.0.0.0/-1"])(
    "rejects %s",
    (c) => {
      expect(isCidr(c)).toBe(false);
    },
  );

  it("computes the range of a CIDR from a non-aligned address", () => {
    expect(ipv4Range("10.42.7.9/16")).toEqual({ first: 0x0a2a0000, last: 0x0a2affff });
  });

  it("detects overlapping and disjoint IPv4 blocks", () => {
    expect(cidrsOverlap("10.42.0.0/16", "10.42.128.0/17")).toBe(true);
    expect(cidrsOverlap("10.0.0.0/8", "10.43.0.0/16")).toBe(true);
    expect(cidrsOverlap("10.42.0.0/16", "10.43.0.0/16")).toBe(false);
  });
});

describe("DNS names", () => {
  it.each(["enclii.dev", "auth.staging.enclii.dev", "a-b.example.co"])("accepts %s", (n) => {
    expect(DNS_NAME_RE.test(n)).toBe(true);
  });
  it.each(["enclii", "Enclii.dev", "-a.example.com", "a_b.example.com", "example.123", "a..b.com"])(
    "rejects %s",
    (n) => {
      expect(DNS_NAME_RE.test(n)).toBe(false);
    },
  );
});
