// TEST-ONLY OpenID Connect provider for the caduceus-oidc tests. Never deploy it.
//
// A real, certified OpenID provider (the `oidc-provider` package) configured in the
// style of Pro Santé Connect (PSC):
//   - the national identifier of the health professional is the `SubjectNameID`
//     claim ("8" + RPPS number), released with the `scope_all` scope and, as PSC does,
//     only at the userinfo endpoint for the web login (ID tokens carry `sub`, `acr`, ...);
//   - the authentication context is `eidas1` (PSC's `acr_values`);
//   - PKCE is required.
// For the SASL OAUTHBEARER / XOAUTH2 tests it also acts as the authorization server
// of the mail service, through resource indicators (RFC 8707):
//   - `urn:caduceus:mail`        -> RFC 9068 JWT access tokens (typ at+jwt);
//   - `urn:caduceus:mail-opaque` -> opaque access tokens, checked by RFC 7662 introspection;
//   - `urn:example:other`        -> JWT access tokens for some other service.
// Access tokens carry `SubjectNameID` too (extraTokenClaims).
//
// What makes it test-only:
//   - signing keys are generated at start-up and kept in memory only;
//   - GET /interaction/:uid logs in WITHOUT ANY CREDENTIAL the account named by the
//     authorization request's `login_hint` (default "alice") and grants every
//     requested scope, claim and resource: a headless browser for the tests;
//   - the cookie-signing key is a constant;
//   - it listens on 127.0.0.1 only.
//
// Environment:
//   PORT           port on 127.0.0.1 (default 0: any free port)
//   CLIENT_ID      the static confidential client's id      (default "caduceus")
//   CLIENT_SECRET  its secret (client_secret_basic)          (default "caduceus-test-secret")
//   REDIRECT_URI   its only redirect URI   (default "https://mail.caduceus.test/oidc/callback")
//   TLS_CERT, TLS_KEY  PEM files: serve HTTPS with them (default: plain HTTP)
//   ACCESS_TOKEN_TTL   access token lifetime in seconds (default 600)
//
// Once listening it prints one line on stdout, then only logs on stderr:
//   {"ready":true,"issuer":"https://127.0.0.1:PORT","port":PORT}
// It exits when its standard input is a pipe that gets closed, so a test process that
// dies without killing it does not leave it behind.

import { createPrivateKey, generateKeyPairSync, randomUUID } from 'node:crypto';
import { fstatSync, readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';

import { Provider, errors } from 'oidc-provider';

const env = process.env;
const port = Number(env.PORT ?? 0);
const clientId = env.CLIENT_ID ?? 'caduceus';
const clientSecret = env.CLIENT_SECRET ?? 'caduceus-test-secret';
const redirectUri = env.REDIRECT_URI ?? 'https://mail.caduceus.test/oidc/callback';
const accessTokenTtl = Number(env.ACCESS_TOKEN_TTL ?? 600);
const tls = env.TLS_CERT && env.TLS_KEY
  ? { cert: readFileSync(env.TLS_CERT), key: readFileSync(env.TLS_KEY) }
  : undefined;

// The people this provider knows. `SubjectNameID` is PSC's national identifier claim.
const ACCOUNTS = {
  alice: { SubjectNameID: '810003090833', family_name: 'MARTIN', given_name: 'Alice' },
  bob: { SubjectNameID: '0012800736', family_name: 'DURAND', given_name: 'Bob' },
  // In the demo register extract, with no account: registers themselves (ID-1).
  stephane: { SubjectNameID: '811203039653', family_name: 'BONNET', given_name: 'Stéphane' },
  // Asserts something that is not a national identifier.
  mallory: { SubjectNameID: '510003090833', family_name: 'X', given_name: 'Mallory' },
  // Asserts no national identifier at all.
  nemo: { family_name: 'NEMO', given_name: 'Nemo' },
};

const RESOURCES = {
  'urn:caduceus:mail': 'jwt',
  'urn:caduceus:mail-opaque': 'opaque',
  'urn:example:other': 'jwt',
};

// One fresh RSA signing key per start: a restarted provider has rotated its keys.
// The key is generated as PEM and parsed again before the JWK export: exporting the
// KeyObject that generateKeyPairSync returns can deadlock Node 20 (a garbage collection
// during the export destroys the key-generation job, which locks the key's mutex that
// the export holds), which hung about one start in a hundred.
const { privateKey: privatePem } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  publicKeyEncoding: { type: 'spki', format: 'pem' },
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
});
const signingKey = {
  ...createPrivateKey(privatePem).export({ format: 'jwk' }),
  kid: randomUUID(),
  alg: 'RS256',
  use: 'sig',
};

function accountClaims(accountId) {
  const account = ACCOUNTS[accountId];
  return account ? { sub: accountId, ...account } : undefined;
}

function configuration() {
  return {
    clients: [{
      client_id: clientId,
      client_secret: clientSecret,
      redirect_uris: [redirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    }],
    jwks: { keys: [signingKey] },
    scopes: ['openid', 'scope_all', 'mail'],
    claims: {
      openid: ['sub'],
      scope_all: ['SubjectNameID', 'family_name', 'given_name'],
    },
    acrValues: ['eidas1'],
    pkce: { required: () => true },
    cookies: { keys: ['test-only-cookie-key-not-a-secret'] },
    ttl: {
      AccessToken: accessTokenTtl,
      AuthorizationCode: 60,
      IdToken: 600,
      Interaction: 600,
      Session: 600,
      Grant: 600,
    },
    async findAccount(_ctx, sub) {
      const claims = accountClaims(sub);
      if (!claims) return undefined;
      return { accountId: sub, async claims() { return claims; } };
    },
    // Access tokens carry the national identifier, as the mail service needs it, and
    // the names (as Pro Santé Connect's Keycloak puts the profile claims in its access
    // tokens), which self-registration matches against the register (ID-1).
    // The authentication context of the login goes in as `acr` (RFC 9068 §2.2.1), which
    // a service requiring e-CPS levels checks (AU-5).
    async extraTokenClaims(ctx, token) {
      const claims = accountClaims(token.accountId);
      if (!claims?.SubjectNameID) return undefined;
      const { SubjectNameID, family_name, given_name } = claims;
      const acr = ctx.oidc.entities.AuthorizationCode?.acr;
      return { SubjectNameID, family_name, given_name, ...(acr ? { acr } : {}) };
    },
    features: {
      devInteractions: { enabled: false },
      introspection: { enabled: true },
      userinfo: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: (_ctx, _client, oneOf) => oneOf,
        useGrantedResource: () => true,
        getResourceServerInfo(_ctx, resource) {
          const format = RESOURCES[resource];
          if (!format) throw new errors.InvalidTarget();
          return {
            scope: 'mail',
            audience: resource,
            accessTokenTTL: accessTokenTtl,
            accessTokenFormat: format,
            ...(format === 'jwt' ? { jwt: { sign: { alg: 'RS256' } } } : {}),
          };
        },
      },
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    renderError(ctx, out) {
      ctx.type = 'application/json';
      ctx.body = out;
    },
  };
}

// TEST-ONLY: finishes a login or consent prompt without asking anyone.
async function autoInteraction(provider, req, res) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params, session } = details;
  if (prompt.name === 'login') {
    const accountId = params.login_hint || 'alice';
    if (!ACCOUNTS[accountId]) {
      await provider.interactionFinished(req, res, {
        error: 'access_denied', error_description: `unknown test account ${accountId}`,
      }, { mergeWithLastSubmission: false });
      return;
    }
    await provider.interactionFinished(req, res, {
      login: { accountId, acr: 'eidas1', amr: ['test'] },
    }, { mergeWithLastSubmission: false });
    return;
  }
  if (prompt.name === 'consent') {
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    const missing = prompt.details;
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
    return;
  }
  res.statusCode = 400;
  res.end(`unexpected prompt ${prompt.name}`);
}

const server = tls ? https.createServer(tls) : http.createServer();
server.listen(port, '127.0.0.1', () => {
  const actualPort = server.address().port;
  const issuer = `${tls ? 'https' : 'http'}://127.0.0.1:${actualPort}`;
  const provider = new Provider(issuer, configuration());
  provider.on('server_error', (_ctx, err) => console.error('server_error', err));
  const callback = provider.callback();
  server.on('request', (req, res) => {
    if (req.method === 'GET' && req.url.startsWith('/interaction/')) {
      autoInteraction(provider, req, res).catch((err) => {
        console.error('interaction failed', err);
        res.statusCode = 500;
        res.end(String(err));
      });
      return;
    }
    callback(req, res);
  });
  process.stdout.write(`${JSON.stringify({ ready: true, issuer, port: actualPort })}\n`);
});
server.on('error', (err) => {
  console.error(`cannot listen on 127.0.0.1:${port}: ${err.message}`);
  process.exit(1);
});

// Die with the test process: when our stdin is a pipe and it closes, stop.
if (fstatSync(0).isFIFO()) {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('close', () => process.exit(0));
  process.stdin.resume();
}
process.on('SIGTERM', () => process.exit(0));
