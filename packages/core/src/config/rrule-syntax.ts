const FREQUENCIES = new Set(["YEARLY", "MONTHLY", "WEEKLY", "DAILY", "HOURLY"]);

const WEEKDAY = /^[+-]?(?:[1-9]|[1-4][0-9]|5[0-3])?(MO|TU|WE|TH|FR|SA|SU)$/;

/** Numeric list parts and the values RFC 5545 allows (0 excluded where the RFC excludes it). */
const NUMERIC_PARTS: Record<string, [number, number, boolean]> = {
  BYSECOND: [0, 60, true],
  BYMINUTE: [0, 59, true],
  BYHOUR: [0, 23, true],
  BYMONTHDAY: [-31, 31, false],
  BYYEARDAY: [-366, 366, false],
  BYWEEKNO: [-53, 53, false],
  BYMONTH: [1, 12, true],
  BYSETPOS: [-366, 366, false],
};

/**
 * Syntactic check of an RFC 5545 RRULE body ("FREQ=WEEKLY;BYDAY=FR"): part
 * names, FREQ (MINUTELY and SECONDLY are refused for shows), number ranges,
 * weekdays, UNTIL's form and COUNT/UNTIL exclusivity. Returns why the rule is
 * invalid, or undefined when it is well-formed. The planner evaluates the rule
 * itself and reports anything deeper as a diagnostic.
 */
export function rruleSyntaxProblem(rule: string): string | undefined {
  const body = rule.trim().replace(/^RRULE:/i, "");
  if (body === "") return "the rule is empty";
  const seen = new Map<string, string>();
  for (const part of body.split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0) return `${JSON.stringify(part)} is not NAME=VALUE`;
    const name = part.slice(0, eq).toUpperCase();
    const value = part.slice(eq + 1);
    if (seen.has(name)) return `${name} appears twice`;
    seen.set(name, value);
    const problem = partProblem(name, value);
    if (problem !== undefined) return problem;
  }
  if (!seen.has("FREQ")) return "FREQ is missing";
  if (seen.has("COUNT") && seen.has("UNTIL")) return "COUNT and UNTIL cannot both be given";
  return undefined;
}

function partProblem(name: string, value: string): string | undefined {
  const upper = value.toUpperCase();
  if (value === "") return `${name} has no value`;
  switch (name) {
    case "FREQ":
      if (upper === "MINUTELY" || upper === "SECONDLY")
        return `FREQ=${upper} is not supported for shows`;
      return FREQUENCIES.has(upper)
        ? undefined
        : `FREQ must be YEARLY, MONTHLY, WEEKLY, DAILY or HOURLY (got ${JSON.stringify(value)})`;
    case "INTERVAL":
    case "COUNT":
      return /^[1-9][0-9]*$/.test(value)
        ? undefined
        : `${name} must be a positive integer (got ${JSON.stringify(value)})`;
    case "UNTIL":
      return /^[0-9]{8}(T[0-9]{6}Z?)?$/.test(upper)
        ? undefined
        : `UNTIL must be YYYYMMDD or YYYYMMDDTHHMMSS[Z] (got ${JSON.stringify(value)})`;
    case "WKST":
      return /^(MO|TU|WE|TH|FR|SA|SU)$/.test(upper)
        ? undefined
        : `WKST must be a weekday such as MO (got ${JSON.stringify(value)})`;
    case "BYDAY": {
      const bad = upper.split(",").find((day) => !WEEKDAY.test(day));
      return bad === undefined
        ? undefined
        : `BYDAY has ${JSON.stringify(bad)}; expected weekdays such as MO, TU or 1FR`;
    }
    default: {
      const range = NUMERIC_PARTS[name];
      if (range === undefined) return `unknown rule part ${JSON.stringify(name)}`;
      const [min, max, zeroAllowed] = range;
      const bad = value.split(",").find((text) => {
        if (!/^[+-]?[0-9]+$/.test(text)) return true;
        const n = Number(text);
        return n < min || n > max || (n === 0 && !zeroAllowed);
      });
      return bad === undefined
        ? undefined
        : `${name} has ${JSON.stringify(bad)}; expected integers in ${min}..${max}${zeroAllowed ? "" : " other than 0"}`;
    }
  }
}
