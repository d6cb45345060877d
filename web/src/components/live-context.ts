// The page's one LiveGame, handed to every component through context (so a test can render a
// component with its own), and the hook that re-renders a component when the game changes.
import { createContext } from 'preact';
import { useCallback, useContext } from 'preact/hooks';
import { useSubscription } from '../hooks.js';
import type { LiveGame } from '../live.js';

export const LiveContext = createContext<LiveGame | null>(null);

export function useLive(): LiveGame {
  const live = useContext(LiveContext);
  if (!live) throw new Error('useLive outside <LiveContext.Provider>');
  useSubscription(useCallback((fn: () => void) => live.subscribe(fn), [live]), () => live.changes);
  return live;
}
