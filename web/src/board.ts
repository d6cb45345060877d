// The cm-chessboard wrapper: click or drag moves, legal-move dots (chess.js), the promotion
// dialog, last-move and check marks. It never decides anything: a move goes to the server, and
// the board shows the server's position again when it answers (or reverts on an error). The
// replay screen uses it view-only (no onMove, input never enabled).
import { Chess, type Square } from 'chess.js';
import {
  BORDER_TYPE, COLOR, Chessboard, INPUT_EVENT_TYPE, type MarkerType, type MoveInputEvent,
} from 'cm-chessboard/src/Chessboard.js';
import { MARKER_TYPE, Markers } from 'cm-chessboard/src/extensions/markers/Markers.js';
import { PromotionDialog } from 'cm-chessboard/src/extensions/promotion-dialog/PromotionDialog.js';
import type { Side } from '@gambit/protocol';
import { START_FEN } from './game.js';

// Marker types are matched by reference in cm-chessboard: keep them as module constants.
const LAST_MOVE: MarkerType = { class: 'marker-last-move', slice: 'markerSquare' };
const CHECK: MarkerType = { class: 'marker-check', slice: 'markerCircleFilled' };

const toBoardColor = (side: Side) => (side === 'white' ? COLOR.white : COLOR.black);

export class Board {
  private readonly cb: Chessboard;
  private chess = new Chess();
  private fen = START_FEN;
  private last: { from: string; to: string } | null = null;
  private input: Side | null = null;
  private facing: Side = 'white';
  private dirty = false; // the board shows a move of ours the server has not confirmed yet

  constructor(el: HTMLElement, private readonly onMove: (uci: string) => void = () => {}) {
    this.cb = new Chessboard(el, {
      position: START_FEN,
      assetsUrl: '/assets/', // absolute: pages live at deeper paths (/game/<id>, /room/<code>)
      responsive: true,
      // No piece animations for people who ask their system for less motion.
      style: { cssClass: 'default', borderType: BORDER_TYPE.none, animationDuration: reducedMotion() ? 0 : 200 },
      extensions: [{ class: Markers, props: { autoMarkers: MARKER_TYPE.frame } }, { class: PromotionDialog }],
    });
  }

  /** Shows a server position; `animate` for a single new move, not for jumps (resume, reload). */
  show(fen: string, last: { from: string; to: string } | null, animate: boolean): void {
    if (!this.dirty && fen === this.fen && last?.from === this.last?.from && last?.to === this.last?.to) return;
    this.dirty = false;
    this.fen = fen;
    this.last = last;
    try {
      this.chess = new Chess(fen);
    } catch {
      return; // a malformed fen from the server: keep what we show
    }
    void this.cb.setPosition(fen, animate);
    this.drawMarks();
  }

  /** Back to the last server position: the server refused our move, or the promotion was cancelled. */
  revert(): void {
    this.dirty = false;
    this.chess = new Chess(this.fen);
    this.cb.cancelMoveInput();
    void this.cb.setPosition(this.fen, true);
    this.drawMarks();
  }

  /** Lets the user move pieces of `side`, or nobody (null). */
  setInput(side: Side | null): void {
    if (side === this.input) return;
    this.input = side;
    this.cb.disableMoveInput();
    if (side) this.cb.enableMoveInput((e) => this.onInput(e), toBoardColor(side));
  }

  setOrientation(side: Side): void {
    // Compare with what we asked for last: cm-chessboard reports the new side only after its turn animation.
    if (side === this.facing) return;
    this.facing = side;
    void this.cb.setOrientation(toBoardColor(side));
  }

  /** The element goes away (the screen changed): cm-chessboard drops its listeners and SVG. */
  destroy(): void {
    this.cb.destroy();
  }

  private drawMarks(): void {
    this.cb.removeMarkers(LAST_MOVE);
    this.cb.removeMarkers(CHECK);
    if (this.last) {
      this.cb.addMarker(LAST_MOVE, this.last.from);
      this.cb.addMarker(LAST_MOVE, this.last.to);
    }
    if (this.chess.inCheck()) {
      const king = this.chess.findPiece({ type: 'k', color: this.chess.turn() })[0];
      if (king) this.cb.addMarker(CHECK, king);
    }
  }

  private onInput(e: MoveInputEvent): boolean {
    switch (e.type) {
      case INPUT_EVENT_TYPE.moveInputStarted: {
        const moves = this.chess.moves({ square: e.squareFrom as Square, verbose: true });
        this.cb.removeLegalMovesMarkers();
        this.cb.addLegalMovesMarkers(moves);
        return moves.length > 0;
      }
      case INPUT_EVENT_TYPE.validateMoveInput: {
        this.cb.removeLegalMovesMarkers();
        // No completion animation for a click move: cm-chessboard ignores clicks until it ends,
        // which would swallow the next move of a fast player whose opponent answered at once.
        e.animate = false;
        const from = e.squareFrom;
        const to = e.squareTo;
        const legal = to ? this.chess.moves({ square: from as Square, verbose: true }).filter((m) => m.to === to) : [];
        if (!to || legal.length === 0) return false;
        if (legal.some((m) => m.promotion)) {
          // The pawn lands on the last rank first; the dialog then picks what it becomes.
          this.cb.showPromotionDialog(to, this.chess.turn(), (r) => {
            if (r.type !== 'pieceSelected') return this.revert();
            void this.cb.setPiece(to, r.piece, false);
            this.commit(`${from}${to}${r.piece.charAt(1)}`);
          });
          return true;
        }
        this.commit(`${from}${to}`);
        return true;
      }
      case INPUT_EVENT_TYPE.moveInputCanceled:
        this.cb.removeLegalMovesMarkers();
        return false;
      default:
        return true;
    }
  }

  private commit(uci: string): void {
    try {
      this.chess.move({ from: uci.slice(0, 2), to: uci.slice(2, 4), promotion: uci[4] });
    } catch {
      return this.revert();
    }
    this.dirty = true;
    // Let cm-chessboard finish its own input handling before the app reacts (and disables input).
    setTimeout(() => this.onMove(uci));
  }
}

function reducedMotion(): boolean {
  return typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;
}
