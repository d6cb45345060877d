// Saving and copying text from the page: the PGN of a game, a share link.

/** A download of `text` as `filename`, without a server round trip (the live game's PGN button). */
export function downloadText(text: string, filename: string, type = 'application/x-chess-pgn'): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    return false; // no clipboard permission (or not a secure context): the text is still selectable
  }
}
