/** Anything text can be written to (process.stdout, a test buffer). */
export interface OutputStream {
  /** Write `text` as-is (lines end with a newline). */
  write(text: string): unknown;
}

/** Streams a command writes to; injected so tests can capture them. */
export interface CommandIo {
  /** Results. */
  stdout: OutputStream;
  /** Problems, errors and progress. */
  stderr: OutputStream;
  /** True when stderr is a terminal, so progress may redraw one line. */
  isTTY?: boolean;
}
