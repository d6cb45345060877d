// Glicko-2 (Glickman, "Example of the Glicko-2 system", glicko.net/glicko/glicko2.pdf), step by
// step as the paper numbers them. Pure: a rating period in, the new rating out. The settings are
// a parameter because the paper's worked example uses tau 0.5 while Gambit uses lichess's 0.75.

export interface Rating { rating: number; rd: number; vol: number }
/** One result of a rating period: the opponent as rated before the period, and the score (1, 0.5, 0). */
export interface Outcome { opponent: Rating; score: number }

export interface Settings {
  initial: Rating;
  tau: number;
  minRd: number;
  maxRd: number;
  maxVol: number;
}

/** The conversion factor between the Glicko and Glicko-2 scales (step 2). */
const SCALE = 173.7178;
/** Convergence tolerance of the volatility iteration (step 5). */
const EPSILON = 0.000001;

const g = (phi: number): number => 1 / Math.sqrt(1 + (3 * phi * phi) / (Math.PI * Math.PI));
const expected = (mu: number, muJ: number, phiJ: number): number => 1 / (1 + Math.exp(-g(phiJ) * (mu - muJ)));

/** Step 5: the new volatility, by the Illinois algorithm on f(x) = 0. */
function newVolatility(phi: number, sigma: number, v: number, delta: number, tau: number): number {
  const a = Math.log(sigma * sigma);
  const f = (x: number): number => {
    const ex = Math.exp(x);
    const d = phi * phi + v + ex;
    return (ex * (delta * delta - phi * phi - v - ex)) / (2 * d * d) - (x - a) / (tau * tau);
  };
  let A = a;
  let B: number;
  if (delta * delta > phi * phi + v) B = Math.log(delta * delta - phi * phi - v);
  else {
    let k = 1;
    while (f(a - k * tau) < 0) k++;
    B = a - k * tau;
  }
  let fA = f(A);
  let fB = f(B);
  while (Math.abs(B - A) > EPSILON) {
    const C = A + ((A - B) * fA) / (fB - fA);
    const fC = f(C);
    if (fC * fB <= 0) { A = B; fA = fB; } else fA /= 2;
    B = C; fB = fC;
  }
  return Math.exp(A / 2);
}

/**
 * The player's rating after one rating period with these results. `periods` is how many rating
 * periods the deviation grows by (step 6: 1 in the paper; lichess uses the time since the player's
 * last rated game). No results: only the deviation grows (the paper's note after step 8).
 */
export function ratePeriod(player: Rating, results: readonly Outcome[], settings: Settings, periods = 1): Rating {
  const mu = (player.rating - 1500) / SCALE;
  const phi = player.rd / SCALE;
  if (results.length === 0) return bound({ ...player, rd: SCALE * Math.sqrt(phi * phi + periods * player.vol * player.vol) }, settings);
  // Steps 3 and 4: the estimated variance v and the improvement delta.
  let invV = 0;
  let sum = 0;
  for (const { opponent, score } of results) {
    const muJ = (opponent.rating - 1500) / SCALE;
    const phiJ = opponent.rd / SCALE;
    const e = expected(mu, muJ, phiJ);
    invV += g(phiJ) ** 2 * e * (1 - e);
    sum += g(phiJ) * (score - e);
  }
  const v = 1 / invV;
  const vol = newVolatility(phi, player.vol, v, v * sum, settings.tau);
  // Steps 6 to 8.
  const phiStar = Math.sqrt(phi * phi + periods * vol * vol);
  const phiNew = 1 / Math.sqrt(1 / (phiStar * phiStar) + 1 / v);
  const muNew = mu + phiNew * phiNew * sum;
  return bound({ rating: 1500 + SCALE * muNew, rd: SCALE * phiNew, vol }, settings);
}

/** Deviation within [minRd, maxRd] and volatility at most maxVol, as lichess keeps them. */
export function bound(r: Rating, s: Settings): Rating {
  return { rating: r.rating, rd: Math.min(s.maxRd, Math.max(s.minRd, r.rd)), vol: Math.min(s.maxVol, r.vol) };
}
