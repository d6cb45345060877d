// The room's chat under the move list (chat.ts keeps it): a seated player talks with the opponent,
// a watcher with the other watchers; lines newest at the bottom, each by someone else with Mute and
// Report; the muted players to unmute; for a player, the switch that closes the spectators' chat.
// Lines are rendered as text nodes, never as HTML.
import type { ChatLine } from '@gambit/protocol';
import { useEffect, useRef, useState } from 'preact/hooks';
import { CHAT_COUNT_FROM, CHAT_MAX } from '../chat.js';
import { signInHref } from '../routes.js';
import { useLive } from './live-context.js';

export function ChatPanel() {
  const live = useLive();
  const { chat, view: v } = live;
  const [, typed] = useState(0); // the draft lives in chat.ts (a refused line comes back to it)
  const list = useRef<HTMLOListElement>(null);
  const shown: ChatLine[] = v.room && chat.room === v.room ? chat.shown : [];
  const newest = shown.at(-1)?.n ?? 0;
  useEffect(() => {
    // Only the list scrolls (scrollIntoView would move the whole page on a phone).
    const el = list.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [newest, shown.length]);
  if (!v.room) return null;

  const me = live.identity.me;
  const players = (chat.channel ?? (v.color ? 'players' : 'spectators')) === 'players';
  const closed = !chat.spectatorsOpen;
  const guestWatcher = !players && me?.kind !== 'user';
  const canWrite = live.online && (players || !closed);
  const count = chat.draft.length;
  return (
    <section class="chat" data-testid="chat-panel" data-channel={players ? 'players' : 'spectators'} data-ready={String(chat.ready)}
      aria-label={players ? 'Chat with your opponent' : "Spectators' chat"}>
      <div class="chat-head">
        <h2>{players ? 'Chat with your opponent' : "Spectators' chat"}</h2>
        {players && (
          <label class="check">
            <input type="checkbox" data-testid="chat-spectators-toggle" checked={chat.spectatorsOpen} disabled={!live.online}
              onChange={(e) => chat.setSpectators(e.currentTarget.checked)} />
            Spectators may chat
          </label>
        )}
      </div>
      {closed && (
        <p class="chat-note" data-testid="chat-closed-note">
          {players ? "The spectators' chat is closed" : "The players closed the spectators' chat"}
        </p>
      )}
      <ol class="chat-lines" ref={list} aria-live="polite">
        {shown.map((l) => {
          const mine = l.by.playerId === me?.playerId;
          return (
            <li key={l.n} data-testid="chat-line" data-n={l.n} data-by={l.by.name} class={mine ? 'mine' : undefined}>
              <span class="chat-by">{l.by.name}</span>
              <span class="chat-text">{l.text}</span>
              {!mine && (
                <span class="chat-tools">
                  <button type="button" class="link" data-testid="chat-mute" title={`Hide ${l.by.name}'s lines`} onClick={() => chat.mute(l.by)}>Mute</button>
                  <button type="button" class="link" data-testid="chat-report" title="Report this line to the moderators" onClick={() => chat.report(l)}>Report</button>
                </span>
              )}
            </li>
          );
        })}
      </ol>
      {guestWatcher ? (
        <p class="chat-signin muted" data-testid="chat-signin">
          {live.identity.hasAccounts ? <><a href={signInHref(`/room/${v.room}`)}>Sign in</a> to chat with other spectators</> : 'Sign in to chat with other spectators'}
        </p>
      ) : (
        <form class="chat-form" onSubmit={(e) => {
          e.preventDefault();
          chat.say();
        }}>
          <input type="text" data-testid="chat-input" aria-label="Your message" autoComplete="off" enterkeyhint="send"
            maxLength={CHAT_MAX} value={chat.draft} disabled={!canWrite}
            placeholder={players ? 'Message your opponent' : 'Message the spectators'}
            onInput={(e) => {
              chat.draft = e.currentTarget.value;
              typed((n) => n + 1);
            }} />
          {count >= CHAT_COUNT_FROM && <span class="chat-count" data-testid="chat-count" aria-live="polite">{count}/{CHAT_MAX}</span>}
          <button type="submit" data-testid="chat-send" disabled={!canWrite || chat.draft.trim() === ''}>Send</button>
        </form>
      )}
      {chat.muted.size > 0 && (
        <p class="chat-muted" data-testid="chat-muted">
          <span class="muted">Muted:</span>
          {[...chat.muted].map(([id, name]) => (
            <button key={id} type="button" class="link" data-testid="chat-unmute" data-player={id} data-name={name}
              title={`Show ${name}'s lines again`} onClick={() => chat.unmute(id)}>{name} ✕</button>
          ))}
        </p>
      )}
    </section>
  );
}
