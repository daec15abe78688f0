/** Auth: token minting, JWT sessions, login cookies, OAuth redirects, introspection, userinfo. */
import { createHmac } from 'node:crypto'
import { user } from '../catalog.ts'
import { epochSeconds, httpDate, iso } from '../clock.ts'
import { json, type Kind, text } from '../kind.ts'
import { formBody, jsonBody } from '../node.ts'
import { alnum, base64url, dataFor, hex, int, pick, type Rand, shuffle, uuid } from '../random.ts'

const SCOPES = ['orders:read', 'orders:write', 'catalog:read', 'profile', 'payments:read']

function b64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url')
}

const token: Kind = {
  name: 'token',
  family: 'auth',
  noise: 'opaque access token, scope list in hash order (one space-separated string)',
  request: (_i, r) => ({
    method: 'POST',
    path: '/oauth/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: `svc-${int(r, 1, 40)}`,
      client_secret: alnum(r, 24),
      scope: SCOPES.slice(0, int(r, 2, 5)).join(' '),
    }).toString(),
  }),
  respond(req, ctx, bug) {
    const scopes = (formBody(req).get('scope') ?? '').split(' ')
    const n = ctx.noise
    const headers: Record<string, string> = { pragma: 'no-cache' }
    // RFC 6749 §5.1: a token answer must not be cached
    if (bug !== 'no-store-lost') headers['cache-control'] = 'no-store'
    return json(
      {
        access_token: base64url(n, 43),
        token_type: bug === 'token-type-lowercase' ? 'bearer' : 'Bearer',
        expires_in: 3600,
        scope: shuffle(n, scopes).join(' '),
      },
      200,
      headers,
    )
  },
  regressions: {
    'no-store-lost': 'header only: Cache-Control: no-store is gone',
    'token-type-lowercase': 'token_type is "bearer" instead of "Bearer"',
  },
}

const session: Kind = {
  name: 'session-jwt',
  family: 'auth',
  noise: 'a JWT signed with a per-node key, minted now (iat, exp, jti inside the base64)',
  request: (_i, r) => ({
    method: 'POST',
    path: '/auth/session',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ user_id: int(r, 1, 900), password: alnum(r, 12) }),
  }),
  respond(req, ctx, bug) {
    const { user_id } = jsonBody<{ user_id: number }>(req)
    const n = ctx.noise
    const iat = epochSeconds(ctx.now)
    const header = b64url({ alg: 'HS256', typ: 'JWT', kid: 'session-2025-04' })
    const claims = b64url({
      iss: 'https://auth.example.org',
      sub: `user:${user_id}`,
      aud: bug === 'jwt-wrong-audience' ? 'shop-admin' : 'shop-web',
      iat,
      exp: iat + 3600,
      jti: uuid(n),
      sid: hex(n, 16),
      amr: ['pwd'],
    })
    const sig = createHmac('sha256', ctx.node.secret).update(`${header}.${claims}`).digest('base64url')
    return json({
      id_token: `${header}.${claims}.${sig}`,
      token_type: 'Bearer',
      expires_at: iso((iat + 3600) * 1000),
    })
  },
  regressions: { 'jwt-wrong-audience': 'the JWT is minted with aud "shop-admin" instead of "shop-web"' },
}

const login: Kind = {
  name: 'login',
  family: 'auth',
  noise: 'two Set-Cookie headers (session value and expiry, CSRF token), CSRF token in the body',
  request: (_i, r) => ({
    method: 'POST',
    path: '/login',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ username: `user${int(r, 1, 900)}`, password: alnum(r, 10) }).toString(),
  }),
  respond(req, ctx, bug) {
    const name = formBody(req).get('username') ?? ''
    const u = user(Number(name.slice(4)))
    const n = ctx.noise
    const attrs = ['Path=/', `Expires=${httpDate(ctx.now + 14 * 86_400_000)}`, 'Secure', 'SameSite=Lax']
    if (bug !== 'cookie-httponly-lost') attrs.splice(2, 0, 'HttpOnly')
    const csrf = base64url(n, 32)
    return json({ ok: true, user: { id: u.id, name: u.name }, csrf_token: csrf, redirect: '/account' }, 200, {
      'set-cookie': [
        `sid=${base64url(n, 32)}; ${attrs.join('; ')}`,
        `XSRF-TOKEN=${csrf}; Path=/; Secure; SameSite=Lax`,
      ],
    })
  },
  regressions: { 'cookie-httponly-lost': 'header only: the session cookie lost its HttpOnly attribute' },
}

const authorize: Kind = {
  name: 'authorize',
  family: 'redirect',
  noise: 'a random authorization code in the Location and in the body, code and state in either order',
  request: (_i, r) => ({
    method: 'GET',
    path: `/oauth/authorize?${new URLSearchParams({
      response_type: 'code',
      client_id: 'web',
      redirect_uri: 'https://app.example.org/callback',
      scope: 'openid profile',
      state: base64url(r, 16),
    })}`,
  }),
  respond(req, ctx, bug) {
    const pairs: [string, string][] = [['code', base64url(ctx.noise, 22)]]
    if (bug !== 'state-lost') pairs.push(['state', req.query.get('state') ?? ''])
    // the query is built from a hash map: the parameters come in either order
    const location = `${req.query.get('redirect_uri')}?${new URLSearchParams(shuffle(ctx.noise, pairs))}`
    return text('text/plain', `Found. Redirecting to ${location}`, 302, { location })
  },
  regressions: { 'state-lost': 'the Location (and body) lost the state parameter; code is still random' },
}

const logout: Kind = {
  name: 'logout',
  family: 'redirect',
  noise: 'a cache-busting epoch-ms parameter in the Location',
  request: (_i, r) => ({
    method: 'GET',
    path: `/logout?next=${encodeURIComponent(pick(r, ['/home', '/cart', '/p/1']))}`,
  }),
  respond(req, ctx, bug) {
    const next = req.query.get('next') ?? '/'
    return {
      status: bug === 'see-other-became-found' ? 302 : 303,
      headers: {
        location: `/login?next=${encodeURIComponent(next)}&t=${ctx.now}`,
        'set-cookie': 'sid=; Max-Age=0; Path=/; HttpOnly; Secure',
      },
    }
  },
  regressions: { 'see-other-became-found': 'status 302 instead of 303' },
}

const introspect: Kind = {
  name: 'introspect',
  family: 'auth',
  noise: 'exp / iat / nbf epoch seconds, jti, scope string in hash order',
  request: (_i, r) => ({
    method: 'POST',
    path: '/oauth/introspect',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `token=${base64url(r, 43)}&token_type_hint=access_token`,
  }),
  respond(req, ctx, bug) {
    const tok = formBody(req).get('token') ?? ''
    const d: Rand = dataFor(`token:${tok}`)
    const n = ctx.noise
    const iat = epochSeconds(ctx.now) - int(n, 0, 3000)
    const body: Record<string, unknown> = {
      active: true,
      client_id: `svc-${int(d, 1, 40)}`,
      username: user(int(d, 1, 900)).username,
      scope: shuffle(n, SCOPES.slice(0, int(d, 2, 5))).join(' '),
      token_type: 'access_token',
      exp: iat + 3600,
      iat,
      nbf: iat,
      jti: uuid(n),
    }
    if (bug === 'exp-missing') delete body.exp
    return json(body, 200, { 'cache-control': 'no-store' })
  },
  regressions: { 'exp-missing': 'the "exp" member is missing' },
}

const userinfo: Kind = {
  name: 'userinfo',
  family: 'auth',
  noise: 'groups in hash order, per-node private max-age and ETag',
  request: (_i, r) => ({
    method: 'GET',
    path: `/userinfo?u=${int(r, 1, 900)}`,
    headers: { authorization: `Bearer ${base64url(r, 43)}` },
  }),
  respond(req, ctx) {
    const u = user(Number(req.query.get('u')))
    return json(
      {
        sub: `user:${u.id}`,
        name: u.name,
        preferred_username: u.username,
        email: u.email,
        email_verified: u.id % 3 !== 0,
        locale: u.locale,
        groups: shuffle(ctx.noise, u.roles),
        updated_at: u.lastLoginS,
      },
      200,
      { 'cache-control': `private, max-age=${ctx.node.maxAge}` },
    )
  },
  regressions: {},
}

export const IDENTITY: readonly Kind[] = [token, session, login, authorize, logout, introspect, userinfo]
