/**
 * Child process of the durability test: opens the store at argv[2] and appends
 * play-history rows as fast as it can, printing "ack <id>" after each write
 * resolved. The parent SIGKILLs it mid-burst.
 */
import { openSqlStore } from "../src/open.js";

const store = await openSqlStore(process.argv[2]!, { migrate: false });
const stationId = process.argv[3]!;
for (let i = 0; ; i++) {
  const play = await store.playHistory.append({
    stationId,
    startedAt: i,
    priority: 3,
    title: `burst ${i}`,
  });
  process.stdout.write(`ack ${play.id}\n`);
}
