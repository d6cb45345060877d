import { describe, expect, it } from '@jest/globals';
import { PlayerQueue } from './player-queue.js';

/** A task that records when it starts and ends, and finishes when told. */
function task(log: string[], name: string) {
  let finish!: () => void;
  const done = new Promise<void>((r) => { finish = r; });
  return { finish, fn: async () => { log.push(`${name}+`); await done; log.push(`${name}-`); return name; } };
}

describe('PlayerQueue', () => {
  it('runs tasks sharing a player one after another, and others at once', async () => {
    const q = new PlayerQueue();
    const log: string[] = [];
    const [ab, bc, de] = [task(log, 'ab'), task(log, 'bc'), task(log, 'de')];
    const runs = [q.run(['a', 'b'], ab.fn), q.run(['b', 'c'], bc.fn), q.run(['d', 'e'], de.fn)];
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['ab+', 'de+']); // bc waits for ab (player b); de shares nobody
    ab.finish();
    await runs[0];
    await new Promise((r) => setImmediate(r));
    expect(log).toEqual(['ab+', 'de+', 'ab-', 'bc+']);
    bc.finish();
    de.finish();
    expect(await Promise.all(runs)).toEqual(['ab', 'bc', 'de']);
  });

  it('goes on after a failed task', async () => {
    const q = new PlayerQueue();
    await expect(q.run(['a'], async () => { throw new Error('boom'); })).rejects.toThrow('boom');
    expect(await q.run(['a'], async () => 'next')).toBe('next');
  });
});
