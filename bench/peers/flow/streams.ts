// The two stream names of the flow peer and the one entry format each carries, in one place:
// a command (the socket it came from, the frame as the player sent it) and an answer (the sockets
// of one gateway it goes to, the message text).
export const COMMANDS = 'flow:commands';
export const GROUP = 'engine';
export const eventsOf = (gateway: string): string => `flow:events:${gateway}`;

/** "gateway/connection": where a command came from and where its answers go. */
export interface Origin { gw: string; conn: string }

export const commandFields = (o: Origin, frame: string): string[] => ['c', `${o.gw}/${o.conn}`, 'f', frame];

export function decodeCommand(fields: string[]): { origin: Origin; frame: string } | null {
  if (fields[0] !== 'c' || fields[2] !== 'f') return null;
  const [gw, conn] = String(fields[1]).split('/');
  return gw && conn ? { origin: { gw, conn }, frame: String(fields[3]) } : null;
}

export const answerFields = (conns: string[], text: string): string[] => ['to', conns.join(','), 'm', text];

export function decodeAnswer(fields: string[]): { conns: string[]; text: string } | null {
  if (fields[0] !== 'to' || fields[2] !== 'm') return null;
  return { conns: String(fields[1]).split(','), text: String(fields[3]) };
}
