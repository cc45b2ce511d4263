// Runs the scheduler contract against the in-process scheduler (fake timers) and BullMQ on the real Redis (real
// time, own prefix per test).
import { randomUUID } from 'node:crypto';
import { BullmqScheduler } from '../../../workers/adapters/bullmq-scheduler.ts';
import { MemoryScheduler } from '../../../workers/adapters/memory-scheduler.ts';
import { fakeClock, realClock } from '../test-clock.ts';
import { schedulerContract } from './scheduler.contract.ts';

schedulerContract('memory', () => new MemoryScheduler(), fakeClock());
schedulerContract(
  'bullmq',
  () => new BullmqScheduler({ redisUrl: process.env.MID_REDIS_URL!, prefix: `t${randomUUID().slice(0, 8)}` }),
  realClock(),
  async (s) => {
    await (s as BullmqScheduler).obliterate();
  },
);
