/**
 * The deployment files under deploy/ checked as far as this machine allows:
 * the systemd units with `systemd-analyze verify` (when systemd is installed)
 * and structurally, compose.yaml parsed, the Dockerfile read. Nothing here
 * needs a Docker engine; the images themselves are not built (docs/deployment.md).
 */
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const repo = fileURLToPath(new URL("../../../", import.meta.url));
const read = (path: string): string => readFileSync(join(repo, path), "utf8");
const packageJson = (path: string): { bin: Record<string, string> } =>
  JSON.parse(read(path)) as { bin: Record<string, string> };

// `yaml` is a dependency of @grimnir/core (the station-file loader), not of this package.
const { parse: parseYaml } = createRequire(join(repo, "packages/core/package.json"))("yaml") as {
  parse(text: string): unknown;
};

/** Where the units expect the built repository. */
const INSTALL_DIR = "/opt/grimnir";
const DATA_DIR = "/var/lib/grimnir";
const SERVER_CLI = join(
  INSTALL_DIR,
  "packages/server",
  packageJson("packages/server/package.json").bin.grimnir!,
);
const ENGINE_BIN = join(
  INSTALL_DIR,
  "packages/engine",
  packageJson("packages/engine/package.json").bin["grimnir-engine"]!,
);

/** A unit file as section → key → values (a key may repeat). */
type Unit = Map<string, Map<string, string[]>>;

function parseUnit(text: string): Unit {
  const unit: Unit = new Map();
  let section: Map<string, string[]> | undefined;
  for (const [index, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[([A-Za-z]+)\]$/.exec(line);
    if (header !== null) {
      section = new Map();
      unit.set(header[1]!, section);
      continue;
    }
    const eq = line.indexOf("=");
    if (section === undefined || eq <= 0)
      throw new Error(`line ${index + 1}: not "Key=value" inside a section: ${raw}`);
    const key = line.slice(0, eq);
    section.set(key, [...(section.get(key) ?? []), line.slice(eq + 1)]);
  }
  return unit;
}

function one(unit: Unit, section: string, key: string): string | undefined {
  return unit.get(section)?.get(key)?.at(-1);
}

const UNITS = [
  { file: "deploy/systemd/grimnir.service", exec: [SERVER_CLI, "serve"] },
  { file: "deploy/systemd/grimnir-engine.service", exec: [ENGINE_BIN] },
] as const;

describe("deploy/systemd", () => {
  it("the bins the units start are the ones the packages declare", () => {
    expect(SERVER_CLI).toBe("/opt/grimnir/packages/server/dist/cli.js");
    expect(ENGINE_BIN).toBe("/opt/grimnir/packages/engine/dist/engine-main.js");
  });

  for (const { file, exec } of UNITS) {
    it(`${file}: [Unit]/[Service]/[Install], ExecStart and hardening`, () => {
      const unit = parseUnit(read(file));
      expect([...unit.keys()]).toEqual(["Unit", "Service", "Install"]);
      expect(one(unit, "Unit", "Description")).toBeTruthy();
      expect(one(unit, "Install", "WantedBy")).toBe("multi-user.target");

      const execStart = one(unit, "Service", "ExecStart")!.split(/\s+/);
      expect(execStart[0]).toBe("/usr/bin/node");
      expect(execStart.slice(1, 1 + exec.length)).toEqual([...exec]);
      expect(one(unit, "Service", "User")).toBe("grimnir");
      expect(one(unit, "Service", "Restart")).toBe("on-failure");

      expect(one(unit, "Service", "NoNewPrivileges")).toBe("true");
      expect(one(unit, "Service", "ProtectSystem")).toBe("strict");
      expect(one(unit, "Service", "PrivateTmp")).toBe("true");
      expect(one(unit, "Service", "ReadWritePaths")?.split(/\s+/)).toContain(DATA_DIR);
      expect(one(unit, "Service", "WorkingDirectory")).toBe(DATA_DIR);
      expect(one(unit, "Service", "StateDirectory")).toBe("grimnir");
    });
  }

  it("grimnir.service keeps its data where ReadWritePaths allows writing", () => {
    const unit = parseUnit(read("deploy/systemd/grimnir.service"));
    const execStart = one(unit, "Service", "ExecStart")!.split(/\s+/);
    expect(execStart[execStart.indexOf("--data") + 1]).toBe(DATA_DIR);
    expect(unit.get("Service")!.get("Environment")).toContain(`GRIMNIR_DATA=${DATA_DIR}`);
    // The server spawns its own engine on the same port: the units are alternatives.
    expect(one(unit, "Unit", "Conflicts")).toBe("grimnir-engine.service");
  });

  it("systemd-analyze verify accepts both units (structural check above when systemd is absent)", () => {
    const probe = spawnSync("systemd-analyze", ["--version"], { encoding: "utf8" });
    const available = probe.error === undefined && probe.status === 0;
    if (!available) {
      // No systemd on this machine: the structural checks above are all that can run.
      expect(probe.error ?? probe.status).toBeTruthy();
      return;
    }
    const result = spawnSync(
      "systemd-analyze",
      ["verify", ...UNITS.map((u) => join(repo, u.file))],
      { encoding: "utf8", timeout: 60_000 },
    );
    expect({ status: result.status, stderr: result.stderr.trim() }).toEqual({
      status: 0,
      stderr: "",
    });
  });
});

interface ComposeService {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
}

describe("deploy/docker", () => {
  const compose = parseYaml(read("deploy/docker/compose.yaml")) as {
    services: Record<string, ComposeService>;
  };
  const dockerfile = read("deploy/docker/Dockerfile");

  it("compose.yaml has grimnir, postgres and redis; grimnir waits for both to be healthy", () => {
    expect(Object.keys(compose.services).sort()).toEqual(["grimnir", "postgres", "redis"]);
    const grimnir = compose.services.grimnir!;
    expect(grimnir.depends_on).toEqual({
      postgres: { condition: "service_healthy" },
      redis: { condition: "service_healthy" },
    });
    expect(compose.services.postgres!.healthcheck?.test.join(" ")).toContain("pg_isready");
    expect(compose.services.redis!.healthcheck?.test.join(" ")).toContain("redis-cli");
  });

  it("the server's --store and --bus URLs name the postgres and redis services, their ports and credentials", () => {
    const { grimnir, postgres, redis } = compose.services as Record<string, ComposeService>;
    const command = grimnir!.command!;
    expect(command[0]).toBe("serve");
    const flag = (name: string): URL => new URL(command[command.indexOf(name) + 1]!);

    const store = flag("--store");
    expect(store.protocol).toBe("postgres:");
    expect(store.hostname).toBe("postgres");
    expect(store.port).toBe("5432");
    expect(postgres!.image).toMatch(/^postgres:/);
    expect(decodeURIComponent(store.username)).toBe(postgres!.environment!.POSTGRES_USER);
    expect(decodeURIComponent(store.password)).toBe(postgres!.environment!.POSTGRES_PASSWORD);
    expect(store.pathname).toBe(`/${postgres!.environment!.POSTGRES_DB}`);

    const bus = flag("--bus");
    expect(bus.protocol).toBe("redis:");
    expect(bus.hostname).toBe("redis");
    expect(bus.port).toBe("6379");
    expect(redis!.image).toMatch(/^redis:/);
    expect(JSON.stringify(redis)).not.toContain("--port"); // so the server listens on 6379

    expect(command[command.indexOf("--data") + 1]).toBe(DATA_DIR);
  });

  it("compose builds the Dockerfile from the repository root and publishes the port it exposes", () => {
    const build = compose.services.grimnir!.build!;
    const context = resolve(repo, "deploy/docker", build.context);
    expect(context).toBe(resolve(repo));
    expect(existsSync(join(context, build.dockerfile))).toBe(true);
    const exposed = /^EXPOSE (\d+)$/m.exec(dockerfile)?.[1];
    expect(compose.services.grimnir!.ports).toEqual([`${exposed}:${exposed}`]);
  });

  it("the Dockerfile: node:20-bookworm-slim, the Debian audio packages, pnpm from npm, build, grimnir serve", () => {
    const froms = [...dockerfile.matchAll(/^FROM (\S+)/gm)].map((m) => m[1]);
    expect(froms.length).toBeGreaterThan(0);
    expect(new Set(froms)).toEqual(new Set(["node:20-bookworm-slim"]));

    const audio = read("scripts/system-deps.txt")
      .split("\n")
      .filter((l) => l.startsWith("gstreamer1.0-") || l === "ffmpeg");
    expect(audio.length).toBeGreaterThanOrEqual(7);
    for (const pkg of audio)
      expect(dockerfile).toMatch(new RegExp(`^\\s+${pkg.replace(".", "\\.")}\\s`, "m"));

    const pnpm = (JSON.parse(read("package.json")) as { packageManager: string }).packageManager;
    expect(dockerfile).toContain(`npm install -g ${pnpm}`);
    expect(dockerfile).toContain("pnpm install --frozen-lockfile");
    expect(dockerfile).toContain("pnpm build");

    const entrypoint = JSON.parse(/^ENTRYPOINT (.+)$/m.exec(dockerfile)![1]!) as string[];
    const cmd = JSON.parse(/^CMD (.+)$/m.exec(dockerfile)![1]!) as string[];
    expect(entrypoint).toEqual(["node", SERVER_CLI]);
    expect(cmd[0]).toBe("serve");
    expect(
      dirname(SERVER_CLI).startsWith(
        /^WORKDIR (\S+)$/m.exec(dockerfile.split(/^FROM /m).at(-1)!)![1]!,
      ),
    ).toBe(true);
  });
});
