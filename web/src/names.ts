// The guest's display name on the home screen, and the order of events around it. A new name is
// in force (new token, new socket, its `welcome`) before a create or join that follows it: without
// that, a name typed and Create clicked at once sent `create` on the old socket while the new
// identity was still being fetched; the socket was then replaced and the seat left behind on it,
// disconnected, until the game ended `abandoned`. Changes are serialised on one promise chain.
import { storedName } from './session.js';
import { toast } from './toast.js';
import type { LiveGame } from './live.js';

export const cleanName = (s: string): string => s.trim().slice(0, 24);

export class Names {
  /** What the home screen's name field shows (the screen writes it as the person types). */
  field = '';
  private chain: Promise<boolean> = Promise.resolve(false);
  private switchingTo: string | null = null; // the name a pending switch is going to
  private acting = false; // a create or join is waiting for the name switch: a second click does nothing
  private readonly welcomeWaiters: (() => void)[] = [];
  private readonly fieldAtBoot: string;
  private resolveBoot: (ok: boolean) => void = () => {};

  constructor(private readonly live: LiveGame) {
    this.field = storedName() ?? '';
    this.fieldAtBoot = this.field;
    // Everything queued before the first identity runs after it (a name typed while the page loads).
    this.chain = new Promise((resolve) => { this.resolveBoot = resolve; });
  }

  get switching(): boolean {
    return this.switchingTo !== null;
  }

  /** The first identity is here: the field shows its name unless the person typed one meanwhile. */
  booted(name: string): void {
    if (this.field === this.fieldAtBoot) this.field = name;
    this.resolveBoot(true);
  }

  /** Boot gave up (no sessions here): queued actions resolve as failed. */
  failed(): void {
    this.resolveBoot(false);
  }

  welcomed(): void {
    for (const resolve of this.welcomeWaiters.splice(0)) resolve();
  }

  /** Resolves on the next `welcome` (of a socket opened after this call), rejects after `ms`. */
  private nextWelcome(ms: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.welcomeWaiters.splice(this.welcomeWaiters.indexOf(done), 1);
        reject(new Error('no welcome'));
      }, ms);
      this.welcomeWaiters.push(done);
    });
  }

  /**
   * Makes the name in the field the one in force. Resolves true once it is (at once when it already
   * is), false when it could not be. Called on change (blur), on Enter, and by every create and join,
   * so a name typed and not yet committed still comes before the game it was typed for.
   */
  commit(): Promise<boolean> {
    const live = this.live;
    const name = cleanName(this.field);
    const current = this.switchingTo ?? live.identity.me?.name ?? '';
    if (live.identity.me?.kind === 'user') return this.chain; // a signed-in user plays under the username
    if (!name || name === current) {
      if (!name && current) {
        this.field = current; // an empty field means: keep the name
        live.emit();
      }
      // A switch to this very name is pending: its outcome decides. Otherwise the name in force is
      // this one (an earlier failed switch does not count against it); still wait for the queue.
      return this.switchingTo !== null ? this.chain : this.chain.then((ok) => ok || live.identity.me !== null);
    }
    if (!live.free) {
      // Like lichess, a name cannot change during a game: the seat (and what the opponent reads) is
      // tied to the player id in the token, and a new name is a new token, so the game would lose its
      // player. The field is disabled in a room; this catches a change that was typed just before.
      this.field = current;
      toast('Your name can change between games, not during one');
      live.emit();
      return this.chain;
    }
    this.switchingTo = name;
    this.chain = this.chain.then(() => this.switchTo(name));
    return this.chain;
  }

  private async switchTo(name: string): Promise<boolean> {
    const live = this.live;
    try {
      if (name === live.identity.me?.name) return true;
      const me = await live.identity.rename(name);
      live.view = { ...live.view, me: me.playerId };
      if (cleanName(this.field) === name) this.field = me.name; // the server's spelling
      const welcomed = this.nextWelcome(15_000);
      live.conn.restart();
      await welcomed.catch(() => {
        throw new Error('Not connected: try again in a moment');
      });
      return true;
    } catch (err) {
      toast(err instanceof Error && err.message.startsWith('Not connected') ? err.message : 'Could not change the name: try again');
      if (cleanName(this.field) === name && live.identity.me) this.field = live.identity.me.name;
      return false;
    } finally {
      if (this.switchingTo === name) this.switchingTo = null;
      live.render();
    }
  }

  /** Runs a create or join in the order the person acted: the name typed before the click first. */
  async act(action: () => void): Promise<void> {
    if (this.acting) return;
    this.acting = true;
    try {
      if (!(await this.commit())) return;
    } finally {
      this.acting = false;
    }
    if (!this.live.free) return; // something else (a shared link) put us in a room meanwhile
    action();
    this.live.render();
  }
}
