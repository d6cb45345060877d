// The cm-chessboard wrapper: click or drag moves, legal-move dots (chess.js), the promotion
// dialog, last-move and check marks, one premove queued while the opponent thinks (premove.ts).
// It never decides anything: a move goes to the server, and the board shows the server's position
// again when it answers (or reverts on an error). The replay screen uses it view-only (no onMove,
// input never enabled).
import { Chess, type Square } from 'chess.js';
import {
  BORDER_TYPE, COLOR, Chessboard, INPUT_EVENT_TYPE, type MarkerType, type MoveInputEvent,
} from 'cm-chessboard/src/Chessboard.js';
import { MARKER_TYPE, Markers } from 'cm-chessboard/src/extensions/markers/Markers.js';
import { PromotionDialog } from 'cm-chessboard/src/extensions/promotion-dialog/PromotionDialog.js';
import type { Side } from '@gambit/protocol';
import { accessibleBoard, onKeyboardCancel } from './board-a11y.js';
import { START_FEN } from './game.js';
import { premoveTargets, premoveToPlay } from './premove.js';

// Marker types are matched by reference in cm-chessboard: keep them as module constants.
const LAST_MOVE: MarkerType = { class: 'marker-last-move', slice: 'markerSquare' };
// A shape on the last move's squares too (corner brackets), not only a tint: styles.css, colour-blind safe.
const LAST_MOVE_FRAME: MarkerType = { class: 'marker-last-move-frame', slice: 'markerFrame' };
const CHECK: MarkerType = { class: 'marker-check', slice: 'markerCircleFilled' };
const PREMOVE: MarkerType = { class: 'marker-premove', slice: 'markerSquare' };

const toBoardColor = (side: Side) => (side === 'white' ? COLOR.white : COLOR.black);

export class Board {
  private readonly cb: Chessboard;
  private chess = new Chess();
  private fen = START_FEN;
  private last: { from: string; to: string } | null = null;
  private input: Side | null = null;
  /** 'premove' while the opponent thinks: a move is queued (premove.ts), not sent. */
  private mode: 'move' | 'premove' = 'move';
  private premove: { from: string; to: string } | null = null;
  private facing: Side = 'white';
  private dirty = false; // the board shows a move of ours the server has not confirmed yet

  constructor(private readonly el: HTMLElement, private readonly onMove: (uci: string) => void = () => {}) {
    this.cb = new Chessboard(el, {
      position: START_FEN,
      assetsUrl: '/assets/', // absolute: pages live at deeper paths (/game/<id>, /room/<code>)
      responsive: true,
      // No piece animations for people who ask their system for less motion.
      style: { cssClass: 'default', borderType: BORDER_TYPE.none, animationDuration: reducedMotion() ? 0 : 200 },
      extensions: [{ class: Markers, props: { autoMarkers: MARKER_TYPE.frame } }, { class: PromotionDialog }, accessibleBoard],
    });
    onKeyboardCancel(el, () => this.cb.removeLegalMovesMarkers()); // keyboard play: board-a11y.ts
    // A click anywhere on the board cancels a queued premove (before cm-chessboard sees the click,
    // so a click on a piece of ours starts a new one at once).
    el.addEventListener('pointerdown', () => this.cancelPremove(), { capture: true });
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
    this.cancelPremove(); // it was queued on a position that is not coming
    this.dirty = false;
    this.chess = new Chess(this.fen);
    this.cb.cancelMoveInput();
    void this.cb.setPosition(this.fen, true);
    this.drawMarks();
  }

  /** Lets the user move pieces of `side` (or queue a premove with them), or nobody (null). */
  setInput(side: Side | null, mode: 'move' | 'premove' = 'move'): void {
    // A premove lives only while the opponent thinks: our own turn (or none) drops what is left.
    if (side === null || side !== this.input || mode === 'move') this.cancelPremove();
    if (side === this.input && mode === this.mode) return;
    this.input = side;
    this.mode = mode;
    // What input means now, for styles and the browser tests: a move, a premove, or none.
    this.el.dataset.input = side ? mode : 'none';
    this.cb.disableMoveInput();
    if (side) this.cb.enableMoveInput((e) => this.onInput(e), toBoardColor(side));
  }

  /** The queued premove, if any. */
  get premoved(): { from: string; to: string } | null {
    return this.premove;
  }

  /**
   * After the opponent's move is shown: the queued premove as a move to send (played on the board
   * at once), or null when there is none or the new position forbids it (then it is dropped).
   */
  takePremove(): string | null {
    const p = this.premove;
    this.cancelPremove();
    const uci = p && premoveToPlay(this.fen, p.from, p.to);
    if (!uci) return null;
    this.commit(uci, false);
    void this.cb.setPosition(this.chess.fen(), true);
    return uci;
  }

  /** Drops a queued premove (a takeback, a new position from the server). */
  dropPremove(): void {
    this.cancelPremove();
  }

  private cancelPremove(): void {
    if (!this.premove) return;
    this.premove = null;
    this.cb.removeMarkers(PREMOVE);
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
    this.cb.removeMarkers(LAST_MOVE_FRAME);
    this.cb.removeMarkers(CHECK);
    if (this.last) {
      this.cb.addMarker(LAST_MOVE, this.last.from);
      this.cb.addMarker(LAST_MOVE, this.last.to);
      this.cb.addMarker(LAST_MOVE_FRAME, this.last.from);
      this.cb.addMarker(LAST_MOVE_FRAME, this.last.to);
    }
    if (this.chess.inCheck()) {
      const king = this.chess.findPiece({ type: 'k', color: this.chess.turn() })[0];
      if (king) this.cb.addMarker(CHECK, king);
    }
  }

  private onInput(e: MoveInputEvent): boolean {
    if (this.mode === 'premove') return this.onPremoveInput(e);
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

  /** A premove is queued, not played: the piece stays, its squares are marked (a click cancels it: constructor). */
  private onPremoveInput(e: MoveInputEvent): boolean {
    switch (e.type) {
      case INPUT_EVENT_TYPE.moveInputStarted: {
        const targets = premoveTargets(this.chess.fen(), this.input!, e.squareFrom);
        this.cb.removeLegalMovesMarkers();
        this.cb.addLegalMovesMarkers(targets.map((to) => ({ to })));
        return targets.length > 0;
      }
      case INPUT_EVENT_TYPE.validateMoveInput: {
        this.cb.removeLegalMovesMarkers();
        e.animate = false;
        const to = e.squareTo;
        if (to && premoveTargets(this.chess.fen(), this.input!, e.squareFrom).includes(to)) {
          this.cancelPremove(); // one premove: a new one replaces the last (keyboard play clicks nothing)
          this.premove = { from: e.squareFrom, to };
          this.cb.addMarker(PREMOVE, e.squareFrom);
          this.cb.addMarker(PREMOVE, to);
        }
        return false; // the piece goes back: nothing moves until the opponent has
      }
      case INPUT_EVENT_TYPE.moveInputCanceled:
        this.cb.removeLegalMovesMarkers();
        return false;
      default:
        return true;
    }
  }

  /** `later`: let cm-chessboard finish its own input handling before the app reacts (and disables input). */
  private commit(uci: string, later = true): void {
    try {
      this.chess.move({ from: uci.slice(0, 2), to: uci.slice(2, 4), promotion: uci[4] });
    } catch {
      return this.revert();
    }
    this.dirty = true;
    if (later) setTimeout(() => this.onMove(uci));
  }
}

function reducedMotion(): boolean {
  return typeof matchMedia === 'function' && matchMedia('(prefers-reduced-motion: reduce)').matches;
}
