// The sentences a screen reader hears: moves in words, every way a game ends, and what a change of
// the view says (a start, moves, a takeback, offers, the result), never a screen's history.
import { describe, expect, test } from '@jest/globals';
import type { Clock, ServerMsg } from '@gambit/protocol';
import { announcements, moveSentence, resultSentence, sanWords } from './announce.js';
import { emptyView, reduce, START_FEN, type GameView } from './game.js';

const clock: Clock = { white: 60_000, black: 60_000, running: 'white', at: 0 };
const A = { playerId: 'pa', name: 'alice', connected: true };
const B = { playerId: 'pb', name: 'bob', connected: true };
const R = 'ABCDEFGH';
const apply = (v: GameView, msg: ServerMsg): GameView => reduce(v, msg, 1_000);

/** alice (White) in a started game, seen by her page. */
function started(): { v: GameView; seq: number } {
  let v = emptyView();
  v = apply(v, { t: 'welcome', playerId: 'pa', name: 'alice', serverTime: 0 });
  v = apply(v, { t: 'created', room: R, color: 'white' });
  v = apply(v, { t: 'started', room: R, seq: 1, white: A, black: B, fen: START_FEN, clock });
  return { v, seq: 1 };
}

/** `moved` for the next ply of `v`, with the FEN the server would send. */
function moved(v: GameView, uci: string, san: string, fen: string): ServerMsg {
  return { t: 'moved', room: R, seq: v.seq + 1, uci, san, fen, ply: v.moves.length + 1, clock, check: /[+#]/.test(san), kind: 'move' };
}

describe('moves in words', () => {
  test('pieces, pawns, captures, disambiguation, castling, promotion, check and mate', () => {
    expect(moveSentence('Nf3', 'white')).toBe('White: knight f3');
    expect(moveSentence('exd5+', 'black')).toBe('Black: e pawn takes d5, check');
    expect(sanWords('e4')).toBe('pawn e4');
    expect(sanWords('Bxc4')).toBe('bishop takes c4');
    expect(sanWords('Nbd2')).toBe('knight from b to d2');
    expect(sanWords('R1a3')).toBe('rook from rank 1 to a3');
    expect(sanWords('Qh4xe1')).toBe('queen from h4 takes e1');
    expect(sanWords('O-O')).toBe('castles kingside');
    expect(sanWords('O-O-O+')).toBe('castles queenside, check');
    expect(sanWords('e8=Q')).toBe('pawn e8 promotes to queen');
    expect(sanWords('dxe8=N#')).toBe('d pawn takes e8 promotes to knight, checkmate');
    expect(sanWords('Qh4#')).toBe('queen h4, checkmate');
    expect(sanWords('??')).toBe('??'); // unreadable: said as it is
  });
});

describe('the end in words', () => {
  const end = (result: GameView['result'], reason: GameView['reason'], fen = START_FEN): GameView =>
    ({ ...emptyView(), room: R, status: 'ended', result, reason, fen });
  const blackToMove = 'rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq - 0 1';
  test('wins', () => {
    expect(resultSentence(end('1-0', 'checkmate', blackToMove))).toBe('Checkmate. White wins');
    expect(resultSentence(end('0-1', 'checkmate'))).toBe('Checkmate. Black wins');
    expect(resultSentence(end('1-0', 'timeout', blackToMove))).toBe('Black ran out of time. White wins');
    expect(resultSentence(end('0-1', 'resign'))).toBe('White resigned. Black wins');
    expect(resultSentence(end('1-0', 'abandoned'))).toBe('Black left the game. White wins');
  });
  test('draws, aborts, rooms gone', () => {
    expect(resultSentence(end('1/2-1/2', 'stalemate'))).toBe('Stalemate. Draw');
    expect(resultSentence(end('1/2-1/2', 'agreement'))).toBe('Draw by agreement');
    expect(resultSentence(end('1/2-1/2', 'threefold_repetition'))).toBe('Draw by threefold repetition');
    expect(resultSentence(end('1/2-1/2', 'fifty_moves'))).toBe('Draw by the fifty-move rule');
    expect(resultSentence(end('1/2-1/2', 'insufficient_material'))).toBe('Draw: neither side can checkmate');
    expect(resultSentence(end('1/2-1/2', 'timeout', blackToMove))).toBe('Black ran out of time, but White cannot checkmate. Draw');
    expect(resultSentence(end(null, 'aborted'))).toBe('Game aborted');
    expect(resultSentence({ ...end(null, 'expired'), status: 'closed' })).toBe('The room expired');
  });
});

describe('what a change of the view says', () => {
  test('nothing when the screen opens (or another room is shown): no history read out', () => {
    const { v } = started();
    expect(announcements(null, v)).toEqual([]);
    expect(announcements(emptyView(), v)).toEqual([]);
  });

  test('a start, then each move as it comes, ours and theirs; the mate and the result', () => {
    let v = emptyView();
    v = apply(v, { t: 'welcome', playerId: 'pb', name: 'bob', serverTime: 0 });
    v = apply(v, { t: 'joined', room: R, color: 'black' });
    const waiting = v;
    v = apply(v, { t: 'started', room: R, seq: 1, white: A, black: B, fen: START_FEN, clock });
    expect(announcements(waiting, v)).toEqual(['Game started. You play Black']);
    const fens = [
      'rnbqkbnr/pppppppp/8/8/8/5P2/PPPPP1PP/RNBQKBNR b KQkq - 0 1',
      'rnbqkbnr/pppp1ppp/8/4p3/8/5P2/PPPPP1PP/RNBQKBNR w KQkq - 0 2',
      'rnbqkbnr/pppp1ppp/8/4p3/6P1/5P2/PPPPP2P/RNBQKBNR b KQkq - 0 2',
      'rnb1kbnr/pppp1ppp/8/4p3/6Pq/5P2/PPPPP2P/RNBQKBNR w KQkq - 1 3',
    ];
    const said: string[] = [];
    for (const [i, [uci, san]] of ([['f2f3', 'f3'], ['e7e5', 'e5'], ['g2g4', 'g4'], ['d8h4', 'Qh4#']] as const).entries()) {
      const next = apply(v, moved(v, uci, san, fens[i]!));
      said.push(...announcements(v, next));
      v = next;
    }
    expect(said).toEqual(['White: pawn f3', 'Black: pawn e5', 'White: pawn g4', 'Black: queen h4, checkmate']);
    const over = apply(v, { t: 'ended', room: R, seq: v.seq + 1, result: '0-1', reason: 'checkmate', pgn: '' });
    expect(announcements(v, over)).toEqual(['Checkmate. Black wins']);
    expect(announcements(over, over)).toEqual([]); // a second render says nothing again
  });

  test('several moves at once (a resume): only the last two, after how many there are', () => {
    const { v } = started();
    const later: GameView = {
      ...v, moves: ['e2e4', 'e7e5', 'g1f3', 'b8c6'], san: ['e4', 'e5', 'Nf3', 'Nc6'],
      fen: 'r1bqkbnr/pppp1ppp/2n5/4p3/4P3/5N2/PPPP1PPP/RNBQKB1R w KQkq - 2 3',
    };
    expect(announcements(v, later)).toEqual(['4 moves played', 'White: knight f3', 'Black: knight c6']);
  });

  test('offers and a takeback', () => {
    const { v } = started();
    const one = apply(v, moved(v, 'e2e4', 'e4', 'rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq - 0 1'));
    const asked = apply(one, { t: 'takeback_offered', room: R, seq: one.seq + 1, by: 'white' });
    expect(announcements(one, asked)).toEqual(['White asks to take back a move']);
    const declined = apply(asked, { t: 'takeback_declined', room: R, seq: asked.seq + 1, by: 'black' });
    expect(announcements(asked, declined)).toEqual(['Takeback declined']);
    const back = apply(declined, { t: 'taken_back', room: R, seq: declined.seq + 1, by: 'white', plies: 1, moves: [], san: [], fen: START_FEN, clock });
    expect(announcements(declined, back)).toEqual(['Takeback: one move taken back. White to move']);
    const drawn = apply(one, { t: 'draw_offered', room: R, seq: one.seq + 1, by: 'black' });
    expect(announcements(one, drawn)).toEqual(['Black offers a draw']);
    const no = apply(drawn, { t: 'draw_declined', room: R, seq: drawn.seq + 1, by: 'white' });
    expect(announcements(drawn, no)).toEqual(['Draw offer declined']);
  });

  test('a takeback of two moves names the move now last', () => {
    const { v } = started();
    const at: GameView = { ...v, moves: ['e2e4', 'e7e5', 'g1f3'], san: ['e4', 'e5', 'Nf3'], fen: 'rnbqkbnr/pppp1ppp/8/4p3/4P3/5N2/PPPP1PPP/RNBQKB1R b KQkq - 1 2' };
    const back: GameView = { ...at, moves: ['e2e4'], san: ['e4'], fen: 'rnbqkbnr/pppppppp/8/8/4P3/8/PPPP1PPP/RNBQKBNR b KQkq - 0 1' };
    expect(announcements(at, back)).toEqual(['Takeback: 2 moves taken back. Black to move. Last move, White: pawn e4']);
  });

  test('a rematch starts a new game with the colours said', () => {
    const { v } = started();
    const over = apply(v, { t: 'ended', room: R, seq: 2, result: '0-1', reason: 'resign', pgn: '' });
    expect(announcements(v, over)).toEqual(['White resigned. Black wins']);
    const again = apply(over, { t: 'started', room: R, seq: 3, white: B, black: A, fen: START_FEN, clock });
    expect(announcements(over, again)).toEqual(['Game started. You play Black']);
  });
});
