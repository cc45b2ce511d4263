// A small HTTP client that keeps cookies like a browser and signs in to the triage application (CSRF token, then
// the session cookie), for tests that drive a whole `mid start` process over HTTP.

/** A client with its own cookie jar. */
export interface SessionClient {
  get(url: string, init?: RequestInit): Promise<{ status: number; body: string }>;
  /** Signs in as `username`; resolves to the login's HTTP status. */
  signIn(base: string, password: string, username?: string): Promise<number>;
}

/** Creates a client; network errors come back as status 0 (the server may not be up yet). */
export function sessionClient(): SessionClient {
  const jar = new Map<string, string>();
  const get = async (url: string, init: RequestInit = {}): Promise<{ status: number; body: string }> => {
    try {
      const r = await fetch(url, {
        redirect: 'manual',
        ...init,
        headers: {
          ...(init.headers as Record<string, string>),
          cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; '),
        },
      });
      for (const c of r.headers.getSetCookie()) {
        const [kv] = c.split(';');
        const i = kv!.indexOf('=');
        jar.set(kv!.slice(0, i), kv!.slice(i + 1));
      }
      return { status: r.status, body: await r.text() };
    } catch {
      return { status: 0, body: '' };
    }
  };
  return {
    get,
    async signIn(base, password, username = 'admin') {
      const { token } = JSON.parse((await get(`${base}/api/csrf`)).body) as { token: string };
      return (
        await get(`${base}/api/login`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-csrf-token': token },
          body: JSON.stringify({ username, password }),
        })
      ).status;
    },
  };
}

/** The one-time admin password `mid start` prints on its first start, from its standard output. */
export function oneTimePassword(stdout: string): string | undefined {
  return /one-time password (\S+)/.exec(stdout)?.[1];
}
