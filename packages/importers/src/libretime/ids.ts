/** Stable Grimnir ids of LibreTime records: the same source row always maps to the same id. */
export const ltId = {
  station: (): string => "lt-station",
  file: (id: unknown): string => `lt-file-${String(id)}`,
  playlist: (id: unknown): string => `lt-playlist-${String(id)}`,
  block: (id: unknown): string => `lt-block-${String(id)}`,
  webstream: (id: unknown): string => `lt-webstream-${String(id)}`,
  user: (id: unknown): string => `lt-user-${String(id)}`,
  show: (id: unknown): string => `lt-show-${String(id)}`,
  showClock: (id: unknown): string => `lt-show-${String(id)}-clock`,
  instance: (id: unknown): string => `lt-instance-${String(id)}`,
};
