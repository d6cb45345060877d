// The order suites start in, longest kinds first, so jest's two workers finish together. On a fresh
// machine jest knows no suite's duration and starts the largest files first: the quick chaos suite
// (a small file, 98 s alone, 167 s beside another worker) could start last and run on alone.
// Within a kind, jest's own order stands (failed last time first, then longest known).
import Sequencer from '@jest/test-sequencer';

const KINDS = [/\/test\/chaos\//, /\/test\/e2e\//, /\/test\/(integration|cluster|controller|observability|k8s)\//, /\/test\//];
const kind = (path) => {
  const i = KINDS.findIndex((re) => re.test(path));
  return i === -1 ? KINDS.length : i;
};

export default class LongestKindsFirst extends Sequencer {
  async sort(tests) {
    return [...(await super.sort(tests))].sort((a, b) => kind(a.path) - kind(b.path));
  }
}
