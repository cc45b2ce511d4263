// Runs the bus contract against the in-process bus (fake timers) and against Kafka (the kcat mock broker from the
// global setup; real time).
import { KafkaBus } from '../../../workers/adapters/kafka-bus.ts';
import { MemoryBus } from '../../../workers/adapters/memory-bus.ts';
import { fakeClock, realClock } from '../test-clock.ts';
import { busContract } from './bus.contract.ts';

busContract('memory', () => new MemoryBus({ retryBackoffMs: 20 }), fakeClock());
busContract(
  'kafka',
  () =>
    new KafkaBus({
      brokers: process.env.MID_KAFKA_BROKERS!.split(','),
      clientId: 'bus-contract',
      retryBackoffMs: 100,
      sessionTimeoutMs: 6000,
    }),
  realClock(),
  60_000,
);
