// What the live game says to a screen reader (components/Announcer.tsx puts it in an aria-live
// region): each move in words ("White: knight f3", "Black: e pawn takes d5, check"), the result
// ("Checkmate. White wins"), a game starting, takebacks and offers. Pure: sentences from the
// change between two views of the game, so a screen that renders twice says nothing twice, and
// a page opened on a game in progress does not read out its whole history.
import type { Side } from '@gambit/protocol';
import { other, turn, type GameView } from './game.js';

const PIECES: Record<string, string> = { N: 'knight', B: 'bishop', R: 'rook', Q: 'queen', K: 'king' };
const SIDE = (s: Side) => (s === 'white' ? 'White' : 'Black');
/** More moves than this at once (a reload, a resume) are not read out one by one: only the last. */
const MAX_MOVES_READ = 2;

/** One move in words, from its SAN: "White: knight f3", "Black: e pawn takes d5, check". */
export function moveSentence(san: string, side: Side): string {
  return `${SIDE(side)}: ${sanWords(san)}`;
}

/** SAN in words; a SAN it cannot read is given back as it is (still better than silence). */
export function sanWords(san: string): string {
  const mark = /[+#]$/.exec(san)?.[0];
  const tail = mark === '#' ? ', checkmate' : mark === '+' ? ', check' : '';
  const core = san.replace(/[+#!?]+$/, '');
  if (core === 'O-O') return `castles kingside${tail}`;
  if (core === 'O-O-O') return `castles queenside${tail}`;
  const m = /^([NBRQK])?([a-h])?([1-8])?(x)?([a-h][1-8])(?:=([NBRQ]))?$/.exec(core);
  if (!m) return `${san}`;
  const [, piece, file, rank, takes, to, promotion] = m;
  let words: string;
  if (!piece) {
    // A pawn's capture names its file (SAN does too): which pawn took, when two could have.
    words = takes ? `${file} pawn takes ${to}` : `pawn ${to}`;
  } else {
    const from = file && rank ? `${file}${rank}` : file ? file : rank ? `rank ${rank}` : '';
    words = `${PIECES[piece]}${from ? ` from ${from}` : ''} ${takes ? 'takes ' : from ? 'to ' : ''}${to}`;
  }
  if (promotion) words += ` promotes to ${PIECES[promotion]}`;
  return words + tail;
}

/** The end of the game in words: "Checkmate. White wins", "Black ran out of time. White wins". */
export function resultSentence(v: GameView): string {
  if (v.status === 'closed') return v.reason === 'expired' ? 'The room expired' : 'The room was closed';
  if (v.reason === 'aborted' || !v.result) return 'Game aborted';
  const mover = turn(v); // the side to move: the one who was mated, stalemated, or whose clock ran out
  if (v.result === '1/2-1/2') {
    switch (v.reason) {
      case 'stalemate': return 'Stalemate. Draw';
      case 'agreement': return 'Draw by agreement';
      case 'insufficient_material': return 'Draw: neither side can checkmate';
      case 'threefold_repetition': return 'Draw by threefold repetition';
      case 'fifty_moves': return 'Draw by the fifty-move rule';
      case 'timeout': return `${SIDE(mover)} ran out of time, but ${SIDE(other(mover))} cannot checkmate. Draw`;
      default: return 'Draw';
    }
  }
  const winner: Side = v.result === '1-0' ? 'white' : 'black';
  const wins = `${SIDE(winner)} wins`;
  switch (v.reason) {
    case 'checkmate': return `Checkmate. ${wins}`;
    case 'resign': return `${SIDE(other(winner))} resigned. ${wins}`;
    case 'timeout': return `${SIDE(other(winner))} ran out of time. ${wins}`;
    case 'abandoned': return `${SIDE(other(winner))} left the game. ${wins}`;
    default: return wins;
  }
}

/** The side that played ply `i` (0-based) of `v`'s moves: counted back from the side to move. */
const sideOfPly = (v: GameView, i: number): Side => ((v.san.length - i) % 2 === 1 ? other(turn(v)) : turn(v));

/**
 * What to say after the view went from `before` to `after` (null before: the screen just opened,
 * nothing to say yet). In order: a game starting, moves, a takeback, offers, the result.
 */
export function announcements(before: GameView | null, after: GameView): string[] {
  if (!before || before.room !== after.room || !after.room) return [];
  const out: string[] = [];
  const restarted = after.status === 'active' && before.status !== 'active' && after.moves.length === 0;
  if (restarted) {
    out.push(after.color ? `Game started. You play ${SIDE(after.color)}` : 'Game started');
  }
  const grew = after.moves.length > before.moves.length && after.san.length === after.moves.length;
  if (grew) {
    const from = Math.max(before.moves.length, after.moves.length - MAX_MOVES_READ);
    if (from > before.moves.length) out.push(`${after.moves.length} moves played`);
    for (let i = from; i < after.san.length; i++) out.push(moveSentence(after.san[i]!, sideOfPly(after, i)));
  } else if (after.moves.length < before.moves.length && before.status === 'active' && after.status === 'active') {
    const n = before.moves.length - after.moves.length;
    const last = after.san.length > 0 ? `. Last move, ${moveSentence(after.san[after.san.length - 1]!, sideOfPly(after, after.san.length - 1))}` : '';
    out.push(`Takeback: ${n === 1 ? 'one move' : `${n} moves`} taken back. ${SIDE(turn(after))} to move${last}`);
  }
  if (after.status === 'active' && !restarted) {
    if (after.drawOffer && after.drawOffer !== before.drawOffer) out.push(`${SIDE(after.drawOffer)} offers a draw`);
    else if (!after.drawOffer && before.drawOffer && !grew) out.push('Draw offer declined');
    if (after.takebackOffer && after.takebackOffer !== before.takebackOffer) out.push(`${SIDE(after.takebackOffer)} asks to take back a move`);
    else if (!after.takebackOffer && before.takebackOffer && !grew && after.moves.length === before.moves.length) out.push('Takeback declined');
  }
  const ended = (s: GameView['status']) => s === 'ended' || s === 'closed';
  if (ended(after.status) && !ended(before.status)) out.push(resultSentence(after));
  return out;
}
