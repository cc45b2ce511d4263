// The triage application: a Fastify instance with the security plugins (helmet for CSP and headers, cookie, CSRF,
// rate limit), auth that a route cannot forget (every route declares `config.role`; a route without one answers
// 404, so a new route is closed until someone opens it), the JSON API with one schema per route (validation and
// the OpenAPI document at /api/docs), and the server-rendered pages. Fastify was chosen because its official
// plugins cover cookies, CSRF, rate limiting, static files, CSP and OpenAPI generation from route schemas, which is
// exactly the security surface we would otherwise hand-roll.
// OIDC as a second login provider: add a route pair (/login/oidc, /login/oidc/callback) with a well-kept client
// (openid-client) that maps the verified `sub`/email to a local user and then calls `startSession` below; roles,
// CSRF and the audit log stay as they are.
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import { Eta } from 'eta';
import Fastify, { LogController } from 'fastify';
import type { FastifyBaseLogger, FastifyInstance, FastifyRequest } from 'fastify';
import { roleAtLeast } from '../../workers/ports/triage-store.ts';
import type { Role } from '../../workers/ports/triage-store.ts';
import { newSecret, secretHash } from './auth.ts';
import type { Principal } from './auth.ts';
import { registerApi } from './api.ts';
import { SESSION_COOKIE } from './context.ts';
import type { AppContext, TriageAppOptions } from './context.ts';
import { apiErrorMessage, requestLang, t } from './i18n/index.ts';
import { registerPages } from './pages.ts';
import { registerReportRoutes } from './reports-routes.ts';
import { registerChatActions } from './chat-actions.ts';
import { registerSilenceRoutes } from './silences-routes.ts';

/** Who may call a route: 'public' or the least role. */
export type RouteAccess = 'public' | Role;

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Least role allowed on this route; routes without it are refused (deny by default). */
    role?: RouteAccess;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

const STATIC_DIR = fileURLToPath(new URL('./static/', import.meta.url));
const VIEWS_DIR = fileURLToPath(new URL('./views/', import.meta.url));

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Messages sent for errors: never the internal message. */
const PUBLIC_ERRORS: Record<number, string> = {
  400: 'invalid request',
  401: 'sign in first',
  403: 'forbidden',
  404: 'not found',
  409: 'conflict',
  413: 'too large',
  415: 'unsupported media type',
  429: 'too many requests',
};

/** The body of an error answer: the stable English `error` and the `message` in the caller's language. */
function publicError(req: FastifyRequest, status: number): { error: string; message: string } {
  const error = PUBLIC_ERRORS[status] ?? (status >= 500 ? 'internal error' : 'request refused');
  return { error, message: apiErrorMessage(requestLang(req), error, status) };
}

/** Builds the application (not listening; call `listen` or route requests with `app.routing`). */
export async function buildTriageApp(options: TriageAppOptions): Promise<FastifyInstance> {
  const { triage, config } = options;
  const now = options.now ?? Date.now;
  const app = Fastify({
    loggerInstance: options.logger.child({ component: 'triage-app' }) as FastifyBaseLogger,
    // No log line per request (a hot path); failures are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: config.trustProxy,
    bodyLimit: 1_048_576,
  });
  app.decorateRequest('principal', null);

  await app.register(helmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'"],
        'img-src': ["'self'", 'data:'],
        'font-src': ["'self'"],
        'connect-src': ["'self'"],
        'object-src': ["'none'"],
        'base-uri': ["'none'"],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    hsts: false, // only meaningful behind TLS; the proxy that terminates TLS sets it
  });
  await app.register(cookie);
  const secure = (req: FastifyRequest) =>
    config.secureCookies === 'always' || (config.secureCookies === 'auto' && req.protocol === 'https');
  await app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieOpts: { path: '/', sameSite: 'strict', httpOnly: true },
  });
  await app.register(formbody);
  await app.register(rateLimit, { global: false });
  await app.register(swagger, {
    openapi: {
      info: {
        title: 'mid-monitor triage API',
        version: '1',
        description:
          'Analyst triage of flagged clusters. Authenticate with the session cookie (plus X-CSRF-Token on changes) or `Authorization: Bearer <API token>`.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer' },
          session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
  });

  // Who is calling: an API token (scripts) or a session cookie (browsers). Then the route's role decides.
  app.addHook('onRequest', async (req, reply) => {
    const access = req.routeOptions.config?.role;
    const auth = req.headers.authorization;
    if (auth?.startsWith('Bearer ')) {
      const token = await triage.findToken(secretHash(auth.slice(7).trim()));
      const user = token ? await triage.getUser(token.username) : null;
      if (token && user && !user.disabled)
        req.principal = {
          username: user.username,
          role: roleAtLeast(user.role, token.role) ? token.role : user.role,
          lang: user.lang,
          via: 'token',
        };
    } else {
      const raw = req.cookies[SESSION_COOKIE];
      if (raw) {
        const id = secretHash(raw);
        const session = await triage.getSession(id, now());
        const user = session ? await triage.getUser(session.username) : null;
        if (session && user && !user.disabled)
          req.principal = { username: user.username, role: user.role, lang: user.lang, via: 'session', sessionId: id };
      }
    }
    if (access === 'public') return;
    if (access === undefined) return reply.code(404).send(publicError(req, 404));
    if (!req.principal) {
      if (req.method === 'GET' && !req.url.startsWith('/api/'))
        return reply.redirect(`/login?next=${encodeURIComponent(req.url)}`);
      return reply.code(401).send(publicError(req, 401));
    }
    if (!roleAtLeast(req.principal.role, access)) return reply.code(403).send(publicError(req, 403));
    return undefined;
  });
  // CSRF on every state change made with cookies (login included); bearer-token calls carry no ambient credentials.
  // preValidation: the body is parsed by then, so plain forms can send the token as the `_csrf` field.
  app.addHook('preValidation', (req, reply, done) => {
    const signed = (req.routeOptions.config as { csrf?: boolean } | undefined)?.csrf === false; // chat-actions.ts
    if (SAFE_METHODS.has(req.method) || req.headers.authorization?.startsWith('Bearer ') || signed) {
      done();
      return;
    }
    app.csrfProtection(req, reply, done);
  });

  app.setErrorHandler((err: Error & { statusCode?: number; validation?: unknown; code?: string }, req, reply) => {
    const status = err.validation
      ? 400
      : err.statusCode && err.statusCode >= 400 && err.statusCode < 600
        ? err.statusCode
        : 500;
    if (status >= 500) req.log.error({ err: err.message, route: req.routeOptions.url }, 'Request failed.');
    const body: Record<string, unknown> = publicError(req, status);
    // Validation problems name the field, which is the caller's own input, not internals.
    if (err.validation && Array.isArray(err.validation))
      body.fields = (err.validation as Array<{ instancePath?: string; params?: { missingProperty?: string } }>)
        .map((v) => v.instancePath || v.params?.missingProperty || '')
        .filter(Boolean);
    if (Array.isArray(body.fields) && body.fields.length)
      body.message = t(requestLang(req), 'error.fields', { fields: body.fields.join(', ') });
    return reply.code(status).send(body);
  });
  app.setNotFoundHandler({ preHandler: undefined }, (req, reply) => reply.code(404).send(publicError(req, 404)));

  await app.register(async (child) => {
    child.addHook('onRoute', (r) => {
      r.config = { ...(r.config as object), role: 'public' };
    });
    await child.register(fastifyStatic, { root: STATIC_DIR, prefix: '/static/', maxAge: '1h', index: false });
  });

  const eta = new Eta({ views: VIEWS_DIR, autoEscape: true, cache: true, autoTrim: false });
  const ctx: AppContext = {
    ...options,
    now,
    eta,
    async startSession(reply, request, username) {
      const raw = newSecret();
      const createdAtMs = now();
      await triage.createSession({
        id: secretHash(raw),
        username,
        createdAtMs,
        expiresAtMs: createdAtMs + config.sessionHours * 3_600_000,
      });
      reply.setCookie(SESSION_COOKIE, raw, {
        path: '/',
        httpOnly: true,
        sameSite: 'strict',
        secure: secure(request),
        maxAge: config.sessionHours * 3600,
      });
    },
  };
  registerApi(app, ctx);
  registerPages(app, ctx);
  if (options.reports) registerReportRoutes(app, ctx, options.reports);
  registerChatActions(app, ctx);
  registerSilenceRoutes(app, ctx, options.silences ?? null);
  app.get('/api/docs', { config: { role: 'public' }, schema: { hide: true } }, async () => app.swagger());
  return app;
}
