// Where the page finds Stockfish: web/build.js copies the `stockfish` package's lite single-threaded
// WASM build (it needs no SharedArrayBuffer, so no cross-origin isolation headers) into /engine/
// under the package's own file names, and defines __STOCKFISH_URL__ as the worker script's path.
// The worker finds its .wasm beside itself (the same name, .wasm for .js). Static files only: the
// game costs the servers nothing after the page has loaded them.
import { UciEngine } from './uci.js';

declare const __STOCKFISH_URL__: string | undefined;

export const ENGINE_URL: string = typeof __STOCKFISH_URL__ === 'string' ? __STOCKFISH_URL__ : '/engine/stockfish.js';

/** A new engine in its own worker; the caller owns it and must terminate it. */
export function startEngine(): UciEngine {
  return new UciEngine(new Worker(ENGINE_URL));
}
