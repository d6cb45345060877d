// Small Preact hooks shared by the screens: re-render on a store's change, load data once per key,
// and run a callback every animation frame (clocks).
import { useEffect, useRef, useState } from 'preact/hooks';

/**
 * Re-renders the component whenever `subscribe`'s source changes. The subscription starts after
 * the first render (an effect): a change in between (a screen mounted by one message, the next
 * message already handled: `paired` then `started`) would be missed, so with `version` (a count
 * the source raises on every change) the component renders again if it moved meanwhile.
 */
export function useSubscription(subscribe: (fn: () => void) => () => void, version?: () => number): void {
  const [, bump] = useState(0);
  const rendered = version?.();
  useEffect(() => {
    const off = subscribe(() => bump((n) => n + 1));
    if (version && version() !== rendered) bump((n) => n + 1);
    return off;
  }, [subscribe]); // `rendered`: the render this subscription follows, on purpose
}

export type Load<T> = { state: 'loading' } | { state: 'done'; data: T } | { state: 'failed'; error: unknown };

/** Runs `load` whenever `key` changes; an answer for an older key is dropped. */
export function useLoad<T>(key: string, load: () => Promise<T>): Load<T> {
  const [result, setResult] = useState<{ key: string; load: Load<T> }>({ key, load: { state: 'loading' } });
  useEffect(() => {
    let current = true;
    setResult({ key, load: { state: 'loading' } });
    load().then(
      (data) => current && setResult({ key, load: { state: 'done', data } }),
      (error: unknown) => current && setResult({ key, load: { state: 'failed', error } }),
    );
    return () => {
      current = false;
    };
  }, [key]); // not `load`: it is a fresh closure every render, and the key says when it changes
  return result.key === key ? result.load : { state: 'loading' };
}

/** Names the shown screen on <body data-view> (styles and the browser tests read it). */
export function useBodyView(view: string): void {
  useEffect(() => {
    document.body.dataset.view = view;
  }, [view]);
}

/** Calls `fn` on every animation frame while mounted. */
export function useFrame(fn: () => void): void {
  const latest = useRef(fn);
  latest.current = fn;
  useEffect(() => {
    let id = requestAnimationFrame(function tick() {
      latest.current();
      id = requestAnimationFrame(tick);
    });
    return () => cancelAnimationFrame(id);
  }, []);
}
