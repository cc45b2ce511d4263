// `mid kibana import` against a local HTTP server standing in for Kibana: the exact requests (GET /api/status, then a
// multipart POST of the NDJSON with kbn-xsrf, the space path, overwrite and auth) and Kibana's documented response
// shapes for success, per-object errors (conflict, missing_references, unsupported_type) and 4xx/5xx bodies.
// A live import runs only when MID_KIBANA_URL is set.
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { importSavedObjects, KibanaImportError } from '../../dashboards/kibana/kibana-client.ts';
import { defaultNdjson } from '../../dashboards/kibana/write-committed.ts';
import { run } from '../../workers/commands/kibana.ts';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}
type Reply = { status: number; body: unknown };

// Kibana's answers, as its Saved Objects import API and status API documentation show them.
const STATUS = (number: string): Reply => ({
  status: 200,
  body: {
    name: 'kibana',
    uuid: '5b2de169-2785-441b-ae8c-186a1936b17d',
    version: { number, build_hash: 'abc', build_number: 76360, build_snapshot: false },
    status: { overall: { level: 'available', summary: 'All services and plugins are available' } },
  },
});
const SUCCESS = (n: number): Reply => ({
  status: 200,
  body: {
    successCount: n,
    success: true,
    warnings: [],
    successResults: [
      { type: 'index-pattern', id: 'mid-posts', meta: { title: 'mid-posts*', icon: 'indexPatternApp' } },
    ],
  },
});
const OBJECT_ERRORS: Reply = {
  status: 200,
  body: {
    success: false,
    successCount: 20,
    warnings: [],
    errors: [
      {
        id: 'mid-posts',
        type: 'index-pattern',
        title: 'mid-posts*',
        meta: { title: 'mid-posts*', icon: 'indexPatternApp' },
        error: { type: 'conflict' },
      },
      {
        id: 'mid-triage-ranked',
        type: 'lens',
        title: 'Open clusters ranked by score',
        meta: { title: 'Open clusters ranked by score', icon: 'lensApp' },
        error: { type: 'missing_references', references: [{ type: 'index-pattern', id: 'mid-clusters' }] },
      },
      {
        id: 'mid-dashboard-triage',
        type: 'dashboard',
        title: 'MID triage',
        meta: { title: 'MID triage' },
        error: { type: 'unsupported_type' },
      },
    ],
  },
};
const BAD_REQUEST: Reply = {
  status: 400,
  body: { statusCode: 400, error: 'Bad Request', message: 'Invalid file extension .json' },
};

let server: Server;
let url: string;
let seen: Seen[];
let replies: Reply[];

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks) });
      const r = replies.shift() ?? {
        status: 500,
        body: { statusCode: 500, error: 'Internal Server Error', message: 'no reply planned' },
      };
      res.writeHead(r.status, { 'content-type': 'application/json' }).end(JSON.stringify(r.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});
afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

function plan(...r: Reply[]): void {
  seen = [];
  replies = r;
}

/** The KibanaImportError the import fails with (a success fails the test). */
async function failure(p: Promise<unknown>): Promise<KibanaImportError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof KibanaImportError) return err;
    throw err;
  }
  throw new Error('expected the import to fail');
}

/** The multipart body as the server received it, parsed by the platform's own form-data parser. */
async function formOf(s: Seen): Promise<FormData> {
  return new Request('http://parse.invalid', {
    method: 'POST',
    headers: { 'content-type': s.headers['content-type']! },
    body: s.body,
  }).formData();
}

describe('mid kibana import (command)', () => {
  it('checks the version, then posts the generated NDJSON as a multipart file to the space with kbn-xsrf, overwrite and basic auth', async () => {
    plan(STATUS('9.1.5'), SUCCESS(23));
    vi.stubEnv('MID_CONFIG', '');
    vi.stubEnv('MID_KIBANA_URL', url);
    vi.stubEnv('MID_KIBANA_USERNAME', 'elastic');
    vi.stubEnv('MID_KIBANA_PASSWORD', 's3cret-pw');
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
      out.push(String(s));
      return true;
    });
    expect(await run(['import', '--space', 'analysts', '--overwrite'])).toBe(0);
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual([
      'GET /api/status',
      'POST /s/analysts/api/saved_objects/_import?overwrite=true',
    ]);
    const basic = `Basic ${Buffer.from('elastic:s3cret-pw').toString('base64')}`;
    expect(seen[0]!.headers.authorization).toBe(basic);
    const post = seen[1]!;
    expect(post.headers.authorization).toBe(basic);
    expect(post.headers['kbn-xsrf']).toBeTruthy();
    expect(post.headers['content-type']).toMatch(/^multipart\/form-data; boundary=/);
    const file = (await formOf(post)).get('file') as File;
    expect(file.name).toMatch(/\.ndjson$/);
    expect(await file.text()).toBe(defaultNdjson());
    expect(JSON.parse(out.join(''))).toEqual({ ok: true, kibana: '9.1.5', space: 'analysts', imported: 23 });
  });

  it('without --space and --overwrite: the default space path, no overwrite flag; an API key wins over user and password', async () => {
    plan(STATUS('8.9.0'), SUCCESS(23));
    vi.stubEnv('MID_CONFIG', '');
    vi.stubEnv('MID_KIBANA_URL', url);
    vi.stubEnv('MID_KIBANA_USERNAME', 'elastic');
    vi.stubEnv('MID_KIBANA_PASSWORD', 'pw');
    vi.stubEnv('MID_KIBANA_API_KEY', 'VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==');
    vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    expect(await run(['import'])).toBe(0);
    expect(seen.map((s) => `${s.method} ${s.url}`)).toEqual(['GET /api/status', 'POST /api/saved_objects/_import']);
    expect(seen[1]!.headers.authorization).toBe('ApiKey VnVhQ2ZHY0JDZGJrUW0tZTVhT3g6dWkybHAyYXhUTm1zeWFrdzl0dk5udw==');
  });

  it('a Kibana older than the objects is refused before anything is posted, with a clear message and exit 1', async () => {
    plan(STATUS('8.8.2'));
    vi.stubEnv('MID_CONFIG', '');
    vi.stubEnv('MID_KIBANA_URL', url);
    const err: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
      err.push(String(s));
      return true;
    });
    expect(await run(['import', '--overwrite'])).toBe(1);
    expect(seen.map((s) => s.method)).toEqual(['GET']);
    expect(err.join('')).toContain('Kibana 8.8.2 is older than 8.9.0');
  });

  it('--keep-existing: conflicts only (a second start) keep the existing objects and succeed; other refusals still fail', async () => {
    const conflicts: Reply = {
      status: 200,
      body: {
        success: false,
        successCount: 2,
        warnings: [],
        errors: [
          {
            id: 'mid-posts',
            type: 'index-pattern',
            title: 'mid-posts*',
            meta: { title: 'mid-posts*', icon: 'indexPatternApp' },
            error: { type: 'conflict' },
          },
        ],
      },
    };
    plan(STATUS('9.1.5'), conflicts);
    vi.stubEnv('MID_CONFIG', '');
    vi.stubEnv('MID_KIBANA_URL', url);
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
      out.push(String(s));
      return true;
    });
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await run(['import', '--keep-existing'])).toBe(0);
    expect(seen[1]!.url).toBe('/api/saved_objects/_import');
    expect(JSON.parse(out.join(''))).toEqual({ ok: true, space: 'default', imported: 2, keptExisting: 1 });
    plan(STATUS('9.1.5'), OBJECT_ERRORS);
    expect(await run(['import', '--keep-existing'])).toBe(1);
  });

  it('export writes the NDJSON for the configured prefix', async () => {
    vi.stubEnv('MID_CONFIG', '');
    const out: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
      out.push(String(s));
      return true;
    });
    expect(await run(['export'])).toBe(0);
    expect(out.join('')).toBe(defaultNdjson());
  });
});

describe('Kibana answers (client)', () => {
  const opts = () => ({ url, username: 'elastic', password: 'hunter2-secret' });

  it('per-object errors (conflict, missing_references, unsupported_type) become one error listing each, with the --overwrite hint', async () => {
    plan(STATUS('8.15.0'), OBJECT_ERRORS);
    const e = await failure(importSavedObjects(opts(), defaultNdjson()));
    expect(e).toBeInstanceOf(KibanaImportError);
    expect(e.retriable).toBe(false);
    expect(e.objectErrors.map((o) => o.error.type)).toEqual(['conflict', 'missing_references', 'unsupported_type']);
    expect(e.message).toContain('imported 20 objects and refused 3 (run again with --overwrite to replace them)');
    expect(e.message).toContain('index-pattern/mid-posts "mid-posts*": already exists');
    expect(e.message).toContain(
      'lens/mid-triage-ranked "Open clusters ranked by score": refers to missing index-pattern/mid-clusters',
    );
    expect(e.message).toContain(
      'dashboard/mid-dashboard-triage "MID triage": this Kibana does not know the type "dashboard"',
    );
  });

  it("Kibana's 400 body is reported with its message; 401 says which settings to check and never echoes the password", async () => {
    plan(STATUS('8.15.0'), BAD_REQUEST);
    await expect(importSavedObjects(opts(), defaultNdjson())).rejects.toThrow(
      'importing saved objects: 400 Bad Request: Invalid file extension .json',
    );
    plan({
      status: 401,
      body: {
        statusCode: 401,
        error: 'Unauthorized',
        message: '[security_exception] unable to authenticate user [elastic]',
      },
    });
    const e = await failure(importSavedObjects(opts(), defaultNdjson()));
    expect(e.message).toContain('MID_KIBANA_USERNAME');
    expect(e.message).not.toContain('hunter2-secret');
    expect(e.retriable).toBe(false);
  });

  it('a missing space is named; a Kibana that is not ready (503) or unreachable is retriable', async () => {
    plan(STATUS('8.15.0'), { status: 404, body: { statusCode: 404, error: 'Not Found', message: 'Not Found' } });
    await expect(importSavedObjects({ ...opts(), space: 'nope' }, defaultNdjson())).rejects.toThrow(
      'does the space "nope" exist?',
    );
    plan({
      status: 503,
      body: { statusCode: 503, error: 'Service Unavailable', message: 'Kibana server is not ready yet' },
    });
    const e = await failure(importSavedObjects(opts(), defaultNdjson()));
    expect([e.retriable, e.message]).toEqual([
      true,
      'reading Kibana status: 503 Service Unavailable: Kibana server is not ready yet',
    ]);
    const closed = await failure(importSavedObjects({ url: 'http://127.0.0.1:1' }, defaultNdjson()));
    expect(closed.retriable).toBe(true);
    expect(closed.message).toContain('could not be reached');
  });
});

describe.skipIf(!process.env.MID_KIBANA_URL)('live Kibana (MID_KIBANA_URL)', () => {
  it('imports every generated object with overwrite', async () => {
    const e = process.env;
    const nd = defaultNdjson();
    const r = await importSavedObjects(
      {
        url: e.MID_KIBANA_URL!,
        space: e.MID_KIBANA_SPACE,
        username: e.MID_KIBANA_USERNAME,
        password: e.MID_KIBANA_PASSWORD,
        apiKey: e.MID_KIBANA_API_KEY,
      },
      nd,
      { overwrite: true },
    );
    expect(r.successCount).toBe(nd.trimEnd().split('\n').length);
  });
});
