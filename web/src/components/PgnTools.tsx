// The game's PGN: a download (a Blob link, gambit-<id>.pgn) and a copy to the clipboard.
import { useEffect, useMemo } from 'preact/hooks';
import { copyText } from '../download.js';
import { toast } from '../toast.js';

export function PgnTools({ pgn, gameId }: { pgn: string; gameId: string }) {
  const href = useMemo(() => URL.createObjectURL(new Blob([pgn], { type: 'application/x-chess-pgn' })), [pgn]);
  useEffect(() => () => URL.revokeObjectURL(href), [href]);
  return (
    <div class="row">
      <a id="replay-pgn" data-testid="replay-pgn" class="button" href={href} download={`gambit-${gameId}.pgn`}>Download PGN</a>
      <button id="replay-copy-pgn" type="button"
        onClick={async () => toast((await copyText(pgn)) ? 'PGN copied' : 'Copying is not allowed here: use the download', 2500)}>
        Copy PGN
      </button>
    </div>
  );
}
