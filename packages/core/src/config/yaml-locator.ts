import { isMap, isPair, isScalar, isSeq, Scalar, visit } from "yaml";
import type { Document, LineCounter, Node } from "yaml";
import { pointerSegments } from "./json-schema.js";
import type { ConfigProblem } from "./problems.js";

/** yaml reports a missing closing quote where the file ends; the opening quote is where the fix goes. */
export function unterminatedQuoteStart(doc: Document, errorOffset: number): number | undefined {
  let start: number | undefined;
  visit(doc, {
    Scalar(_key, node) {
      const quoted = node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE;
      if (quoted && node.range && node.range[0] < errorOffset && errorOffset <= node.range[2]) {
        start = node.range[0];
        return visit.BREAK;
      }
      return undefined;
    },
  });
  return start;
}

/** yaml's message for a parse error, reworded where a clearer one exists (duplicate keys, tabs). */
export function yamlMessage(
  code: string,
  message: string,
  text: string,
  pos: [number, number],
): string {
  if (code === "DUPLICATE_KEY") {
    const key =
      text
        .slice(pos[0])
        .match(/^[^:\n]*/)?.[0]
        .trim() ?? "";
    return `duplicate key ${JSON.stringify(key)}: map keys must be unique`;
  }
  if (code === "TAB_AS_INDENT") return "tabs are not allowed as indentation; indent with spaces";
  return message;
}

/** Where in the YAML a problem points: the value, the key naming it, or the object holding it. */
export type Target = "value" | "key" | "parent";

/** Maps JSON pointers into the parsed YAML document back to 1-based line:column positions. */
export class Locator {
  constructor(
    private readonly doc: Document,
    private readonly lineCounter: LineCounter,
    private readonly file: string,
  ) {}

  atOffset(offset: number, message: string, severity: ConfigProblem["severity"]): ConfigProblem {
    const { line, col } = this.lineCounter.linePos(offset);
    return { file: this.file, line, column: col, pointer: "", message, severity };
  }

  at(pointer: string, message: string, target: Target): ConfigProblem {
    const offset = this.offsetOf(pointer, target);
    const { line, col } = this.lineCounter.linePos(offset);
    return { file: this.file, line, column: col, pointer, message, severity: "error" };
  }

  private offsetOf(pointer: string, target: Target): number {
    let node: unknown = this.doc.contents;
    let key: Node | undefined;
    let complete = true;
    for (const segment of pointerSegments(pointer)) {
      if (isMap(node)) {
        const pair = node.items.find(
          (item) => isPair(item) && isScalar(item.key) && String(item.key.value) === segment,
        );
        if (pair === undefined) {
          complete = false;
          break;
        }
        key = pair.key as Node;
        node = pair.value;
      } else if (isSeq(node)) {
        const item = node.items[Number(segment)];
        if (item === undefined) {
          complete = false;
          break;
        }
        key = undefined;
        node = item;
      } else {
        complete = false;
        break;
      }
    }
    const useKey = target === "key" || target === "parent" || !complete;
    if (useKey && key?.range) return key.range[0];
    const range = (node as Node | null)?.range;
    if (range) return range[0];
    return key?.range?.[0] ?? 0;
  }
}
