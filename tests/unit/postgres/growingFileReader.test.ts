// The reader of a file still being written (what each overlapped restore feeds pg_restore):
// it ends once the writer says the file is complete, fails when the writer fails, stops on a
// cancel, and waits without spinning.
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { followGrowingFile } from '../../../src/main/core/postgres/growingFileReader';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rd-growing-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

function writer() {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const written = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { written, resolve, reject };
}

async function collect(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('followGrowingFile', () => {
  it('reads what is appended while it follows, and ends only once the writer completed', async () => {
    const file = join(dir, 'dump.partial');
    await writeFile(file, '');
    const w = writer();
    let ended = false;
    const reading = collect(followGrowingFile(file, { written: w.written, chunkBytes: 7, pollMs: 20 })).finally(() => (ended = true));
    const parts = ['PGDMP-header;', 'table one rows;', 'table two rows;'];
    for (const part of parts) {
      await pause(30);
      await appendFile(file, part);
    }
    await pause(100);
    expect(ended).toBe(false); // the file stopped growing, but the writer has not said it is done
    await appendFile(file, 'tail written just before exit');
    w.resolve();
    expect((await reading).toString()).toBe(`${parts.join('')}tail written just before exit`);
  });

  it('starting after the writer moved the complete file, reads it under its complete name', async () => {
    const partial = join(dir, 'dump.partial');
    const complete = join(dir, 'dump');
    await writeFile(complete, 'the whole archive');
    // The writer finished and renamed before this reader opened anything.
    const w = writer();
    w.resolve();
    expect((await collect(followGrowingFile(partial, { written: w.written, completeFile: complete, pollMs: 20 }))).toString()).toBe('the whole archive');
  });

  it("with neither name there, fails with the writer's error when the writer failed", async () => {
    const w = writer();
    w.reject(new Error('pg_dump: connection lost'));
    await expect(collect(followGrowingFile(join(dir, 'dump.partial'), { written: w.written, completeFile: join(dir, 'dump'), pollMs: 20 }))).rejects.toThrow('pg_dump: connection lost');
  });

  it('keeps the same file after the writer renames it by link and unlink', async () => {
    const partial = join(dir, 'dump.partial');
    await writeFile(partial, 'first half;');
    const w = writer();
    const reading = collect(followGrowingFile(partial, { written: w.written, pollMs: 20 }));
    await pause(50);
    await appendFile(partial, 'second half');
    const { link, unlink } = await import('node:fs/promises');
    await link(partial, join(dir, 'dump'));
    await unlink(partial);
    w.resolve();
    expect((await reading).toString()).toBe('first half;second half');
  });

  it('fails with the writer\'s error when the writer fails, never ending as if complete', async () => {
    const file = join(dir, 'dump.partial');
    await writeFile(file, 'a prefix of a dump');
    const w = writer();
    const reading = collect(followGrowingFile(file, { written: w.written, pollMs: 20 }));
    await pause(50);
    w.reject(new Error('pg_dump exited with 1'));
    await expect(reading).rejects.toThrow('pg_dump exited with 1');
  });

  it('stops with a cancel error when the signal aborts while it waits', async () => {
    const file = join(dir, 'dump.partial');
    await writeFile(file, 'some bytes');
    const controller = new AbortController();
    const reading = collect(followGrowingFile(file, { written: new Promise(() => undefined), signal: controller.signal, pollMs: 10_000 }));
    await pause(50);
    const started = Date.now();
    controller.abort();
    await expect(reading).rejects.toMatchObject({ code: 'cancelled' });
    expect(Date.now() - started).toBeLessThan(1_000); // woken by the abort, not by the 10 s poll
  });

  it('waits without a busy loop: a few wake-ups per second while nothing is written', async () => {
    const file = join(dir, 'dump.partial');
    await writeFile(file, '');
    const w = writer();
    let waits = 0;
    const reading = collect(followGrowingFile(file, { written: w.written, pollMs: 100, onWait: () => (waits += 1) }));
    await pause(1_000);
    w.resolve();
    await reading;
    // One wait per 100 ms poll (plus the first): a spinning reader would count thousands.
    expect(waits).toBeGreaterThanOrEqual(3);
    expect(waits).toBeLessThanOrEqual(15);
  });

  it('wakes on growth without waiting for the poll', async () => {
    const file = join(dir, 'dump.partial');
    await writeFile(file, '');
    const w = writer();
    const stream = followGrowingFile(file, { written: w.written, pollMs: 5_000 });
    const first = new Promise<number>((resolve) => stream.once('data', () => resolve(Date.now())));
    await pause(100);
    const appended = Date.now();
    await appendFile(file, 'grown');
    expect((await first) - appended).toBeLessThan(2_000); // fs.watch, not the 5 s poll
    w.resolve();
    stream.resume();
    await new Promise((r) => stream.once('end', r));
  });
});
