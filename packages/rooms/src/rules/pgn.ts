// PGN with the Seven Tag Roster plus time control and termination, written from the stored moves.
import type { EndReason } from '@gambit/protocol';
import type { RoomState } from './state.js';

const TERMINATION: Record<EndReason, string> = {
  checkmate: 'Normal', resign: 'Normal', stalemate: 'Normal', agreement: 'Normal',
  insufficient_material: 'Normal', threefold_repetition: 'Normal', fifty_moves: 'Normal',
  timeout: 'Time forfeit', abandoned: 'Abandoned', aborted: 'Abandoned',
};

const tag = (k: string, v: string) => `[${k} "${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"]`;

export function pgnOf(s: RoomState): string {
  const started = new Date(s.startedAt ?? s.createdAt);
  const result = s.result ?? '*';
  const tags = [
    tag('Event', s.rated ? 'Gambit rated game' : 'Gambit casual game'),
    tag('Site', `gambit room ${s.code}`),
    tag('Date', started.toISOString().slice(0, 10).replace(/-/g, '.')),
    tag('Round', '-'),
    tag('White', s.white?.name ?? '?'),
    tag('Black', s.black?.name ?? '?'),
    tag('Result', result),
    tag('UTCTime', started.toISOString().slice(11, 19)),
    tag('TimeControl', `${Math.round(s.tc.initialMs / 1000)}+${Math.round(s.tc.incrementMs / 1000)}`),
    tag('Termination', s.reason ? `${TERMINATION[s.reason]} (${s.reason})` : 'Unterminated'),
  ];
  const body: string[] = [];
  s.san.forEach((san, i) => body.push(i % 2 === 0 ? `${i / 2 + 1}. ${san}` : san));
  body.push(result);
  return `${tags.join('\n')}\n\n${body.join(' ')}\n`;
}
