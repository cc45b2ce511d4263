// Runs the state-store contract against the in-memory store and the real Redis from the global setup.
import { MemoryStateStore } from '../../../workers/adapters/memory-state-store.ts';
import { RedisStateStore } from '../../../workers/adapters/redis-state-store.ts';
import { stateStoreContract } from './state-store.contract.ts';

stateStoreContract('memory', () => new MemoryStateStore());
stateStoreContract('redis', (prefix) => new RedisStateStore({ url: process.env.MID_REDIS_URL!, prefix }));
