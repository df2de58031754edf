/**
 * Where the upstream CRDs the tests validate custom resources against come from, for machines
 * that do not have `../shared/crds` beside the checkout (GitHub Actions runners). Same files,
 * same upstream commits as `../shared/crds/README.md`.
 */
import { SYSTEM_UPGRADE_CRD_URL } from "../../components/versions";

/** One CRD file: its name in the folder and where to download it. */
export interface CrdSource {
  readonly file: string;
  readonly url: string;
  /** The upstream file is a Helm template: drop its template lines. */
  readonly helmTemplate?: boolean;
}

const raw = (repo: string, commit: string, path: string) =>
  `https://github.com/${repo}/raw/${commit}/${path}`;
const CNPG = ["backups", "clusters", "databaseroles", "databases", "poolers", "scheduledbackups"];
const GATEWAY_API = ["gatewayclasses", "gateways", "httproutes", "referencegrants"];

/** Every CRD file the stack tests need. */
export const CRD_SOURCES: readonly CrdSource[] = [
  ...CNPG.map((kind) => ({
    file: `postgresql.cnpg.io_${kind}.yaml`,
    url: raw(
      "cloudnative-pg/cloudnative-pg",
      "a95a534db",
      `config/crd/bases/postgresql.cnpg.io_${kind}.yaml`,
    ),
  })),
  {
    file: "barmancloud.cnpg.io_objectstores.yaml",
    url: raw(
      "cloudnative-pg/plugin-barman-cloud",
      "9967e2c",
      "config/crd/bases/barmancloud.cnpg.io_objectstores.yaml",
    ),
  },
  { file: "upgrade.cattle.io_plans.yaml", url: SYSTEM_UPGRADE_CRD_URL },
  {
    file: "longhorn.io_crds.yaml",
    url: raw("longhorn/longhorn", "bb2f2223", "chart/templates/crds.yaml"),
    helmTemplate: true,
  },
  // Gateway API v1.6.1, standard channel.
  ...GATEWAY_API.map((kind) => ({
    file: `gateway.networking.k8s.io_${kind}.yaml`,
    url: raw(
      "kubernetes-sigs/gateway-api",
      "8bb74df00",
      `config/crd/standard/gateway.networking.k8s.io_${kind}.yaml`,
    ),
  })),
];

/** A Helm template of plain CRDs without its template lines (`{{ ... }}` on a line of its own or in labels). */
export function stripHelmTemplate(text: string): string {
  return text
    .split("\n")
    .filter((line) => !line.includes("{{"))
    .join("\n");
}
