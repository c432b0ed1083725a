/** Split an Icecast "Artist - Title" song into its parts (title only when there is no " - "). */
export function splitSong(song: string): { title: string; artist?: string } {
  const at = song.indexOf(" - ");
  if (at <= 0) return { title: song.trim() };
  return { artist: song.slice(0, at).trim(), title: song.slice(at + 3).trim() };
}
