// Sessions that ended (sign-out, account deleted) are announced by the accounts service on a Redis
// pub/sub channel; each gateway closes its sockets opened with those sessions' tokens, so a signed-out
// browser or a deleted account stops playing at once instead of when its socket happens to close.
// Pub/sub loses what a gateway misses while disconnected from Redis; the session check at `hello`
// still refuses every later socket of an ended session.
import type { RedisClient } from '@gambit/common';
import type { Logger } from '@gambit/common';

export class EndedSessions {
  constructor(private readonly sub: RedisClient, private readonly channel: string, private readonly log: Logger) {}

  async start(onEnded: (handle: string) => void): Promise<void> {
    this.sub.on('message', (channel: string, handle: string) => {
      if (channel === this.channel) onEnded(handle);
    });
    await this.sub.subscribe(this.channel);
    this.log.debug({ channel: this.channel }, 'watching ended sessions');
  }

  stop(): void {
    this.sub.disconnect();
  }
}
