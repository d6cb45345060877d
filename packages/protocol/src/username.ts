// What a Gambit username is: one rule for the page (said before sending), the accounts service
// (which stores them) and the embedded identity provider (its login names follow the same rule).
// Unique regardless of case, so the stored key is the lower-cased name; shown as typed. Names
// starting with "deleted-" are the tombstones of deleted accounts' games: nobody may take one.

export const USERNAME_RE = /^[A-Za-z0-9_-]{3,20}$/;

/** How to say what USERNAME_RE accepts, in error messages and under the field. */
export const USERNAME_RULE = '3-20 characters: letters A-Z a-z, digits, _ and -';

/** The problem with a wanted username, in words, or null when it is acceptable. */
export function usernameProblem(name: string): string | null {
  if (name.length < 3) return 'A username has at least 3 characters.';
  if (name.length > 20) return 'A username has at most 20 characters.';
  if (!USERNAME_RE.test(name)) return 'A username uses only letters A-Z, digits, _ and -.';
  if (/^deleted-/i.test(name)) return 'Names starting with "deleted-" are kept for deleted accounts.';
  return null;
}

/** The key a username is unique under: case does not make two names different. */
export const usernameKey = (name: string): string => name.toLowerCase();
