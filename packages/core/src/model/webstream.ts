import type { StationScoped } from "./entity.js";

/** Health of a relayed stream as the checker sees it. */
export type WebstreamHealth = "healthy" | "degraded" | "unhealthy";

/** An HTTP/Icecast stream relayed on air, with backups. */
export interface Webstream extends StationScoped {
  name: string;
  /** Primary URL first, then backups in failover order. */
  urls: string[];
  /** Index into `urls` currently in use. */
  currentIndex: number;
  health: {
    intervalMs: number;
    timeoutMs: number;
    method: "HEAD" | "GET";
    /** Consecutive failures before failing over (default 3). */
    failoverAfter: number;
  };
  failover: {
    enabled: boolean;
    /** Wait this long after the threshold before switching, ms. */
    graceMs: number;
    /** Go back to the primary when it is healthy again. */
    autoRecover: boolean;
  };
  /** Buffer kept before play, ms. */
  bufferMs: number;
  metadata: {
    /** Pass the stream's ICY title through as now playing. */
    passthrough: boolean;
    /** Fixed now-playing text, used when passthrough is off. */
    override?: string;
  };
  status: WebstreamHealth;
}
