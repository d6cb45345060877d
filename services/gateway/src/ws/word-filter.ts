// The chat's word filter (CHAT_WORD_FILTER): listed words are masked in a line before anyone reads
// it, whole words only and in any case ("Class" is not masked for "ass"), so a sender sees at once
// what everyone else sees. Pure.

export type WordFilter = (text: string) => string;

/** A filter for `words` (empty: lines pass unchanged). */
export function wordFilter(words: readonly string[]): WordFilter {
  const listed = words.map((w) => w.trim()).filter(Boolean);
  if (listed.length === 0) return (text) => text;
  const escaped = listed.map((w) => w.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).sort((a, b) => b.length - a.length);
  // Letters and digits of any script around the word make it part of another word.
  const re = new RegExp(`(?<![\\p{L}\\p{N}])(?:${escaped.join('|')})(?![\\p{L}\\p{N}])`, 'giu');
  return (text) => text.replace(re, (m) => '*'.repeat([...m].length));
}
