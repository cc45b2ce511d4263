// Smoke tests proving the integration services from the global setup are real: a BullMQ job round trip on Redis
// and a kafkajs produce/consume through a consumer group on the Kafka-protocol broker.
import { randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import { Kafka, logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';

describe('integration services', () => {
  it('runs a BullMQ job round trip on the real Redis', async () => {
    const url = new URL(process.env.MID_REDIS_URL!);
    const connection = { host: url.hostname, port: Number(url.port), maxRetriesPerRequest: null };
    const name = `smoke-${randomUUID()}`;
    const queue = new Queue(name, { connection });
    const worker = new Worker(name, async (job) => ({ doubled: (job.data as { n: number }).n * 2 }), { connection });
    try {
      const done = new Promise<unknown>((resolve, reject) => {
        worker.on('completed', (_job, result) => resolve(result));
        worker.on('failed', (_job, err) => reject(err));
      });
      await queue.add('double', { n: 21 });
      await expect(done).resolves.toEqual({ doubled: 42 });
    } finally {
      await worker.close();
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });

  it('produces and consumes through a kafkajs consumer group on the broker', async () => {
    const kafka = new Kafka({
      clientId: 'smoke',
      brokers: process.env.MID_KAFKA_BROKERS!.split(','),
      logLevel: logLevel.NOTHING,
    });
    const topic = `smoke-${randomUUID()}`;
    const producer = kafka.producer({ allowAutoTopicCreation: true });
    const consumer = kafka.consumer({ groupId: `g-${randomUUID()}` });
    await producer.connect();
    await consumer.connect();
    try {
      // The mock broker auto-creates topics on first metadata request; produce once so the topic exists.
      await producer.send({ topic, messages: [{ key: 'k0', value: 'first' }] });
      await consumer.subscribe({ topic, fromBeginning: true });
      const seen: string[] = [];
      const all = new Promise<void>((resolve) => {
        void consumer.run({
          eachMessage: async ({ message }) => {
            seen.push(message.value!.toString());
            if (seen.length === 3) resolve();
          },
        });
      });
      await producer.send({
        topic,
        messages: [
          { key: 'k1', value: 'second' },
          { key: 'k2', value: 'third' },
        ],
      });
      await all;
      expect(seen.sort()).toEqual(['first', 'second', 'third']);
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
    }
  });
});
