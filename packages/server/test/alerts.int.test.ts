/**
 * deploy/prometheus/alerts.yml checked as Prometheus would load it: valid
 * rules by `promtool check rules` (Debian `prometheus`), the critical alerts
 * present, every alert labelled and annotated, every metric an expression
 * reads registered by the code, and a few alerts fired by `promtool test rules`
 * on synthetic series.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { API_METRIC_NAMES, SERVER_METRIC_NAMES, createGrimnirMetrics } from "@grimnir/http";

const repo = fileURLToPath(new URL("../../../", import.meta.url));
const ALERTS_FILE = join(repo, "deploy/prometheus/alerts.yml");

// `yaml` is a dependency of @grimnir/core (the station-file loader), not of this package.
const { parse: parseYaml } = createRequire(join(repo, "packages/core/package.json"))("yaml") as {
  parse(text: string): unknown;
};

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RulesFile {
  groups: { name: string; rules: Rule[] }[];
}

const rulesFile = parseYaml(readFileSync(ALERTS_FILE, "utf8")) as RulesFile;
const alerts = rulesFile.groups.flatMap((g) => g.rules).filter((r) => r.alert !== undefined);

/** Run promtool; a missing promtool fails the test with the install command. */
function promtool(args: string[]): { status: number; output: string } {
  const result = spawnSync("promtool", args, { encoding: "utf8", timeout: 60_000 });
  if (result.error !== undefined) {
    if ((result.error as NodeJS.ErrnoException).code === "ENOENT") {
      throw new Error(
        "promtool is not installed: run `apt-get install -y prometheus` (Debian package `prometheus`, listed in scripts/system-deps.txt)",
      );
    }
    throw result.error;
  }
  return { status: result.status ?? -1, output: `${result.stdout}${result.stderr}` };
}

/** Metric names the code registers, with the series names a histogram exports. */
function registeredSeriesNames(): Set<string> {
  const { registry } = createGrimnirMetrics({ defaultMetrics: false });
  const names = new Set<string>();
  for (const metric of registry.getMetricsAsArray()) {
    const { name, type } = metric as unknown as { name: string; type: string };
    names.add(name);
    if (type === "histogram" || type === "summary") {
      for (const suffix of ["_bucket", "_sum", "_count"]) names.add(name + suffix);
    }
  }
  return names;
}

const scratch = mkdtempSync(join(tmpdir(), "grimnir-alerts-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("deploy/prometheus/alerts.yml", () => {
  it("passes promtool check rules", () => {
    const { status, output } = promtool(["check", "rules", ALERTS_FILE]);
    expect(output).toContain("SUCCESS");
    expect(status, output).toBe(0);
  });

  it("has the critical alerts", () => {
    const critical = new Map(
      alerts.filter((a) => a.labels?.severity === "critical").map((a) => [a.alert!, a]),
    );
    for (const name of [
      "GrimnirExecutorStuckIdle",
      "GrimnirExecutorInEmergency",
      "GrimnirPlayoutDropoutsIncreasing",
      "GrimnirMediaEngineDisconnected",
      "GrimnirNoLeader",
      "GrimnirWebstreamUnhealthy",
      "GrimnirAPIHighErrorRate",
    ]) {
      expect(critical.has(name), `${name} is a critical alert`).toBe(true);
    }
    expect(alerts.map((a) => a.alert)).toContain("GrimnirAPIHighLatencyP99");
    expect(alerts.map((a) => a.alert)).toContain("GrimnirPlayoutDropouts");
  });

  it("labels every alert with a severity and annotates it with summary and description", () => {
    expect(alerts.length).toBeGreaterThan(0);
    const names = new Set<string>();
    for (const alert of alerts) {
      expect(names.has(alert.alert!), `${alert.alert} is unique`).toBe(false);
      names.add(alert.alert!);
      expect(["critical", "warning", "info"], `${alert.alert} severity`).toContain(
        alert.labels?.severity,
      );
      expect(alert.annotations?.summary?.trim(), `${alert.alert} summary`).toBeTruthy();
      expect(alert.annotations?.description?.trim(), `${alert.alert} description`).toBeTruthy();
    }
  });

  it("reads only metrics the code registers, and uses the brief's metrics", () => {
    const registered = registeredSeriesNames();
    for (const name of [...API_METRIC_NAMES, ...SERVER_METRIC_NAMES])
      expect(registered.has(name), `${name} is registered`).toBe(true);
    const used = new Set<string>();
    for (const alert of alerts) {
      for (const [name] of alert.expr.matchAll(/\bgrimnir_[A-Za-z0-9_]+/g)) {
        expect(registered.has(name), `${alert.alert} reads ${name}, which is registered`).toBe(
          true,
        );
        used.add(name.replace(/_(bucket|sum|count)$/, ""));
      }
    }
    for (const name of [
      "grimnir_executor_state",
      "grimnir_playout_dropout_count_total",
      "grimnir_media_engine_connection_status",
      "grimnir_leader_election_status",
      "grimnir_webstream_health_status",
      "grimnir_api_requests_total",
      "grimnir_api_request_duration_seconds",
    ]) {
      expect(used.has(name), `an alert reads ${name}`).toBe(true);
    }
  });

  it("fires on synthetic series (promtool test rules)", () => {
    const tests = {
      rule_files: [ALERTS_FILE],
      evaluation_interval: "1m",
      tests: [
        {
          interval: "1m",
          input_series: [
            {
              series: 'grimnir_executor_state{station="s1",instance="a"}',
              values: "5x20",
            },
            {
              series: 'grimnir_executor_state{station="s2",instance="a"}',
              values: "2x20",
            },
            { series: 'grimnir_media_engine_connection_status{instance="a"}', values: "0x5" },
            { series: 'grimnir_leader_election_status{instance="a"}', values: "0x5" },
          ],
          alert_rule_test: [
            {
              eval_time: "16m",
              alertname: "GrimnirExecutorInEmergency",
              exp_alerts: [
                {
                  exp_labels: { severity: "critical", station: "s1", instance: "a" },
                  exp_annotations: {
                    summary: "Station s1 on emergency audio for 15 minutes",
                    description:
                      "Station s1 has been in the emergency state for more than 15 minutes. Release the emergency source once the cause is resolved.",
                  },
                },
              ],
            },
            { eval_time: "16m", alertname: "GrimnirExecutorStuckIdle", exp_alerts: [] },
            {
              eval_time: "2m",
              alertname: "GrimnirMediaEngineDisconnected",
              exp_alerts: [
                {
                  exp_labels: { severity: "critical", instance: "a" },
                  exp_annotations: {
                    summary: "Media engine disconnected on a",
                    description:
                      "The engine supervisor on a has had no healthy media engine for 1 minute (unhealthy, restarting or fatal). Stations driven there are off air.",
                  },
                },
              ],
            },
            {
              eval_time: "3m",
              alertname: "GrimnirNoLeader",
              exp_alerts: [
                {
                  exp_labels: { severity: "critical" },
                  exp_annotations: {
                    summary: "No Grimnir instance is the planner leader",
                    description:
                      "No instance has reported planner leadership for 2 minutes: timelines are not being regenerated.",
                  },
                },
              ],
            },
          ],
        },
      ],
    };
    const file = join(scratch, "alerts.test.yml");
    writeFileSync(file, JSON.stringify(tests, null, 2));
    const { status, output } = promtool(["test", "rules", file]);
    expect(status, output).toBe(0);
  });
});
