import type { ImportPlan } from "@grimnir/core";
import type { ImporterReport } from "./analyze-imported.js";

/**
 * Human-readable report: a summary line, then one line per action that is not
 * a plain create/unchanged skip (updates, skips with a reason, unmappables,
 * approximations), then failures. `verbose` lists every action.
 */
export function formatReport(
  report: ImportPlan | ImporterReport,
  options: { verbose?: boolean } = {},
): string {
  const s = report.summary;
  const lines = [
    `${report.source}: ${s.create} to create, ${s.update} to update, ${s.skip} skipped, ${s.unmappable} unmappable`,
  ];
  if ("failures" in report) {
    lines[0] = `${report.source}: ${s.create} created, ${s.update} updated, ${s.skip} skipped, ${s.unmappable} unmappable, ${report.failures.length} failed (${((report.finishedAt - report.startedAt) / 1000).toFixed(1)} s)`;
    const a = report.analysis;
    if (a !== undefined)
      lines.push(`analysis: ${a.queued} queued, ${a.done} analysed, ${a.failed} failed`);
  }
  for (const a of report.actions) {
    const quiet = a.reason === undefined || a.reason === "unchanged since the last import";
    if (quiet && options.verbose !== true) continue;
    const target = a.target === undefined ? "" : ` → ${a.target.kind} ${a.target.id}`;
    lines.push(
      `  ${a.action.padEnd(10)} ${a.sourceKind} ${a.sourceId}${target}${a.reason === undefined ? "" : `: ${a.reason}`}`,
    );
  }
  if ("failures" in report)
    for (const f of report.failures)
      lines.push(`  FAILED     ${f.action.sourceKind} ${f.action.sourceId}: ${f.error}`);
  return `${lines.join("\n")}\n`;
}
