import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** The ATC's login as fly uses it: the password grant at /sky/issuer/token, then bearer tokens. */
export type Role = 'owner' | 'member' | 'pipeline-operator' | 'viewer';

export interface EmulatedUser {
  username: string;
  password: string;
  teams: Record<string, Role[]>;
  admin?: boolean;
}

const FLY_BASIC = `Basic ${Buffer.from('fly:Zmx5').toString('base64')}`;
const ROLE_RANK: Record<Role, number> = { viewer: 1, 'pipeline-operator': 2, member: 3, owner: 4 };

export class FlyAuth {
  private readonly tokens = new Map<string, { user: EmulatedUser; expiresAt: number }>();

  constructor(
    private readonly users: EmulatedUser[],
    private readonly tokenTtlSeconds: number,
  ) {}

  expireTokens(): void {
    this.tokens.clear();
  }

  issueToken(req: IncomingMessage, body: string): { status: number; payload: unknown } {
    if (req.headers.authorization !== FLY_BASIC) return { status: 401, payload: { error: 'invalid_client' } };
    const form = new URLSearchParams(body);
    if (form.get('grant_type') !== 'password') {
      return { status: 400, payload: { error: 'unsupported_grant_type' } };
    }
    const user = this.users.find(
      (u) => u.username === form.get('username') && u.password === form.get('password'),
    );
    if (!user) {
      return {
        status: 401,
        payload: { error: 'invalid_grant', error_description: 'invalid username and password' },
      };
    }
    const token = randomBytes(24).toString('base64url');
    this.tokens.set(token, { user, expiresAt: Date.now() + this.tokenTtlSeconds * 1000 });
    return {
      status: 200,
      payload: { access_token: token, token_type: 'bearer', expires_in: this.tokenTtlSeconds, id_token: 'x' },
    };
  }

  authenticate(req: IncomingMessage): EmulatedUser | undefined {
    const match = /^bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    const entry = match ? this.tokens.get(match[1] as string) : undefined;
    if (!entry || entry.expiresAt <= Date.now()) return undefined;
    return entry.user;
  }

  allowed(user: EmulatedUser, team: string, role: Role): boolean {
    if (user.admin) return true;
    return (user.teams[team] ?? []).some((r) => ROLE_RANK[r] >= ROLE_RANK[role]);
  }
}
