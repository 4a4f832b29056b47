// The recorder's batches (issue 11: a trace killed in its first second recorded nothing, because the first
// batch was committed only a whole BATCH_MS after the recorder started).
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { BATCH_MS, createRecorder } from '../../src/cli/recorder.js';
import type { RunWriter } from '../../src/store/writer.js';
import { createStraceParser } from '../../src/trace/assemble.js';

const t = suite('cli/recorder-flush');

function fakeWriter(): RunWriter & { batches: number[] } {
  const batches: number[] = [];
  return {
    runId: 1, profileId: 1, batches,
    write: (batch) => void batches.push(batch.observations.reduce((n, o) => n + o.count, 0)),
    finish: () => undefined,
    discard: () => undefined,
  };
}

t('the first batch is committed at the first check that has events; later ones every BATCH_MS', () => {
  let clock = 0;
  const writer = fakeWriter();
  const recorder = createRecorder(writer, { now: () => clock });
  const parser = createStraceParser();
  recorder.flushIfDue();
  assert.equal(writer.batches, [], 'nothing to commit yet');
  clock = 50;
  recorder.add(parser.feed('100 getpid() = 100'));
  recorder.add(parser.feed('100 getppid() = 1'));
  recorder.flushIfDue();
  assert.equal(writer.batches, [2], 'committed without waiting a whole BATCH_MS');
  recorder.add(parser.feed('100 getpid() = 100'));
  clock = 50 + BATCH_MS - 1;
  recorder.flushIfDue();
  assert.equal(writer.batches, [2], 'then one batch per BATCH_MS');
  clock = 50 + BATCH_MS;
  recorder.flushIfDue();
  assert.equal(writer.batches, [2, 1]);
});

t.run();
