// The one short message at a time that goes away by itself (server errors, "Link copied").
// A tiny store: any module may call toast(); the Toast component shows it.

let current: string | null = null;
let timer: ReturnType<typeof setTimeout> | undefined;
const listeners = new Set<() => void>();

export const toastMessage = (): string | null => current;

export function subscribeToast(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function set(message: string | null): void {
  current = message;
  for (const fn of listeners) fn();
}

export function toast(message: string, ms = 3500): void {
  clearTimeout(timer);
  set(message);
  timer = setTimeout(() => set(null), ms);
}
