// Just the part of cm-chessboard 8 (plain JavaScript, no types of its own) that board.ts uses.
declare module 'cm-chessboard/src/Chessboard.js' {
  export type BoardColor = 'w' | 'b';
  export const COLOR: { white: 'w'; black: 'b' };
  export const INPUT_EVENT_TYPE: {
    moveInputStarted: 'moveInputStarted';
    movingOverSquare: 'movingOverSquare';
    validateMoveInput: 'validateMoveInput';
    moveInputCanceled: 'moveInputCanceled';
    moveInputFinished: 'moveInputFinished';
  };
  export const BORDER_TYPE: { none: 'none'; thin: 'thin'; frame: 'frame' };
  export interface MoveInputEvent {
    chessboard: Chessboard;
    type: (typeof INPUT_EVENT_TYPE)[keyof typeof INPUT_EVENT_TYPE];
    squareFrom: string;
    squareTo?: string | null;
    piece?: string;
    /** Set by a validator to skip the completion animation of a click move. */
    animate?: boolean;
  }
  export interface MarkerType { class: string; slice: string; position?: 'above' }
  export interface ChessboardProps {
    position?: string;
    orientation?: BoardColor;
    responsive?: boolean;
    assetsUrl?: string;
    style?: {
      cssClass?: string;
      showCoordinates?: boolean;
      borderType?: string;
      aspectRatio?: number;
      pieces?: { file?: string; tileSize?: number };
      animationDuration?: number;
    };
    extensions?: { class: unknown; props?: Record<string, unknown> }[];
  }
  export class Chessboard {
    constructor(context: HTMLElement, props?: ChessboardProps);
    setPosition(fen: string, animated?: boolean): Promise<void>;
    setPiece(square: string, piece: string | null, animated?: boolean): Promise<void>;
    setOrientation(color: BoardColor, animated?: boolean): Promise<void>;
    getOrientation(): BoardColor;
    getPiece(square: string): string | null;
    enableMoveInput(handler: (event: MoveInputEvent) => boolean | void, color?: BoardColor): void;
    disableMoveInput(): void;
    cancelMoveInput(): void;
    isMoveInputEnabled(): boolean;
    destroy(): void;
    // Added by the Markers extension.
    addMarker(type: MarkerType, square: string): void;
    removeMarkers(type?: MarkerType, square?: string): void;
    addLegalMovesMarkers(moves: { to: string; promotion?: string }[]): void;
    removeLegalMovesMarkers(): void;
    // Added by the PromotionDialog extension.
    showPromotionDialog(square: string, color: BoardColor, callback: (result: PromotionResult) => void): void;
    isPromotionDialogShown(): boolean;
  }
  export type PromotionResult =
    | { type: 'pieceSelected'; square: string; piece: string }
    | { type: 'canceled' };
}

declare module 'cm-chessboard/src/extensions/markers/Markers.js' {
  import type { MarkerType } from 'cm-chessboard/src/Chessboard.js';
  export const MARKER_TYPE: Record<'frame' | 'square' | 'dot' | 'bevel' | 'circle' | 'circleDanger', MarkerType>;
  export class Markers {}
}

declare module 'cm-chessboard/src/extensions/promotion-dialog/PromotionDialog.js' {
  export const PROMOTION_DIALOG_RESULT_TYPE: { pieceSelected: 'pieceSelected'; canceled: 'canceled' };
  export class PromotionDialog {}
}

declare module 'cm-chessboard/src/extensions/accessibility/Accessibility.js' {
  export class Accessibility {}
}
