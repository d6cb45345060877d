// Heartbeats in slices: each socket once per pass, a pass as long as the interval whatever the
// number of sockets, silent ones dropped, sockets coming and going during a pass.
import { describe, expect, test } from '@jest/globals';
import { KeepAlive, type Pingable } from './keep-alive.js';

class Sock implements Pingable {
  alive = true;
  pings = 0;
  terminated = false;
  constructor(readonly answers = true) {}
  ping(): void {
    this.alive = false;
    this.pings += 1;
    if (this.answers) this.alive = true; // the pong
  }
  terminate(): void {
    this.terminated = true;
  }
}

function sockets(n: number, answers = (_i: number) => true): Map<string, Sock> {
  return new Map(Array.from({ length: n }, (_, i) => [`s${i}`, new Sock(answers(i))]));
}
const pinged = (map: Map<string, Sock>, times: number) => [...map.values()].filter((s) => s.pings === times).length;

describe('keep-alive', () => {
  test('a pass pings every socket once, a slice per tick, never all in one tick', () => {
    const map = sockets(1000);
    let passes = 0;
    const k = new KeepAlive(map, 5000, () => passes++); // 100 ticks of 50 ms
    expect(k.ticks).toBe(100);
    k.tick();
    expect(pinged(map, 1)).toBe(10);
    for (let i = 1; i < 100; i++) k.tick();
    expect(pinged(map, 1)).toBe(1000);
    expect(passes).toBe(1);
    k.tick();
    expect(pinged(map, 2)).toBe(10);
  });

  test('few sockets: a pass still lasts the whole interval, so a socket has all of it to answer', () => {
    const map = sockets(3, (i) => i !== 1);
    const k = new KeepAlive(map, 5000); // 100 ticks
    for (let i = 0; i < 99; i++) k.tick();
    expect(pinged(map, 1)).toBe(3);
    k.tick(); // the pass ends
    expect(map.get('s1')!.terminated).toBe(false);
    k.tick();
    k.tick(); // the next pass reaches s1, which never answered
    expect(map.get('s1')!.terminated).toBe(true);
    expect(map.get('s0')!.terminated || map.get('s2')!.terminated).toBe(false);
  });

  test('a socket that did not answer its ping is dropped on its turn in the next pass', () => {
    const map = sockets(20, (i) => i % 5 !== 0);
    const k = new KeepAlive(map, 1000, undefined, 100); // 10 ticks, 2 sockets each
    for (let i = 0; i < 10; i++) k.tick();
    expect([...map.values()].filter((s) => s.terminated)).toHaveLength(0);
    for (let i = 0; i < 10; i++) k.tick();
    const dropped = [...map.entries()].filter(([, s]) => s.terminated).map(([id]) => id);
    expect(dropped).toEqual(['s0', 's5', 's10', 's15']);
  });

  test('sockets that come and go during a pass: new ones are pinged, gone ones are not', () => {
    const map = sockets(10);
    const k = new KeepAlive(map, 1000, undefined, 200); // 5 ticks, 2 sockets each
    k.tick();
    const gone = map.get('s9')!;
    map.delete('s9');
    const late = Array.from({ length: 6 }, () => new Sock());
    late.forEach((s, i) => map.set(`late${i}`, s));
    for (let i = 0; i < 4; i++) k.tick();
    expect(gone.pings).toBe(0);
    expect(late.every((s) => s.pings === 1)).toBe(true); // the last tick walks what is left
    expect(pinged(map, 1)).toBe(map.size);
  });

  test('no sockets: passes still end, so housekeeping runs', () => {
    let passes = 0;
    const k = new KeepAlive(new Map(), 1000, () => passes++, 500);
    for (let i = 0; i < 4; i++) k.tick();
    expect(passes).toBe(2);
  });
});
