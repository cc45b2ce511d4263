// The `enrich` section of the configuration, owned by the enrichment pipeline (pipelines/enrich.ts): language
// detection, entity extraction and pseudonymisation. Pseudonymisation lives here because it is a step of
// enrichment (the enricher replaces ids and handles before anything leaves it); where its key comes from
// (environment, a key file in dataDir) is decided by the worker (workers/pseudonym-key.ts).
import { z } from 'zod';

/**
 * Default language candidates for franc (Latin script only; other scripts are decided by script): what a Dutch
 * monitoring desk actually sees. Codes are franc's (lvs = Latvian, ekk = Estonian, als = Albanian); franc has no
 * Frisian, Limburgish or Papiamento model. Afrikaans and Scots are left out on purpose: with them franc calls short
 * Dutch "Afrikaans" and short English "Scots". Measured with npm run eval:lang (docs/enrichment.md).
 */
export const DEFAULT_LANGUAGE_CANDIDATES = [
  'nld',
  'eng',
  'deu',
  'fra',
  'spa',
  'ita',
  'por',
  'pol',
  'tur',
  'ron',
  'swe',
  'dan',
  'nob',
  'fin',
  'ces',
  'hun',
  'ind',
  'vie',
  'tgl',
  'swh',
  'som',
  'hrv',
  'slk',
  'lit',
  'lvs',
  'ekk',
  'als',
  'slv',
] as const;

/** `enrich.pseudonymize`: keyed pseudonyms of account ids and handles. */
export const pseudonymizeConfigSchema = z.object({
  enabled: z
    .boolean()
    .default(true)
    .describe(
      'Replace account ids and handles with a keyed hash (HMAC-SHA256) before storage (env MID_PSEUDONYMIZE). Default true.',
    ),
  key: z
    .string()
    .min(16, 'at least 16 characters')
    .optional()
    .meta({ secret: true })
    .describe(
      'Secret key for the keyed hash (env MID_PSEUDONYM_KEY). Default none: embedded mode makes and keeps one in dataDir; cluster mode refuses to start without one.',
    ),
});

/** The `enrich` section. */
export const enrichConfigSchema = z.object({
  languageCandidates: z
    .array(z.string().regex(/^[a-z]{3}$/, 'ISO 639-3 code'))
    .min(2)
    .default([...DEFAULT_LANGUAGE_CANDIDATES])
    .describe('ISO 639-3 languages franc may choose from for Latin-script text. Default: DEFAULT_LANGUAGE_CANDIDATES.'),
  preferredLanguages: z
    .array(z.string().regex(/^[a-z]{3}$/, 'ISO 639-3 code'))
    .default(['nld', 'eng'])
    .describe(
      'ISO 639-3 languages the stream mostly carries; they win near ties on very short Latin text. Default nld, eng.',
    ),
  minLanguageChars: z
    .number()
    .int()
    .min(1)
    .default(6)
    .describe(
      'Fewer letters than this (after removing links, mentions and hashtags) gives lang "und". Default 6 (eld settles most texts of 6-9 letters; measured in docs/enrichment.md).',
    ),
  entitiesForEnglish: z
    .boolean()
    .default(true)
    .describe('Find people, organisations and places in English posts with compromise. Default true.'),
  englishEntityParser: z
    .enum(['lexicon', 'compromise'])
    .default('lexicon')
    .describe(
      "How: 'lexicon' looks capitalised word runs up in compromise's lexicon (microseconds); 'compromise' runs the full parse (1.2-2 ms a post, caps throughput near 2,500 posts/s). Default lexicon.",
    ),
  poolThreads: z
    .number()
    .int()
    .min(0)
    .nullable()
    .default(null)
    .describe(
      'Worker threads that enrich posts in `mid analyze` while the main thread runs the detector; 0 enriches in the main thread; the output is the same either way. Default null: one thread when the machine has two or more cores (the detector is the bottleneck; each thread costs ~300 MiB of peak memory), else 0.',
    ),
  pseudonymize: pseudonymizeConfigSchema
    .prefault({})
    .describe(
      'Keyed pseudonyms of account ids and handles (enabled, key). Default on, key from MID_PSEUDONYM_KEY or dataDir.',
    ),
});

/** The validated `enrich` section. */
export type EnrichConfig = z.infer<typeof enrichConfigSchema>;
