/**
 * Monthly cost and capacity estimate of a stack, from its configuration and the dated prices.
 * Pure: the plan summary and the budget policy call the same function.
 */
import type { StackConfig } from "../../stacks/config-rules";
import { CLOUD_OFFERS, CLOUDFLARE_PRICES, DEDICATED_OFFERS, toUsd } from "./prices";

/** One line of the estimate. */
export interface CostLine {
  readonly item: string;
  readonly quantity: number;
  readonly monthlyUsd: number;
  /** How the amount was derived, with the price's date and source. */
  readonly basis: string;
}

/** The monthly estimate against the stack's budget. */
export interface CostEstimate {
  readonly lines: CostLine[];
  readonly totalUsd: number;
  readonly budgetUsd: number;
  readonly withinBudget: boolean;
  /** Lines that could not be priced (unknown server types), named so the user can add a price. */
  readonly warnings: string[];
}

const GI = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti)$/;
/** Converts a Kubernetes byte quantity to GiB. */
export function quantityToGiB(quantity: string): number {
  const m = GI.exec(quantity);
  if (!m) return 0;
  const factor = { Ki: 1 / 1024 ** 2, Mi: 1 / 1024, Gi: 1, Ti: 1024 }[m[2] as "Ki" | "Mi" | "Gi" | "Ti"];
  return Number(m[1]) * factor;
}

const round = (n: number) => Math.round(n * 100) / 100;

/**
 * Assumptions of the R2 storage estimate: a database uses a quarter of its volume, barman-cloud
 * base backups compress to half, one base backup a day is kept for the retention period.
 */
export const R2_ASSUMPTIONS =
  "DB data = 25% of its volume, base backups compressed 50%, daily base backups kept for the retention";

/** What the estimate needs to know; built from the config, or from planned resources (policy). */
export interface Inventory {
  /** Priced machines: `dedicated` by Robot product, `cloud` by hcloud type. */
  readonly nodes: readonly { name: string; kind: "dedicated" | "cloud"; key: string }[];
  /** Total size of the PostgreSQL volumes that are backed up to R2. */
  readonly databaseGiB: number;
  /** Days base backups are kept. */
  readonly retentionDays: number;
  readonly customHostnames: number;
  readonly budgetUsd: number;
}

/** Estimates the monthly cost of an inventory. */
export function estimateInventory(inv: Inventory): CostEstimate {
  const lines: CostLine[] = [];
  const warnings: string[] = [];
  for (const node of inv.nodes) {
    const offer = node.kind === "dedicated" ? DEDICATED_OFFERS[node.key] : CLOUD_OFFERS[node.key];
    if (!offer) {
      warnings.push(`node ${node.name}: no price for ${node.key}; add it to components/cost/prices.ts`);
      continue;
    }
    lines.push({
      item: `node ${node.name} (${node.key})`,
      quantity: 1,
      monthlyUsd: round(toUsd(offer.price)),
      basis: `${offer.price.amount} ${offer.price.currency}/month, ${offer.price.checked}, ${offer.price.source}`,
    });
  }
  const storageGb = inv.databaseGiB * 0.25 * 0.5 * inv.retentionDays + 1; // + etcd snapshots
  const billableGb = Math.max(0, storageGb - CLOUDFLARE_PRICES.r2FreeGbMonth);
  lines.push({
    item: "R2 storage (backups)",
    quantity: round(storageGb),
    monthlyUsd: round(billableGb * CLOUDFLARE_PRICES.r2StorageGbMonth.amount),
    basis: `$${CLOUDFLARE_PRICES.r2StorageGbMonth.amount}/GB-month after ${CLOUDFLARE_PRICES.r2FreeGbMonth} GB free; ${R2_ASSUMPTIONS}`,
  });
  const hostnames = inv.customHostnames;
  const paidHostnames = Math.max(0, hostnames - CLOUDFLARE_PRICES.saasFreeHostnames);
  lines.push({
    item: "Cloudflare for SaaS custom hostnames",
    quantity: hostnames,
    monthlyUsd: round(paidHostnames * CLOUDFLARE_PRICES.saasHostname.amount),
    basis: `first ${CLOUDFLARE_PRICES.saasFreeHostnames} free, then $${CLOUDFLARE_PRICES.saasHostname.amount} each`,
  });
  if (paidHostnames > 0) {
    warnings.push(
      `${hostnames} custom hostnames: ${paidHostnames} past the ${CLOUDFLARE_PRICES.saasFreeHostnames} free ones cost $${CLOUDFLARE_PRICES.saasHostname.amount} each`,
    );
  }
  const totalUsd = round(lines.reduce((sum, l) => sum + l.monthlyUsd, 0));
  return { lines, totalUsd, budgetUsd: inv.budgetUsd, withinBudget: totalUsd <= inv.budgetUsd, warnings };
}

/** Estimates the monthly cost of the stack. */
export function estimateCost(config: StackConfig): CostEstimate {
  const dedicatedClusters = config.tenants.filter((t) => t.auth === "dedicated").length;
  return estimateInventory({
    nodes: config.nodes.flatMap((n): Inventory["nodes"][number][] =>
      n.kind === "dedicated"
        ? [{ name: n.name, kind: "dedicated", key: n.product }]
        : n.kind === "cloud"
          ? [{ name: n.name, kind: "cloud", key: n.serverType }]
          : [],
    ),
    // The dedicated Januas' clusters are 5Gi each.
    databaseGiB: quantityToGiB(config.postgres.storageSize) + dedicatedClusters * 5,
    retentionDays: config.backups.cnpgRetentionDays,
    customHostnames: config.tenants.reduce((n, t) => n + t.domains.length, 0),
    budgetUsd: config.budget.monthlyUsd,
  });
}
