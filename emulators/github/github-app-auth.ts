import { createPublicKey, randomBytes, verify } from 'node:crypto';
import { errorBody } from './error-body.js';

export interface AppCredentials {
  appId: number;
  installationId: number;
  /** PEM of the App's public key; the bot holds the private one. */
  publicKey: string;
}

/**
 * POST /app/installations/{id}/access_tokens: the bearer is a JWT the App signs with RS256 (`iss`
 * its id, `exp` at most ten minutes ahead); the answer is a one-hour installation token.
 */
export function installationToken(
  app: AppCredentials | undefined,
  installationId: number,
  jwt: string | undefined,
): { token: string; expires_at: string } | { status: number; body: unknown } {
  const unauthorized = (message: string) => ({ status: 401, body: errorBody(401, message) });
  if (!app || !jwt) return unauthorized('A JSON web token could not be decoded');
  const [header, payload, signature] = jwt.split('.');
  if (!header || !payload || !signature) return unauthorized('A JSON web token could not be decoded');
  const signed = verify(
    'RSA-SHA256',
    Buffer.from(`${header}.${payload}`),
    createPublicKey(app.publicKey),
    Buffer.from(signature, 'base64url'),
  );
  if (!signed) return unauthorized('A JSON web token could not be decoded');
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as {
    iss?: unknown;
    exp?: number;
  };
  if (String(claims.iss) !== String(app.appId))
    return unauthorized("'Issuer' claim ('iss') must be an Integer");
  if (!claims.exp || claims.exp * 1000 < Date.now()) {
    return unauthorized(
      "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires",
    );
  }
  if (installationId !== app.installationId) return { status: 404, body: errorBody(404, 'Not Found') };
  return {
    token: `ghs_${randomBytes(18).toString('hex')}`,
    expires_at: new Date(Date.now() + 3_600_000).toISOString(),
  };
}
