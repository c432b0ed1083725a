/** One thing wrong with a configuration file, located to the character. */
export interface ConfigProblem {
  /** File name as given to the loader. */
  file: string;
  /** 1-based line. */
  line: number;
  /** 1-based column. */
  column: number;
  /** RFC 6901 pointer to the offending value ("" for the document, or for a YAML syntax error). */
  pointer: string;
  /** What is wrong and what was expected, e.g. `dsp_graph.nodes[2].ratio must be <= 20 (got 40)`. */
  message: string;
  /** "error" makes the file invalid; "warning" (YAML warnings) does not. */
  severity: "error" | "warning";
}

/** `file:line:col: message` (with `warning: ` before warnings), the format editors and CI understand. */
export function formatProblem(problem: ConfigProblem): string {
  const severity = problem.severity === "warning" ? "warning: " : "";
  return `${problem.file}:${problem.line}:${problem.column}: ${severity}${problem.message}`;
}
