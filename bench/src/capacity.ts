// `make capacity`: the capacity model (capacity-model.ts) from the latest benchmark results.
// Reads bench/results/latest.json (or the file given as the first argument) and the seeded games
// (bench/data/games.json, for how many plies a replay covers), prints Markdown; nothing else.
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inputsFrom, report, type ResultsLike } from './capacity-model.js';

// From bench/src (jest, tsx) or bench/dist/src (compiled): the bench folder is the first one up that has results/.
const here = fileURLToPath(new URL('.', import.meta.url));
const bench = here.includes('/dist/') ? new URL('../../', import.meta.url) : new URL('../', import.meta.url);
const file = process.argv[2] ?? fileURLToPath(new URL('results/latest.json', bench));
const results = JSON.parse(readFileSync(file, 'utf8')) as ResultsLike;
const games = (JSON.parse(readFileSync(new URL('data/games.json', bench), 'utf8')) as { games: { moves: string }[] }).games;
const lengths = games.map((g) => g.moves.split(' ').length);
console.log(report(inputsFrom(results, lengths), results.meta, relative(process.cwd(), file) || file));
