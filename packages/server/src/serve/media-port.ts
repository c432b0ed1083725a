import type { Store, TimeSource } from "@grimnir/core";
import type { MediaIngestPort } from "@grimnir/http";
import { AnalysisQueue, LocalStorage, ingestFiles } from "@grimnir/library";

/** The HTTP API's `media` port over `@grimnir/library`, plus a way to stop its analysis queues. */
export interface LibraryMediaPort extends MediaIngestPort {
  /** Stop every station's analysis queue (items left waiting stay "pending" for the next start). */
  close(): Promise<void>;
}

/**
 * Uploads go through the library's ingest (content hash, tags, storage under
 * `mediaRoot`, the MediaItem row) and one `AnalysisQueue` per station
 * (one item at a time, so analysis never starves the air chain of CPU).
 */
export function libraryMediaPort(options: {
  store: Store;
  mediaRoot: string;
  timeSource: TimeSource;
}): LibraryMediaPort {
  const { store, timeSource } = options;
  const storage = new LocalStorage(options.mediaRoot);
  const queues = new Map<string, AnalysisQueue>();
  return {
    async ingest(stationId, file) {
      const report = await ingestFiles([file.path], { stationId, store, storage, timeSource });
      const added = report.added[0];
      if (added !== undefined) return { outcome: "added", item: added };
      const duplicate = report.duplicates[0];
      if (duplicate !== undefined)
        return { outcome: "duplicate", existingId: duplicate.existingId };
      const failure = report.failed[0];
      return {
        outcome: "failed",
        reason: failure?.reason ?? "the library did not ingest the file",
        ...(failure?.mediaId === undefined ? {} : { mediaId: failure.mediaId }),
      };
    },
    queueAnalysis(stationId, mediaId) {
      let queue = queues.get(stationId);
      if (queue === undefined) {
        queue = new AnalysisQueue({ stationId, store, storage, concurrency: 1 });
        queues.set(stationId, queue);
      }
      queue.enqueue(mediaId);
    },
    async close() {
      await Promise.all([...queues.values()].map((q) => q.stop()));
    },
  };
}
