// A CPU task for step-runner.spec: spins until the main thread sets cell 0, counting its loops in cell 1.
import { threadId } from 'node:worker_threads';

export default function spinUntil({ shared }) {
  const cells = new Int32Array(shared);
  while (Atomics.load(cells, 0) === 0) Atomics.add(cells, 1, 1);
  return { threadId };
}
