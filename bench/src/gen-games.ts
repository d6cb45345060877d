// Writes bench/data/games.json: the seeded game set shared by the Node harness and the k6 scripts.
// Run once (`npm run -w bench gen-games`); the file is committed, so runs compare like with like.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { generateGames } from './games.js';

const seed = Number(process.env.SEED ?? 20260707);
const count = Number(process.env.COUNT ?? 200);
const set = generateGames(seed, count);
const out = fileURLToPath(new URL(process.argv[2] ?? '../../data/games.json', import.meta.url));
writeFileSync(out, JSON.stringify(set, null, 0).replace(/\},\{/g, '},\n{') + '\n');
const plies = set.games.map((g) => g.moves.split(' ').length);
const ends: Record<string, number> = {};
for (const g of set.games) ends[g.end] = (ends[g.end] ?? 0) + 1;
console.log(`${set.games.length} games, ${plies.reduce((a, b) => a + b, 0)} plies (mean ${(plies.reduce((a, b) => a + b, 0) / plies.length).toFixed(1)}), ends ${JSON.stringify(ends)} -> ${out}`);
