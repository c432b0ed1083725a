import type { Socket } from "node:net";
import type { LiveLogger } from "./logger.js";
import type { OggHeaderCapture } from "./ogg-headers.js";
import type { LiveContainer } from "./sniff.js";

/** A live mount as {@link Harbor.mounts} reports it. */
export interface HarborMountInfo {
  mount: string;
  stationId: string;
  mountId: string;
  sessionId: string;
  container: LiveContainer;
  /** True while a source is connected (false during the disconnect grace). */
  sourceConnected: boolean;
  listeners: number;
  /** Bytes received from sources on this mount. */
  bytesIn: number;
  /** URL the engine pulls the mount from. */
  inputUri: string;
}

/** A harbor mount with a live session: its source (absent in the grace) and listeners. */
export interface MountState {
  name: string;
  stationId: string;
  mountId: string;
  sessionId: string;
  container: LiveContainer;
  contentType: string;
  source?: Socket;
  /** Secret the source authenticated with, compared in constant time for metadata updates. */
  password: string;
  iceName?: string;
  listeners: Set<Socket>;
  ogg?: OggHeaderCapture;
  bytesIn: number;
}

/**
 * The harbor's mount table: live mounts by name, and the names reserved by a
 * source between accept and go-live (so a second source is refused and a
 * listener waits for it). Feeding a mount fans its audio out to listeners,
 * dropping any whose unsent backlog is over the limit.
 */
export class HarborMounts {
  readonly #mounts = new Map<string, MountState>();
  readonly #reserved = new Set<string>();
  readonly #log: LiveLogger;

  /** An empty table whose drops and closes go to `log`. */
  constructor(log: LiveLogger) {
    this.#log = log;
  }

  /** The live mount named `name`. */
  get(name: string): MountState | undefined {
    return this.#mounts.get(name);
  }

  /** Register `mount` under its name. */
  set(mount: MountState): void {
    this.#mounts.set(mount.name, mount);
  }

  /** Every live mount. */
  all(): MountState[] {
    return [...this.#mounts.values()];
  }

  /** Whether `name` has a connected source or one being accepted. */
  taken(name: string): boolean {
    return this.#mounts.get(name)?.source !== undefined || this.#reserved.has(name);
  }

  /** Hold `name` for a source being accepted. */
  reserve(name: string): void {
    this.#reserved.add(name);
  }

  /** Drop the hold on `name`. */
  release(name: string): void {
    this.#reserved.delete(name);
  }

  /** Wait (polling every 20 ms, at most until `deadline` in `performance.now()` ms) while `name` is reserved but not live. */
  async settle(name: string, deadline: number): Promise<void> {
    while (!this.#mounts.has(name) && this.#reserved.has(name) && performance.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  /** Count `chunk` in and write it to every listener; drop listeners backlogged over `backlogLimit` bytes. */
  feed(mount: MountState, chunk: Buffer, backlogLimit: number): void {
    mount.bytesIn += chunk.length;
    mount.ogg?.push(chunk);
    for (const listener of mount.listeners) {
      if (listener.writableLength > backlogLimit) {
        this.#log("warn", "harbor listener too slow; dropped", { mount: mount.name });
        listener.destroy();
        mount.listeners.delete(listener);
        continue;
      }
      listener.write(chunk);
    }
  }

  /** Take `mount` out of the table, destroy its source and end its listeners. */
  close(mount: MountState, reason: string): void {
    if (this.#mounts.get(mount.name) === mount) this.#mounts.delete(mount.name);
    const source = mount.source;
    mount.source = undefined;
    if (source !== undefined) {
      this.#log("info", "live source closed", { mount: mount.name, reason });
      source.destroy();
    }
    for (const listener of mount.listeners) listener.end();
    mount.listeners.clear();
  }

  /** Forget every mount (the sockets are closed by the caller). */
  clear(): void {
    this.#mounts.clear();
  }
}
