// The side panel of the live game: whose move (and the first-move timer), the players' video call,
// the game-over box (result, PGN, new game, rematch), a draw or takeback request to answer, the
// actions (draw, resign, abort, takeback, moretime, flip, sound), the move list and the chat.
import { canAbort, canTakeback, isPlayer, other, resultText, resultTitle, turn, type GameView } from '../game.js';
import { downloadText } from '../download.js';
import { rematchStage } from '../rematch.js';
import { ChatPanel } from './ChatPanel.js';
import { ConfirmButton } from './ConfirmButton.js';
import { FirstMoveTimer } from './FirstMoveTimer.js';
import { MoveList } from './MoveList.js';
import { RatingChange } from './RatingChange.js';
import { SoundSwitch } from './SoundSwitch.js';
import { VideoPanel } from './VideoPanel.js';
import { useLive } from './live-context.js';

function statusText(v: GameView): string {
  if (v.status === 'waiting') return 'Waiting for an opponent…';
  if (v.status !== 'active') return ''; // ended: the game-over panel says it
  const t = turn(v);
  if (!v.color) return `Watching · ${t === 'white' ? 'White' : 'Black'} to move`;
  return t === v.color ? 'Your move' : "Opponent's move";
}

export function GamePanel() {
  const live = useLive();
  const v = live.view;
  const online = live.online;
  const player = isPlayer(v);
  const active = v.status === 'active';
  const ours = v.color;
  const over = v.status === 'ended' || v.status === 'closed';
  const theirOffer = active && ours !== null && v.drawOffer === other(ours);
  const theirTakeback = active && ours !== null && v.takebackOffer === other(ours);
  const rematch = rematchStage(v);
  const opponent = (ours && v[other(ours)]?.name) || 'Your opponent';
  return (
    <aside class="side">
      <p id="status" data-testid="status" class="status">{statusText(v)}</p>
      <FirstMoveTimer />
      {live.crowd && live.crowd.room === v.room && live.crowd.count > 0 && (
        <p class="muted crowd" data-testid="crowd">
          {live.crowd.count} watching{live.crowd.names.length ? `: ${live.crowd.names.join(', ')}${live.crowd.count > live.crowd.names.length ? ' and others' : ''}` : ''}
        </p>
      )}
      <VideoPanel />
      <div id="game-over" class="game-over" hidden={!over}>
        <strong id="result-title">{over ? resultTitle(v) : ''}</strong>
        <span id="result" data-testid="result">{v.status === 'ended' ? resultText(v) : ''}</span>
        <RatingChange v={v} />
        <div class="row">
          <button id="pgn-download" data-testid="pgn-download" type="button" disabled={!v.pgn}
            onClick={() => v.pgn && downloadText(v.pgn, `gambit-${v.room ?? 'game'}.pgn`)}>Download PGN</button>
          <button id="new-game" type="button" class="primary" onClick={() => live.newGame()}>New game</button>
        </div>
        <div class="row" hidden={rematch === 'none' || rematch === 'answer'}>
          <button id="rematch" data-testid="rematch" type="button" disabled={rematch !== 'offer' || !online} onClick={() => live.rematch('offer')}>
            {rematch === 'offered' ? 'Rematch offered…' : rematch === 'closed' ? 'Opponent left' : '↻ Rematch'}
          </button>
        </div>
        <div id="rematch-prompt" data-testid="rematch-prompt" class="rematch-prompt" hidden={rematch !== 'answer'}>
          <span>{opponent} offers a rematch</span>
          <button id="rematch-accept" data-testid="rematch-accept" type="button" class="primary" disabled={!online} onClick={() => live.rematch('accept')}>Accept</button>
          <button id="rematch-decline" data-testid="rematch-decline" type="button" disabled={!online} onClick={() => live.rematch('decline')}>Decline</button>
        </div>
      </div>
      <div id="draw-prompt" class="draw-prompt" hidden={!theirOffer}>
        <span>Your opponent offers a draw</span>
        <button id="draw-accept" data-testid="draw-accept" type="button" disabled={!online} onClick={() => live.draw('accept')}>Accept</button>
        <button id="draw-decline" data-testid="draw-decline" type="button" disabled={!online} onClick={() => live.draw('decline')}>Decline</button>
      </div>
      <div id="takeback-prompt" data-testid="takeback-prompt" class="draw-prompt" hidden={!theirTakeback}>
        <span>{opponent} asks to take back a move</span>
        <button id="takeback-accept" data-testid="takeback-accept" type="button" disabled={!online} onClick={() => live.takeback('accept')}>Accept</button>
        <button id="takeback-decline" data-testid="takeback-decline" type="button" disabled={!online} onClick={() => live.takeback('decline')}>Decline</button>
      </div>
      <div class="actions">
        <button id="draw-offer" data-testid="draw-offer" type="button" hidden={!player || over}
          disabled={!(active && player && online && v.drawOffer === null && !live.offerSent)} onClick={() => live.draw('offer')}>
          {v.drawOffer === ours && ours ? '½ Draw offered' : '½ Offer draw'}
        </button>
        <ConfirmButton id="resign" hidden={!player || over} disabled={!(active && player && online)} onConfirm={() => live.resign()}>
          ⚑ Resign
        </ConfirmButton>
        <button id="abort" data-testid="abort" type="button" hidden={!player || over} disabled={!(canAbort(v) && online)}
          onClick={() => live.abort()}>✕ Abort</button>
        <button id="takeback" data-testid="takeback" type="button" hidden={!player || over} title="Ask your opponent to undo your last move"
          disabled={!(canTakeback(v) && online)} onClick={() => live.takeback('offer')}>
          {active && ours && v.takebackOffer === ours ? '↶ Takeback asked…' : '↶ Takeback'}
        </button>
        <button id="moretime" data-testid="moretime" type="button" hidden={!player || over} title="Give your opponent 15 seconds"
          disabled={!(active && player && online)} onClick={() => live.moretime()}>+15 s</button>
        <button id="flip" type="button" title="Flip board" onClick={() => live.flip()}>⇅ Flip</button>
        <SoundSwitch />
      </div>
      <MoveList id="moves" san={v.san} />
      <ChatPanel />
    </aside>
  );
}
