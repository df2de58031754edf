/**
 * A real PostgreSQL server for tests: Debian's `postgresql` binaries, a fresh data directory and
 * a free port on 127.0.0.1, trust authentication. Runs as the `postgres` user when the tests run
 * as root (PostgreSQL refuses to run as root).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** The newest `/usr/lib/postgresql/<n>/bin`, if installed. */
export function postgresBinDir(): string | undefined {
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, "bin", "initdb")));
  versions.sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], "bin") : undefined;
}

/** Fails under CI, skips elsewhere, when PostgreSQL is not installed. */
export function requirePostgres(ctx: { skip(note?: string): void }): string {
  const dir = postgresBinDir();
  if (dir && spawnSync("sh", ["-c", "command -v psql"]).status === 0) return dir;
  const hint = "PostgreSQL is not installed: sudo apt-get install -y postgresql";
  if (process.env.CI === "true") throw new Error(hint);
  ctx.skip(hint);
  return "";
}

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** A running server. */
export class LocalPostgres {
  port = 0;
  private readonly dir = mkdtempSync(join(tmpdir(), "pg-"));
  private readonly asPostgres = process.getuid?.() === 0;

  constructor(private readonly bin: string) {}

  private exec(command: string, args: string[]): string {
    const [cmd, full] = this.asPostgres
      ? ["runuser", ["-u", "postgres", "--", command, ...args]]
      : [command, args];
    return execFileSync(cmd, full, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  }

  async start(): Promise<void> {
    this.port = await freePort();
    if (this.asPostgres) {
      chmodSync(this.dir, 0o700);
      chownSync(
        this.dir,
        Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" })),
        Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" })),
      );
    }
    const data = join(this.dir, "data");
    this.exec(join(this.bin, "initdb"), [
      "-D",
      data,
      "-U",
      "postgres",
      "-A",
      "trust",
      "--no-sync",
      "-E",
      "UTF8",
    ]);
    this.exec(join(this.bin, "pg_ctl"), [
      "-D",
      data,
      "-w",
      "-l",
      join(this.dir, "log"),
      "-o",
      `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      "start",
    ]);
  }

  /** Runs SQL with `psql -At -F '|'` (the drill's output format); returns stdout. */
  psql(database: string, sql: string): string {
    return execFileSync(
      "psql",
      [
        "-h",
        "127.0.0.1",
        "-p",
        String(this.port),
        "-U",
        "postgres",
        "-d",
        database,
        "-v",
        "ON_ERROR_STOP=1",
        "-At",
        "-F",
        "|",
        "-c",
        sql,
      ],
      { encoding: "utf8" },
    );
  }

  stop(): void {
    try {
      this.exec(join(this.bin, "pg_ctl"), ["-D", join(this.dir, "data"), "-m", "immediate", "stop"]);
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}
