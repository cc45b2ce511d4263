// Where the workers take the detector input's options from the configuration: the detect worker, its snapshot
// replica and `mid analyze` all call this, so they advance the detector by the same rule with the same settings
// (pipelines/event-time-driver.ts). The one place to change when the settings move within the configuration.
import type { DetectorInputOptions } from '../pipelines/detector-input.ts';
import type { Config } from './config.ts';

/** The detector input options of a configuration (bus.detectTickMs, detectMinPostsPerAdvance, detectMaxTickMs). */
export function detectorInputOptions(config: Pick<Config, 'detect'>): DetectorInputOptions {
  return {
    drive: {
      tickMs: config.detect.tickMs,
      minPostsPerAdvance: config.detect.minPostsPerAdvance,
      maxTickMs: config.detect.maxTickMs,
    },
    windowSeconds: config.detect.windowSeconds,
  };
}
