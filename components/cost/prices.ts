/**
 * Dated prices with their source. The cost estimate in the plan summary and the budget policy
 * both read this table; update a price here together with its date and source.
 */

/** One price: monthly amount in its currency, when it was checked and where. */
export interface Price {
  readonly amount: number;
  readonly currency: "EUR" | "USD";
  readonly checked: string;
  readonly source: string;
}

/** EUR to USD conversion used for the estimate. */
export const EUR_TO_USD = { rate: 1.08, checked: "2026-11", source: "ECB reference rate, rounded" } as const;

/** Hardware: node size (for capacity) and monthly price (for cost). */
export interface NodeOffer {
  readonly cpuCores: number;
  readonly memoryGiB: number;
  readonly diskGB: number;
  readonly price: Price;
}

/** Robot dedicated servers by product. */
export const DEDICATED_OFFERS: Record<string, NodeOffer> = {
  "AX41-NVMe": {
    cpuCores: 12, // Ryzen 5 3600: 6 cores / 12 threads
    memoryGiB: 64,
    diskGB: 1024, // 2 x 512 GB NVMe
    price: {
      amount: 38,
      currency: "EUR",
      checked: "2026",
      source: "Hetzner server auction/price list (third-party, REFERENCE.md)",
    },
  },
};

/** hcloud server types by name. */
export const CLOUD_OFFERS: Record<string, NodeOffer> = {
  cx22: {
    cpuCores: 2,
    memoryGiB: 4,
    diskGB: 40,
    price: {
      amount: 3.92,
      currency: "EUR",
      checked: "2026",
      source: "Hetzner Cloud price list (REFERENCE.md)",
    },
  },
  cpx21: {
    cpuCores: 3,
    memoryGiB: 4,
    diskGB: 80,
    price: {
      amount: 8.39,
      currency: "EUR",
      checked: "2026",
      source: "Hetzner Cloud price list (REFERENCE.md)",
    },
  },
  cpx31: {
    cpuCores: 4,
    memoryGiB: 8,
    diskGB: 160,
    price: {
      amount: 15.59,
      currency: "EUR",
      checked: "2026",
      source: "Hetzner Cloud price list (REFERENCE.md)",
    },
  },
};

/** Cloudflare R2 (Standard storage class) and Cloudflare for SaaS. */
export const CLOUDFLARE_PRICES = {
  r2StorageGbMonth: {
    amount: 0.015,
    currency: "USD",
    checked: "2026",
    source: "developers.cloudflare.com/r2/pricing",
  },
  r2ClassAPerMillion: {
    amount: 4.5,
    currency: "USD",
    checked: "2026",
    source: "developers.cloudflare.com/r2/pricing",
  },
  r2ClassBPerMillion: {
    amount: 0.36,
    currency: "USD",
    checked: "2026",
    source: "developers.cloudflare.com/r2/pricing",
  },
  r2FreeGbMonth: 10,
  r2FreeClassAMillions: 1,
  r2FreeClassBMillions: 10,
  saasHostname: {
    amount: 0.1,
    currency: "USD",
    checked: "2026",
    source: "Cloudflare for SaaS pricing (first 100 free)",
  },
  saasFreeHostnames: 100,
} as const;

/** A price in US dollars. */
export function toUsd(price: Price): number {
  return price.currency === "USD" ? price.amount : price.amount * EUR_TO_USD.rate;
}

/** A monthly figure to compare the estimate with. */
export interface Benchmark {
  readonly name: string;
  readonly monthlyUsd: number;
  readonly basis: string;
}

/** The planning document's target for the whole production platform. */
export const SEED_TARGET: Benchmark = {
  name: "target of the original plan",
  monthlyUsd: 100,
  basis: 'seed "Cost & ROI Analysis": 3x CPX31, managed PostgreSQL HA, R2',
};

/** The managed alternatives the planning document compares with (its figures, its workload). */
export const MANAGED_ALTERNATIVES: readonly Benchmark[] = [
  { name: "Railway + Auth0", monthlyUsd: 2220, basis: 'seed "Comparison vs Alternatives"' },
  { name: "Vercel + Clerk", monthlyUsd: 2500, basis: 'seed "Comparison vs Alternatives"' },
  { name: "DigitalOcean (managed)", monthlyUsd: 341, basis: 'seed "Comparison vs Alternatives"' },
];
