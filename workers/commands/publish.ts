// `mid publish --input posts.jsonl`: puts normalized posts onto posts.raw (backfills, tests, benchmarks), keyed by
// post id. Lines are published as they are (the enrich worker validates them and dead-letters what is invalid);
// lines that are not JSON at all are reported and skipped. Prints a JSON summary on stdout.
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createBus } from '../adapters/create-adapters.ts';
import { createLogger } from '../logger.ts';
import type { OutgoingMessage } from '../ports/bus.ts';
import { parseArgs, str } from './args.ts';
import { CONFIG_EXIT_CODE, loadCommandConfig } from './load-config.ts';

/** One line for `mid help`. */
export const summary = 'publish normalized posts onto posts.raw: mid publish --input posts.jsonl [--batch 1000]';

/** Runs the command. */
export async function run(args: string[]): Promise<number> {
  const { flags } = parseArgs(args);
  const input = str(flags, 'input');
  if (!input) {
    process.stderr.write('usage: mid publish --input posts.jsonl [--batch 1000] [--config file.json]\n');
    return 2;
  }
  const config = loadCommandConfig('publish', { file: str(flags, 'config') });
  if (!config) return CONFIG_EXIT_CODE;
  if (config.bus.kind === 'memory')
    process.stderr.write(
      'mid publish: the bus is the in-process one (MID_BUS=memory); nothing outside this process will see the posts. Set MID_BUS=kafka.\n',
    );
  const logger = createLogger(config.log.level);
  const bus = createBus(config, logger);
  const batchSize = Number(str(flags, 'batch') ?? 1000);
  await bus.start();
  let published = 0;
  let skipped = 0;
  let lineNo = 0;
  try {
    let batch: OutgoingMessage[] = [];
    const rl = createInterface({ input: input === '-' ? process.stdin : createReadStream(input), crlfDelay: Infinity });
    for await (const line of rl) {
      lineNo++;
      if (!line.trim()) continue;
      let post: { id?: unknown };
      try {
        post = JSON.parse(line) as { id?: unknown };
      } catch {
        skipped++;
        process.stderr.write(`mid publish: line ${lineNo} is not JSON; skipped\n`);
        continue;
      }
      batch.push({
        key: typeof post?.id === 'string' ? post.id : null,
        value: JSON.stringify({ v: 1, kind: 'post', post }),
      });
      if (batch.length >= batchSize) {
        await bus.publish(config.bus.topics.postsRaw, batch);
        published += batch.length;
        batch = [];
      }
    }
    if (batch.length) {
      await bus.publish(config.bus.topics.postsRaw, batch);
      published += batch.length;
    }
  } finally {
    await bus.stop({ deadlineMs: 10_000 });
  }
  process.stdout.write(`${JSON.stringify({ topic: config.bus.topics.postsRaw, published, skipped })}\n`);
  return 0;
}
